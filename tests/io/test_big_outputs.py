"""Draws past Excel's limits: per-登记机关 workbooks within the sheet limit, the public list as CSV and
Parquet, the record's long lists in Parquet files, and verify on such a draw.

The sheet limit is lowered through run_draw's `sheet_rows` (the record keeps it, so verify uses it too):
the sample draw then has more tasks and exclusions than a sheet holds.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import fastexcel
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from shuangsuiji import ui
from shuangsuiji.core.errors import OutputError
from shuangsuiji.core.record import digest
from shuangsuiji.io import big_outputs
from shuangsuiji.io.big_outputs import (
    BY_AUTHORITY,
    LIST_FILES,
    PUBLIC_CSV,
    PUBLIC_PARQUET,
    read_public_list,
    safe_folder_names,
    split_sheet,
)
from shuangsuiji.io.writers import DISCLOSURE_COLUMNS, RECORD, DrawFacts, disclosure_rows
from shuangsuiji.io.xlsx import Columns, Sheet
from shuangsuiji.pipeline import DrawOutcome, InputOptions, run_draw
from shuangsuiji.verify import verify
from tests.builders import SAMPLE_PLAN

SHEET_ROWS = 20
SEED = "2026120188"


def _draw(out: Path, sheet_rows: int | None = None) -> DrawOutcome:
    extra = {} if sheet_rows is None else {"sheet_rows": sheet_rows}
    return run_draw(InputOptions(SAMPLE_PLAN), SEED, out, clock=lambda: "2026-11-29T08:00:00+00:00", **extra)


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> DrawOutcome:
    outcome = _draw(tmp_path_factory.mktemp("big") / "draw", SHEET_ROWS)
    # The sample must overflow the lowered limit both ways, or these tests prove nothing.
    assert len(outcome.result.tasks) >= SHEET_ROWS
    assert len(outcome.result.selection.exclusions) >= SHEET_ROWS
    return outcome


def _sheets(path: Path) -> dict[str, list[list[str | None]]]:
    reader = fastexcel.read_excel(path)
    found = {}
    for name in reader.sheet_names:
        table = reader.load_sheet(name, header_row=None, dtypes="string").to_arrow()
        found[name] = [list(row) for row in zip(*(c.to_pylist() for c in table.columns), strict=True)]
    return found


def _texts(rows: list[tuple[object, ...]]) -> list[list[str]]:
    return [
        ["" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v) for v in r] for r in rows
    ]


def test_every_sheet_of_every_workbook_fits_the_limit(split: DrawOutcome) -> None:
    books = sorted(p for p in split.out_dir.rglob("*.xlsx") if "inputs" not in p.parts)  # not the copies
    assert len(books) > 4  # the two top-level workbooks and at least one bureau's two
    for book in books:
        for name, rows in _sheets(book).items():
            assert len(rows) <= SHEET_ROWS, (book, name, len(rows))


def test_each_bureau_has_its_folder_with_its_own_tasks(split: DrawOutcome) -> None:
    folders = safe_folder_names({t.enterprise.authority for t in split.result.tasks})
    by_bureau: dict[str, list[str]] = {}
    for task in split.result.tasks:
        by_bureau.setdefault(task.enterprise.authority, []).append(task.task_id)
    for authority, task_ids in by_bureau.items():
        folder = split.out_dir / BY_AUTHORITY / folders[authority]
        public = _sheets(folder / "disclosure.xlsx")
        rows = [row for name, sheet in public.items() if name.startswith("公示表") for row in sheet[1:]]
        assert [row[DISCLOSURE_COLUMNS.index("抽查任务编号")] for row in rows] == task_ids
        assert {row[DISCLOSURE_COLUMNS.index("登记机关")] for row in rows} == {authority}
        internal = _sheets(folder / "assignments.xlsx")
        assert sum(len(s) - 1 for n, s in internal.items() if n.startswith("分派表")) == len(task_ids)
    # A bureau with more tasks than a sheet holds continues on 公示表（2）.
    assert any(len(ids) >= SHEET_ROWS for ids in by_bureau.values())


def test_the_public_lists_equal_the_disclosure_rows(split: DrawOutcome) -> None:
    expected = _texts(disclosure_rows(split.result, split.plan))
    for name in (PUBLIC_CSV, PUBLIC_PARQUET):
        table = read_public_list(split.out_dir / name)
        assert table.column_names == list(DISCLOSURE_COLUMNS)
        assert _texts(list(zip(*(c.to_pylist() for c in table.columns), strict=True))) == expected
    assert (split.out_dir / PUBLIC_CSV).read_bytes().startswith('\ufeff"序号",'.encode())  # for Excel
    assert split.record["output_content"][PUBLIC_CSV] == split.record["output_content"][PUBLIC_PARQUET]


def test_the_record_references_its_lists_and_keeps_the_digest_of_a_small_draw(
    split: DrawOutcome, tmp_path: Path
) -> None:
    on_disk = json.loads((split.out_dir / RECORD).read_text(encoding="utf-8"))
    assert on_disk["record_version"] == 3
    assert on_disk["layout"]["sheet_rows"] == SHEET_ROWS
    for key, name in LIST_FILES.items():
        reference = on_disk[key]
        assert reference["file"] == name
        items = pq.read_table(split.out_dir / name).to_pylist()
        assert items == split.record[key]
        assert reference["rows"] == len(items) and reference["content_sha256"] == digest(items)
    small = _draw(tmp_path / "small")
    assert small.record["record_version"] == 2 and isinstance(small.record["tasks"], list)
    assert not (small.out_dir / PUBLIC_CSV).exists()
    # The result digest describes the draw, not how its files are laid out.
    assert on_disk["result_digest"] == small.record["result_digest"]
    assert small.record["tasks"] == split.record["tasks"]


def test_verify_passes_on_an_untouched_split_draw(split: DrawOutcome) -> None:
    verdict = verify(split.out_dir)
    assert verdict.identical, [f for f in verdict.findings if not f.same]
    assert any(f.item == LIST_FILES["tasks"] and f.same for f in verdict.findings)


def test_verify_catches_an_edited_task_list(split: DrawOutcome, tmp_path: Path) -> None:
    copy = tmp_path / "draw"
    shutil.copytree(split.out_dir, copy)
    path = copy / LIST_FILES["tasks"]
    table = pq.read_table(path)
    teams = table.column("team").to_pylist()
    teams[0] = list(reversed(teams[0]))  # the leader swapped: a change no reader of the file would see
    table = table.set_column(table.column_names.index("team"), "team", pa.array(teams, pa.list_(pa.string())))
    pq.write_table(table, path)
    verdict = verify(copy)
    assert not verdict.identical
    different = {f.item: f for f in verdict.findings if not f.same}
    assert LIST_FILES["tasks"] in different
    assert "结果摘要" in different  # the record's body no longer has its digest


@pytest.mark.parametrize("edit", ["reason", "null"])
def test_verify_catches_an_edited_excluded_list(split: DrawOutcome, tmp_path: Path, edit: str) -> None:
    """The excluded list is read in columns (millions of rows in a province): an edited reason or a
    blanked key is still found, named, and not a crash."""
    copy = tmp_path / "draw"
    shutil.copytree(split.out_dir, copy)
    path = copy / LIST_FILES["excluded"]
    table = pq.read_table(path)
    column = "reason" if edit == "reason" else "enterprise_id"
    values = table.column(column).to_pylist()
    values[-1] = "经营状态为“正常”" if edit == "reason" else None
    table = table.set_column(table.column_names.index(column), column, pa.array(values, pa.string()))
    pq.write_table(table, path)
    verdict = verify(copy)
    assert not verdict.identical
    different = {f.item: f for f in verdict.findings if not f.same}
    assert LIST_FILES["excluded"] in different
    if edit == "null":
        assert "空值" in different[LIST_FILES["excluded"]].detail
    else:
        assert "结果摘要" in different and any(
            f.area == "未参加抽取" and not f.same for f in verdict.findings
        )


def test_verify_names_the_row_of_an_edited_public_csv(split: DrawOutcome, tmp_path: Path) -> None:
    copy = tmp_path / "draw"
    shutil.copytree(split.out_dir, copy)
    path = copy / PUBLIC_CSV
    name = split.result.tasks[2].enterprise.name
    path.write_bytes(path.read_bytes().replace(name.encode(), "改过的名称".encode(), 1))
    verdict = verify(copy)
    different = [f for f in verdict.findings if not f.same]
    assert [f.item for f in different] == [PUBLIC_CSV]
    assert "第 4 行“市场主体名称”列" in different[0].detail


def test_folder_names_are_safe_and_distinct() -> None:
    names = safe_folder_names(["CON", "a/b", "A/B", "甲局", "甲局.", "", "x" * 80])
    assert names["甲局"] == "甲局"
    assert names["CON"].startswith("_CON-")
    assert "/" not in names["a/b"] and names["a/b"].casefold() != names["A/B"].casefold()
    assert not names["甲局."].endswith(".") and names["甲局."] != "甲局"
    assert names[""].startswith("（未填登记机关）")
    assert len(names["x" * 80]) <= 49
    assert len({n.casefold() for n in names.values()}) == len(names)


def test_a_long_sheet_continues_on_numbered_sheets() -> None:
    sheet = Sheet("分派表", ("a", "b"), Columns(list(range(7)), list(range(7, 14))))
    parts = split_sheet(sheet, 4)
    assert [p.name for p in parts] == ["分派表", "分派表（2）", "分派表（3）"]
    assert [list(p.rows) for p in parts] == [[(0, 7), (1, 8), (2, 9)], [(3, 10), (4, 11), (5, 12)], [(6, 13)]]
    assert split_sheet(sheet, 8)[0].name == "分派表"


def _digest_by_definition(table: pa.Table) -> str:
    """table_content_digest as docs/record.md defines it, written out with json and Python strings."""
    columns = []
    for name, column in zip(table.column_names, table.columns, strict=True):
        texts = [
            "" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v)
            for v in column.to_pylist()
        ]
        columns.append([name, *texts])
    text = json.dumps(columns, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


AWKWARD = [
    "普通名称",
    'say "hi"',
    "back\\slash",
    "line\nbreak",
    "\x00nul",
    "\x1f\x7f",
    "\u2028",
    "😀",
    "",
    None,
]


@pytest.mark.parametrize("rows", [1, 3, 1000])
def test_the_public_list_digest_follows_its_definition_slice_by_slice(
    rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(big_outputs, "_DIGEST_ROWS", rows)  # every way of cutting the columns
    plain = [f"某某商贸{i}" for i in range(7)]
    table = pa.table(
        {
            "序号": pa.chunked_array([[1, 2, None], [4, 5, 6, 7, 8, 9, 10]], pa.int64()),
            "检查日期起": pa.array([date(2027, 1, 1), None, *[date(2027, 12, 31)] * 8], pa.date32()),
            "名称": pa.chunked_array([plain[:4], [], plain[4:], ["c", "d", "e"]], pa.string()),
            "备注": pa.array(AWKWARD, pa.string()),
        }
    )
    assert big_outputs.table_content_digest(table) == _digest_by_definition(table)
    empty = table.slice(0, 0)
    assert big_outputs.table_content_digest(empty) == _digest_by_definition(empty)
    changed = table.set_column(3, "备注", pa.array([*AWKWARD[:-1], "x"], pa.string()))
    assert big_outputs.table_content_digest(changed) != big_outputs.table_content_digest(table)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(st.characters(exclude_categories=("Cs",)))), max_size=20))
def test_any_text_column_digests_as_python_encodes_it(texts: list[str | None]) -> None:
    table = pa.table({"市场主体名称": pa.array(texts, pa.string())})
    assert big_outputs.table_content_digest(table) == _digest_by_definition(table)


def test_a_public_parquet_with_text_that_is_not_utf8_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / PUBLIC_PARQUET
    raw = pa.array([b"ok", b"\xff\xfe"], pa.binary())
    # Labelled text without a check, as a tampered or foreign file may hold it.
    pq.write_table(pa.table({"市场主体名称": pa.Array.from_buffers(pa.string(), 2, raw.buffers())}), path)
    with pytest.raises(ValueError, match="无法读取"):
        big_outputs.output_content_digest(path)


def test_the_helpers_write_the_same_files_as_this_process(split: DrawOutcome, tmp_path: Path) -> None:
    written = {}
    for workers in (0, 2):
        folder = tmp_path / f"workers-{workers}"
        folder.mkdir()
        files, contents, _ = big_outputs.write_split_outputs(
            folder,
            split.result,
            split.plan,
            lambda: split.record["result_digest"],
            split.inputs.enterprises.authority,
            facts=DrawFacts("2026-11-29T08:00:00+00:00"),
            max_rows=SHEET_ROWS,
            workers=workers,
        )
        on_disk = {
            str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
        }
        assert sorted(on_disk) == sorted(files)
        written[workers] = (on_disk, files, contents)
    assert written[0] == written[2]
    # The same files as the draw itself wrote.
    assert written[2][1] == {name: split.record["outputs"][name] for name in written[2][1]}
    assert written[2][2] == {name: split.record["output_content"][name] for name in written[2][2]}


def _summary_lines(outcome: DrawOutcome, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    out = io.StringIO()
    monkeypatch.setattr(ui, "console", Console(file=out, width=80, highlight=False))
    ui.print_summary(outcome)
    lines = out.getvalue().splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    return lines[lines.index(f"输出文件夹：{outcome.out_dir}") + 1 :]


def test_the_summary_says_what_a_split_draw_wrote(
    split: DrawOutcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = _summary_lines(split, monkeypatch)
    # Every line whole (nothing wrapped at 80 columns), the names in one column.
    names = [line.split()[0] for line in listed]
    assert names == [
        "assignments.xlsx",
        "disclosure.xlsx",
        f"{BY_AUTHORITY}/",
        PUBLIC_CSV,
        PUBLIC_PARQUET,
        RECORD,
        LIST_FILES["tasks"],
        LIST_FILES["excluded"],
    ]
    assert len({cell_len(re.sub(r"^  \S+\s+", "", line)) - cell_len(line) for line in listed}) == 1
    assert all((split.out_dir / name).exists() for name in names)
    bureaus = [p for p in (split.out_dir / BY_AUTHORITY).iterdir() if p.is_dir()]
    assert f"{len(bureaus)} 个登记机关各一个文件夹" in listed[2]
    assert listed[6].endswith(f"检查对象，{len(split.result.tasks)} 行")
    assert listed[7].endswith(f"未参加抽取的企业，{len(split.result.selection.exclusions)} 行")
    small = _draw(tmp_path / "small")
    assert _summary_lines(small, monkeypatch) == [
        "  assignments.xlsx  分派表（内部）",
        "  disclosure.xlsx   公示表（可公开）",
        "  draw-record.json  抽取记录（审计）",
    ]


def test_a_split_draw_with_a_phone_number_in_a_public_cell_is_stopped(
    split: DrawOutcome, tmp_path: Path
) -> None:
    # The whole public list is not checked again: each of its texts is checked in its bureau's 公示表.
    tasks = list(split.result.tasks)
    leaky = tasks[-1].enterprise._replace(name="某某店（店主电话13812345678）")
    tasks[-1] = replace(tasks[-1], enterprise=leaky)
    with pytest.raises(OutputError, match=r"公示表第 \d+ 行“市场主体名称”列含有"):
        big_outputs.write_split_outputs(
            tmp_path,
            replace(split.result, tasks=tuple(tasks)),
            split.plan,
            lambda: split.record["result_digest"],
            split.inputs.enterprises.authority,
            max_rows=SHEET_ROWS,
            workers=0,
        )
    assert not (tmp_path / PUBLIC_CSV).exists()


def test_a_province_summary_folds_its_strata_by_class(
    split: DrawOutcome, monkeypatch: pytest.MonkeyPatch
) -> None:
    """408 strata (class × 登记机关) would scroll off the screen: one line per class, numbers added."""
    monkeypatch.setattr(ui, "SCREEN_STRATA", 2)
    out = io.StringIO()
    monkeypatch.setattr(ui, "console", Console(file=out, width=80, highlight=False))
    ui.print_summary(split)
    text = out.getvalue()
    strata = split.result.selection.strata
    for cls in sorted({s.credit_class for s in strata}):
        part = [s for s in strata if s.credit_class == cls]
        line = next(line for line in text.splitlines() if f"{cls}（{len(part)} 层）" in line)
        assert str(sum(s.eligible for s in part)) in line and str(sum(s.quota for s in part)) in line
    assert f"共 {len(strata)} 层" in text and "分层汇总" in text
    assert str(sum(s.quota for s in strata)) in next(line for line in text.splitlines() if "合计" in line)


def test_verify_folds_identical_strata_and_keeps_a_different_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui, "SCREEN_STRATA", 2)
    rows = [("种子", "2026", "一致", ""), *((("分层与名额", f"A、局{n}", "一致", "")) for n in range(5))]
    rows.append(("结果摘要", "ab…", "一致", ""))
    assert ui._folded(rows) == [rows[0], ("分层与名额", "5 层", "一致", ""), rows[-1]]
    rows[3] = ("分层与名额", "A、局2", "不同", "原为符合条件 5、名额 1，复算为符合条件 6、名额 1")
    assert ui._folded(rows) == [rows[0], rows[3], ("分层与名额", "其余 4 层", "一致", ""), rows[-1]]
