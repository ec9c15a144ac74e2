"""The v1 selection (docs/algorithm.md §3) as SQL, for DuckDB and Spark: what io/engine.py runs and
what `shuangsuiji sql` prints. Pure string building.

No value from a plan, a seed or a roster is ever part of the SQL text: the statements read them from
small parameter tables (PARAMS, EXCLUDED, DISTRICTS, INDUSTRIES, QUOTAS), which the engine fills
through its driver and the printed script fills from hex-encoded bytes (`hex_text`), so that no
quote or backslash in a word can end a string literal. What the plan decides about the statements'
shape (which columns stratify, whether scope lists or a window apply) is chosen from fixed names.

The statements, in order:
1. COUNTS: every roster row's fate (out / status / window / must / pool) counted by stratum.
2. Quotas, in Python (`stratum_quotas`): exact rationals, select.py's own rules, the stratum order
   and, per stratum, the task offset and a ticket-bucket bound (below). They become table QUOTAS.
3. KEPT: the one pass that hashes: tickets of must-inspect rows and of pool rows in strata with a
   quota, keeping the rows whose 16-bit ticket bucket (first four hex digits) is at most the
   stratum's bound. Kept rows are all rows of the lowest buckets: a prefix of the stratum's full
   (ticket, key) order, so ranks computed among them are the true ranks.
4. PICKS: strata whose kept rows fall short of the quota (the bound is set eight standard
   deviations wide, so practically never) are hashed again in full; then each row's rank is the
   count of rows in lower buckets plus its row number inside its bucket, so no window ever spans a
   whole stratum (on Spark: no task needs a whole stratum); the first `quota` ranks are drawn.
   Task numbers come from each stratum's offset: must-inspect rows first (by ticket), then by rank.
5. EXCLUSIONS: rows in scope that are not drawn from, with their reason, ordered by key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from .fields import CREDIT_CLASS
from .model import STRATUM_FIELDS
from .plan import Plan, SelectionRules
from .select import StratumKey, order_and_quotas

Dialect = Literal["duckdb", "spark"]
DIALECTS: tuple[Dialect, ...] = ("duckdb", "spark")

# The tables the statements read and write.
ROSTER = "roster"  # the normalised roster (core/model.EnterpriseRoster's fields)
HISTORY = "history"  # (key, inspected_on): past inspections, from the history file and the ledger
PARAMS = "draw_params"  # one row: seed, ticket_prefix, plan_id, start_date, cutoff, window_days
EXCLUDED = "excluded_statuses"  # (status): 经营状态 values that exclude
DISTRICTS = "scope_districts"  # (district): the plan's scope, when it lists districts
INDUSTRIES = "scope_industries"  # (industry): the plan's scope, when it lists industries
COUNTS = "stratum_counts"  # (fate, strata..., n)
QUOTAS = "stratum_quotas"  # (strata..., stratum_no, eligible, must_inspect, quota, task_offset, max_bucket)
KEPT = "kept_tickets"  # the hashed rows that can be drawn
TASKS = "draw_tasks"  # the printed script's results: tasks, strata, exclusions
STRATA = "draw_strata"
EXCLUSIONS = "draw_exclusions"
SEED_PLACEHOLDER = "在此填写种子"

FATES = ("out", "status", "window", "must", "pool")
BUCKET_DIGITS = 4  # 16-bit buckets: 65,536 per stratum
_BUCKETS = 16**BUCKET_DIGITS
TOP_BUCKET = "f" * BUCKET_DIGITS


@dataclass(frozen=True)
class QuotaRow:
    """One stratum as the statements see it (a row of QUOTAS)."""

    key: StratumKey
    stratum_no: int  # 1-based position in the canonical stratum order
    eligible: int  # rows drawn from
    must_inspect: int  # must-inspect rows set aside
    quota: int
    task_offset: int  # tasks of all earlier strata
    max_bucket: str  # highest ticket bucket (4 hex digits) kept in the hashing pass


def bucket_bound(eligible: int, quota: int, margin_sigmas: int = 8) -> str:
    """The highest 16-bit ticket bucket the hashing pass keeps for a stratum.

    Tickets are uniform, so the rows in buckets 0..b number about eligible × (b + 1) / 65,536; the
    bound leaves room for quota + margin_sigmas·√quota + 64 rows. Too low a bound costs a second
    pass over that stratum (PICKS checks), never a wrong draw.
    """
    if quota <= 0:
        return "0" * BUCKET_DIGITS
    if quota >= eligible:
        return TOP_BUCKET
    wanted = quota + margin_sigmas * math.isqrt(quota) + 64
    buckets = -(-wanted * _BUCKETS // eligible)
    return f"{min(buckets, _BUCKETS) - 1:0{BUCKET_DIGITS}x}"


def stratum_quotas(rules: SelectionRules, counts: Mapping[StratumKey, tuple[int, int]]) -> list[QuotaRow]:
    """The strata in canonical order with their quotas (select.py's exact rules), from the
    (eligible, must_inspect) counts of each stratum that has either."""
    order, quotas = order_and_quotas(rules, {k: eligible for k, (eligible, _must) in counts.items()})
    rows: list[QuotaRow] = []
    offset = 0
    for number, key in enumerate(order, start=1):
        eligible, must = counts[key]
        quota = quotas[key]
        rows.append(QuotaRow(key, number, eligible, must, quota, offset, bucket_bound(eligible, quota)))
        offset += must + quota
    return rows


def strata_fields(rules: SelectionRules) -> tuple[str, ...]:
    """The roster fields behind the plan's strata headers (信用风险等级 → credit_class …)."""
    return tuple(STRATUM_FIELDS[header] for header in rules.strata)


def class_position(rules: SelectionRules) -> int:
    """Where the credit class is in a stratum key."""
    return rules.strata.index(CREDIT_CLASS)


def hex_text(value: str, dialect: Dialect) -> str:
    """A string as a SQL expression made of its UTF-8 bytes in hex: nothing in it can end a literal."""
    return _decoded(f"'{value.encode('utf-8').hex()}'", dialect)


def _decoded(expression: str, dialect: Dialect) -> str:
    """The text whose UTF-8 bytes the hex string `expression` gives."""
    if dialect == "duckdb":
        return f"decode(from_hex({expression}))"
    return f"decode(unhex({expression}), 'UTF-8')"


def _ident(name: str) -> str:
    """A column or table name this module chose (never user text), checked all the same."""
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ValueError(f"not a plain SQL name: {name!r}")
    return name


@dataclass(frozen=True)
class SelectionSql:
    """The statements of one plan's selection in one dialect.

    `carry` names roster columns passed through to picks and exclusions: the engine's row index
    ("idx"), or the row and file a data team uses to find the row in its sources.
    """

    dialect: Dialect
    strata: tuple[str, ...]
    scope_districts: bool = False
    scope_industries: bool = False
    window: bool = False
    carry: tuple[str, ...] = ("idx",)

    @classmethod
    def for_plan(cls, plan: Plan, dialect: Dialect, carry: tuple[str, ...] = ("idx",)) -> SelectionSql:
        """The statements for `plan` (its strata columns, scope lists and window)."""
        if dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}")
        return cls(
            dialect,
            strata_fields(plan.selection),
            bool(plan.districts),
            bool(plan.industries),
            plan.inspected_within_days > 0,
            carry,
        )

    # -- dialect pieces ------------------------------------------------------------------------

    @property
    def _text(self) -> str:
        return "VARCHAR" if self.dialect == "duckdb" else "STRING"

    def _sha256(self, text: str) -> str:
        # Both hash the UTF-8 bytes of the string and return lowercase hex, as tickets are defined.
        return f"sha256({text})" if self.dialect == "duckdb" else f"sha2({text}, 256)"

    def _days(self, earlier: str, later: str) -> str:
        if self.dialect == "duckdb":
            return f"datediff('day', {earlier}, {later})"
        return f"datediff({later}, {earlier})"

    def _order(self, *columns: str) -> str:
        # Tickets are lowercase hex and keys are compared only on equal tickets, but say binary
        # anyway: Spark 4 names it UTF8_BINARY; DuckDB's default collation is binary and the
        # engine's connection never changes it (the printed script sets it).
        if self.dialect == "spark":
            return ", ".join(f"{c} COLLATE UTF8_BINARY" for c in columns)
        return ", ".join(columns)

    def _stratum_columns(self, alias: str) -> str:
        return ", ".join(f"{alias}.{_ident(s)}" for s in self.strata)

    def _stratum_join(self, left: str, right: str) -> str:
        return " AND ".join(f"{left}.{s} = {right}.{s}" for s in self.strata)

    def _carried(self, alias: str) -> str:
        return "".join(f"{alias}.{_ident(c)}, " for c in self.carry)

    # -- the statements ------------------------------------------------------------------------

    def classified(self) -> str:
        """Every roster row with its fate (the eligibility rules of §3, in their order), the
        latest known inspection (`last_any`) and its stratum columns (empty text for none)."""
        joins = [f"FROM {ROSTER} r CROSS JOIN {PARAMS} p"]
        out: list[str] = []
        if self.scope_districts:
            joins.append(f"LEFT JOIN {DISTRICTS} d ON COALESCE(r.district, '') = d.district")
            out.append("d.district IS NULL")
        if self.scope_industries:
            joins.append(f"LEFT JOIN {INDUSTRIES} i ON COALESCE(r.industry, '') = i.industry")
            out.append("i.industry IS NULL")
        joins.append(f"LEFT JOIN {EXCLUDED} x ON r.status = x.status")
        fate = ["CASE"]
        if out:
            fate.append(f"WHEN {' OR '.join(out)} THEN 'out'")
        fate.append("WHEN x.status IS NOT NULL THEN 'status'")
        if self.window:
            joins.append(
                f"LEFT JOIN (SELECT key, MAX(inspected_on) AS inspected_on FROM {HISTORY} GROUP BY key) h "
                "ON r.key = h.key"
            )
            last_any = (
                "CASE WHEN h.inspected_on IS NULL OR r.last_inspected >= h.inspected_on "
                "THEN r.last_inspected ELSE h.inspected_on END"
            )
            # Within the window: fewer than window_days days before the start, i.e. after `cutoff`.
            fate.append(f"WHEN ({last_any}) > p.cutoff THEN 'window'")
        else:
            last_any = "CAST(NULL AS DATE)"
        fate.append("WHEN COALESCE(r.must_inspect, FALSE) THEN 'must' ELSE 'pool' END")
        strata = ", ".join(f"COALESCE(r.{_ident(s)}, '') AS {s}" for s in self.strata)
        return (
            f"SELECT {self._carried('r')}r.key, r.name, r.status, {strata},\n"
            f"    {last_any} AS last_any,\n"
            f"    {' '.join(fate)} AS fate\n  " + "\n  ".join(joins)
        )

    def counts(self) -> str:
        """Statement 1: rows by fate and stratum (the quotas step and the population counts)."""
        columns = ", ".join(self.strata)
        return (
            f"SELECT fate, {columns}, COUNT(*) AS n\nFROM (\n  {self.classified()}\n) c\n"
            f"GROUP BY fate, {columns}"
        )

    def kept(self) -> str:
        """Statement 3 (its query): the hashing pass, keeping the rows of the lowest buckets."""
        ticket = self._sha256("p.ticket_prefix || c.key")
        return (
            f"SELECT * FROM (\n"
            f"  SELECT {self._carried('c')}c.key, c.fate, q.stratum_no, q.max_bucket, {ticket} AS ticket\n"
            f"  FROM (\n  {self.classified()}\n  ) c\n"
            f"  JOIN {QUOTAS} q ON {self._stratum_join('c', 'q')}\n"
            f"  CROSS JOIN {PARAMS} p\n"
            f"  WHERE c.fate = 'must' OR (c.fate = 'pool' AND q.quota > 0)\n"
            f") t\nWHERE fate = 'must' OR substr(ticket, 1, {BUCKET_DIGITS}) <= max_bucket"
        )

    def short_strata(self) -> str:
        """The strata whose kept rows are fewer than their quota (the bucket bound was too low)."""
        return f"""SELECT q.stratum_no FROM {QUOTAS} q
  LEFT JOIN (SELECT stratum_no, COUNT(*) AS n FROM {KEPT} WHERE fate = 'pool' GROUP BY stratum_no) k
    ON q.stratum_no = k.stratum_no
  WHERE q.quota > 0 AND COALESCE(k.n, 0) < q.quota"""

    def picks(self, fallback: bool = True) -> str:
        """Statement 4: the drawn rows in task order (task_no), with rank (NULL for must-inspect).

        Without `fallback` the statement assumes no stratum is short (the engine checks first with
        `short_strata`) and skips the second scan that would hash short strata again."""
        carry = self._carried("k")
        ticket = self._sha256("p.ticket_prefix || c.key")
        bucket = f"substr(ticket, 1, {BUCKET_DIGITS})"
        again = f"""
  UNION ALL
  SELECT {self._carried("c")}c.key, c.fate, q.stratum_no, {ticket} AS ticket
  FROM (
  {self.classified()}
  ) c
  JOIN {QUOTAS} q ON {self._stratum_join("c", "q")}
  JOIN short s ON q.stratum_no = s.stratum_no
  CROSS JOIN {PARAMS} p
  WHERE c.fate = 'pool'"""
        return f"""WITH short AS (
  {self.short_strata() if fallback else f"SELECT stratum_no FROM {QUOTAS} WHERE FALSE"}
),
candidates AS (
  SELECT {carry}k.key, k.fate, k.stratum_no, k.ticket FROM {KEPT} k
  LEFT JOIN short s ON k.stratum_no = s.stratum_no
  WHERE k.fate = 'must' OR s.stratum_no IS NULL{again if fallback else ""}
),
buckets AS (
  SELECT stratum_no, {bucket} AS bucket, COUNT(*) AS n FROM candidates WHERE fate = 'pool'
  GROUP BY stratum_no, {bucket}
),
offsets AS (
  SELECT stratum_no, bucket,
    SUM(n) OVER (PARTITION BY stratum_no ORDER BY {self._order("bucket")}) - n AS below
  FROM buckets
),
ranked AS (
  SELECT c.*, CASE WHEN c.fate = 'must' THEN NULL ELSE o.below + ROW_NUMBER() OVER (
      PARTITION BY c.stratum_no, c.fate, {bucket.replace("ticket", "c.ticket")}
      ORDER BY {self._order("c.ticket", "c.key")}) END AS rank,
    CASE WHEN c.fate = 'must' THEN ROW_NUMBER() OVER (
      PARTITION BY c.stratum_no, c.fate ORDER BY {self._order("c.ticket", "c.key")}) END AS must_no
  FROM candidates c
  LEFT JOIN offsets o ON c.fate = 'pool' AND c.stratum_no = o.stratum_no
    AND {bucket.replace("ticket", "c.ticket")} = o.bucket
)
SELECT q.task_offset + CASE WHEN k.fate = 'must' THEN k.must_no ELSE q.must_inspect + k.rank END AS task_no,
  {carry}k.key, {self._stratum_columns("q")}, q.stratum_no, k.fate = 'must' AS must_inspect, k.rank, k.ticket
FROM ranked k
JOIN {QUOTAS} q ON k.stratum_no = q.stratum_no
WHERE k.fate = 'must' OR k.rank <= q.quota
ORDER BY task_no"""

    def exclusions(self) -> str:
        """Statement 5: rows in scope that are not drawn from, with the reason, ordered by key."""
        text = self._text
        days = self._days("c.last_any", "p.start_date")
        reason = (
            f"CASE WHEN c.fate = 'status' THEN '经营状态为“' || c.status || '”' "
            f"ELSE '最近检查日期 ' || CAST(c.last_any AS {text}) || '，距计划开始 ' || "
            f"CAST({days} AS {text}) || ' 天，不足 ' || CAST(p.window_days AS {text}) || ' 天' END"
        )
        return (
            f"SELECT {self._carried('c')}c.key, c.name, c.fate AS code, {reason} AS reason\n"
            f"FROM (\n  {self.classified()}\n) c\nCROSS JOIN {PARAMS} p\n"
            f"WHERE c.fate IN ('status', 'window')\nORDER BY {self._order('c.key')}"
        )

    def strata_summary(self) -> str:
        """The strata as recorded: sizes, quota and the cut-off ticket (the last drawn)."""
        return (
            f"SELECT {self._stratum_columns('q')}, q.stratum_no, q.eligible, q.must_inspect, q.quota,\n"
            f"  MAX(CASE WHEN NOT t.must_inspect THEN t.ticket END) AS cutoff_ticket\n"
            f"FROM {QUOTAS} q LEFT JOIN {TASKS} t ON q.stratum_no = t.stratum_no\n"
            f"GROUP BY {self._stratum_columns('q')}, q.stratum_no, q.eligible, q.must_inspect, q.quota\n"
            f"ORDER BY q.stratum_no"
        )


