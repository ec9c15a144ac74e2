"""The second 一公开 through the command line: from a draw to its entry sheet, a published bulletin that
verifies from its folder alone, partial and corrected publications in the ledger, and every bad sheet
refused with a sentence that says where and what to fix (exit 2, nothing written)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from shuangsuiji import results
from shuangsuiji.cli import app
from shuangsuiji.core.results import RESULT_CHOICES
from shuangsuiji.io.ledger import Ledger
from tests.builders import SAMPLE_PLAN, ledger_at

runner = CliRunner()
TODAY = "2026-12-20T02:00:00Z"  # 10:00 in Beijing; the sample plan runs 2026-12-01 to 2026-12-31


@pytest.fixture(autouse=True)
def _publication_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "utc_now", lambda: TODAY)


def invoke(*args: str) -> Any:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def drawn(tmp_path: Path) -> Path:
    """A draw of the sample plan, entered in the workspace's ledger."""
    ledger_at(tmp_path / "shuangsuiji-ledger.sqlite")
    out = tmp_path / "抽取结果"
    done = invoke(
        "draw",
        "--plan",
        SAMPLE_PLAN,
        "--seed",
        "s",
        "--out",
        out,
        "--ledger",
        tmp_path / "shuangsuiji-ledger.sqlite",
    )
    assert done.exit_code == 0, done.output
    return out


def template(draw_dir: Path, out: Path) -> Path:
    made = invoke("results", "template", draw_dir, "--out", out)
    assert made.exit_code == 0, made.output
    return out


def fill(sheet: Path, out: Path, rows: dict[int, tuple[Any, ...]]) -> Path:
    """Fill data rows (1 = the first task) with (检查完成日期, 检查结果, 备注), as a clerk would in Excel."""
    book = openpyxl.load_workbook(sheet)
    entry = book["检查结果录入"]
    for number, values in rows.items():
        for offset, value in enumerate(values):
            entry.cell(row=number + 1, column=5 + offset, value=value)
    book.save(out)
    return out


def publish(draw_dir: Path, sheet: Path, out: Path, *extra: str) -> Any:
    return invoke(
        "results",
        "publish",
        draw_dir,
        "--results",
        sheet,
        "--out",
        out,
        "--ledger",
        draw_dir.parent / "shuangsuiji-ledger.sqlite",
        *extra,
    )


def one_line(output: str) -> str:
    return re.sub(r"\s+", "", output)


def test_round_trip_template_fill_publish_verify_edit(drawn: Path, tmp_path: Path) -> None:
    sheet = template(drawn, tmp_path / "录入.xlsx")
    assert invoke("results", "template", drawn, "--out", sheet).exit_code == 2  # never overwritten

    # The sheet: one row per task, prefilled and locked; the drop-down offers the national vocabulary.
    book = openpyxl.load_workbook(sheet)
    entry = book["检查结果录入"]
    record = json.loads((drawn / "draw-record.json").read_text(encoding="utf-8"))
    header = [c.value for c in entry[1]]
    assert header == [
        "抽查任务编号",
        "市场主体名称",
        "统一社会信用代码/注册号",
        "检查人员",
        "检查完成日期",
        "检查结果",
        "备注",
    ]
    assert [r[0].value for r in entry.iter_rows(min_row=2)] == [t["task_id"] for t in record["tasks"]]
    assert entry.freeze_panes == "A2"
    assert entry.protection.sheet and entry["B2"].protection.locked and not entry["E2"].protection.locked
    [validation] = entry.data_validations.dataValidation
    assert validation.type == "list" and "F2" in validation.sqref
    assert validation.formula1.strip('"').split(",") == list(RESULT_CHOICES)
    assert all(entry.cell(row=2, column=c).value for c in (1, 2, 3, 4))  # the team's names too

    filled = fill(
        sheet,
        tmp_path / "填好.xlsx",
        {
            1: (date(2026, 12, 10), "未发现问题", None),
            2: ("2026/12/11", "违反《食品安全法》相关规定", "已立案"),
            3: ("2026年12月12日", "通过登记的住所(经营场所)无法联系", None),
        },
    )
    done = publish(drawn, filled, tmp_path / "结果1")
    assert done.exit_code == 0, done.output
    assert "第 1 次公告" in done.output and f"待公告：{len(record['tasks']) - 3}项" in one_line(done.output)
    folder = tmp_path / "结果1"
    kept = json.loads((folder / "results-record.json").read_text(encoding="utf-8"))
    assert kept["draw_result_digest"] == record["result_digest"]
    assert [(r["task_id"], r["completed_on"], r["result"]) for r in kept["results"]] == [
        (record["tasks"][0]["task_id"], "2026-12-10", "未发现问题"),
        (record["tasks"][1]["task_id"], "2026-12-11", "违反《食品安全法》相关规定"),
        (record["tasks"][2]["task_id"], "2026-12-12", "通过登记的住所（经营场所）无法联系"),
    ]
    bulletin = openpyxl.load_workbook(folder / "bulletin.xlsx")["抽查结果公告"]
    assert [c.value for c in bulletin[1]][-3:] == ["检查完成日期", "检查结果", "备注"]
    assert bulletin["K3"].value == "违反《食品安全法》相关规定" and bulletin["L3"].value == "已立案"
    assert bulletin.max_row == 4

    verified = invoke(
        "verify", folder, "--ledger", drawn.parent / "shuangsuiji-ledger.sqlite", "--draw", drawn
    )
    assert verified.exit_code == 0, verified.output
    assert "这次公告可以由结果记录" in one_line(verified.output)  # not the draw's sentence

    # An edited bulletin cell is found and named.
    book = openpyxl.load_workbook(folder / "bulletin.xlsx")
    book["抽查结果公告"]["K2"] = "未发现开展本次抽查涉及的经营活动"
    book.save(folder / "bulletin.xlsx")
    edited = invoke("verify", folder)
    assert edited.exit_code == 1
    assert "K2" in edited.output and "未发现开展本次抽查涉及的经营活动" in one_line(edited.output)


