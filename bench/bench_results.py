"""Publishing results at scale: `results template`, `results publish` and `verify` of a publication,
for a draw of about 50,000 tasks (1,000,000 enterprises at 5%), against the time fastexcel alone
needs to read the filled entry sheet, measured alternately in fresh processes in the same run.

    python bench/bench_results.py                     # 1M enterprises → ~50,000 tasks, 3 repeats
    python bench/bench_results.py --size 100000       # ~5,000 tasks

The draw itself is made once, untimed (bench_draw.py measures it). The plan is the bench plan moved
to June 2026, so that completion dates lie between the plan's start and today.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

from bench_draw import prepare, timed

from shuangsuiji.io.ledger import Ledger, head_path
from shuangsuiji.io.xlsx import write_workbook
from shuangsuiji.results import entry_sheets, load_draw, team_names

READ_ONLY = """
import sys, fastexcel
fastexcel.read_excel(sys.argv[1]).load_sheet(0, eager=True)
"""


def draw_in_june(size: int, work: Path, data: Path) -> tuple[Path, Path]:
    """The bench roster drawn once under a June plan (untimed): the draw folder and its ledger."""
    plan = prepare(size, 5000, data)
    june = plan.with_name("plan-june.toml")
    text = (
        plan.read_text(encoding="utf-8")
        .replace("2026-12-01", "2026-06-01")
        .replace("2026-12-31", "2026-06-30")
    )
    june.write_text(text, encoding="utf-8")
    ledger = work / "ledger.sqlite"
    Ledger(ledger, create=True).close()
    out = work / "draw"
    subprocess.run(
        [
            "shuangsuiji",
            "draw",
            "--plan",
            str(june),
            "--seed",
            "bench",
            "--quiet",
            "--out",
            str(out),
            "--ledger",
            str(ledger),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out, ledger


def filled_sheet(draw_dir: Path, path: Path) -> int:
    """An entry sheet with every task filled in, as clerks would leave it at the month's end."""
    draw = load_draw(draw_dir)
    entry, guide = entry_sheets(draw.info, draw.result_digest, draw.tasks, team_names(draw))
    words = ("未发现问题", "发现问题经责令已改正", "违反《食品安全法》相关规定")
    rows = [(*row[:4], date(2026, 6, 10 + i % 15), words[i % 3], None) for i, row in enumerate(entry.rows)]
    write_workbook(path, [replace(entry, rows=rows), guide])
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent / "data")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-results-"))
    try:
        draw_dir, ledger = draw_in_june(args.size, work, args.data)
        sheet = work / "filled.xlsx"
        tasks = filled_sheet(draw_dir, sheet)
        times: dict[str, list[float]] = {"read": [], "template": [], "publish": [], "verify": []}
        peak = 0.0
        for n in range(args.repeats):
            times["read"].append(timed([sys.executable, "-c", READ_ONLY, str(sheet)])[0])
            blank = work / f"template-{n}.xlsx"
            times["template"].append(
                timed(["shuangsuiji", "results", "template", str(draw_dir), "--out", str(blank)])[0]
            )
            # Each publish goes to a fresh copy of the ledger: a second publication of the same
            # sheet would have nothing new to publish.
            fresh = work / f"ledger-{n}.sqlite"
            shutil.copyfile(ledger, fresh)
            shutil.copyfile(head_path(ledger), head_path(fresh))
            out = work / f"results-{n}"
            publish = [
                "shuangsuiji",
                "results",
                "publish",
                str(draw_dir),
                "--results",
                str(sheet),
                "--out",
                str(out),
            ]
            elapsed, memory = timed([*publish, "--ledger", str(fresh)])
            times["publish"].append(elapsed)
            peak = max(peak, memory)
            times["verify"].append(timed(["shuangsuiji", "verify", str(out)])[0])
        median = {k: statistics.median(v) for k, v in times.items()}
        row = {
            "enterprises": args.size,
            "tasks": tasks,
            **{f"{k}_s": round(v, 2) for k, v in median.items()},
            "publish_vs_read": round(median["publish"] / median["read"], 2),
            "verify_vs_read": round(median["verify"] / median["read"], 2),
            "publish_peak_mb": round(peak),
        }
        print(json.dumps(row, ensure_ascii=False))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
