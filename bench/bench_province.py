"""A province draw end to end (a Parquet roster of millions of rows, its plan and inspectors, as
bench/generate_province.py writes them) through the DuckDB engine, step by step, against the
SHA-256 floor: DuckDB hashing every key of the same roster (the ticket text of each), nothing else.

Each measurement runs in a fresh subprocess, alternately (the machine is shared and noisy: only
ratios within one run mean anything); peak memory is the child's max RSS (DuckDB runs inside it).

    python bench/generate_province.py --rows 10000000                 # bench/data/province-10000000/
    python bench/bench_province.py bench/data/province-10000000       # 1 round: floor, engine draw
    python bench/bench_province.py bench/data/province-10000000 --kinds duckdb python --rounds 2
        # also the Python path (the reference) on the same roster: the same result_digest, compared

Steps timed inside run_draw (wrapping the pipeline's own functions, nothing re-implemented):
normalisation (reading and checking the roster into the normalised table, the other inputs read
meanwhile), checks (validate's checks across the inputs), selection (the selector compute_draw
calls), teams (the rest of compute_draw: the drawn rows and the staffing), outputs (workbooks,
split by 登记机关 past a sheet's rows, and the public lists), record (the list encodings, digests
and the record files), total (run_draw), and the peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SEED = "2027010188"
STEPS = ("normalisation", "checks", "selection", "teams", "outputs", "record", "total")


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20)  # KiB on Linux


def child_floor(data: Path) -> dict[str, Any]:
    """DuckDB computing the SHA-256 ticket of every key of the roster, reading the key columns."""
    import duckdb

    from shuangsuiji.core.tickets import ALGORITHM

    files = sorted(str(p) for p in (data / "enterprises").glob("*.parquet"))
    con = duckdb.connect()
    started = time.perf_counter()
    # The key as the roster gives it: the USCC, or the 注册号 where that is blank (18 or 15 characters).
    # max(): every hash is computed, and no hash table holds them (count(DISTINCT ...) would time one).
    largest, rows = con.execute(
        "SELECT max(sha256(? || coalesce(nullif(统一社会信用代码, ''), 注册号))), count(*) "
        "FROM read_parquet(?)",
        [f"{ALGORITHM}|{SEED}|select|", files],
    ).fetchone()  # type: ignore[misc]
    seconds = time.perf_counter() - started
    return {"floor": seconds, "rows": rows, "largest": largest, "peak_gb": _peak_gb()}


def child_draw(data: Path, kind: str) -> dict[str, Any]:
    """run_draw on the province plan, with each step timed by wrapping the pipeline's functions.
    `kind`: duckdb (as shipped), duckdb-memory or duckdb-scratch (the normalised table kept in
    memory, or in a scratch Parquet file, whatever the roster's size), python (the reference)."""
    from shuangsuiji import pipeline
    from shuangsuiji.core.progress import NullReporter
    from shuangsuiji.io.readers import table_roster

    engine, _, keep = kind.partition("-")
    if keep:
        table_roster.SCRATCH_BYTES = 0 if keep == "scratch" else 1 << 62

    spent = dict.fromkeys((*STEPS, "checks", "draw"), 0.0)
    marks: dict[str, float] = {}
    active: list[str] = []
    peaks: dict[str, float] = {}

    def timed(step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """The function, its time counted to `step` and not to the step it is called within (the
        selector runs inside compute_draw; the record's encodings inside the split writer)."""

        def run(*args: Any, **kwargs: Any) -> Any:
            outer = active[-1] if active else None
            active.append(step)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                peaks.setdefault(step, _peak_gb())  # the peak when a step first ends: which step raised it
                active.pop()
                spent[step] += elapsed
                if outer is not None and outer != step:
                    spent[outer] -= elapsed

        return run

    class Stages(NullReporter):
        def stage(self, label: str, total: int | None = None) -> None:
            marks.setdefault(label, time.perf_counter())

    real_selector = pipeline.roster_selector
    pipeline.roster_selector = lambda roster, reporter, options=None: timed(
        "selection", real_selector(roster, reporter, options)
    )
    pipeline.compute_draw = timed("draw", pipeline.compute_draw)  # type: ignore[assignment]
    pipeline.check_inputs = timed("checks", pipeline.check_inputs)  # type: ignore[assignment]
    for name in ("encode_lists", "body_digest", "build_record", "write_record_lists", "write_record"):
        setattr(pipeline, name, timed("record", getattr(pipeline, name)))
    for name in ("write_split_outputs", "write_outputs"):
        setattr(pipeline, name, timed("outputs", getattr(pipeline, name)))
    with tempfile.TemporaryDirectory() as scratch:
        options = pipeline.InputOptions(data / "plan.toml", engine=engine)  # type: ignore[arg-type]
        started = time.perf_counter()
        outcome = pipeline.run_draw(options, SEED, Path(scratch) / "out", reporter=Stages())
        spent["total"] = time.perf_counter() - started
    spent["normalisation"] = marks["抽取检查对象并组成检查组"] - marks["规范化企业名录"] - spent["checks"]
    spent["teams"] = spent.pop("draw")
    return {
        **spent,
        "tasks": len(outcome.result.tasks),
        "excluded": len(outcome.result.selection.exclusions),
        "result_digest": outcome.record["result_digest"],
        "peak_gb": _peak_gb(),
        "peak_after": peaks,
    }


def measure(kind: str, data: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(data)], check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", type=Path, nargs="?", help="generate_province.py 的输出文件夹")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--kinds",
        nargs="+",
        default=["duckdb"],
        choices=["duckdb", "duckdb-memory", "duckdb-scratch", "python"],
        help="要测的抽取方式（python：参考实现；-memory/-scratch：规范化名录表放内存/临时 Parquet 文件）",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, data = args.child
        found = child_floor(Path(data)) if kind == "floor" else child_draw(Path(data), kind)
        print(json.dumps(found))
        return
    kinds = ["floor", *args.kinds]
    results: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
    for round_no in range(args.rounds):
        for kind in kinds:
            found = measure(kind, args.data)
            results[kind].append(found)
            print(f"round {round_no + 1} {kind}: {json.dumps(found, ensure_ascii=False)}", flush=True)
    floor = statistics.median(r["floor"] for r in results["floor"])
    print(f"\nSHA-256 floor (DuckDB, {results['floor'][0]['rows']:,} keys): {floor:.1f} s")
    for kind in kinds[1:]:
        rows = results[kind]
        print(f"\n{kind}: {rows[0]['tasks']:,} tasks, {rows[0]['excluded']:,} excluded")
        for step in STEPS:
            value = statistics.median(r[step] for r in rows)
            print(f"  {step:<14}{value:7.1f} s  ({value / floor:5.2f} × floor)")
        print(f"  {'peak memory':<14}{max(r['peak_gb'] for r in rows):7.2f} GB")
        after = ", ".join(f"{step} {gb:.2f}" for step, gb in rows[0]["peak_after"].items())
        print(f"  peak (GB) when each step first ended: {after}")
    same = {r["result_digest"] for kind in kinds[1:] for r in results[kind]}
    print(f"\nresult_digest {'identical' if len(same) == 1 else 'DIFFERENT: ' + ', '.join(sorted(same))}")


if __name__ == "__main__":
    main()
