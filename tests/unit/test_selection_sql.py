"""The SQL that `shuangsuiji sql` prints: run by DuckDB (always) and Spark (when pyspark and Java
are here) on a roster table, it gives the tool's own selection; plan words never become SQL text."""

from __future__ import annotations

import csv
import os
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.core.ids import compact
from shuangsuiji.core.model import Enterprise, HistoryEntry, Selection
from shuangsuiji.core.plan import Plan
from shuangsuiji.core.select import select
from shuangsuiji.core.selection_sql import (
    PART_MARK,
    SEED_PLACEHOLDER,
    SelectionSql,
    hex_text,
    quotas_script,
    selection_script,
    stratum_quotas,
)
from tests.builders import enterprise, make_plan, roster
from tests.io.test_engine import HISTORY, adversarial_rows

START = date(2026, 12, 1)
SEED = "福彩3D 2026-12-01 开奖号 385 'x'"
PLAN_TOML = """
[plan]
id = "GY-SJ-2026-12"
name = "测试计划"
task_name = "测试任务"
type = "定向"
items = ["食品经营许可情况"]
authority = "测试局"
start = 2026-12-01
end = 2026-12-31

[scope]
districts = ["云岩区", "南明区", "a区", "B区", "Ａ区"]

[selection]
strata = ["信用风险等级", "所属区域"]
rounding = "half_up"
ratio = { A = "3%", B = "1/3", C = "10%", D = "60%" }
minimum = { D = 1 }

[exclusion]
inspected_within_days = 365
excluded_statuses = ["注销", "吊销，未注销", "it's '); DROP TABLE roster; --"]

[teams]
size = 2
certified = 2
specialist = 0
"""


def parts(script: str) -> tuple[str, str]:
    """Parts 1 and 3 of a printed script."""
    first, rest = script.split(PART_MARK.format(2))
    return first, rest.split(PART_MARK.format(3))[1].split("\n", 1)[1]


