"""The disclosure guard, the workbook helpers and the archived inputs (staging: test_staging.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.core.errors import OutputError
from shuangsuiji.core.privacy import personal_data
from shuangsuiji.io.writers import DISCLOSURE_COLUMNS, check_public


def row(name: str = "贵阳某餐饮有限公司", key: str = "91520102MA6DR7UX8D") -> list[object]:
    values: list[object] = ["x"] * len(DISCLOSURE_COLUMNS)
    values[DISCLOSURE_COLUMNS.index("市场主体名称")] = name
    values[DISCLOSURE_COLUMNS.index("统一社会信用代码/注册号")] = key
    return values


def test_a_clean_disclosure_passes() -> None:
    check_public([row(), row("南明区王兵小吃店", "520102000123456")], DISCLOSURE_COLUMNS)


@pytest.mark.parametrize("name", ["张三 13812345678", "店主身份证520102199001011234", "52010219900101123X"])
def test_private_numbers_are_refused(name: str) -> None:
    with pytest.raises(OutputError) as caught:
        check_public([row(), row(name)], DISCLOSURE_COLUMNS)
    assert "第 3 行" in str(caught.value) and "市场主体名称" in str(caught.value)


def test_an_all_digit_uscc_is_published() -> None:
    # Real, published codes (python-stdnum's test data) of the very shape of a resident ID.
    rows = [row(key=key) for key in ("911522010783710635", "913101127033980359", "121200004013590816")]
    check_public([*rows, row("某某公司（911522010783710635）")], DISCLOSURE_COLUMNS)


def test_a_resident_id_in_a_name_is_refused_masked() -> None:
    with pytest.raises(OutputError) as caught:
        check_public([row(), row(), row("王兵小吃店（店主 52010219900101123X）")], DISCLOSURE_COLUMNS)
    message = str(caught.value)
    assert "第 4 行" in message and "“市场主体名称”列" in message
    assert "疑似身份证号“5201**********123X”" in message
    assert "52010219900101123X" not in message


def test_the_first_row_with_a_finding_is_named() -> None:
    rows = [row(), row(), row("某店 138 0013 8000"), row(), row("张三 13812345678")]
    with pytest.raises(OutputError, match=r"第 4 行.*疑似手机号“138\*\*\*\*8000”"):
        check_public(rows, DISCLOSURE_COLUMNS)


@pytest.mark.parametrize("column", ["市场主体名称", "登记机关", "备注"])
@pytest.mark.parametrize(
    "phone",
    ["138 0013 8000", "138-0013-8000", "138 00138000", "1380013-8000", "＋８６　１３８－００１３－８０００"],
)
def test_a_written_out_mobile_is_refused_in_any_text_column(column: str, phone: str) -> None:
    values = row()
    values[DISCLOSURE_COLUMNS.index(column)] = f"联系电话：{phone}"
    with pytest.raises(OutputError, match=f"第 3 行“{column}”列含有疑似手机号“138\\*\\*\\*\\*8000”"):
        check_public([row(), values], DISCLOSURE_COLUMNS)


def test_a_valid_key_is_published_even_when_it_reads_as_an_id() -> None:
    # 520102199001011096 is a valid USCC and a valid resident ID: as the key it stays, in a name it goes.
    check_public([row(key="520102199001011096")], DISCLOSURE_COLUMNS)
    with pytest.raises(OutputError, match="“市场主体名称”列"):
        check_public([row(name="某店520102199001011096")], DISCLOSURE_COLUMNS)


def test_an_invalid_key_that_is_an_id_is_refused() -> None:
    with pytest.raises(OutputError, match="第 2 行“统一社会信用代码/注册号”列含有疑似身份证号"):
        check_public([row(key="52010219900101123X")], DISCLOSURE_COLUMNS)


NUMBERISH = st.text(alphabet=st.sampled_from("0123456789 -+Xx１３８０－　＋贵（"), max_size=24)
FINDABLE = st.sampled_from(
    [
        "",
        "13800138000",
        "+86 139-1234-5678",
        "８６１５０１２３４５６７８",
        "138 00138000",
        "1380013-8000",
        "52010219900101123X",
    ]
)


@given(NUMBERISH, FINDABLE, NUMBERISH)
def test_the_column_prefilter_misses_nothing(before: str, middle: str, after: str) -> None:
    # check_public clears whole columns at once: it must refuse exactly what personal_data finds.
    text = before + middle + after
    values = row()
    values[DISCLOSURE_COLUMNS.index("登记机关")] = text
    if personal_data(text) is None:
        check_public([row(), values], DISCLOSURE_COLUMNS)
    else:
        with pytest.raises(OutputError, match="第 3 行“登记机关”列"):
            check_public([row(), values], DISCLOSURE_COLUMNS)


def test_extra_columns_are_refused() -> None:
    with pytest.raises(OutputError):
        check_public([[*row(), "13812345678"]], (*DISCLOSURE_COLUMNS, "联系电话"))


def test_failed_helper_is_reported_and_an_abandoned_one_is_stopped(tmp_path: Path) -> None:
    from shuangsuiji.io.helper import WorkbookHelper
    from shuangsuiji.io.xlsx import Sheet

    missing = tmp_path / "no-such-folder" / "a.xlsx"
    helper = WorkbookHelper()
    helper.begin(missing, 2, "t")
    helper.add(0, Sheet("表", ["甲"], [["1"]]))
    helper.add(1, Sheet("说明", ["项目"], [["x"]]))
    with pytest.raises(OutputError) as caught:
        helper.wait()
    assert "a.xlsx" in str(caught.value)

    ok = tmp_path / "b.xlsx"
    helper = WorkbookHelper()
    helper.begin(ok, 2, "t")
    helper.add(1, Sheet("表", ["甲"], [["1"]]))
    helper.abandon()  # never sent the other sheet: must not hang
    assert helper.process.returncode is not None


def test_a_helper_that_reports_no_digest_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys
    from typing import Any

    from shuangsuiji.io import helper as helper_module
    from shuangsuiji.io.xlsx import Sheet

    real = subprocess.Popen

    def silent(args: object, **kwargs: Any) -> Any:
        # exits 0, as if it had written the workbook, but prints nothing
        return real([sys.executable, "-c", "import sys; sys.stdin.buffer.read()"], **kwargs)

    monkeypatch.setattr(helper_module.subprocess, "Popen", silent)
    helper = helper_module.WorkbookHelper()
    helper.begin(tmp_path / "a.xlsx", 1, "t")
    helper.add(0, Sheet("表", ["甲"], [["1"]]))
    with pytest.raises(OutputError, match="没有报告内容摘要"):
        helper.wait()


def test_a_helper_writes_sheets_in_the_order_they_come(tmp_path: Path) -> None:
    import openpyxl

    from shuangsuiji.io.helper import WorkbookHelper
    from shuangsuiji.io.xlsx import Sheet, content_digest, write_workbook

    sheets = [Sheet("甲", ["a"], [["1"], ["2"]]), Sheet("乙", ["b"], []), Sheet("丙", ["c"], [[3]])]
    helper = WorkbookHelper()
    helper.begin(tmp_path / "helper.xlsx", 3, "t")
    for index in (2, 0, 1):
        helper.add(index, sheets[index])
    reported = helper.wait()
    here = write_workbook(tmp_path / "here.xlsx", sheets, title="t", order=(2, 0, 1))
    assert (tmp_path / "helper.xlsx").read_bytes() == (tmp_path / "here.xlsx").read_bytes()
    assert reported == here == content_digest(tmp_path / "helper.xlsx")
    book = openpyxl.load_workbook(tmp_path / "helper.xlsx")
    assert book.sheetnames == ["甲", "乙", "丙"]
    assert [[c.value for c in row] for row in book["甲"].iter_rows()] == [["a"], ["1"], ["2"]]
    assert book["丙"]["A2"].value == 3


def test_inputs_are_archived_byte_for_byte_and_a_changed_one_is_refused(tmp_path: Path) -> None:
    import hashlib

    from shuangsuiji.core.model import InputFile
    from shuangsuiji.io.writers import archive_inputs

    source = tmp_path / "名录.xlsx"
    source.write_bytes(b"roster bytes")
    good = InputFile("enterprises", str(source), hashlib.sha256(b"roster bytes").hexdigest(), 1)
    (tmp_path / "a").mkdir()
    archive_inputs(tmp_path / "a", [good])
    assert (tmp_path / "a" / "inputs" / "enterprises.xlsx").read_bytes() == b"roster bytes"
    stale = InputFile("enterprises", str(source), hashlib.sha256(b"what was read earlier").hexdigest(), 1)
    (tmp_path / "b").mkdir()
    with pytest.raises(OutputError, match="被改动"):
        archive_inputs(tmp_path / "b", [stale])


# Documents that print (issue 12): every sheet of a draw, and the 抽取过程记录 the witnesses sign.


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A draw of the sample data with an operator, witnesses and a seed made of public values."""
    from shuangsuiji.core.ceremony import combine_seeds
    from shuangsuiji.pipeline import InputOptions, run_draw
    from tests.builders import SAMPLE_PLAN

    values = ("体彩排列五 12345", "见证人掷骰 6 2 5")
    out = tmp_path_factory.mktemp("printed") / "out"
    run_draw(
        InputOptions(SAMPLE_PLAN),
        combine_seeds(values),
        out,
        operator="王科员",
        witnesses=("李见证", "赵公证", "钱纪检"),
        seed_values=values,
        clock=lambda: "2026-11-30T17:30:05Z",
    )
    return out


