"""`init DIR`: a workspace a clerk starts from (plan, roster templates, ledger), refused where it
would change anything, and a round trip from the templates filled in to a draw."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.core.fields import TABLES, InputKind
from shuangsuiji.core.plan import DEFAULT_ACTIVE_STATUSES, DEFAULT_EXCLUDED_STATUSES
from shuangsuiji.io.ledger import LEDGER_FILE, Ledger, head_path
from shuangsuiji.io.plan_file import load_plan
from shuangsuiji.io.templates import (
    BLANK_ROWS,
    EXAMPLE_SHEET,
    EXAMPLES,
    GUIDE_SHEET,
    PLAN_FILE,
    TEMPLATE_FILES,
    fitting,
    next_month,
)
from shuangsuiji.io.workspace import init_workspace
from tests.builders import SAMPLE, SAMPLE_PLAN

runner = CliRunner()
# The plan's example period is the month after `today`: a fixed day keeps the round trip within
# the sample rosters' certificate dates whatever the day the tests run.
TODAY = date(2026, 11, 15)


def roster_sheet(folder: Path, kind: InputKind) -> openpyxl.worksheet.worksheet.Worksheet:
    book = openpyxl.load_workbook(folder / TEMPLATE_FILES[kind])
    return book.worksheets[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_makes_the_plan_the_templates_and_the_ledger(tmp_path: Path) -> None:
    done = runner.invoke(app, ["init", "工作区"])
    assert done.exit_code == 0, done.output
    folder = tmp_path / "工作区"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [PLAN_FILE, *TEMPLATE_FILES.values(), LEDGER_FILE, head_path(Path(LEDGER_FILE)).name]
    )
    with Ledger(folder / LEDGER_FILE, create=False) as book:
        assert book.entries() == [] and book.check() == []
    # What it made, and the next steps as commands that work from here.
    for name in (PLAN_FILE, *TEMPLATE_FILES.values(), LEDGER_FILE):
        assert name in done.output
    plan = Path("工作区") / PLAN_FILE
    assert f"shuangsuiji validate --plan {plan}" in done.output
    assert f"shuangsuiji seed commit --plan {plan}" in done.output
    assert f"shuangsuiji draw --plan {plan}" in done.output
    # The plan: next month, an id to edit, the templates as inputs.
    loaded = load_plan(folder / PLAN_FILE)
    assert loaded.info.start.day == 1 and loaded.info.start > date.today()
    assert loaded.info.end.month == loaded.info.start.month and (loaded.info.end + timedelta(days=1)).day == 1
    assert loaded.info.id.startswith("XX-SJ-")
    assert {k: s.path.name for k, s in loaded.inputs.items()} == TEMPLATE_FILES


def test_templates_have_the_canonical_headers_formats_and_drop_downs(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws", TODAY)
    for kind, table in TABLES.items():
        sheet = roster_sheet(tmp_path / "ws", kind)
        assert sheet.title == TEMPLATE_FILES[kind].removesuffix(".xlsx")
        assert tuple(c.value for c in sheet[1]) == table.names()
        assert sheet.max_row == 1  # nothing but the header: no example among the rows to fill
        assert sheet.freeze_panes == "A2"
        formats = {
            name: sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].number_format
            for i, name in enumerate(table.names(), 1)
        }
        for code in ("统一社会信用代码", "注册号", "人员编号", "执法证号", "身份证号", "手机号"):
            if code in formats:
                assert formats[code] == "@", (kind, code)  # an 18-digit code typed in stays text
        for day in ("最近检查日期", "执法证有效期至", "检查日期"):
            if day in formats:
                assert formats[day] == "yyyy-mm-dd", (kind, day)
        assert formats.get("企业名称", "General") == "General"
        assert [s.title for s in sheet.parent.worksheets] == [sheet.title, GUIDE_SHEET, EXAMPLE_SHEET]

    def lists(kind: InputKind) -> dict[str, tuple[list[str], str, str]]:
        sheet = roster_sheet(tmp_path / "ws", kind)
        header = [c.value for c in sheet[1]]
        found = {}
        for v in sheet.data_validations.dataValidation:
            (cells,) = v.sqref.ranges
            assert (cells.min_row, cells.max_row) == (2, BLANK_ROWS + 1)  # the blank rows to fill
            found[header[cells.min_col - 1]] = (
                v.formula1.strip('"').split(","),
                v.errorStyle or "stop",
                v.prompt,
            )
        return found

    enterprises = lists("enterprises")
    assert enterprises["信用风险等级"][0] == ["A", "B", "C", "D"]
    assert enterprises["信用风险等级"][1] == "warning" and "信用风险低" in enterprises["信用风险等级"][2]
    assert enterprises["经营状态"][0] == [*DEFAULT_ACTIVE_STATUSES, *DEFAULT_EXCLUDED_STATUSES]
    assert enterprises["重点检查"][:2] == (["是", "否"], "stop")
    inspectors = lists("inspectors")
    assert inspectors["在岗状态"][0][0] == "在岗" and inspectors["在岗状态"][1] == "warning"
    assert lists("conflicts") == {} and lists("history") == {}


def test_the_guide_explains_every_column(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws", TODAY)
    for kind, table in TABLES.items():
        guide = openpyxl.load_workbook(tmp_path / "ws" / TEMPLATE_FILES[kind])[GUIDE_SHEET]
        rows = list(guide.iter_rows(min_row=2, values_only=True))
        described = {row[0]: row for row in rows[: len(table.fields)]}
        assert tuple(described) == table.names()
        for field in table.fields:
            name, required, meaning, _allowed, _aliases = described[field.name]
            assert meaning, name
            assert required.startswith("是") == field.required, name
    enterprises = openpyxl.load_workbook(tmp_path / "ws" / TEMPLATE_FILES["enterprises"])[GUIDE_SHEET]
    status = next(r for r in enterprises.iter_rows(values_only=True) if r[0] == "经营状态")
    assert "不参加抽取：注销" in status[3]


def test_init_refuses_a_folder_that_holds_anything_and_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "已有"
    folder.mkdir()
    (folder / "名录.xlsx").write_bytes(b"mine")
    before = snapshot(folder)
    refused = runner.invoke(app, ["init", str(folder)])
    assert refused.exit_code == 2
    assert "不为空" in refused.output and "Traceback" not in refused.output
    assert snapshot(folder) == before

    a_file = tmp_path / "一个文件"
    a_file.write_text("x", encoding="utf-8")
    assert runner.invoke(app, ["init", str(a_file)]).exit_code == 2
    assert a_file.read_text(encoding="utf-8") == "x"


def test_init_refuses_a_folder_inside_another_workspace(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "局"]).exit_code == 0
    before = snapshot(tmp_path / "局")
    nested = runner.invoke(app, ["init", str(Path("局") / "二科")])
    assert nested.exit_code == 2 and "已有的工作区" in nested.output
    assert snapshot(tmp_path / "局") == before
    assert not (tmp_path / "局" / "二科").exists()


def test_init_fills_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "空").mkdir()
    assert runner.invoke(app, ["init", "空"]).exit_code == 0
    assert (tmp_path / "空" / PLAN_FILE).is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left


def problems_of(output: str) -> list[dict[str, object]]:
    return json.loads(output)["problems"]  # type: ignore[no-any-return]


def test_a_fresh_workspace_counts_no_example(tmp_path: Path) -> None:
    """The examples sit in every template; validate still finds no enterprise and no inspector."""
    made = init_workspace(tmp_path / "ws", TODAY)
    checked = runner.invoke(app, ["validate", "--plan", str(made.plan), "--json"])
    assert checked.exit_code == 2
    problems = problems_of(checked.stdout)
    codes = {(p["file"], p["code"]) for p in problems}
    assert ("检查对象名录库.xlsx", "no-data-rows") in codes
    assert ("执法检查人员名录库.xlsx", "no-data-rows") in codes
    assert ("回避名单.xlsx", "header-only") in codes and ("检查记录.xlsx", "header-only") in codes
    # Read from the sheet to fill, no note about the choice, no other sheet taken for a roster.
    assert not [p for p in problems if "sheet" in str(p["code"]) or p["code"] == "missing-column"]


def fill(folder: Path, kind: InputKind, rows: list[dict[str, object]]) -> None:
    """Write rows (by header) below a template's header, as a clerk pasting a roster would."""
    path = folder / TEMPLATE_FILES[kind]
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for number, row in enumerate(rows, 2):
        for name, value in row.items():
            sheet.cell(number, header.index(name) + 1, value)
    book.save(path)