def test_partial_publications_follow_each_other_and_a_change_needs_a_reason(
    drawn: Path, tmp_path: Path
) -> None:
    sheet = template(drawn, tmp_path / "录入.xlsx")
    first = fill(sheet, tmp_path / "一.xlsx", {1: (date(2026, 12, 10), "未发现问题", None)})
    assert publish(drawn, first, tmp_path / "公告1").exit_code == 0
    # The same sheet with one more row: only the new row is published, as the second publication.
    second = fill(first, tmp_path / "二.xlsx", {2: (date(2026, 12, 11), "未发现问题", None)})
    again = publish(drawn, second, tmp_path / "公告2")
    assert again.exit_code == 0, again.output
    assert "第 2 次公告" in again.output and "此前已公告：1项" in one_line(again.output)
    assert (
        len(json.loads((tmp_path / "公告2" / "results-record.json").read_text(encoding="utf-8"))["results"])
        == 1
    )
    assert (tmp_path / "公告1" / "bulletin.xlsx").is_file()  # the first one is untouched

    # A published result changed: refused without a reason, recorded with one.
    changed = fill(second, tmp_path / "三.xlsx", {1: (date(2026, 12, 10), "发现问题经责令已改正", None)})
    refused = publish(drawn, changed, tmp_path / "公告3")
    assert refused.exit_code == 2 and "--reason" in refused.output and not (tmp_path / "公告3").exists()
    corrected = publish(drawn, changed, tmp_path / "公告3", "--reason", "复核发现录入错误")
    assert corrected.exit_code == 0, corrected.output
    record = json.loads((tmp_path / "公告3" / "results-record.json").read_text(encoding="utf-8"))
    assert record["correction_reason"] == "复核发现录入错误"
    assert record["corrections"][0]["previous"]["result"] == "未发现问题"
    assert record["corrections"][0]["previous_publication"] == 1
    bulletin = openpyxl.load_workbook(tmp_path / "公告3" / "bulletin.xlsx")["抽查结果公告"]
    assert "更正第 1 次公告的结果" in bulletin["L2"].value

    nothing_new = publish(drawn, changed, tmp_path / "公告4")
    assert nothing_new.exit_code == 2 and "没有新的检查结果" in one_line(nothing_new.output)

    with Ledger(drawn.parent / "shuangsuiji-ledger.sqlite", create=False) as book:
        statuses = [(e.status, e.redraw) for e in book.entries()]
        assert book.check() == []
    assert statuses == [("drawn", False), ("published", False), ("published", False), ("published", True)]
    listed = invoke("ledger", "list", "--ledger", drawn.parent / "shuangsuiji-ledger.sqlite")
    assert listed.exit_code == 0 and "公告" in listed.output
    for n in (1, 2, 3):
        assert invoke("verify", tmp_path / f"公告{n}").exit_code == 0


