"""Team building alone: 50,000 tasks over 5,000 inspectors, against a baseline measured in the same run.

The baseline is the least any ticket-driven method must spend: one SHA-256 ticket per team place.
Scenarios: "ample" (caps well above the average workload; the greedy pass never gets stuck) and
"tight" (everyone's cap is the smallest one for which a valid assignment exists at all, so the
greedy pass may get stuck and the witness has work to do), and "tight-unbalanced" (the
same with balance off: the greedy then often spends rare specialists on ordinary places).

    python bench/bench_teams.py                    # 50,000 tasks, 5,000 inspectors, ample and tight
    python bench/bench_teams.py --tasks 20000 --inspectors 2000 --scenarios tight-unbalanced

tight-unbalanced is the stress case for the witness: every forced choice may need a long augmenting
path, and a refused one searches the whole saturated region (it grows faster than linearly).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "scripts"))

from bench_draw import PLAN  # noqa: E402  (the same plan, every enterprise drawn)
from generate_rosters import generate, write_rosters  # noqa: E402

from shuangsuiji.core.assign import Staffing, assignment_order  # noqa: E402
from shuangsuiji.core.errors import DrawError  # noqa: E402
from shuangsuiji.core.progress import NullReporter  # noqa: E402
from shuangsuiji.core.teamflow import Witness  # noqa: E402
from shuangsuiji.core.tickets import tickets_for  # noqa: E402
from shuangsuiji.io.plan_file import load_plan  # noqa: E402
from shuangsuiji.pipeline import InputOptions, load_and_check  # noqa: E402


def load(tasks: int, inspectors: int, data: Path, max_tasks: int) -> tuple[Staffing, int]:
    """The team problem for `tasks` enterprises (all of them drawn) and `inspectors` people."""
    folder = data / f"teams-{tasks}-{inspectors}"
    if not (folder / "enterprises.xlsx").exists():
        folder.mkdir(parents=True, exist_ok=True)
        write_rosters(generate(tasks, inspectors), folder)
    plan_file = folder / "plan.toml"
    plan_file.write_text(
        PLAN.format(name=f"TEAMS-{tasks}", ratio="100%", max_tasks=max_tasks), encoding="utf-8"
    )
    plan, inputs, _ = load_and_check(InputOptions(plan_file), NullReporter(), load_plan(plan_file))
    rows = [inputs.enterprises.get(i) for i in range(len(inputs.enterprises.key))]
    order = assignment_order("bench", [e.key for e in rows])
    by_key = {e.key: e for e in rows}
    staffing = Staffing(
        plan, "bench", [by_key[k] for k in order], inputs.inspectors, inputs.recusals, inputs.history
    )
    return staffing, len(rows) * plan.teams.size


def solve_seconds(staffing: Staffing) -> tuple[float, int]:
    """Seconds to solve, and how many choices had to be checked against the witness (0: greedy sufficed)."""
    calls = 0
    original = Witness.force

    def counted(self: Witness, n: int, i: int) -> bool:
        nonlocal calls
        calls += 1
        return original(self, n, i)

    Witness.force = counted  # type: ignore[method-assign]
    gc.disable()
    started = time.perf_counter()
    staffing.solve()
    elapsed = time.perf_counter() - started
    gc.enable()
    Witness.force = original  # type: ignore[method-assign]
    return elapsed, calls


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--inspectors", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--scenarios", nargs="+", default=["ample", "tight"], choices=["ample", "tight", "tight-unbalanced"]
    )
    parser.add_argument("--data", type=Path, default=HERE / "data")
    args = parser.parse_args()
    rows = []
    for scenario in args.scenarios:
        staffing, places = load(args.tasks, args.inspectors, args.data, max_tasks=1000)
        if scenario == "tight-unbalanced":
            staffing.rules = replace(staffing.rules, balance=False)
        cap = 4 * places // len(staffing.pool) if scenario == "ample" else smallest_feasible_cap(staffing)
        caps = staffing.cap = [cap] * len(staffing.pool)
        times, baselines, calls = [], [], 0
        for _ in range(args.repeats):
            started = time.perf_counter()
            tickets_for("bench", "assign", (f"{n}" for n in range(places)))
            baselines.append(time.perf_counter() - started)
            elapsed, calls = solve_seconds(staffing)
            times.append(elapsed)
        solve, base = statistics.median(times), statistics.median(baselines)
        row = {
            "scenario": scenario,
            "tasks": args.tasks,
            "inspectors": args.inspectors,
            "places": places,
            "capacity": sum(caps),
            "solve_s": round(solve, 2),
            "baseline_s": round(base, 3),
            "ratio": round(solve / base, 1),
            "witness_checks": calls,
        }
        rows.append(row)
        print(
            f"{scenario}: {args.tasks} 个任务 × {args.inspectors} 人（{places} 个岗位，总容量 {sum(caps)}）："
            f"组队 {solve:.2f} s，基线（每个岗位一张车票）{base:.3f} s，比值 {solve / base:.1f}，"
            f"经见证检查的选择 {calls} 次",
            flush=True,
        )
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "teams.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")


def smallest_feasible_cap(staffing: Staffing) -> int:
    """The least cap, the same for everyone, under which every task can be staffed (binary search)."""
    low, high = 0, len(staffing.tasks)  # infeasible at `low`, feasible at `high`
    while high - low > 1:
        middle = (low + high) // 2
        staffing.cap = [middle] * len(staffing.pool)
        staffing.reset()
        try:
            if staffing.greedy() is not None:
                staffing.witness()
            high = middle
        except DrawError:
            low = middle
    return high


if __name__ == "__main__":
    main()