def sample_rows(kind: InputKind) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(SAMPLE / f"{kind}.xlsx")
    sheet = next(s for s in book.worksheets if s.sheet_state == "visible")
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]  # type: ignore[arg-type]


def test_round_trip_from_the_templates_to_a_draw_that_never_takes_an_example(tmp_path: Path) -> None:
    made = init_workspace(tmp_path / "ws", TODAY)
    counts = {}
    for kind in TABLES:
        rows = sample_rows(kind)
        fill(made.folder, kind, rows)
        counts[kind] = len(rows)

    checked = runner.invoke(app, ["validate", "--plan", str(made.plan), "--json"])
    assert checked.exit_code == 0, checked.output
    assert not [p for p in problems_of(checked.stdout) if p["severity"] == "error"]

    # Run from elsewhere, no --ledger: the workspace's ledger is found from the plan's folder.
    out = made.folder / "抽取结果" / made.month
    drawn = runner.invoke(app, ["draw", "--plan", str(made.plan), "--seed", "2026120188", "--out", str(out)])
    assert drawn.exit_code == 0, drawn.output
    with Ledger(made.ledger, create=False) as book:
        assert [e.plan_id for e in book.entries()] == [f"XX-SJ-{made.month}"]

    record = json.loads((out / "draw-record.json").read_text(encoding="utf-8"))
    rows = {Path(i["path"]).name: i["rows"] for i in record["inputs"]}
    assert rows == {TEMPLATE_FILES[kind]: counts[kind] for kind in TABLES}  # the examples were not read
    example_keys = {r.get("统一社会信用代码") or r.get("注册号") for r in EXAMPLES["enterprises"]}
    example_people = {r["人员编号"] for r in EXAMPLES["inspectors"]}
    assert record["tasks"]
    assert not example_keys & {t["enterprise_id"] for t in record["tasks"]}
    assert not example_keys & {e["enterprise_id"] for e in record["excluded"]}
    assert not example_people & {p for t in record["tasks"] for p in t["team"]}


