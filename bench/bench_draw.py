"""End-to-end draw time against the time fastexcel alone needs to read the same files.

Both are measured in fresh subprocesses, alternately, in the same run (these machines are shared
and noisy, so only ratios within one run mean anything). Peak memory is the child's max RSS.

    python bench/bench_draw.py                 # 10k, 100k and 1M enterprises, 5,000 inspectors
    python bench/bench_draw.py --sizes 10000   # one size
    python bench/bench_draw.py --sizes 1000000 --baseline ../old/.venv/bin/python --data bench/data-old
        # also the draw of another version (an interpreter with that version installed), alternately,
        # on the same files (made by that version's generator when its format differs)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))

from generate_rosters import generate, write_rosters  # noqa: E402

from shuangsuiji.io.ledger import Ledger  # noqa: E402

PLAN = """
[plan]
id = "BENCH-{name}"
name = "基准测试计划"
task_name = "基准测试任务"
type = "不定向"
items = ["食品经营许可情况"]
authority = "贵阳市市场监督管理局"
start = 2026-12-01
end = 2026-12-31

[inputs]
enterprises = "enterprises.xlsx"
inspectors = "inspectors.xlsx"
conflicts = "conflicts.xlsx"
history = "history.xlsx"

[selection]
ratio = {{ A = "{ratio}", B = "{ratio}", C = "{ratio}", D = "{ratio}" }}

[exclusion]
inspected_within_days = 365

[teams]
size = 2
certified = 2
specialist = 1
max_tasks = {max_tasks}
rotation_days = 365
"""

READ_ONLY = """
import sys, fastexcel
for path in sys.argv[1:]:
    reader = fastexcel.read_excel(path)
    reader.load_sheet(0, eager=True)
"""


def prepare(size: int, inspectors: int, data: Path) -> Path:
    """Generate (once) the rosters for `size` enterprises and the bench plan beside them."""
    folder = data / f"{size}"
    plan = folder / "plan.toml"
    if not plan.exists():
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        write_rosters(generate(size, inspectors), folder)
        print(f"  生成 {size} 户名录用时 {time.perf_counter() - started:.1f} s", flush=True)
        tasks = size // 20
        max_tasks = max(8, 2 * 2 * tasks // max(inspectors, 1) + 8)
        plan.write_text(PLAN.format(name=size, ratio="5%", max_tasks=max_tasks), encoding="utf-8")
    return plan


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process (its own rusage, via wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"命令失败（退出码 {child.returncode}）：{' '.join(command[:3])} …")
    return elapsed, usage.ru_maxrss / 1024


@contextmanager
def fresh_draw(plan: Path) -> Iterator[list[str]]:
    """The argv of one quiet draw of `plan` into a fresh folder and a fresh ledger (the same plan
    is drawn once per ledger), made outside any timing as `ledger init` would; removed afterwards."""
    out = Path(tempfile.mkdtemp(prefix="bench-out-")) / "out"
    try:
        ledger = out.parent / "ledger.sqlite"
        Ledger(ledger, create=True).close()
        drawing = ["shuangsuiji", "draw", "--plan", str(plan), "--seed", "bench", "--quiet"]
        yield [*drawing, "--out", str(out), "--ledger", str(ledger)]
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def draw_once(python: str, plan: Path) -> tuple[float, float]:
    """One draw of `plan` by the shuangsuiji that `python` imports."""
    with fresh_draw(plan) as argv:
        code = f"import sys; sys.argv = {argv!r}; from shuangsuiji.cli import main; main()"
        return timed([python, "-c", code])


def measure(size: int, inspectors: int, repeats: int, data: Path, baseline: str | None) -> dict[str, float]:
    """Median draw time, median read-only time, their ratio, and the draw's peak memory; with a
    baseline interpreter, its median draw time too, measured alternately with ours."""
    plan = prepare(size, inspectors, data)
    files = [str(plan.parent / f"{n}.xlsx") for n in ("enterprises", "inspectors", "conflicts", "history")]
    draws: list[float] = []
    reads: list[float] = []
    others: list[float] = []
    peak = 0.0
    for _ in range(repeats):
        reads.append(timed([sys.executable, "-c", READ_ONLY, *files])[0])
        elapsed, memory = draw_once(sys.executable, plan)
        draws.append(elapsed)
        peak = max(peak, memory)
        if baseline:
            others.append(draw_once(baseline, plan)[0])
    draw, read = statistics.median(draws), statistics.median(reads)
    row = {"enterprises": size, "inspectors": inspectors, "draw_s": round(draw, 2), "read_s": round(read, 2),
           "ratio": round(draw / read, 2), "peak_mb": round(peak)}  # fmt: skip
    if others:
        row["baseline_draw_s"] = round(statistics.median(others), 2)
        row["draw_vs_baseline"] = round(draw / statistics.median(others), 3)
    return row


def main() -> None:
    """Run the benchmark and print a table; results also go to bench/results/draw.json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--inspectors", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument(
        "--baseline", help="另一个版本的 Python 解释器（已安装该版本的 shuangsuiji），交替测量它的抽取用时"
    )
    args = parser.parse_args()
    rows = []
    print(f"机器：{os.cpu_count()} 核；Python {sys.version.split()[0]}", flush=True)
    for size in args.sizes:
        row = measure(size, args.inspectors, args.repeats, args.data, args.baseline)
        rows.append(row)
        also = (
            f"；基准版本抽取 {row['baseline_draw_s']:.2f} s（本版/基准 {row['draw_vs_baseline']:.3f}）"
            if "baseline_draw_s" in row
            else ""
        )
        print(
            f"{size:>9} 户 × {args.inspectors} 人：抽取 {row['draw_s']:.2f} s，"
            f"fastexcel 仅读取 {row['read_s']:.2f} s，"
            f"比值 {row['ratio']:.2f}，峰值内存 {row['peak_mb']:.0f} MB{also}",
            flush=True,
        )
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "draw.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
