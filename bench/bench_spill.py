"""The selection alone on a province too big for memory (200M rows), within a DuckDB memory limit,
spilling to a private folder: time, peak memory, spill folder size, against the SHA-256 floor
measured in the same run.

    python bench/generate_province.py --rows 200000000 --form normalised --out /work/data-200m
    python bench/bench_spill.py /work/data-200m --memory-limit 4GB          # floor, then selection
    python bench/bench_spill.py /work/data-200m --memory-limit 4GB 6GB --rounds 1

The roster is the *normalised* roster table (`--form normalised`): normalising 200M rows is the
readers' business, not measured here. Each measurement runs in a fresh subprocess, one after another
(only ratios within one run mean anything on a shared machine):
- floor: DuckDB hashing every key with the ticket prefix, as bench_province.child_floor does on the
  export form (max(): every hash computed, none kept);
- select: io/engine.select_in_duckdb itself, through io/engine.table_selector's settings
  (memory_limit, a registered private spill folder removed afterwards), with one change: the excluded
  rows (about 17% of the roster, 34M at 200M) are written by DuckDB to a Parquet file instead of
  being fetched into Python, because `Selection.exclusions` still holds a Python object per row,
  which alone would pass this machine's share of memory at 200M (the lead is making it columnar).
  Everything DuckDB does is the same: counts, quotas, the hashing pass, the picks (fetched and
  turned into Picks as in a draw) and the exclusions statement, sorted by key.
The child samples its spill folder's disk use every 0.2 s, and stops itself (exit 3) past
--rss-cap GB of resident memory, so that a run never crowds out the other processes here.

Measured (2026-11-29, 2 shared cores, 23 GB, up to four other benches and test suites running at
the same time; roster: `generate_province.py --rows 200000000 --form normalised`, 40 Parquet files,
8.4 GB, plan 信用风险等级 × 登记机关 = 408 strata; spill folder in /tmp on the same disk):

    python bench/bench_spill.py /work/data-200m --memory-limit 4GB --rss-cap 6.5       # run 1
    python bench/bench_spill.py /work/data-200m --memory-limit 2GB 5GB --rss-cap 6.8   # run 2

| run | limit | floor | selection (counts / hashing + picks / exclusions) | × floor | peak RSS | spill peak |
|---|---|---|---|---|---|---|
| 1 | 4GB | 143 s | 614 s (77 / 236 / 301) | 4.29 | 4.57 GB | 2.50 GB |
| 2 | 2GB | 112 s | 573 s (46 / 271 / 257) | 5.13 | 2.70 GB | 3.24 GB |
| 2 | 5GB | 112 s | 536 s (67 / 176 / 293) | 4.80 | 5.56 GB | 2.93 GB |

Every run: 3,447,195 tasks, 34,122,096 excluded, the same picks digest (b3d2cf217cd4928a: index, key,
ticket and rank of every pick in task order), so the limit changes memory and time, never the draw;
the spill folder was gone afterwards. DuckDB spills in the last statement (the 34M excluded rows
sorted by key, with their names and reasons; 0.88 GB as Parquet); the hashing pass stays within a
2 GB limit thanks to the bucket prefilter. The floor of the same run (DuckDB's SHA-256 of 200M
keys) varied from 112 s to 143 s with the machine's load: the ratios are rough.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SEED = "2027010188"


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1 << 20)  # KiB on Linux


def _rss_gb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1 << 30)


def _disk_use(folder: Path) -> int:
    """Bytes on disk under `folder` (allocated blocks: DuckDB's temp files may be sparse)."""
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):  # removed meanwhile
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


class Watch(threading.Thread):
    """Samples the spill folder's size and this process's memory; ends the process past the cap."""

    def __init__(self, folder: Path, cap_gb: float) -> None:
        super().__init__(daemon=True)
        self.folder, self.cap_gb = folder, cap_gb
        self.spill_peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.spill_peak = max(self.spill_peak, _disk_use(self.folder))
            if _rss_gb() > self.cap_gb:
                print(json.dumps({"error": f"RSS past {self.cap_gb} GB, stopped"}), flush=True)
                os._exit(3)


def _files(data: Path) -> list[str]:
    return sorted(str(p) for p in (data / "enterprises").glob("*.parquet"))


def child_floor(data: Path) -> dict[str, Any]:
    """DuckDB computing the SHA-256 ticket of every key of the normalised roster."""
    import duckdb

    from shuangsuiji.core.tickets import ALGORITHM

    con = duckdb.connect()
    started = time.perf_counter()
    largest, rows = con.execute(
        "SELECT max(sha256(? || key)), count(*) FROM read_parquet(?)",
        [f"{ALGORITHM}|{SEED}|select|", _files(data)],
    ).fetchone()  # type: ignore[misc]
    return {"floor": time.perf_counter() - started, "rows": rows, "largest": largest, "peak_gb": _peak_gb()}