def test_every_sheet_prints_on_a4_at_9_points_or_more(printed: Path) -> None:
    import openpyxl

    from shuangsuiji.io.xlsx import PageSetup, Sheet, printed_font_size

    for name in ("assignments.xlsx", "disclosure.xlsx"):
        book = openpyxl.load_workbook(printed / name)
        for sheet in book.worksheets:
            header = [c.value for c in sheet[1]]
            widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
            area = sheet.print_area
            printed_columns = len(header) if not area else int(sheet[area.split("!")[1].split(":")[1]].column)
            page = PageSetup(
                landscape=sheet.page_setup.orientation == "landscape",
                fit_width=bool(sheet.sheet_properties.pageSetUpPr.fitToPage),
                print_columns=printed_columns,
            )
            size = printed_font_size(Sheet(sheet.title, header, [], widths=widths, page=page))
            assert size >= 9, (name, sheet.title, size)
            assert sheet.page_setup.paperSize == 9 and sheet.print_title_rows == "$1:$1"
            assert "2026年12月食品经营者双随机抽查" in sheet.oddHeader.center.text
            assert "检查机关：贵阳市市场监督管理局" in sheet.oddHeader.left.text
            assert "2026-12-01 至 2026-12-31" in sheet.oddHeader.right.text
            assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
            assert sheet["A2"].border.left.style == "thin" and sheet["A2"].alignment.wrap_text
            # Technical columns (随机码, 人员编号, the cut-off 随机码) are never printed.
            unprinted = header[printed_columns:]
            assert not {"随机码", "截止随机码", "组长人员编号", "组员人员编号"} & set(
                header[:printed_columns]
            )
            if "随机码" in header or "截止随机码" in header:
                assert unprinted and unprinted[-1] in ("随机码", "截止随机码")


