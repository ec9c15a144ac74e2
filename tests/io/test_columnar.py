"""Parquet and CSV rosters (io/readers/columnar.py): the same roster as xlsx, CSV, Parquet and a folder
of Parquet files reads to the same EnterpriseRoster and draws the same; bad rows are named by file
and row; typed Parquet columns; the normalised table written for the engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import fastexcel
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangsuiji.core.errors import DrawError, InputError
from shuangsuiji.core.ids import USCC_ALPHABET, uscc_check_char
from shuangsuiji.core.model import EnterpriseRoster
from shuangsuiji.io.readers import columnar, file_sha256, read_enterprises
from shuangsuiji.io.readers.columnar import ROSTER_SCHEMA, normalise_roster
from shuangsuiji.pipeline import InputOptions, run_draw
from tests.builders import SAMPLE, SAMPLE_PLAN

SEED = "2026120188"
BEIJING = ZoneInfo("Asia/Shanghai")
FIELDS = list(EnterpriseRoster.__dataclass_fields__)


def sample_table() -> pa.Table:
    """The sample roster's visible sheet as text columns, headers as written."""
    reader = fastexcel.read_excel(str(SAMPLE / "enterprises.xlsx"))
    return pa.Table.from_batches([reader.load_sheet("检查对象名录库", dtypes="string", eager=True)])


def typed(table: pa.Table) -> pa.Table:
    """The same roster as a database export types it: dates as date32, 重点检查 as booleans."""
    dates = [
        None if not v else dt.date.fromisoformat(v[:10]) for v in table.column("最近检查日期").to_pylist()
    ]
    flags = [v == "是" for v in table.column("重点检查").to_pylist()]
    table = table.set_column(
        table.schema.get_field_index("最近检查日期"), "最近检查日期", pa.array(dates, pa.date32())
    )
    return table.set_column(table.schema.get_field_index("重点检查"), "重点检查", pa.array(flags, pa.bool_()))


def as_lists(roster: EnterpriseRoster, *, rows: bool = True) -> dict[str, list[Any]]:
    return {name: list(getattr(roster, name)) for name in FIELDS if rows or name != "row"}