def quota_values(rows: Sequence[QuotaRow], strata: Sequence[str], dialect: Dialect) -> str:
    """The QUOTAS table as a SELECT over VALUES, stratum values hex-encoded (for the printed script)."""
    names = [*strata, "stratum_no", "eligible", "must_inspect", "quota", "task_offset", "max_bucket"]
    if not rows:  # no stratum at all: an empty table of the right shape
        text = "VARCHAR" if dialect == "duckdb" else "STRING"
        casts = [f"CAST(NULL AS {text}) AS {s}" for s in strata]
        casts += [f"CAST(NULL AS BIGINT) AS {n}" for n in names[len(strata) : -1]]
        return f"SELECT {', '.join(casts)}, CAST(NULL AS {text}) AS max_bucket WHERE FALSE"
    # Spark evaluates no function inside VALUES: the hex stays a literal there, decoded outside.
    lines = [
        "("
        + ", ".join(
            [f"'{v.encode('utf-8').hex()}'" for v in row.key]
            + [str(row.stratum_no), str(row.eligible), str(row.must_inspect), str(row.quota)]
            + [str(row.task_offset), f"'{row.max_bucket}'"]
        )
        + ")"
        for row in rows
    ]
    body = ",\n  ".join(lines)
    columns = [f"{_decoded(s, dialect)} AS {s}" for s in strata] + names[len(strata) :]
    return f"SELECT {', '.join(columns)} FROM (VALUES\n  {body}\n) AS t({', '.join(names)})"