@pytest.mark.parametrize(
    ("rows", "column", "words"),
    [
        (
            {1: (date(2026, 12, 10), "没问题", None)},
            "检查结果",
            ["不是国家企业信用信息公示系统", "未发现问题"],
        ),
        (
            {1: (date(2026, 12, 10), "违反……相关规定", None)},
            "检查结果",
            ["没有写明", "违反《食品安全法》相关规定"],
        ),
        ({1: (date(2026, 11, 30), "未发现问题", None)}, "检查完成日期", ["早于抽查计划的开始日期"]),
        ({1: (date(2026, 12, 21), "未发现问题", None)}, "检查完成日期", ["晚于今天"]),
        ({1: ("下周", "未发现问题", None)}, "检查完成日期", ["无法识别的日期"]),
        ({1: (date(2026, 12, 10), None, "已检查")}, "检查结果", ["检查结果为空"]),
    ],
)
def test_a_bad_row_is_refused_with_its_place(
    drawn: Path, tmp_path: Path, rows: dict[int, tuple[Any, ...]], column: str, words: list[str]
) -> None:
    sheet = fill(template(drawn, tmp_path / "录入.xlsx"), tmp_path / "填好.xlsx", rows)
    refused = publish(drawn, sheet, tmp_path / "结果")
    text = one_line(refused.output)
    assert refused.exit_code == 2, refused.output
    assert "填好.xlsx" in text and "第2行" in text and column in text
    assert all(word in text for word in words), text
    assert "Traceback" not in refused.output and not (tmp_path / "结果").exists()


def test_rows_not_of_the_draw_are_refused(drawn: Path, tmp_path: Path) -> None:
    sheet = template(drawn, tmp_path / "录入.xlsx")
    book = openpyxl.load_workbook(sheet)
    entry = book["检查结果录入"]
    entry["A3"] = entry["A2"].value  # the same task twice
    entry["A4"] = "GY-SJ-2026-12-99999"  # a task that is not in the draw
    entry["B5"] = "别的公司"  # a prefilled column edited
    book.save(tmp_path / "改过.xlsx")
    refused = publish(drawn, tmp_path / "改过.xlsx", tmp_path / "结果")
    text = one_line(refused.output)
    assert refused.exit_code == 2
    assert "第3行" in text and "出现了两次" in text
    assert "GY-SJ-2026-12-99999" in text and "不是这次抽取的任务" in text
    assert "别的公司" in text and "市场主体被改动了" in text
    assert not (tmp_path / "结果").exists()


def test_an_entry_sheet_of_another_draw_is_refused(drawn: Path, tmp_path: Path) -> None:
    other = tmp_path / "另一次"
    ledger = ledger_at(tmp_path / "别的台账.sqlite")
    done = invoke("draw", "--plan", SAMPLE_PLAN, "--seed", "another", "--out", other, "--ledger", ledger)
    assert done.exit_code == 0, done.output
    # Same plan, same task numbers: only the draw's identity tells the sheets apart.
    sheet = fill(
        template(other, tmp_path / "录入.xlsx"),
        tmp_path / "填好.xlsx",
        {1: (date(2026, 12, 10), "未发现问题", None)},
    )
    refused = publish(drawn, sheet, tmp_path / "结果")
    assert refused.exit_code == 2 and "属于另一次抽取" in one_line(refused.output)
    assert not (tmp_path / "结果").exists()


def test_published_completion_dates_count_for_later_draws(drawn: Path, tmp_path: Path) -> None:
    record = json.loads((drawn / "draw-record.json").read_text(encoding="utf-8"))
    first = record["tasks"][0]
    sheet = fill(
        template(drawn, tmp_path / "录入.xlsx"),
        tmp_path / "填好.xlsx",
        {1: (date(2026, 12, 18), "未发现问题", None)},
    )
    assert publish(drawn, sheet, tmp_path / "结果").exit_code == 0
    # A January plan in the same workspace: the December inspection, on its completion day, is history.
    plan = tmp_path / "plan-2027-01.toml"
    text = SAMPLE_PLAN.read_text(encoding="utf-8")
    text = text.replace('"GY-SJ-2026-12"', '"GY-SJ-2027-01"').replace("2026-12-01", "2027-01-04")
    text = text.replace("2026-12-31", "2027-01-29").replace(
        '"../sample_data/', f'"{SAMPLE_PLAN.parent.parent}/sample_data/'
    )
    plan.write_text(text, encoding="utf-8")
    later = tmp_path / "一月"
    done = invoke(
        "draw",
        "--plan",
        plan,
        "--seed",
        "s",
        "--out",
        later,
        "--ledger",
        tmp_path / "shuangsuiji-ledger.sqlite",
    )
    assert done.exit_code == 0, done.output
    history = (later / "inputs" / "ledger-history.csv").read_text(encoding="utf-8-sig")
    assert f"{first['enterprise_id']},2026-12-18," in history
    assert f"{first['enterprise_id']},2026-12-01," in history  # the draw itself, on its plan's start
    assert invoke("verify", later, "--ledger", tmp_path / "shuangsuiji-ledger.sqlite").exit_code == 0