def split_into(table: pa.Table, folder: Path, parts: int = 3) -> Path:
    folder.mkdir()
    size = -(-table.num_rows // parts)
    for i in range(parts):
        pq.write_table(table.slice(i * size, size), folder / f"part-{i}.parquet")
    return folder


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample roster as xlsx, CSV (read streamed), Parquet (text and typed) and a folder."""
    folder = tmp_path_factory.mktemp("twins")
    table = sample_table()
    pq.write_table(table, folder / "roster.parquet")
    pq.write_table(typed(table), folder / "typed.parquet")
    pa_csv.write_csv(table, folder / "roster.csv")
    return {
        "xlsx": SAMPLE / "enterprises.xlsx",
        "csv": folder / "roster.csv",
        "parquet": folder / "roster.parquet",
        "typed": folder / "typed.parquet",
        "folder": split_into(typed(table), folder / "省名录"),
    }


@pytest.fixture
def streamed_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CSV roster goes through the streamed reader, however small."""
    monkeypatch.setattr(columnar, "STREAMED_CSV_BYTES", 0)


@pytest.mark.usefixtures("streamed_csv")
def test_xlsx_csv_parquet_and_folder_read_to_the_same_roster(twins: dict[str, Path]) -> None:
    reference, _, _ = read_enterprises(twins["xlsx"])
    assert len(reference) == 2000
    for kind in ("csv", "parquet", "typed"):
        roster, file, problems = read_enterprises(twins[kind])
        assert problems == [], kind
        assert as_lists(roster) == as_lists(reference), kind
        assert file.rows == 2000 and file.sha256 == file_sha256(twins[kind])
    roster, file, problems = read_enterprises(twins["folder"])
    assert problems == []
    assert as_lists(roster, rows=False) == as_lists(reference, rows=False)
    # Each file keeps its own row numbers: 667 rows a file, the first data row is 2.
    assert roster.row[0] == 2 and roster.row[667] == 2 and roster.row[1334] == 2 and roster.row[-1] == 667


@pytest.mark.usefixtures("streamed_csv")
def test_the_same_roster_in_every_form_draws_the_same(twins: dict[str, Path], tmp_path: Path) -> None:
    outcomes = {
        kind: run_draw(InputOptions(SAMPLE_PLAN, enterprises=path), SEED, tmp_path / kind)
        for kind, path in twins.items()
    }
    reference = outcomes["xlsx"].record
    assert len(reference["tasks"]) > 50
    for kind, outcome in outcomes.items():
        assert outcome.record["result_digest"] == reference["result_digest"], kind
        assert outcome.record["tasks"] == reference["tasks"], kind
        assert outcome.record["strata"] == reference["strata"], kind
        assert outcome.record["excluded"] == reference["excluded"], kind
    # The folder is kept file by file in the output folder, under the fingerprint the record holds.
    entry = next(e for e in outcomes["folder"].record["inputs"] if e["role"] == "enterprises")
    kept = tmp_path / "folder" / entry["archived"]
    assert sorted(p.name for p in kept.iterdir()) == ["part-0.parquet", "part-1.parquet", "part-2.parquet"]
    assert file_sha256(kept) == entry["sha256"] == file_sha256(twins["folder"])


def test_bad_rows_in_the_second_file_are_named_by_that_file_and_row(tmp_path: Path) -> None:
    table = typed(sample_table())
    classes = table.column("信用风险等级").to_pylist()
    classes[667 + 4] = "很高"  # the second file's fifth data row: row 6
    keys = table.column("统一社会信用代码").to_pylist()
    keys[667 + 9] = keys[3]  # the first file's row 5 again, in the second file's row 11
    table = table.set_column(3, "信用风险等级", pa.array(classes))
    table = table.set_column(0, "统一社会信用代码", pa.array(keys))
    folder = split_into(table, tmp_path / "省名录")
    _, _, problems = read_enterprises(folder)
    errors = [p for p in problems if p.severity == "error"]
    assert {(p.code, p.file, p.row, p.column) for p in errors} == {
        ("unknown-credit-class", "part-1.parquet", 6, "信用风险等级"),
        ("duplicate-key", "part-1.parquet", 11, "统一社会信用代码"),
    }
    duplicate = next(p for p in errors if p.code == "duplicate-key")
    assert duplicate.params["first_file"] == "part-0.parquet" and duplicate.params["first_row"] == 5
    assert "part-0.parquet" in duplicate.message


def uscc(body: str) -> str:
    return body + uscc_check_char(body)


def test_integer_typed_codes_become_their_text(tmp_path: Path) -> None:
    registration = 520102600012345  # a 15-digit 注册号 stored as int64
    digits = uscc("91520102123456704")  # an all-digit USCC (an old organisation code inside)
    assert digits.isdigit()
    table = pa.table(
        {
            "统一社会信用代码": pa.array([None, int(digits), None], pa.int64()),
            "注册号": pa.array([registration, None, 12345], pa.int64()),
            "企业名称": ["甲店", "乙公司", "丙店"],
            "信用风险等级": pa.array(["A", "B", "C"]).dictionary_encode(),
            "最近检查日期": pa.array(
                [dt.datetime(2025, 3, 1, 23, 30), None, None], pa.timestamp("ms", tz="Asia/Shanghai")
            ),
        }
    )
    pq.write_table(table, tmp_path / "typed.parquet")
    roster, _, problems = read_enterprises(tmp_path / "typed.parquet")
    assert list(roster.key) == [str(registration), digits, "12345"]
    assert list(roster.credit_class) == ["A", "B", "C"]
    # 01:30 on 2 March in Beijing is still 1 March in UTC: the date is the one in the column's zone.
    assert roster.last_inspected[0] == dt.date(2025, 3, 2)
    (short,) = [p for p in problems if p.severity == "error"]
    assert (short.code, short.row, short.column) == ("bad-key-length", 4, "注册号")
    assert "不是以数字存储时丢失了开头的 0" in short.hint


def test_a_float_typed_code_column_is_refused(tmp_path: Path) -> None:
    table = pa.table({"统一社会信用代码": [9.152010212345678e17], "企业名称": ["甲"], "信用风险等级": ["A"]})
    pq.write_table(table, tmp_path / "float.parquet")
    with pytest.raises(InputError) as caught:
        read_enterprises(tmp_path / "float.parquet")
    (problem,) = caught.value.problems
    assert (problem.code, problem.file, problem.column) == (
        "key-stored-as-float",
        "float.parquet",
        "统一社会信用代码",
    )


def test_a_folder_of_mixed_kinds_or_different_columns_is_refused(tmp_path: Path) -> None:
    table = sample_table().slice(0, 10)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    pq.write_table(table, mixed / "a.parquet")
    pa_csv.write_csv(table, mixed / "b.csv")
    with pytest.raises(InputError) as caught:
        read_enterprises(mixed)
    assert caught.value.problems[0].code == "folder-mixed-kinds"
    differ = tmp_path / "differ"
    differ.mkdir()
    pq.write_table(table, differ / "a.parquet")
    pq.write_table(table.drop_columns(["所属区域"]), differ / "b.parquet")
    with pytest.raises(InputError) as caught:
        read_enterprises(differ)
    (problem,) = caught.value.problems
    assert (problem.code, problem.file) == ("folder-columns-differ", "b.parquet")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError) as caught:
        read_enterprises(tmp_path / "empty")
    assert caught.value.problems[0].code == "folder-empty"