def date_literal(day: date) -> str:
    """A DATE literal (from a date object: digits and hyphens only)."""
    return f"DATE '{day.isoformat()}'"


def _words(name: str, column: str, words: Sequence[str], dialect: Dialect) -> str:
    text = "VARCHAR" if dialect == "duckdb" else "STRING"
    if not words:
        query = f"SELECT CAST(NULL AS {text}) AS {column} WHERE FALSE"
    else:
        rows = ",\n  ".join(f"('{w.encode('utf-8').hex()}')" for w in sorted(set(words)))
        query = f"SELECT {_decoded(column, dialect)} AS {column} FROM (VALUES\n  {rows}\n) AS t({column})"
    return _view(name, query, dialect)


def _view(name: str, query: str, dialect: Dialect) -> str:
    if dialect == "duckdb":
        return f"CREATE OR REPLACE TEMP VIEW {name} AS\n{query};"
    return f"CREATE OR REPLACE TEMPORARY VIEW {name} AS\n{query};"


def _table(name: str, query: str, dialect: Dialect) -> str:
    """A result computed once and kept (DuckDB: a temp table; Spark: a cached view)."""
    if dialect == "duckdb":
        return f"CREATE OR REPLACE TEMP TABLE {name} AS\n{query};"
    return f"DROP VIEW IF EXISTS {name};\nCACHE TABLE {name} AS\n{query};"