def test_the_disclosure_marks_must_inspect_enterprises(printed: Path) -> None:
    import json

    import openpyxl

    record = json.loads((printed / "draw-record.json").read_text(encoding="utf-8"))
    must = {t["task_id"] for t in record["tasks"] if t["must_inspect"]}
    rows = list(openpyxl.load_workbook(printed / "disclosure.xlsx")["公示表"].iter_rows(values_only=True))
    task, remark = rows[0].index("抽查任务编号"), rows[0].index("备注")
    assert must and {r[task] for r in rows[1:] if r[remark] == "重点检查"} == must
    assert {r[remark] for r in rows[1:]} == {"重点检查", None}


def test_excluded_enterprises_are_named(printed: Path) -> None:
    import openpyxl

    from shuangsuiji.io.readers import read_enterprises

    roster = read_enterprises(printed / "inputs" / "enterprises.xlsx")[0]
    names = dict(zip(roster.key, roster.name, strict=True))
    sheet = openpyxl.load_workbook(printed / "assignments.xlsx")["未参加抽取"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("统一社会信用代码/注册号", "市场主体名称", "原因类别", "原因")
    assert len(rows) > 100 and all(r[1] == names[r[0]] for r in rows[1:])


def test_the_proceedings_sheet_states_the_draw_for_signing(printed: Path) -> None:
    import json

    import openpyxl

    record = json.loads((printed / "draw-record.json").read_text(encoding="utf-8"))
    sheet = openpyxl.load_workbook(printed / "assignments.xlsx")["抽取过程记录"]
    rows = list(sheet.iter_rows(values_only=True))
    items = dict(rows[1:])
    assert rows[0] == ("项目", "内容")
    assert items["抽取时间"] == "2026-12-01 01:30:05（北京时间）"  # the record's UTC time, 8 hours on
    assert items["操作人"] == "王科员" and items["见证人"] == "李见证、赵公证、钱纪检"
    assert items["随机种子"] == record["seed"]
    assert "体彩排列五 12345" in items["种子来源"] and "见证人掷骰 6 2 5" in items["种子来源"]
    assert items["事先承诺"] == "本次抽取未使用事先承诺"
    assert items["结果摘要（SHA-256）"] == record["result_digest"]
    population = record["population"]
    assert items["名录户数"] == (
        f"名录 {population['roster_rows']} 户 = 范围外 {population['out_of_scope']} 户 + 未参加抽取 "
        f"{population['excluded']} 户 + 重点检查 {population['must_inspect']} 户 + 参加随机抽取 "
        f"{population['eligible']} 户"
    )
    for stratum in record["strata"]:
        assert items[f"信用风险等级 {stratum['credit_class']}"] == (
            f"符合条件 {stratum['eligible']} 户，应抽 {stratum['quota']} 户，实抽 {stratum['drawn']} 户；"
            f"重点检查 {stratum['must_inspect']} 户"
        )
    random_drawn = len(record["tasks"]) - population["must_inspect"]
    assert items["共抽取"].startswith(f"{len(record['tasks'])} 户（随机抽取 {random_drawn} 户")
    # A signature line for the operator and one for each witness, each three lines tall.
    signing = [n for n, (label, _) in enumerate(rows, start=1) if label and "签字" in label and "\n" in label]
    assert [rows[n - 1][0].strip() for n in signing] == [
        "操作人签字",
        "见证人签字",
        "见证人签字",
        "见证人签字",
    ]
    assert all(sheet.row_dimensions[n].height == 45 for n in signing)
    assert rows[-1][0] == "签字日期"
    assert sheet.page_setup.orientation == "portrait"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_the_proceedings_sheet_prints_on_one_page(printed: Path, tmp_path: Path) -> None:
    import subprocess

    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(printed / "assignments.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "assignments.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = [p for p in text.split("\f") if "抽取过程记录" in p]
    assert len(pages) == 1
    assert "签字日期" in pages[0] and "王科员" in pages[0]
