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

The province case (issue 13: "500,000 tasks across 100 bureaus in seconds"): the drawn tasks spread
over bench/generate_province.py's 102 登记机关 in proportion to their staff, its ~4,000 inspectors
(each bureau's own, built by its `_inspector`) and the [teams] of its plan, max_tasks 1.5× the
average workload. Timed as compute_draw staffs (assignment order, candidate lists, solve, teams,
workloads), each round in a fresh process, alternately with the code under --baseline-src (e.g. a
`git archive main src` copy), so the ratio is same-run; peak memory is the child's max RSS.

    python bench/bench_teams.py --province 500000 --baseline-src /tmp/base/src --repeats 3
    python bench/bench_teams.py --province 500000 --own --baseline-src /tmp/base/src --repeats 3

Without `--own`, every certified inspector may inspect any enterprise of the province. `--own`
staffs each bureau's tasks with its own inspectors only, as the plan rule `own_authority = true`
(谁登记、谁监管) does, which the generator's plan sets; the bench expresses it through older rules
so that a baseline without own_authority runs the same case: every role certified and
specialist, each inspector's one 专业领域 the bureau's name and each enterprise's 行业类别 its
bureau's, which gives exactly own_authority's candidate lists.

Two are timed, alternately: "this" (Staffing.solve, as compute_draw staffs) and "baseline".

Measured (2026-11-29, `--own`, 3 rounds, medians; "this" is main after issue 13's second session,
the baseline `git archive 82c72c3 src`; the machine otherwise idle; the same teams and workloads):
500,000 tasks (1,000,000 places) over 102 bureaus staffed in 3.77 s (CPU 3.75: order 0.80, lists
0.58, solve 2.16, teams 0.24) against 7.41 s for the baseline (0.51); one SHA-256 ticket per place
0.55 s. Peak memory 0.56 GB (baseline 0.69).

Tried and dropped: staffing the bureaus (groups of tasks that share no inspector) in helper
processes. The same run gave 4.42 s with two helpers against 3.77 s in one process (4.80 s when
forced on): splitting, pickling and starting the helpers cost more than half of a 2-second solve
saves, and under load the helpers only slowed the draw (15.1 s against 11.8 s at a load of 7).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

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


def province_case(
    tasks: int, own: bool = False, inspectors: int = 4000, seed: int = 2026
) -> tuple[Any, list[Any], list[Any]]:
    """The plan, the drawn enterprises and the inspectors of a synthetic province (see the docstring).
    `own`: each bureau's tasks staffed by its own inspectors only (see the docstring)."""
    import numpy as np
    from generate_province import COUNTIES, INDUSTRY_NAMES, _inspector, inspector_counts, plan_text

    from shuangsuiji.core.model import Enterprise, Inspector
    from shuangsuiji.core.plan_parse import parse_plan
    from shuangsuiji.io.readers.values import split_specialties

    start, end = date(2027, 1, 1), date(2027, 12, 31)
    rng = np.random.default_rng(seed)
    county_of = {c.bureau: c for c in COUNTIES}
    counts = inspector_counts(inspectors)
    people = []
    for bureau, count in counts.items():
        for _ in range(count):
            row = _inspector(rng, len(people) + 1, bureau, county_of.get(bureau), end)
            people.append(
                Inspector(
                    id=row[0],
                    name=row[1],
                    department=row[2],
                    certificate=row[3] or "",
                    certificate_expiry=row[4],
                    specialties=frozenset({bureau}) if own else split_specialties(row[5]),
                    district=row[6],
                    status=row[7] or "",
                    row=len(people) + 2,
                )
            )
    bureaus = list(counts)
    weights = np.array([counts[b] for b in bureaus], dtype=float)
    which = rng.choice(len(bureaus), size=tasks, p=weights / weights.sum())
    industry = rng.integers(0, len(INDUSTRY_NAMES), size=tasks)
    elsewhere = rng.integers(0, len(COUNTIES), size=tasks)  # the county of a prefecture's or the province's
    drawn = []
    for n in range(tasks):
        bureau = bureaus[which[n]]
        county = county_of.get(bureau) or COUNTIES[elsewhere[n]]
        drawn.append(
            Enterprise(
                f"91330{n:013d}",
                f"企业{n}",
                "A",
                county.name,
                bureau if own else INDUSTRY_NAMES[industry[n]],
                bureau,
                "存续",
                None,
                False,
                n + 2,
            )
        )
    # The generator's plan says own_authority; a baseline older than that rule could not read it,
    # so the rule is dropped here and --own expresses the same candidate graph by specialties.
    text = "".join(
        line
        for line in plan_text(tasks * 60, len(people), start, end, "export").splitlines(True)
        if not line.startswith("own_authority")
    )
    if own:
        text = text.replace("specialist = 0", "specialist = 2")
    plan = parse_plan(tomllib.loads(text), HERE)
    able = Counter(p.department for p in people if p.on_duty and p.certified_through(end))
    places = Counter(e.authority for e in drawn) if own else Counter({"": tasks})
    if not own:
        able = Counter({"": sum(able.values())})
    cap = math.ceil(max(places[b] * plan.teams.size / able[b] for b in places) * 1.5)
    return replace(plan, teams=replace(plan.teams, max_tasks=cap)), drawn, people


def _cpu_seconds() -> float:
    """CPU seconds of this process and its finished children: with more jobs than cores, wall
    time mostly measures the neighbours, CPU time the work."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_province(tasks: int, own: bool) -> dict[str, Any]:
    """One round of the province case in this process: each stage of compute_draw's staffing."""
    from shuangsuiji.core import assign

    plan, drawn, people = province_case(tasks, own)
    spent: dict[str, Any] = {}
    gc.disable()
    started, cpu = time.perf_counter(), _cpu_seconds()
    by_key = {e.key: e for e in drawn}
    order = assign.assignment_order("bench", by_key)
    spent["order_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    staffing = assign.Staffing(plan, "bench", [by_key[k] for k in order], people)
    spent["lists_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    staffing.solve()
    spent["solve_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    teams = dict(zip(order, staffing.teams(), strict=True))
    workloads = staffing.workloads()
    spent["teams_s"] = time.perf_counter() - mark
    spent["staffing_s"] = time.perf_counter() - started
    spent["staffing_cpu_s"] = _cpu_seconds() - cpu  # this process and its helpers
    gc.enable()
    ids = [(key, tuple(m.id for m in teams[key])) for key in order]
    spent["teams_digest"] = hashlib.sha256(repr((ids, sorted(workloads.items()))).encode()).hexdigest()
    mark = time.perf_counter()
    tickets_for("bench", "assign", (f"{n}" for n in range(tasks * plan.teams.size)))
    spent["floor_s"] = time.perf_counter() - mark  # one SHA-256 ticket per place
    spent["places"] = tasks * plan.teams.size
    spent["peak_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20)
    return spent


def province(tasks: int, own: bool, repeats: int, baseline_src: Path | None) -> None:
    """Rounds of the province case, alternating this code and the baseline's, each in a fresh process."""
    kinds = {
        "this": None,
        **({"baseline": baseline_src} if baseline_src else {}),
    }
    found: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    for _ in range(repeats):
        for kind, src in kinds.items():
            env = dict(os.environ)
            if src is not None:
                env["PYTHONPATH"] = str(src)
            flags = ["--own"] if own else []
            out = subprocess.run(
                [sys.executable, __file__, "--child-province", str(tasks), *flags],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            )
            found[kind].append(json.loads(out.stdout.splitlines()[-1]))
    digests = {r["teams_digest"] for rounds in found.values() for r in rounds}
    rows = []
    for kind, rounds in found.items():
        row = {
            k: statistics.median(r[k] for r in rounds)
            for k in rounds[0]
            if k.endswith("_s") or k == "peak_gb"
        }
        row = {"code": kind, "tasks": tasks, **{k: round(v, 2) for k, v in row.items()}}
        rows.append(row)
        print(
            f"{kind}: {tasks} 个任务（{rounds[0]['places']} 个岗位）："
            f"组队合计 {row['staffing_s']:.2f} s，CPU {row['staffing_cpu_s']:.2f} s"
            f"（排序 {row['order_s']:.2f}，候选名单 {row['lists_s']:.2f}，"
            f"求解 {row['solve_s']:.2f}，成组 {row['teams_s']:.2f}），"
            f"基线（每个岗位一张车票）{row['floor_s']:.2f} s，比值 {row['staffing_s'] / row['floor_s']:.1f}，"
            f"峰值内存 {row['peak_gb']:.2f} GB",
            flush=True,
        )
    if baseline_src:
        base = rows[-1]
        for row in rows[:-1]:
            print(f"{row['code']} / 基线代码：{row['staffing_s'] / base['staffing_s']:.2f}", flush=True)
    print("检查组与工作量" + ("完全相同" if len(digests) == 1 else "不同！"), flush=True)
    if len(digests) != 1:
        raise SystemExit(1)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"teams-province{'-own' if own else ''}.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def main() -> None:
    if sys.argv[1:2] == ["--child-province"]:
        print(json.dumps(child_province(int(sys.argv[2]), "--own" in sys.argv)))
        return
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
    parser.add_argument(
        "--province", type=int, metavar="TASKS", help="the province case with this many tasks"
    )
    parser.add_argument("--baseline-src", type=Path, help="the src folder of the code to compare with")
    parser.add_argument("--own", action="store_true", help="province case: each bureau staffs its own tasks")
    args = parser.parse_args()
    if args.province:
        province(args.province, args.own, args.repeats, args.baseline_src)
        return
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
