"""Selection in DuckDB on an N-row normalised Parquet roster, against the floor: SHA-256 of every key.

    .venv/bin/python bench/bench_selection.py --rows 10000000 [--memory-limit 4GB] [--keep DIR]

Times, in one run: (a) scanning the columns the selection needs, (b) SHA-256 of every key in DuckDB
(the floor: every eligible row needs its ticket), (c) the full selection (io/engine.select_in_duckdb),
and prints the ratios and the peak memory of this process. The roster is made here (realistic class
shares, districts, statuses, keys that are unique 18-character codes) unless --keep names a folder
that already holds it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shuangsuiji.core.plan_parse import parse_plan  # noqa: E402
from shuangsuiji.io.engine import EngineSettings, select_in_duckdb  # noqa: E402

SEED = "bench-2026-12"
BATCH = 2_000_000


def make_roster(rows: int, folder: Path) -> list[Path]:
    """Parquet files of the normalised roster, BATCH rows each, generated in DuckDB (fast, seeded)."""
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    paths = []
    for number, first in enumerate(range(0, rows, BATCH)):
        size = min(BATCH, rows - first)
        path = folder / f"roster-{number:03d}.parquet"
        # Keys: '91' + 16 hex digits of the row number's hash; unique by construction (the row
        # number itself, zero-padded, fills the tail).
        con.execute(
            f"""
            COPY (
              SELECT
                '91' || upper(printf('%016x', i)) AS key,
                '企业' || CAST(i AS VARCHAR) AS name,
                CASE WHEN u < 0.30 THEN 'A' WHEN u < 0.85 THEN 'B' WHEN u < 0.97 THEN 'C' ELSE 'D' END
                  AS credit_class,
                '区' || CAST(CAST(floor(random() * 12) AS INTEGER) AS VARCHAR) AS district,
                ['餐饮服务', '食品销售', '药品零售', '其他'][CAST(floor(random() * 4) AS INTEGER) + 1]
                  AS industry,
                '登记机关' || CAST(CAST(floor(random() * 12) AS INTEGER) AS VARCHAR) AS authority,
                CASE WHEN s < 0.08 THEN '注销' WHEN s < 0.11 THEN '吊销，未注销' ELSE '存续' END AS status,
                CASE WHEN random() < 0.05 THEN DATE '2025-06-01' + CAST(floor(random() * 500) AS INTEGER) END
                  AS last_inspected,
                random() < 0.001 AS must_inspect,
                CAST(i - {first} + 2 AS BIGINT) AS row,
                CAST({number} AS INTEGER) AS file,
                '' AS address, '' AS legal_rep, '' AS phone
              FROM (SELECT range AS i, random() AS u, random() AS s FROM range({first}, {first + size}))
            ) TO '{path}' (FORMAT parquet)
            """
        )
        paths.append(path)
    con.close()
    return paths


class StageClock:
    """A Reporter that times each stage of the engine."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []
        self._label = ""
        self._since = 0.0

    def stage(self, label: str, total: int | None = None) -> None:
        self.finish()
        self._label, self._since = label, time.perf_counter()

    def advance(self, amount: int = 1) -> None:
        pass

    def finish(self) -> None:
        if self._label:
            self.times.append((self._label, time.perf_counter() - self._since))
        self._label = ""


def plan_for_bench() -> object:
    return parse_plan(
        {
            "plan": {
                "id": "BENCH-2026-12",
                "name": "基准",
                "task_name": "基准",
                "type": "不定向",
                "items": ["基准"],
                "authority": "基准",
                "start": date(2026, 12, 1),
                "end": date(2026, 12, 31),
            },
            "selection": {
                "strata": ["信用风险等级", "所属区域"],
                "ratio": {"A": "3%", "B": "5%", "C": "10%", "D": "20%"},
            },
            "exclusion": {"inspected_within_days": 365},
            "teams": {"size": 2, "certified": 2, "specialist": 0, "max_tasks": 8},
        },
        Path("."),
    )


def timed(label: str, action: object) -> float:
    start = time.perf_counter()
    result = action()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:<40} {seconds:8.2f} s   {result}", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--memory-limit", default=None)
    parser.add_argument("--keep", type=Path, default=None, help="folder for the roster (made if empty)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-selection-"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = sorted(folder.glob("roster-*.parquet"))
    if sum(pq.ParquetFile(p).metadata.num_rows for p in paths) != args.rows:
        for p in paths:
            p.unlink()
        start = time.perf_counter()
        paths = make_roster(args.rows, folder)
        print(f"roster of {args.rows:,} rows made in {time.perf_counter() - start:.1f} s: {folder}")
    files = [str(p) for p in paths]
    config = EngineSettings(args.memory_limit).config()

    def scan() -> str:
        con = duckdb.connect(config=config)
        row = con.execute(
            "SELECT COUNT(*), COUNT(DISTINCT credit_class), MAX(key), MAX(status), MAX(district), "
            "MAX(last_inspected), SUM(CAST(must_inspect AS INTEGER)) FROM read_parquet(?)",
            [files],
        ).fetchone()
        return f"{row[0]:,} rows"

    def hashes() -> str:
        con = duckdb.connect(config=config)
        row = con.execute(
            "SELECT MIN(sha256('shuangsuiji:v1|' || ? || '|select|' || key)) FROM read_parquet(?)",
            [SEED, files],
        ).fetchone()
        return f"min ticket {row[0][:12]}…"

    plan = plan_for_bench()
    stages = StageClock()

    def selection() -> str:
        chosen = select_in_duckdb(
            [Path(f) for f in files],
            plan,  # type: ignore[arg-type]
            SEED,
            settings=EngineSettings(args.memory_limit, folder / "spill"),
            reporter=stages,
        )
        stages.stage("(building the Selection's Python objects)")
        stages.finish()
        return (
            f"{len(chosen.picks):,} tasks, {len(chosen.exclusions):,} excluded, {len(chosen.strata)} strata"
        )

    a = timed("(a) scan of the needed columns", scan)
    b = timed("(b) SHA-256 of every key (the floor)", hashes)
    c = timed("(c) full selection (io/engine)", selection)
    for label, seconds in stages.times:
        print(f"    {label:<36} {seconds:8.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"ratios: selection / floor = {c / b:.2f}; selection / scan = {c / a:.1f}; peak RSS {peak:.2f} GB")
    pa.default_memory_pool().release_unused()


if __name__ == "__main__":
    main()