PART_MARK = "-- ==== 第 {} 部分"


def selection_script(plan: Plan, dialect: Dialect) -> str:
    """The whole script a data team runs on its own engine (`shuangsuiji sql`): part 1 builds the
    parameter views and counts the strata; part 2 is the quotas the tool computes from those
    counts (`quotas_script`); part 3 draws. Comments are for the team, in Chinese."""
    sql = SelectionSql.for_plan(plan, dialect, carry=("file", "row"))
    engine = "DuckDB（1.1 及以上）" if dialect == "duckdb" else "Spark SQL（4.0 及以上）"
    export = (
        "COPY stratum_counts TO 'counts.csv' (HEADER)"
        if dialect == "duckdb"
        else "spark.table('stratum_counts').toPandas().to_csv('counts.csv', index=False)"
    )
    cutoff = date.fromordinal(plan.info.start.toordinal() - plan.inspected_within_days)
    prefix = "'shuangsuiji:v1|' || seed || '|select|'"
    escapes = "" if dialect == "duckdb" else "，反斜杠也写两遍"
    params = (
        f"SELECT seed, {prefix} AS ticket_prefix, {hex_text(plan.info.id, dialect)} AS plan_id,\n"
        f"  {date_literal(plan.info.start)} AS start_date, {date_literal(cutoff)} AS cutoff,\n"
        f"  {plan.inspected_within_days} AS window_days\n"
        f"FROM (SELECT '{SEED_PLACEHOLDER}' AS seed) s"
    )
    header = f"""-- 双随机抽取（算法 shuangsuiji:v1）的 SQL 脚本，{engine}。
-- 由 shuangsuiji sql 按抽查计划生成，抽取结果与 shuangsuiji draw 完全相同
-- （任务顺序、随机码、各层名额与截止随机码、未参加抽取的企业及原因）。
--
-- 输入表（运行前建好，表名和列名如下）：
--   {ROSTER}：规范化后的检查对象名录，每户一行，列：
--     key（统一社会信用代码：NFKC、去首尾空白、大写；为空时用 15 位注册号）、name、credit_class（A/B/C/D）、
--     district、industry、authority（所属区域、行业类别、登记机关：NFKC 并去掉全部空白）、
--     status（经营状态：NFKC 并去掉全部空白）、last_inspected（DATE，可为空）、must_inspect（BOOLEAN）、
--     file（来源文件序号）、row（来源行号）。文字列不得为 NULL（空白写空字符串）。
--   {HISTORY}：检查记录，列 key、inspected_on（DATE）：检查记录文件的全部行，加上抽取台账中开始日期早于本计划
--     开始日期的其他计划的抽取任务（日期取该计划的开始日期）和已公示的检查结果（日期取检查完成日期）。
--     计划不看检查间隔（inspected_within_days = 0）时可为空表。
-- 参数：种子只在下面一处填写：把“{SEED_PLACEHOLDER}”换成公布的种子（NFC 规范化、去首尾空白；
--   单引号写两遍{escapes}）。计划中的文字（经营状态、范围、计划编号）以 UTF-8 十六进制写入，
--   不会被当作 SQL 执行。字符串一律按码位（二进制）比较；随机码是“shuangsuiji:v1|种子|select|key”的
--   UTF-8 字节的 SHA-256（小写十六进制）。
-- 步骤：
--   1. 运行第 1 部分，得到 {COUNTS}（各层各类户数），导出为 CSV，例如：{export}
--   2. 运行 shuangsuiji sql --plan 计划文件 --dialect {dialect} --counts counts.csv > quotas.sql，
--      再运行 quotas.sql，建成 {QUOTAS}（名额按计划规则以精确分数计算；
--      层的顺序：A、B、C、D，再按其他列的码位）。
--   3. 运行第 3 部分，结果在 {TASKS}（抽取结果，按任务序号 task_no；任务编号 task_id）、
--      {STRATA}（各层名额与截止随机码）和 {EXCLUSIONS}（未参加抽取的企业及原因）中。
"""
    part1 = "\n\n".join(
        [
            PART_MARK.format(1) + "：参数和分层计数",
            "SET default_collation = '';" if dialect == "duckdb" else "",
            _view(PARAMS, params, dialect),
            _words(EXCLUDED, "status", sorted(plan.statuses.excluded), dialect),
            _words(DISTRICTS, "district", plan.districts, dialect),
            _words(INDUSTRIES, "industry", plan.industries, dialect),
            _table(COUNTS, sql.counts(), dialect),
        ]
    )
    task_id = (
        "p.plan_id || '-' || printf('%05d', t.task_no)"
        if dialect == "duckdb"
        else "p.plan_id || '-' || format_string('%05d', t.task_no)"
    )
    part3 = "\n\n".join(
        [
            PART_MARK.format(3) + "：计算随机码、排序、取名额",
            _table(KEPT, sql.kept(), dialect),
            _table(TASKS, sql.picks(), dialect),
            _view(
                f"{TASKS}_with_id",
                f"SELECT {task_id} AS task_id, t.* FROM {TASKS} t CROSS JOIN {PARAMS} p",
                dialect,
            ),
            _table(STRATA, sql.strata_summary(), dialect),
            _table(EXCLUSIONS, sql.exclusions(), dialect),
        ]
    )
    part2 = PART_MARK.format(2) + f"：名额表 {QUOTAS}，由 shuangsuiji sql --counts 生成（见第 2 步）"
    return "\n".join([header, part1.replace("\n\n\n\n", "\n\n"), "", part2, "", part3, ""])


