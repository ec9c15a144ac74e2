"""Writing the outputs of a draw past Excel's limits (io/big_outputs.py), from a synthetic DrawResult.

    python bench/bench_big_outputs.py                      # 2.5M tasks, 1M excluded, 102 登记机关
    python bench/bench_big_outputs.py --tasks 200000 --excluded 100000

No roster is read and nothing is drawn: the tasks (enterprises of generate_province.py's bureaus, teams
from a pool of inspectors) are made directly, so that only the writing is timed, phase by phase:
the record's body and digest, the workbooks and public lists, the record's Parquet lists, the record.
Prints the seconds of each phase, the files' total size and the peak memory (max RSS).

Prints the CPU seconds of the writing phase in this process and in the helper processes that write
the per-bureau workbooks (io/helper.py); `--workers 0` writes them all in this process.

Measured here before the helpers (2026-11-29, 2 shared cores, one run): 2.5M tasks and 1M excluded
over 102 登记机关: record body, items and digest 33 s; workbooks and public lists 225 s (206
workbooks, 1.4 GB of files); record lists 8 s; 266 s in all, peak memory 12 GB (the synthetic
DrawResult included). The workbooks were written one after another in this process; the public
lists' content digest turned 15 columns into Python strings at once.

Measured with the helpers (2026-11-29). The 2 cores were shared with 4-8 other busy processes
(load 5-10), so wall times mean little: CPU seconds are given too. "Workbooks and public lists" for
800k tasks and 400k excluded (the 50M draw's tasks; smaller than the default to stay under 6 GB),
interleaved runs of this bench and of the same phase on the code before (commit 82c72c3):
  before:        wall 158 s, 164 s; CPU 57.7 s (one run); peak 4.0 GB
  --workers 2:   wall 121 s, 49 s; CPU 26.6 s + 27.4 s in the helpers, 24.9 s + 27.6 s; peak 2.6 GB
  --workers 0:   wall 148 s, 47 s; CPU 59.5 s, 46.5 s; peak 2.5 GB
300k tasks and 150k excluded, three rounds each, same run:
  before:        CPU 22.3-24.4 s, wall 58-64 s, peak 1.2 GB
  --workers 2:   CPU 7.6-8.7 s + 12.0-12.3 s in the helpers, wall 32-41 s, peak 0.7 GB
  --workers 0:   CPU 20.5-21.1 s, wall 40-47 s, peak 0.7 GB
This process does under half of the work: on two free cores the writing takes about half the time.
The peak falls by the public lists' digest, now made in Arrow slices (on 1M rows alone: 2.7 s
against 12.4 s, and 0.6 GB less).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_province import BUREAUS, COUNTIES  # noqa: E402

from shuangsuiji.core.model import (  # noqa: E402
    DrawResult,
    Enterprise,
    Exclusion,
    Exclusions,
    Inspector,
    Pick,
    Selection,
    Stratum,
    Task,
)
from shuangsuiji.core.plan_parse import parse_plan  # noqa: E402
from shuangsuiji.core.record import body_digest, build_record, encode_lists, result_body  # noqa: E402
from shuangsuiji.io.big_outputs import write_record_lists, write_split_outputs  # noqa: E402
from shuangsuiji.io.writers import DrawFacts, write_record  # noqa: E402

PLAN = {
    "plan": {
        "id": "ZJ-SJ-2027-01",
        "name": "2027年浙江省市场主体双随机抽查",
        "task_name": "市场主体登记事项监督检查",
        "type": "不定向",
        "items": ["营业执照（登记证）规范使用情况"],
        "authority": "浙江省市场监督管理局",
        "start": date(2027, 1, 1),
        "end": date(2027, 12, 31),
    },
    "selection": {
        "strata": ["信用风险等级", "登记机关"],
        "ratio": {"A": "1%", "B": "2%", "C": "5%", "D": "15%"},
    },
    "teams": {"size": 2, "certified": 2, "specialist": 0, "max_tasks": 2000},
}


def synthetic_draw(tasks: int, excluded: int, inspectors: int) -> tuple[DrawResult, list[str]]:
    """A DrawResult of `tasks` tasks and `excluded` exclusions spread over the province's bureaus;
    also the roster's 登记机关 column (tasks first, then the excluded)."""
    people = [
        Inspector(f"ZJ{n:06d}", f"检查员{n}", BUREAUS[n % len(BUREAUS)], certificate=f"C{n}")
        for n in range(inspectors)
    ]
    strata = [
        Stratum((c, b), c, 1_000_000, tasks // (4 * len(BUREAUS)) + 1, cutoff_ticket="f" * 64)
        for c in "ABCD"
        for b in BUREAUS
    ]
    authorities: list[str] = []
    made = []
    workloads: dict[str, int] = {}
    for n in range(tasks):
        bureau = BUREAUS[(n * 7) % len(BUREAUS)]
        county = COUNTIES[n % len(COUNTIES)]
        key = f"91{county.code}MA{n:07d}X"
        firm = Enterprise(
            key, f"浙江某某{n}商贸有限公司", "ABCD"[n % 4], county.name, "批发和零售业", bureau, "存续",
            None, False, n + 2, f"浙江省{county.name}人民路{n % 999}号", "张三", "13800000000",
        )  # fmt: skip
        team = (people[(n * 2) % inspectors], people[(n * 2 + 1) % inspectors])
        for member in team:
            workloads[member.id] = workloads.get(member.id, 0) + 1
        pick = Pick(n, key, f"{n:064x}", (firm.credit_class, bureau), n // 1000 + 1)
        made.append(Task(f"ZJ-SJ-2027-01-{n + 1:07d}", firm, pick, team))
        authorities.append(bureau)
    exclusions = []
    for n in range(excluded):
        authorities.append(BUREAUS[n % len(BUREAUS)])
        exclusions.append(
            Exclusion(
                tasks + n, f"92330106MB{n:07d}Y", "window", "2026-03-01 已检查（365 天内）", f"某某店{n}"
            )
        )
    selection = Selection(tuple(strata), (), Exclusions.of(exclusions), tasks + excluded, 0)
    return DrawResult("2027010188", selection, tuple(made), workloads), authorities


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user and system) used so far by this process and by its ended child processes."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main() -> int:
    """Time each phase of writing the synthetic draw's outputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2_500_000)
    parser.add_argument("--excluded", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=4000)
    parser.add_argument("--keep", type=Path, help="write here (a new folder) and keep it")
    parser.add_argument(
        "--workers", type=int, help="helper processes writing the workbooks (0: all in this process)"
    )
    args = parser.parse_args()
    plan = parse_plan(PLAN, Path("."))
    started = time.perf_counter()
    result, authorities = synthetic_draw(args.tasks, args.excluded, args.inspectors)
    print(f"synthetic DrawResult: {len(result.tasks):,} tasks, {args.excluded:,} excluded, "
          f"{time.perf_counter() - started:.1f} s (not part of the outputs)")  # fmt: skip
    folder = args.keep or Path(tempfile.mkdtemp(prefix="big-outputs-"))
    folder.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    lists: dict[str, list[bytes]] = {}
    mark = time.perf_counter()
    body = result_body(result, plan)

    def summarize() -> str:
        lists.update(encode_lists(body))
        return body_digest(body, lists)

    result_digest = summarize()
    times["record body, items and digest"] = time.perf_counter() - mark
    mark = time.perf_counter()
    cpu = _cpu_seconds()
    outputs, contents, _ = write_split_outputs(
        folder,
        result,
        plan,
        lambda: result_digest,
        authorities,
        facts=DrawFacts("2026-11-29T08:00:00+00:00"),
        workers=args.workers,
    )
    times["workbooks and public lists"] = time.perf_counter() - mark
    used = [now - then for now, then in zip(_cpu_seconds(), cpu, strict=True)]
    mark = time.perf_counter()
    references = write_record_lists(folder, body, lists, plan.selection.strata)
    times["record lists (Parquet)"] = time.perf_counter() - mark
    mark = time.perf_counter()
    record = build_record(
        result, body, result_digest, (), outputs, contents, created_at="2026-11-29T08:00:00+00:00"
    )
    write_record(folder, {**record, **references}, {k: v for k, v in lists.items() if k not in references})
    times["draw-record.json"] = time.perf_counter() - mark
    for phase, seconds in times.items():
        print(f"{phase:32s} {seconds:7.1f} s")
    print(f"{'total':32s} {sum(times.values()):7.1f} s")
    print(f"workbooks and public lists: CPU {used[0]:.1f} s in this process, {used[1]:.1f} s in helpers")
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    books = len(list(folder.rglob("*.xlsx")))
    print(f"{books} workbooks, {size / 2**20:,.0f} MiB in all; peak memory "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GB")  # fmt: skip
    if args.keep is None:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
