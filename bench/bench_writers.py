"""Our xlsx writer against XlsxWriter (the reference OOXML writer), on the workbooks a draw writes.

    pip install xlsxwriter openpyxl && python bench/bench_writers.py
    python bench/bench_writers.py --cases month million --repeats 5

Cases, each timed alternately writer by writer in the same run (medians; the machines are noisy):
- plain: 50,000 rows × 10 text columns, also with openpyxl (write-only), as before;
- month: the two workbooks of a typical month, built by the draw's own sheet builders
  (io/writers.py) from a draw of config/plan.toml (2,000 enterprises, about 100 tasks);
- million: the same builders on that draw scaled to a 1M-roster draw: 50,000 tasks (分派表,
  20 columns; 公示表, 15 columns) and 170,000 enterprises not drawn (未参加抽取, 3 columns).
XlsxWriter runs as the project would have to: constant_memory, no string made a formula, number or
link, a fixed creation date; its content digest is then computed from the finished file
(xlsx.content_digest), which our writer gets while writing. Each workbook is written twice by
XlsxWriter first, to check that its uncompressed parts are the same both times.

A draw writes its two workbooks in two helper processes at once (io/helper.py), so the writing
step is also timed that way: two processes, one workbook each, from the moment both have their
sheets until both are written. The estimate for a 1M draw with XlsxWriter replaces that time of
ours with XlsxWriter's in the draw's measured time (--draw, --read: bench_draw.py's medians for 1M
on this machine).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shuangsuiji.core.model import DrawResult

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/io/xlsxwriter_twin.py: XlsxWriter given our Sheets

from shuangsuiji.io.xlsx import Columns, Sheet, content_digest, write_workbook  # noqa: E402

ROWS = [
    [
        f"GY-SJ-2026-12-{i:05d}",
        f"贵阳市某某餐饮有限公司{i}",
        f"91520102MA{i:07d}X",
        "A",
        "云岩区",
        "餐饮服务",
        "贵阳市云岩区市场监督管理局",
        "随机抽取",
        f"GYSJ{i % 5000:04d}",
        "食品经营监管科",
    ]
    for i in range(50_000)
]
HEADER = [f"列{i}" for i in range(10)]

Book = tuple[str, list[Sheet], tuple[int, ...]]  # title, sheets in tab order, the order written


def _materialized(sheet: Sheet) -> Sheet:
    """The sheet with its rows in a list (a builder may give a generator: it is written many times)."""
    return sheet if isinstance(sheet.rows, Columns) else dataclasses.replace(sheet, rows=list(sheet.rows))


def draw_books(tasks: int | None = None, excluded: int | None = None) -> dict[str, Book]:
    """The two workbooks of a draw of config/plan.toml, built as write_outputs builds them; with
    `tasks` and `excluded`, the draw scaled to that many tasks and enterprises not drawn."""
    from shuangsuiji.core.draw import compute_draw
    from shuangsuiji.core.progress import NullReporter
    from shuangsuiji.io.writers import (
        ASSIGNMENT_SHEETS,
        DrawFacts,
        disclosure_sheet,
        notes_sheet,
        proceedings_sheet,
    )
    from shuangsuiji.pipeline import InputOptions, load_and_check

    options = InputOptions(HERE.parent / "config" / "plan.toml")
    plan, inputs, _ = load_and_check(options, NullReporter())
    result = compute_draw(inputs, plan, "bench-writers")
    if tasks is not None:
        result = _scaled(result, plan.info.id, tasks, excluded or 0)
    notes = notes_sheet(result, plan, "0" * 64)
    title = f"{plan.info.name}（{plan.info.id}）"
    proceedings = proceedings_sheet(result, plan, "0" * 64, DrawFacts("2026-12-01T00:00:00Z"))
    assignments = [_materialized(build(result, plan)) for build in ASSIGNMENT_SHEETS] + [notes, proceedings]
    return {
        "assignments.xlsx": (f"{title} 分派表", assignments, (3, 0, 1, 2, 4, 5)),
        "disclosure.xlsx": (
            f"{title} 公示表",
            [_materialized(disclosure_sheet(result, plan)), notes],
            (0, 1),
        ),
    }


def _scaled(result: DrawResult, plan_id: str, tasks: int, excluded: int) -> DrawResult:
    """The draw's tasks and exclusions repeated to the given counts, each enterprise made distinct."""
    base = result.tasks
    more = []
    for n in range(tasks):
        task = base[n % len(base)]
        firm = task.enterprise
        firm = firm._replace(
            key=f"{firm.key[:10]}{n:07d}{firm.key[-1]}",
            name=f"{firm.name}{n}",
            address=f"{firm.address}{n}号",
        )
        more.append(dataclasses.replace(task, task_id=f"{plan_id}-{n + 1:05d}", enterprise=firm))
    gone = result.selection.exclusions or ()
    out = [
        dataclasses.replace(gone[n % len(gone)], enterprise_key=f"91520102MA{n:07d}X")
        for n in range(excluded)
    ]
    selection = dataclasses.replace(result.selection, exclusions=tuple(out))
    return dataclasses.replace(result, tasks=tuple(more), selection=selection)