def statements(text: str) -> list[str]:
    """The statements of a script part (none of ours has a semicolon inside a literal: hex only)."""
    lines = [line for line in text.splitlines() if not line.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def normalised(rows: list[Enterprise]) -> list[Enterprise]:
    """Rows as the normalised roster table holds them: 经营状态 compacted."""
    return [r._replace(status=compact(r.status)) for r in rows]


def reference(rows: list[Enterprise], plan: Plan, history: list[HistoryEntry]) -> Selection:
    return select(roster(rows), plan, SEED, history)


def expected_tasks(selection: Selection, plan: Plan) -> list[tuple[Any, ...]]:
    return [
        (
            number,
            f"{plan.info.id}-{number:05d}",
            p.enterprise_key,
            p.must_inspect,
            p.rank,
            p.ticket,
            *p.stratum,
        )
        for number, p in enumerate(selection.picks, start=1)
    ]


def write_plan(tmp_path: Path) -> tuple[Path, Plan]:
    from shuangsuiji.io.plan_file import load_plan

    path = tmp_path / "plan.toml"
    path.write_text(PLAN_TOML, encoding="utf-8")
    return path, load_plan(path)


def quotas_via_cli(plan_path: Path, dialect: str, counts: Path) -> str:
    result = CliRunner().invoke(
        app, ["sql", "--plan", str(plan_path), "--dialect", dialect, "--counts", str(counts)]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_printed_duckdb_script_reproduces_the_selection(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    from shuangsuiji.io.engine import roster_table

    plan_path, plan = write_plan(tmp_path)
    rows = adversarial_rows()
    rows[3] = rows[3]._replace(status="it's '); DROP TABLE roster; --")
    rows = normalised(rows)
    expected = reference(rows, plan, HISTORY)
    result = CliRunner().invoke(app, ["sql", "--plan", str(plan_path), "--dialect", "duckdb"])
    assert result.exit_code == 0, result.output
    script = result.stdout
    assert "DROP TABLE" not in script and "云岩区" not in script  # plan words only as hex
    first, third = parts(script.replace(SEED_PLACEHOLDER, SEED.replace("'", "''")))

    con = duckdb.connect()
    con.register("roster_arrow", roster_table(roster(rows)))
    con.execute("CREATE TABLE roster AS SELECT * FROM roster_arrow")
    latest = pa.table(
        {
            "key": [h.enterprise_key for h in HISTORY],
            "inspected_on": pa.array([h.inspected_on for h in HISTORY]),
        }
    )
    con.register("history_arrow", latest)
    con.execute("CREATE TABLE history AS SELECT * FROM history_arrow")
    for statement in statements(first):
        con.execute(statement)
    counts = tmp_path / "counts.csv"
    con.execute(f"COPY stratum_counts TO '{counts}' (HEADER)")
    for statement in statements(quotas_via_cli(plan_path, "duckdb", counts)):
        con.execute(statement)
    for statement in statements(third):
        con.execute(statement)

    tasks = con.execute(
        "SELECT task_no, task_id, key, must_inspect, rank, ticket, credit_class, district "
        "FROM draw_tasks_with_id ORDER BY task_no"
    ).fetchall()
    assert tasks == expected_tasks(expected, plan)
    strata = con.execute(
        "SELECT credit_class, district, eligible, must_inspect, quota, COALESCE(cutoff_ticket, '') "
        "FROM draw_strata ORDER BY stratum_no"
    ).fetchall()
    assert strata == [(*s.key, s.eligible, s.must_inspect, s.quota, s.cutoff_ticket) for s in expected.strata]
    exclusions = con.execute("SELECT key, code, reason FROM draw_exclusions").fetchall()
    assert exclusions == [(e.enterprise_key, e.code, e.reason) for e in expected.exclusions]
    assert con.execute("SELECT COUNT(*) FROM roster").fetchone() == (len(rows),)


def spark_session() -> Any:
    """A local Spark session, or a skip saying what is missing."""
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="pyspark 未安装：跳过 Spark 方言的测试")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("没有 Java（java 不在 PATH 上，也没有 JAVA_HOME）：跳过 Spark 方言的测试")
    return (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("shuangsuiji-sql-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )


def test_printed_spark_script_reproduces_the_selection(tmp_path: Path) -> None:
    spark = spark_session()
    from shuangsuiji.io.engine import roster_table

    plan_path, plan = write_plan(tmp_path)
    rows = normalised(adversarial_rows())
    expected = reference(rows, plan, HISTORY)
    result = CliRunner().invoke(app, ["sql", "--plan", str(plan_path), "--dialect", "spark"])
    assert result.exit_code == 0, result.output
    seed = SEED.replace("\\", "\\\\").replace("'", "\\'")
    first, third = parts(result.stdout.replace(SEED_PLACEHOLDER, seed))
    table = roster_table(roster(rows))
    schema = (
        "key string, name string, credit_class string, district string, industry string, authority string, "
        "status string, last_inspected date, must_inspect boolean, row bigint, file int, address string, "
        "legal_rep string, phone string"
    )
    assert table.column_names == [c.split()[0] for c in schema.split(", ")]
    spark.createDataFrame([tuple(r.values()) for r in table.to_pylist()], schema).createOrReplaceTempView(
        "roster"
    )
    spark.createDataFrame(
        [(h.enterprise_key, h.inspected_on) for h in HISTORY], "key string, inspected_on date"
    ).createOrReplaceTempView("history")
    for statement in statements(first):
        spark.sql(statement)
    counts = tmp_path / "counts.csv"
    counted = spark.table("stratum_counts")
    with counts.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([counted.columns, *(tuple(r) for r in counted.collect())])
    for statement in statements(quotas_via_cli(plan_path, "spark", counts)):
        spark.sql(statement)
    for statement in statements(third):
        spark.sql(statement)
    tasks = [
        tuple(r)
        for r in spark.sql(
            "SELECT task_no, task_id, key, must_inspect, rank, ticket, credit_class, district "
            "FROM draw_tasks_with_id ORDER BY task_no"
        ).collect()
    ]
    assert tasks == expected_tasks(expected, plan)
    exclusions = [tuple(r) for r in spark.sql("SELECT key, code, reason FROM draw_exclusions").collect()]
    assert exclusions == [(e.enterprise_key, e.code, e.reason) for e in expected.exclusions]


def test_hex_text_cannot_end_a_literal() -> None:
    text = "it's \\'); DROP TABLE x; --\n"
    for dialect in ("duckdb", "spark"):
        encoded = hex_text(text, dialect)  # type: ignore[arg-type]
        assert "'" + text.encode().hex() + "'" in encoded
        assert "DROP" not in encoded


def test_strata_columns_all_partition_and_join() -> None:
    plan = make_plan(selection={"strata": ["所属区域", "行业类别", "信用风险等级"]})
    sql = SelectionSql.for_plan(plan, "spark")
    assert (
        "c.district = q.district AND c.industry = q.industry AND c.credit_class = q.credit_class"
        in sql.kept()
    )
    assert "GROUP BY fate, district, industry, credit_class" in sql.counts()
    assert "COLLATE UTF8_BINARY" in sql.picks()
    assert "sha2(p.ticket_prefix || c.key, 256)" in sql.kept()


def test_quota_rows_follow_the_stratum_order_and_offsets() -> None:
    plan = make_plan(selection={"strata": ["信用风险等级", "所属区域"], "ratio": {"A": "50%", "B": "1/3"}})
    counts = {("B", "云岩区"): (9, 1), ("A", "南明区"): (4, 0), ("A", "云岩区"): (0, 2), ("D", "a区"): (3, 0)}
    rows = stratum_quotas(plan.selection, counts)
    assert [r.key for r in rows] == [("A", "云岩区"), ("A", "南明区"), ("B", "云岩区"), ("D", "a区")]
    assert [r.quota for r in rows] == [0, 2, 3, 0]
    assert [r.task_offset for r in rows] == [0, 2, 4, 8]
    # Small strata keep every bucket; a stratum without a quota is never hashed.
    assert [r.max_bucket for r in rows] == ["0000", "ffff", "ffff", "0000"]
    script = quotas_script(plan, counts, "duckdb")
    assert "('44', '61e58cba', 4, 3, 0, 0, 8, '0000')" in script  # D, a区: hex, never the text
    assert "decode(from_hex(district)) AS district" in script


def test_counts_file_errors_are_one_sentence(tmp_path: Path) -> None:
    plan_path, _plan = write_plan(tmp_path)
    bad = tmp_path / "counts.csv"
    with bad.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([["fate", "credit_class", "n"], ["pool", "A", "3"]])
    result = CliRunner().invoke(app, ["sql", "--plan", str(plan_path), "--counts", str(bad)])
    assert result.exit_code == 2
    assert "缺少列 district" in result.output
    result = CliRunner().invoke(app, ["sql", "--plan", str(plan_path), "--dialect", "oracle"])
    assert result.exit_code == 2 and "不认识的 SQL 方言" in result.output


def test_window_plan_without_history_needs_no_history_table() -> None:
    plan = make_plan(exclusion={"inspected_within_days": 0})
    script = selection_script(plan, "duckdb")
    assert "FROM history" not in script
    assert "DATE '2026-12-01' AS start_date" in script
    rows = [enterprise("K1", last_inspected=START - timedelta(days=1))]
    assert select(roster(rows), plan, "s").picks  # the reference agrees: no window, drawn