def quotas_script(plan: Plan, counts: Mapping[StratumKey, tuple[int, int]], dialect: Dialect) -> str:
    """Part 2 of the script: the QUOTAS table from the counts that part 1 produced."""
    rows = stratum_quotas(plan.selection, counts)
    header = (
        f"-- 名额表（第 2 部分）：{len(rows)} 层，共抽取 {sum(r.quota + r.must_inspect for r in rows)} 户"
        "（含重点检查）。层的值以 UTF-8 十六进制写入。\n"
    )
    return header + _table(QUOTAS, quota_values(rows, strata_fields(plan.selection), dialect), dialect) + "\n"


def counts_by_stratum(
    rows: Sequence[tuple[str, StratumKey, int]],
) -> tuple[dict[StratumKey, tuple[int, int]], int, int]:
    """From COUNTS rows (fate, stratum key, n): (eligible, must_inspect) per stratum that has either,
    the roster's size and the rows out of scope."""
    found: dict[StratumKey, tuple[int, int]] = {}
    population = out_of_scope = 0
    for fate, key, n in rows:
        if fate not in FATES:
            raise ValueError(f"unknown fate {fate!r}")
        population += n
        if fate == "out":
            out_of_scope += n
        elif fate in ("pool", "must"):
            eligible, must = found.get(key, (0, 0))
            found[key] = (eligible + n, must) if fate == "pool" else (eligible, must + n)
    return found, population, out_of_scope