def ours(path: Path, book: Book) -> None:
    title, sheets, order = book
    write_workbook(path, sheets, title=title, order=order)


def xlsxwriter_then_digest(path: Path, book: Book) -> float:
    """XlsxWriter's workbook, then its content digest; returns the seconds the digest took."""
    from tests.io.xlsxwriter_twin import write_with_xlsxwriter

    title, sheets, _ = book
    write_with_xlsxwriter(path, sheets, title=title)
    started = time.perf_counter()
    content_digest(path)
    return time.perf_counter() - started


def check_deterministic(book: Book) -> str:
    """XlsxWriter twice on the same sheets: the same content digest (uncompressed parts) or an error."""
    from tests.io.xlsxwriter_twin import write_with_xlsxwriter

    with tempfile.TemporaryDirectory() as folder:
        digests = set()
        for name in ("a.xlsx", "b.xlsx"):
            time.sleep(1.1)  # a clock in the file would show across a second
            write_with_xlsxwriter(Path(folder) / name, book[1], title=book[0])
            digests.add(content_digest(Path(folder) / name))
    if len(digests) != 1:
        raise SystemExit("XlsxWriter 两次写出的内容不同（内容摘要不同）")
    return digests.pop()


def compare(books: dict[str, Book], repeats: int) -> dict[str, dict[str, float]]:
    """Median seconds per workbook: ours, XlsxWriter's writing, its content digest, measured alternately."""
    times: dict[str, dict[str, list[float]]] = {
        n: {"ours": [], "xlsxwriter": [], "digest": []} for n in books
    }
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeats):
            for name, book in books.items():
                path = Path(folder) / name
                started = time.perf_counter()
                ours(path, book)
                times[name]["ours"].append(time.perf_counter() - started)
                path.unlink()
                started = time.perf_counter()
                digest = xlsxwriter_then_digest(path, book)
                times[name]["xlsxwriter"].append(time.perf_counter() - started - digest)
                times[name]["digest"].append(digest)
                path.unlink()
    return {n: {k: statistics.median(v) for k, v in t.items()} for n, t in times.items()}


def report(label: str, books: dict[str, Book], repeats: int) -> dict[str, dict[str, float]]:
    """Print the case's medians per workbook and return them."""
    for name, book in books.items():
        rows = sum(len(s.rows) for s in book[1])  # type: ignore[arg-type]
        print(
            f"  {name}: {len(book[1])} 张工作表，共 {rows:,} 行；XlsxWriter 两次写出内容摘要相同 "
            f"{check_deterministic(book)[:12]}…",
            flush=True,
        )
    medians = compare(books, repeats)
    for name, m in medians.items():
        xw = m["xlsxwriter"] + m["digest"]
        print(
            f"  {label} {name}: 本写出器 {m['ours']:.3f} s；"
            f"XlsxWriter {m['xlsxwriter']:.3f} s + 读回算内容摘要 "
            f"{m['digest']:.3f} s = {xw:.3f} s（{xw / m['ours']:.1f} 倍）",
            flush=True,
        )
    return medians


def _child(case: str, name: str, writer: str) -> None:
    """One helper's part in `parallel`: build the workbook, say so, write it when told, print the seconds."""
    book = (draw_books(50_000, 170_000) if case == "million" else draw_books())[name]
    with tempfile.TemporaryDirectory() as folder:
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.perf_counter()
        if writer == "ours":
            ours(Path(folder) / name, book)
        else:
            xlsxwriter_then_digest(Path(folder) / name, book)
        print(f"{time.perf_counter() - started:.4f}", flush=True)