def test_late_and_overdue_results_are_flagged(
    drawn: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = drawn.parent / "shuangsuiji-ledger.sqlite"
    # Completed on 1 December: the 20th working day after it is 29 December; published on the 31st.
    monkeypatch.setattr(results, "utc_now", lambda: "2026-12-31T02:00:00Z")
    sheet = fill(
        template(drawn, tmp_path / "录入.xlsx"),
        tmp_path / "填好.xlsx",
        {1: (date(2026, 12, 1), "未发现问题", None)},
    )
    late = publish(drawn, sheet, tmp_path / "结果")
    assert late.exit_code == 0 and "1项结果在检查完成后超过20个工作日才公告" in one_line(late.output)
    listed = one_line(invoke("ledger", "list", "--ledger", ledger).output)
    assert "1项逾期公告" in listed and "逾期未公告" not in listed
    # In March the rest of the December plan is overdue (2027 is counted Monday to Friday: an estimate).
    monkeypatch.setattr(results, "utc_now", lambda: "2027-03-01T02:00:00Z")
    listed = one_line(invoke("ledger", "list", "--ledger", ledger).output)
    assert "项逾期未公告" in listed and "约" in listed
    shown = one_line(invoke("ledger", "show", "2", "--ledger", ledger).output)
    assert "结果公告" in shown and "未发现问题" in shown and "2026-12-01" in shown


def test_entry_sheet_and_bulletin_print_legibly(drawn: Path) -> None:
    """Fit to width on A4, every printed sheet keeps its text at 9 pt or more, with a page set-up."""
    from shuangsuiji.core.results import Publication
    from shuangsuiji.io.results_sheets import bulletin_sheets, entry_sheets
    from shuangsuiji.io.xlsx import printed_font_size

    draw = results.load_draw(drawn)
    sheets = [
        *entry_sheets(draw.info, draw.result_digest, draw.tasks, {}),
        *bulletin_sheets(draw.info, Publication(), 1, [("项目", "内容")]),
    ]
    printed = [s for s in sheets if s.page is not None]
    assert [s.name for s in printed] == ["检查结果录入", "填写说明", "抽查结果公告", "公告说明"]
    for sheet in printed:
        assert printed_font_size(sheet) >= 9, sheet.name
        assert sheet.page is not None and "第 &P 页" in sheet.page.footer_center


def test_a_split_draws_publication_verifies_from_its_folder_alone(tmp_path: Path) -> None:
    """A draw past Excel's limits keeps its task list in Parquet: the publication keeps it too, so the
    results folder alone verifies, even with the draw's folder gone."""
    import shutil

    from shuangsuiji.pipeline import InputOptions, run_draw

    drawn = tmp_path / "大抽取"
    run_draw(InputOptions(SAMPLE_PLAN), "2026120188", drawn, sheet_rows=20)  # past a 20-row "sheet"
    record = json.loads((drawn / "draw-record.json").read_text(encoding="utf-8"))
    assert record["record_version"] == 3 and isinstance(record["tasks"], dict)
    sheet = fill(
        template(drawn, tmp_path / "录入.xlsx"),
        tmp_path / "填好.xlsx",
        {1: (date(2026, 12, 10), "未发现问题", None)},
    )
    done = invoke("results", "publish", drawn, "--results", sheet, "--out", tmp_path / "结果")
    assert done.exit_code == 0, done.output
    kept = tmp_path / "结果" / "inputs" / "draw"
    assert (kept / "draw-record.json").is_file() and (kept / record["tasks"]["file"]).is_file()
    shutil.move(drawn, tmp_path / "别处")
    verified = invoke("verify", tmp_path / "结果")
    assert verified.exit_code == 0, verified.output
    # An edited task list in the kept copy is found by its digest.
    import pyarrow.parquet as pq

    tasks = pq.read_table(kept / record["tasks"]["file"])
    pq.write_table(tasks.slice(1), kept / record["tasks"]["file"])
    assert invoke("verify", tmp_path / "结果").exit_code == 1