def child_select(
    data: Path, memory_limit: str, temp_parent: Path, cap_gb: float, threads: int | None
) -> dict[str, Any]:
    """select_in_duckdb on the roster's Parquet files, within memory_limit, spilling into a private
    folder in temp_parent; the excluded rows copied by DuckDB into a Parquet file."""
    from shuangsuiji.io import engine
    from shuangsuiji.io.plan_file import load_plan
    from shuangsuiji.io.staging import SPILL_PREFIX, private_scratch

    plan = load_plan(data / "plan.toml")
    exclusions = engine.SelectionSql.for_plan(plan, "duckdb", carry=(engine.ROW_INDEX,)).exclusions()
    stages: list[tuple[str, float]] = []
    excluded_rows = 0
    real_arrow = engine._arrow

    def arrow(con: Any, query: str) -> Any:
        nonlocal excluded_rows
        if query != exclusions:
            return real_arrow(con, query)
        target = Path(spill) / "excluded.parquet"
        con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet)").fetchall()
        excluded_rows = con.execute("SELECT count(*) FROM read_parquet(?)", [str(target)]).fetchall()[0][0]
        return real_arrow(con, f"SELECT * FROM ({query}) LIMIT 0")

    class Clock(engine.NullReporter):
        def stage(self, label: str, total: int | None = None) -> None:
            stages.append((label, time.perf_counter()))

    engine._arrow = arrow  # type: ignore[assignment]
    with private_scratch(temp_parent, prefix=SPILL_PREFIX) as spill:
        watch = Watch(spill / "duckdb", cap_gb)  # DuckDB's own spill files only
        watch.start()
        settings = engine.EngineSettings(memory_limit, spill / "duckdb", threads)
        started = time.perf_counter()
        chosen = engine.select_in_duckdb(
            [Path(f) for f in _files(data)], plan, SEED, settings=settings, reporter=Clock()
        )
        total = time.perf_counter() - started
        watch.stop.set()
        watch.join()
        spill_peak = max(watch.spill_peak, _disk_use(spill / "duckdb"))
        excluded_gb = (spill / "excluded.parquet").stat().st_size / (1 << 30)
    ends = [t for _, t in stages[1:]] + [started + total]
    picks = hashlib.sha256()
    for pick in chosen.picks:
        picks.update(f"{pick.index}|{pick.enterprise_key}|{pick.ticket}|{pick.rank}\n".encode())
    return {
        "select": total,
        "stages": {label: end - begin for (label, begin), end in zip(stages, ends, strict=True)},
        "tasks": len(chosen.picks),
        "strata": len(chosen.strata),
        "excluded": excluded_rows,
        "picks_digest": picks.hexdigest()[:16],
        "spill_gb": spill_peak / (1 << 30),
        "excluded_parquet_gb": excluded_gb,
        "spill_left": (temp_parent / spill.name).exists(),
        "peak_gb": _peak_gb(),
    }


def measure(args: list[str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        return {"error": (lines[-1] if lines else "") + out.stderr[-2000:], "returncode": out.returncode}
    return dict(json.loads(lines[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "data", type=Path, nargs="?", help="generate_province.py --form normalised 的输出文件夹"
    )
    parser.add_argument(
        "--memory-limit", nargs="+", default=["4GB"], help="DuckDB 内存上限（可给多个，逐一测量）"
    )
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--temp-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--rss-cap", type=float, default=7.0, help="子进程常驻内存上限（GB），超过即停止")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, data, *rest = args.child
        if kind == "floor":
            found = child_floor(Path(data))
        else:
            limit, temp, cap, threads = rest
            found = child_select(Path(data), limit, Path(temp), float(cap), int(threads) or None)
        print(json.dumps(found, ensure_ascii=False))
        return
    for round_no in range(args.rounds):
        floor = measure(["floor", str(args.data)])
        print(f"round {round_no + 1} floor: {json.dumps(floor)}", flush=True)
        for limit in args.memory_limit:
            child = [
                "select",
                str(args.data),
                limit,
                str(args.temp_dir),
                str(args.rss_cap),
                str(args.threads or 0),
            ]
            found = measure(child)
            print(f"round {round_no + 1} select {limit}: {json.dumps(found, ensure_ascii=False)}", flush=True)
            if "select" in found and "floor" in floor:
                ratio = found["select"] / floor["floor"]
                print(
                    f"  {limit}: selection {found['select']:.1f} s = {ratio:.2f} × floor "
                    f"({floor['floor']:.1f} s, {floor['rows']:,} keys); peak RSS {found['peak_gb']:.2f} GB; "
                    f"spill folder peak {found['spill_gb']:.2f} GB, left behind: {found['spill_left']}; "
                    f"{found['tasks']:,} tasks, {found['excluded']:,} excluded",
                    flush=True,
                )


if __name__ == "__main__":
    main()