def parallel(case: str, repeats: int) -> dict[str, float]:
    """Median wall seconds of writing both workbooks at once, each in its own process (as a draw's
    helpers do), from the moment both have their sheets until both are done; writers alternately."""
    import subprocess

    walls: dict[str, list[float]] = {"ours": [], "xlsxwriter": []}
    for _ in range(repeats):
        for writer in walls:
            children = [
                subprocess.Popen(
                    [sys.executable, __file__, "--child", case, name, writer],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for name in ("assignments.xlsx", "disclosure.xlsx")
            ]
            for child in children:
                assert child.stdout is not None and child.stdout.readline().strip() == "ready"
            started = time.perf_counter()
            for child in children:
                assert child.stdin is not None
                child.stdin.write("go\n")
                child.stdin.flush()
            for child in children:
                assert child.stdout is not None
                child.stdout.readline()
            walls[writer].append(time.perf_counter() - started)
            for child in children:
                child.communicate()
    return {writer: statistics.median(found) for writer, found in walls.items()}


def plain(repeats: int) -> None:
    """The old case: one sheet of 50,000 rows × 10 text columns, also with openpyxl."""
    from tests.io.xlsxwriter_twin import write_with_xlsxwriter

    sheet = Sheet("分派表", HEADER, ROWS, widths=[16] * 10)

    def with_openpyxl(path: Path) -> None:
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        tab = book.create_sheet("分派表")
        tab.append(HEADER)
        for row in ROWS:
            tab.append(row)
        book.save(path)

    writers: dict[str, Callable[[Path], object]] = {
        "shuangsuiji.io.xlsx": lambda p: write_workbook(p, [sheet]),
        "xlsxwriter": lambda p: write_with_xlsxwriter(p, [sheet]),
        "openpyxl (write-only)": with_openpyxl,
    }
    times: dict[str, list[float]] = {n: [] for n in writers}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeats):
            for name, write in writers.items():
                started = time.perf_counter()
                write(Path(folder) / "t.xlsx")
                times[name].append(time.perf_counter() - started)
    base = statistics.median(times["shuangsuiji.io.xlsx"])
    for name, found in times.items():
        took = statistics.median(found)
        print(f"  {name:<22} {took:.2f} s（是本项目写出器的 {took / base:.1f} 倍）")


def main(argv: Sequence[str] | None = None) -> None:
    """Print each case's medians and, for the million case, the estimated 1M draw with XlsxWriter."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cases", nargs="+", choices=("plain", "month", "million"), default=["plain", "month", "million"]
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--draw", type=float, default=13.0, help="本机 100 万户完整抽取的中位数（bench_draw.py）"
    )
    parser.add_argument(
        "--read", type=float, default=7.04, help="本机 fastexcel 仅读取同样文件的中位数（bench_draw.py）"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)  # case, workbook, writer: see parallel()
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return
    if "plain" in args.cases:
        print("5 万行 × 10 列文字：", flush=True)
        plain(args.repeats)
    if "month" in args.cases:
        print("典型的一个月（2,000 户名录）：", flush=True)
        report("一个月", draw_books(), args.repeats)
    if "million" in args.cases:
        print("100 万户名录的抽取（5 万个任务，17 万户未参加抽取）：", flush=True)
        report("100 万户", draw_books(50_000, 170_000), args.repeats)
        # Both workbooks are written at once, each in its own helper process, as a draw writes them.
        both = parallel("million", args.repeats)
        draw = args.draw - both["ours"] + both["xlsxwriter"]
        print(
            f"  两个工作簿各在一个进程中同时写出（如抽取时的辅助进程）：本写出器 {both['ours']:.2f} s，"
            f"XlsxWriter（含内容摘要）{both['xlsxwriter']:.2f} s；"
            f"100 万户抽取估计 {args.draw:.1f} s → {draw:.1f} s，"
            f"是仅读取（{args.read:.2f} s）的 {args.draw / args.read:.2f} → {draw / args.read:.2f} 倍"
        )


if __name__ == "__main__":
    main()