@pytest.mark.usefixtures("streamed_csv")
def test_streamed_csv_keeps_record_numbers_past_title_rows_blank_lines_and_bad_rows(tmp_path: Path) -> None:
    good = [uscc(f"9152010{i:010d}") for i in range(4)]
    lines = [
        "2026年名录,,",  # a title row above the header
        "统一社会信用代码,企业名称,信用风险等级",
        f"{good[0]},甲,A",
        "",  # a blank line: a blank row, skipped, still counted
        f'{good[1]},"乙\n（分店）",B',  # a line break inside a quoted name: one record
        f"{good[2]},丙",  # a field short
        f"{good[3]},丁,高风险",
    ]
    path = tmp_path / "名录.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    roster, _, problems = read_enterprises(path)
    assert list(roster.key) == [good[0], good[1], good[3]]
    assert list(roster.row) == [3, 5, 7]
    assert list(roster.name) == ["甲", "乙\n（分店）", "丁"]
    assert list(roster.credit_class) == ["A", "B", "D"]
    (bad,) = problems
    assert (bad.code, bad.row, bad.file) == ("csv-row-width", 6, "名录.csv")


def test_the_normalised_table_written_for_the_engine(twins: dict[str, Path], tmp_path: Path) -> None:
    normalised = normalise_roster(twins["folder"], out=tmp_path / "roster.parquet")
    assert normalised.table is None and normalised.rows == 2000
    written = pq.read_table(tmp_path / "roster.parquet")
    assert written.schema == ROSTER_SCHEMA
    assert normalised.files == ("part-0.parquet", "part-1.parquet", "part-2.parquet")
    assert written.column("file").to_pylist() == [0] * 667 + [1] * 667 + [2] * 666
    reference, _, _ = read_enterprises(twins["xlsx"])
    assert written.column("key").to_pylist() == list(reference.key)
    assert written.column("last_inspected").to_pylist() == list(reference.last_inspected)
    assert written.column("must_inspect").to_pylist() == list(reference.must_inspect)


# Hypothesis: small random rosters, messy as exports are, read and draw alike from xlsx and Parquet.
_codes = st.tuples(
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
).map(lambda parts: uscc("91" + parts[0] + parts[1]))
_classes = st.sampled_from(["A", "b", "C类", "高风险", " D ", "一般风险"])
_names = st.text(alphabet="甲乙丙（）() 　\u200bAb1", min_size=1, max_size=8).filter(
    lambda s: s.strip(" 　\u200b")
)
_statuses = st.sampled_from(["", "存续", "在业", "注销", "吊销，未注销"])
_flags = st.sampled_from(["", "是", "否", "Y"])
_dates = st.sampled_from(["", "2025-01-02", "2026/3/4", "2024年5月6日"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            _codes, _names, _classes, st.sampled_from(["云岩区", "南明区", "ｘ区"]), _statuses, _flags, _dates
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda row: row[0],
    )
)
def test_random_rosters_read_and_draw_alike_from_xlsx_and_parquet(
    rows: list[tuple[str, ...]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    import openpyxl

    folder = tmp_path_factory.mktemp("random")
    headers = [
        "统一社会信用代码",
        "企业名称",
        "信用风险等级",
        "所属区域",
        "经营状态",
        "重点检查",
        "最近检查日期",
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    book.save(folder / "roster.xlsx")
    pq.write_table(
        pa.table({h: [row[i] for row in rows] for i, h in enumerate(headers)}), folder / "roster.parquet"
    )
    from_xlsx, _, xlsx_problems = read_enterprises(folder / "roster.xlsx")
    from_parquet, _, parquet_problems = read_enterprises(folder / "roster.parquet")
    assert as_lists(from_parquet) == as_lists(from_xlsx)
    assert [(p.code, p.row) for p in parquet_problems] == [(p.code, p.row) for p in xlsx_problems]
    assert not any(p.severity == "error" for p in xlsx_problems)
    outcomes = [draw_outcome(folder, name) for name in ("roster.xlsx", "roster.parquet")]
    assert outcomes[0] == outcomes[1]


def draw_outcome(folder: Path, name: str) -> str:
    """The draw's result digest, or why it could not be made (a plan's team rules may not be met)."""
    try:
        outcome = run_draw(InputOptions(SAMPLE_PLAN, enterprises=folder / name), SEED, folder / f"out-{name}")
    except DrawError as error:
        return f"DrawError: {error}"
    return str(outcome.record["result_digest"])
