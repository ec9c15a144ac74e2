"""Why shuangsuiji writes xlsx itself: 50,000 rows × 10 text columns with each writer, same run.

    pip install xlsxwriter openpyxl && python bench/bench_writers.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from shuangsuiji.io.xlsx import Sheet, write_workbook

ROWS = [
    [f"GY-SJ-2026-12-{i:05d}", f"贵阳市某某餐饮有限公司{i}", f"91520102MA{i:07d}X", "A", "云岩区", "餐饮服务",
     "贵阳市云岩区市场监督管理局", "随机抽取", f"GYSJ{i % 5000:04d}", "食品经营监管科"]
    for i in range(50_000)
]
HEADER = [f"列{i}" for i in range(10)]


def ours(path: Path) -> None:
    write_workbook(path, [Sheet("分派表", HEADER, ROWS, widths=[16] * 10)])


def with_xlsxwriter(path: Path) -> None:
    import xlsxwriter  # type: ignore[import-untyped]

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("分派表")
    bold = book.add_format({"bold": True})
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, HEADER, bold)
    for number, row in enumerate(ROWS, start=1):
        sheet.write_row(number, 0, row)
    book.close()


def with_openpyxl(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("分派表")
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    book.save(path)


def timed(write: Callable[[Path], None], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            write(Path(folder) / "t.xlsx")
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    """Print each writer's median time and its ratio to ours."""
    base = timed(ours)
    print(f"shuangsuiji.io.xlsx  {base:.2f} s")
    for name, write in (("xlsxwriter", with_xlsxwriter), ("openpyxl (write-only)", with_openpyxl)):
        try:
            took = timed(write)
        except ImportError:
            print(f"{name:<20} 未安装，跳过")
            continue
        print(f"{name:<20} {took:.2f} s  （是本项目写出器的 {took / base:.1f} 倍）")


if __name__ == "__main__":
    main()