def test_the_examples_are_rows_the_reader_accepts(tmp_path: Path) -> None:
    """Copied into the sheets to fill, the example rows raise no problem of their own: they show
    the formats as they are meant to be written."""
    made = init_workspace(tmp_path / "ws", TODAY)
    for kind in TABLES:
        fill(made.folder, kind, EXAMPLES[kind])
    checked = runner.invoke(app, ["validate", "--plan", str(made.plan), "--json"])
    row_errors = [p for p in problems_of(checked.stdout) if p["severity"] == "error" and p["row"] is not None]
    assert row_errors == []


def test_the_plan_keeps_the_sample_rules_word_for_word(tmp_path: Path) -> None:
    made = init_workspace(tmp_path / "ws", TODAY)
    text = made.plan.read_text(encoding="utf-8")
    sample = SAMPLE_PLAN.read_text(encoding="utf-8")
    assert text.endswith(sample[sample.index("[scope]") :])
    assert next_month(TODAY) == (date(2026, 12, 1), date(2026, 12, 31))
    assert next_month(date(2026, 12, 31)) == (date(2027, 1, 1), date(2027, 1, 31))
    assert next_month(date(2027, 1, 31)) == (date(2027, 2, 1), date(2027, 2, 28))
    plan = load_plan(made.plan)
    sample_plan = load_plan(SAMPLE_PLAN)
    assert (plan.selection, plan.teams, plan.statuses, plan.inspected_within_days) == (
        sample_plan.selection,
        sample_plan.teams,
        sample_plan.statuses,
        sample_plan.inspected_within_days,
    )


def test_a_drop_down_keeps_the_most_used_words_that_fit() -> None:
    words = ["甲" * 100, "乙" * 100, "丙" * 100]
    assert fitting(words) == ("甲" * 100, "乙" * 100)  # 201 characters; a third would pass 255
    assert fitting(["一", "二"], limit=3) == ("一", "二")
    assert fitting(["一", "二"], limit=2) == ("一",)


def test_init_is_the_first_command_listed() -> None:
    listed = runner.invoke(app, ["--help"]).output
    commands = re.findall(r"^│ ([a-z]+) +\S", listed, re.MULTILINE)  # the command box, in order
    assert commands[0] == "init" and "draw" in commands


@pytest.mark.parametrize("kind", list(TABLES))
def test_every_template_column_is_explained(kind: InputKind) -> None:
    from shuangsuiji.io.templates import MEANINGS

    assert set(MEANINGS[kind]) == set(TABLES[kind].names())


def test_init_here_keeps_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "新工作区"
    here.mkdir()
    monkeypatch.chdir(here)
    before = here.stat().st_ino
    done = runner.invoke(app, ["init", "."])
    assert done.exit_code == 0, done.output
    assert here.stat().st_ino == before  # filled in place: a shell standing in it stays in it
    assert (here / PLAN_FILE).is_file() and (here / LEDGER_FILE).is_file()
    assert f"shuangsuiji validate --plan {PLAN_FILE}" in done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["新工作区"]  # no staging folder left beside it


@pytest.mark.parametrize("existing", [True, False])
def test_a_failed_init_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    import shuangsuiji.io.workspace as workspace

    def broken(folder: Path) -> list[Path]:
        (folder / "半个.xlsx").write_bytes(b"PK")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workspace, "write_templates", broken)
    folder = tmp_path / "ws"
    if existing:
        folder.mkdir()
    with pytest.raises(OSError):
        init_workspace(folder, TODAY)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["ws"] if existing else [])
    assert not existing or list(folder.iterdir()) == []
