"""The v1 selection run in DuckDB over the normalised roster table (an Arrow table or Parquet files).

It returns exactly what core.select.select returns for the same rows (tests/io/test_engine.py), so
the rest of a draw (teams, outputs, record) does not know which engine chose. Row indices are
positions in the table, or in the Parquet files read one after another in the order given.

The statements are core/selection_sql's, the same the printed script runs; every value reaches
DuckDB through registered Arrow tables or the connection's configuration, never inside SQL text.
DuckDB is an optional dependency (the `province` extra): imported when a selection runs.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
import pyarrow.parquet as pq

from ..core.draw import Selector
from ..core.errors import UsageError
from ..core.model import EnterpriseRoster, HistoryEntry, Pick, Selection
from ..core.plan import Plan
from ..core.progress import NullReporter, Reporter
from ..core.select import StratumKey, last_inspections, make_stratum
from ..core.selection_sql import (
    DIALECTS,
    DISTRICTS,
    EXCLUDED,
    HISTORY,
    INDUSTRIES,
    KEPT,
    PARAMS,
    QUOTAS,
    ROSTER,
    QuotaRow,
    SelectionSql,
    counts_by_stratum,
    quotas_script,
    selection_script,
    strata_fields,
    stratum_quotas,
)
from ..core.tickets import ALGORITHM
from .arrow_lists import ArrowExclusions
from .readers.table_roster import RosterSource
from .staging import SPILL_PREFIX, private_scratch

if TYPE_CHECKING:
    import duckdb

ROW_INDEX = "idx"  # the column the engine adds: the row's position in the roster
_TEXT_FIELDS = ("key", "name", "credit_class", "district", "industry", "authority", "status")
_OTHER_TEXT = ("address", "legal_rep", "phone")
# Sizes as DuckDB reads them: KB, MB... are powers of 1000, KiB, MiB... powers of 1024; or a share
# of the machine's memory.
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)", re.IGNORECASE)
_UNITS = {
    "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}  # fmt: skip
_GIB = 2**30
MIN_MEMORY_LIMIT = 64 * 2**20  # below this DuckDB fails on its first hash table, roster or not
DEFAULT_MEMORY_SHARE = 0.5  # of the machine's memory: the draw's Python side needs the rest
DUCKDB_DEFAULT_SHARE = 0.8  # DuckDB's own default memory_limit, documented as 80% of the memory


def check_memory_limit(text: str) -> str:
    """A memory limit as written (`6GB`, `4096MiB`, `50%`), checked; the text, trimmed. Raises a
    Chinese UsageError naming the value for anything else, before any input is read."""
    found = _SIZE.fullmatch(text.strip())
    if found is None:
        raise UsageError(
            f"内存上限“{text}”无法识别",
            hint="请写成数字加单位，例如 --memory-limit 6GB、4096MiB，或本机内存的百分比如 50%",
        )
    number, unit = float(found.group(1)), found.group(2).lower()
    if unit == "%" and not 0 < number <= 100:
        raise UsageError(f"内存上限“{text}”不是 1% 到 100% 之间的比例", hint="例如 --memory-limit 50%")
    if unit != "%" and number * _UNITS[unit] < MIN_MEMORY_LIMIT:
        raise UsageError(f"内存上限“{text}”过小，DuckDB 无法运行", hint="请至少给 64MiB，通常给 2GB 以上")
    return text.strip()


@functools.cache
def machine_memory() -> int | None:
    """The memory DuckDB sees, in bytes: physical memory, or a container's limit where one is set
    (DuckDB reads cgroups and Windows; the standard library does neither). None if DuckDB words
    its default in a way not foreseen here."""
    import duckdb

    con = duckdb.connect()
    try:
        (default,) = cast(tuple[str], con.execute("SELECT current_setting('memory_limit')").fetchone())
    finally:
        con.close()
    found = re.fullmatch(r"([\d.]+)\s*([A-Za-z]+)", default.strip())  # DuckDB writes e.g. "18.8 GiB"
    if found is None or found.group(2).lower() not in _UNITS:
        return None
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()] / DUCKDB_DEFAULT_SHARE)


def memory_limit_bytes(text: str | None) -> int | None:
    """The limit in bytes: as written, a share of machine_memory, or (None) the default: half of
    it, at least 1 GiB (DuckDB's own default, 80%, leaves the rest of the draw too little). None
    where the machine's memory is unknown and DuckDB's default has to stand."""
    if text is not None:
        found = cast(re.Match[str], _SIZE.fullmatch(check_memory_limit(text)))
        number, unit = float(found.group(1)), found.group(2).lower()
        if unit != "%":
            return int(number * _UNITS[unit])
    memory = machine_memory()
    if memory is None:
        return None
    if text is not None:
        return max(MIN_MEMORY_LIMIT, int(memory * number / 100))
    return int(max(memory * DEFAULT_MEMORY_SHARE, min(_GIB, memory * DUCKDB_DEFAULT_SHARE)))


@dataclass(frozen=True)
class EngineSettings:
    """How much DuckDB may use: a memory limit such as "4GB" or "50%" (past it, DuckDB spills to
    temp_directory instead of failing; None: half the machine's memory), a folder for spilled data
    (None: DuckDB's own, `.tmp` in the working folder), a number of threads."""

    memory_limit: str | None = None
    temp_directory: Path | None = None
    threads: int | None = None

    def config(self) -> dict[str, Any]:
        """The connection's configuration (DuckDB checks each value again)."""
        config: dict[str, Any] = {"default_collation": ""}  # binary: strings compare by code point
        limit = memory_limit_bytes(self.memory_limit)
        if limit is not None:
            config["memory_limit"] = f"{limit // 2**20}MiB"
        if self.temp_directory is not None:
            config["temp_directory"] = str(self.temp_directory)
        if self.threads is not None:
            config["threads"] = self.threads
        return config

    def out_of_memory(self) -> UsageError:
        """What to tell a user whose selection ran out of memory or of spill space."""
        limit = memory_limit_bytes(self.memory_limit)
        size = f"{limit / _GIB:.1f} GiB" if limit and limit >= _GIB else f"{(limit or 0) >> 20} MiB"
        within = f"（内存上限 {size}）" if limit is not None else ""
        return UsageError(
            f"DuckDB 抽取时内存不足{within}",
            hint="请用 --memory-limit 调高内存上限，或用 --temp-dir 把临时文件夹换到剩余空间更大的磁盘",
        )


def duckdb_installed() -> bool:
    """Whether the engine can run here (the `province` extra installed)."""
    return importlib.util.find_spec("duckdb") is not None


def table_selector(
    source: RosterSource,
    reporter: Reporter | None = None,
    *,
    memory_limit: str | None = None,
    temp_parent: Path | None = None,
) -> Selector:
    """core.draw's selector for a roster kept as the normalised table: DuckDB reads the table (or
    its Parquet file); the roster object compute_draw passes is not read. Past `memory_limit`
    DuckDB spills into a private folder made for this selection in `temp_parent` (None: the
    system's temporary folder), registered and removed when the selection ends, however it ends."""

    def run(_roster: EnterpriseRoster, plan: Plan, seed: str, history: Iterable[HistoryEntry]) -> Selection:
        with private_scratch(temp_parent, prefix=SPILL_PREFIX) as folder:
            # A folder DuckDB makes itself when it first spills: it removes it on closing.
            settings = EngineSettings(memory_limit, folder / "duckdb")
            return select_in_duckdb(
                source.engine_input(), plan, seed, history, settings=settings, reporter=reporter
            )

    return run


def roster_table(roster: EnterpriseRoster) -> pa.Table:
    """The normalised roster table (docs/algorithm.md, "The normalised roster") of an in-memory
    roster: what the readers produce for Parquet and CSV rosters, here made from Excel's."""
    columns: dict[str, pa.Array[Any]] = {
        name: pa.array(getattr(roster, name), pa.string()) for name in _TEXT_FIELDS
    }
    columns["last_inspected"] = pa.array(roster.last_inspected, pa.date32())
    columns["must_inspect"] = pa.array(roster.must_inspect, pa.bool_())
    columns["row"] = pa.array(roster.row, pa.int64())
    columns["file"] = pa.array([0] * len(roster), pa.int32())
    for name in _OTHER_TEXT:
        columns[name] = pa.array(getattr(roster, name), pa.string())
    return pa.table(columns)


def select_in_duckdb(
    roster: pa.Table | Sequence[Path],
    plan: Plan,
    seed: str,
    history: Iterable[HistoryEntry] = (),
    *,
    settings: EngineSettings | None = None,
    reporter: Reporter | None = None,
) -> Selection:
    """Run the v1 selection in DuckDB; the same Selection as core.select.select on the same rows."""
    import duckdb

    reporter = reporter or NullReporter()
    sql = SelectionSql.for_plan(plan, "duckdb", carry=(ROW_INDEX,))
    settings = settings or EngineSettings()
    con = duckdb.connect(config=settings.config())
    try:
        reporter.stage("统计名录各层户数")
        _register_roster(con, roster)
        _register_parameters(con, plan, seed, history)
        rows = con.execute(sql.counts()).fetchall()
        counts, population, out_of_scope = counts_by_stratum(
            [(fate, tuple(values), int(n)) for fate, *values, n in rows]
        )
        quotas = stratum_quotas(plan.selection, counts)
        con.register(QUOTAS, _quota_table(quotas, sql.strata))
        reporter.stage("计算随机码并按名额抽取", total=len(quotas))
        con.execute(f"CREATE TEMP TABLE {KEPT} AS {sql.kept()}")
        short = con.execute(sql.short_strata()).fetchall()
        picks_table = _arrow(con, sql.picks(fallback=bool(short)))
        reporter.advance(len(quotas))
        reporter.stage("整理未参加抽取的企业")
        excluded = _arrow(con, sql.exclusions())
    except duckdb.OutOfMemoryException:
        raise settings.out_of_memory() from None
    except (duckdb.InterruptException, RuntimeError) as exc:
        # Ctrl-C during a query: DuckDB 2 stops it and raises RuntimeError("Query interrupted")
        # (measured here, 2.0.1), not KeyboardInterrupt; the tool answers Ctrl-C as it always does.
        if isinstance(exc, duckdb.InterruptException) or "interrupted" in str(exc).lower():
            raise KeyboardInterrupt from None
        raise
    finally:
        con.close()
    picks, cutoffs = _picks(picks_table, {q.stratum_no: q.key for q in quotas})
    strata = tuple(
        make_stratum(
            plan.selection, q.key, q.eligible, q.quota, q.must_inspect, cutoffs.get(q.stratum_no, "")
        )
        for q in quotas
    )
    # Kept in Arrow (8.5M excluded at 50M rows): the record and workbooks read the columns. Codes
    # and reasons repeat (one per status word or date): dictionary-encoded, ~0.5 GB less at 50M.
    columns = {field: excluded.column(c).cast(pa.string()) for field, c in _EXCLUDED_COLUMNS.items()}
    for field in ("code", "reason"):
        columns[field] = columns[field].dictionary_encode()
    positions = excluded.column(ROW_INDEX).cast(pa.int64())
    exclusions = ArrowExclusions(pa.table({"positions": positions, **columns}))
    return Selection(strata, picks, exclusions, population, out_of_scope)


_EXCLUDED_COLUMNS = {"enterprise_key": "key", "code": "code", "reason": "reason", "name": "name"}


def _register_roster(con: duckdb.DuckDBPyConnection, roster: pa.Table | Sequence[Path]) -> None:
    """The roster as view ROSTER with its row index (position, across files in the order given)."""
    if isinstance(roster, pa.Table):
        index = pa.array(range(roster.num_rows), pa.int64())
        con.register(ROSTER, roster.append_column(ROW_INDEX, index))
        return
    paths = [str(p) for p in roster]
    if not paths:
        raise UsageError("没有给出检查对象名录文件", hint="请给出一个或多个 Parquet 文件")
    sizes = [pq.ParquetFile(p).metadata.num_rows for p in paths]
    offsets = pa.table({"filename": paths, "first_index": [sum(sizes[:i]) for i in range(len(sizes))]})
    con.register("roster_file_offsets", offsets)
    files = con.read_parquet(paths, file_row_number=True, filename=True)
    files.create_view("roster_files")
    con.execute(
        f"CREATE TEMP VIEW {ROSTER} AS SELECT f.*, o.first_index + f.file_row_number AS {ROW_INDEX} "
        "FROM roster_files f JOIN roster_file_offsets o ON f.filename = o.filename"
    )


def _register_parameters(
    con: duckdb.DuckDBPyConnection, plan: Plan, seed: str, history: Iterable[HistoryEntry]
) -> None:
    """The parameter tables: the seed and dates, status words, scope lists, the latest inspections."""
    start, window = plan.info.start, plan.inspected_within_days
    con.register(
        PARAMS,
        pa.table(
            {
                "seed": [seed],
                "ticket_prefix": [f"{ALGORITHM}|{seed}|select|"],
                "plan_id": [plan.info.id],
                "start_date": pa.array([start], pa.date32()),
                "cutoff": pa.array([start - timedelta(days=window)], pa.date32()),
                "window_days": pa.array([window], pa.int64()),
            }
        ),
    )
    # As select.py does: the roster's own status values, each judged by the plan's word lists.
    statuses = [
        s for (s,) in con.execute(f"SELECT DISTINCT status FROM {ROSTER}").fetchall() if s is not None
    ]
    excluded = [s for s in statuses if plan.statuses.excludes(s)]
    con.register(EXCLUDED, pa.table({"status": pa.array(excluded, pa.string())}))
    con.register(DISTRICTS, pa.table({"district": pa.array(sorted(set(plan.districts)), pa.string())}))
    con.register(INDUSTRIES, pa.table({"industry": pa.array(sorted(set(plan.industries)), pa.string())}))
    latest = last_inspections(history)
    con.register(
        HISTORY,
        pa.table(
            {
                "key": pa.array(list(latest), pa.string()),
                "inspected_on": pa.array(list(latest.values()), pa.date32()),
            }
        ),
    )


def _quota_table(quotas: Sequence[QuotaRow], strata: Sequence[str]) -> pa.Table:
    columns: dict[str, pa.Array[Any]] = {
        name: pa.array([q.key[i] for q in quotas], pa.string()) for i, name in enumerate(strata)
    }
    for name in ("stratum_no", "eligible", "must_inspect", "quota", "task_offset"):
        columns[name] = pa.array([getattr(q, name) for q in quotas], pa.int64())
    columns["max_bucket"] = pa.array([q.max_bucket for q in quotas], pa.string())
    return pa.table(columns)


def _picks(table: pa.Table, keys: dict[int, tuple[str, ...]]) -> tuple[tuple[Pick, ...], dict[int, str]]:
    """The picks in task order, and each stratum's cut-off ticket (its last drawn)."""
    picks: list[Pick] = []
    cutoffs: dict[int, str] = {}
    # DuckDB sums BIGINTs into HUGEINT, which Arrow hands over as Decimal: cast to int64 in Arrow (a
    # Decimal object per pick, then int(), was a third of this function at 172k picks).
    for index, key, number, must, rank, ticket in zip(
        table.column(ROW_INDEX).to_pylist(),
        table.column("key").to_pylist(),
        table.column("stratum_no").to_pylist(),
        table.column("must_inspect").to_pylist(),
        table.column("rank").cast(pa.int64()).to_pylist(),
        table.column("ticket").to_pylist(),
        strict=True,
    ):
        picks.append(Pick(index, key, ticket, keys[number], None if must else rank, must_inspect=must))
        if not must:
            cutoffs[number] = ticket  # ranks ascend within a stratum: the last one is the cut-off
    return tuple(picks), cutoffs


def _arrow(con: duckdb.DuckDBPyConnection, query: str) -> pa.Table:
    """A query's result as an Arrow table (DuckDB 2 renamed the method; 1.x has the old name)."""
    relation = con.sql(query)
    fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    table: pa.Table = fetch()
    return table


def sql_script(plan_path: Path, dialect: str, counts: Path | None = None) -> str:
    """`shuangsuiji sql`: the whole script for a plan, or (with the counts part 1 exported) part 2."""
    from .plan_file import load_plan

    if dialect not in DIALECTS:
        raise UsageError(f"不认识的 SQL 方言“{dialect}”", hint="请用 --dialect duckdb 或 --dialect spark")
    plan = load_plan(plan_path)
    if counts is None:
        return selection_script(plan, "duckdb" if dialect == "duckdb" else "spark")
    found, _population, _out = counts_by_stratum(read_counts(counts, strata_fields(plan.selection)))
    return quotas_script(plan, found, "duckdb" if dialect == "duckdb" else "spark")


def read_counts(path: Path, strata: Sequence[str]) -> list[tuple[str, StratumKey, int]]:
    """The stratum counts part 1 of the script produced, exported as CSV: fate, strata…, n."""
    where = f"分层计数文件“{path}”"
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.DictReader(file))
            header = rows[0].keys() if rows else ()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"无法读取{where}（{exc}）", hint="请给出脚本第 1 部分导出的 CSV 文件") from None
    missing = [c for c in ("fate", *strata, "n") if rows and c not in header]
    if missing:
        raise UsageError(
            f"{where}缺少列 {'、'.join(missing)}", hint="请导出 stratum_counts 表的全部列，并保留表头"
        )
    found = []
    for number, row in enumerate(rows, start=2):
        n = (row["n"] or "").strip()
        if not n.isdigit() or row["fate"] not in ("out", "status", "window", "must", "pool"):
            raise UsageError(
                f"{where}第 {number} 行不是第 1 部分的结果（fate “{row['fate']}”，n “{n}”）",
                hint="请重新运行第 1 部分并导出 stratum_counts",
            )
        # An empty cell is the empty text: CSV writers do not tell NULL from "".
        found.append((row["fate"], tuple(row[c] or "" for c in strata), int(n)))
    return found
