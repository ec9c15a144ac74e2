"""Our xlsx writer, checked by reading the files back with openpyxl and fastexcel (never by bytes alone)."""

from __future__ import annotations

import math
import shutil
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import fastexcel
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.io import xlsx
from shuangsuiji.io.xlsx import DropDown, PageSetup, Sheet, column_letter, write_workbook

HOSTILE = ['=HYPERLINK("http://x","点击")', "+86 138", "-1+2", "@SUM(A1)", "\t制表", "\r回车", "=1+1"]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA"]


def test_values_and_types_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    rows = [["0012", 7, date(2026, 1, 5), Fraction(1, 20), "a & <b>", " 前后空格 ", "两\n行", True, None]]
    write_workbook(path, [Sheet("表一", [f"列{i}" for i in range(9)], rows, widths=[10] * 9)])
    sheet = openpyxl.load_workbook(path)["表一"]
    values = [c.value for c in sheet[2]]
    assert values[:3] == ["0012", 7, datetime(2026, 1, 5)]
    assert values[3] == pytest.approx(0.05)
    assert values[4:8] == ["a & <b>", " 前后空格 ", "两\n行", "是"]
    assert values[8] is None
    assert sheet["A2"].data_type == "s"
    assert sheet["C2"].number_format == "yyyy-mm-dd"


def test_formula_like_text_stays_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("表", ["名称"], [[h] for h in HOSTILE])])
    sheet = openpyxl.load_workbook(path)["表"]
    cells = [sheet.cell(row=i + 2, column=1) for i in range(len(HOSTILE))]
    assert [c.value for c in cells] == HOSTILE
    assert all(c.data_type == "s" for c in cells)


def test_header_is_styled_frozen_and_filtered(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("表", ["甲", "乙"], [["1", "2"], ["3", "4"]], widths=[12, 30])])
    sheet = openpyxl.load_workbook(path)["表"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert sheet["A1"].fill.fgColor.rgb == "FF1F4E79"
    assert sheet.column_dimensions["B"].width == 30
    assert sheet.auto_filter.ref == "A1:B3"


def test_same_content_gives_same_bytes(tmp_path: Path) -> None:
    sheets = [Sheet("表", ["甲"], [["值"]])]
    write_workbook(tmp_path / "a.xlsx", sheets, title="x")
    write_workbook(tmp_path / "b.xlsx", sheets, title="x")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_illegal_xml_characters_do_not_break_the_file(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("表", ["甲"], [["a\x01b"], ["c\x1fd"]])])
    table = fastexcel.read_excel(path).load_sheet(0).to_arrow()
    assert table.num_rows == 2


def test_fastexcel_reads_several_sheets(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("一", ["a"], [["1"]]), Sheet("二", ["b"], [["2"], ["3"]])])
    reader = fastexcel.read_excel(path)
    assert reader.sheet_names == ["一", "二"]
    assert reader.load_sheet("二").to_arrow().num_rows == 2


def test_rows_must_match_the_header(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="表头有 2 列"):
        write_workbook(tmp_path / "t.xlsx", [Sheet("表", ["甲", "乙"], [["1"]])])


def test_every_cell_carries_its_reference(tmp_path: Path) -> None:
    # Excel does without "r", but ClosedXML, EPPlus and older readers need it.
    import re
    import zipfile

    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("表", ["甲", "乙", "丙"], [["1", None, "3"], [None, "5", ""]])])
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    refs = re.findall(r'<c r="([A-Z]+[0-9]+)"', xml)
    assert refs == ["A1", "B1", "C1", "A2", "C2", "B3"]
    assert xml.count("<c ") == len(refs)


def test_blocks_of_rows_and_of_columns_give_the_bytes_of_cell_by_cell_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows are written a block at a time, plain columns straight into a row template; whatever the
    # mix (a column plain in one block and not in the next, empty cells, shared objects), every row
    # must be exactly its cells, each `<c r="…"` plus its tail, empty cells left out.
    import re
    import zipfile

    from shuangsuiji.io import xlsx

    monkeypatch.setattr(xlsx, "BLOCK_ROWS", 3)
    share = Fraction(1, 3)
    rows = [  # blocks of three rows; in each column, each block is plain or not for one reason
        ["甲", 1, share, "a", None, True],
        ["乙", 2, share, "b", 5, False],
        ["丙", 3, None, "c", "", "x"],
        ["_x0041_", 4, share, " 空格", date(2026, 1, 5), 7],
        ["己", 5, Fraction(1, 2), "庚", "", 2.5],
        ["丁", 6, share, "辛", "", ""],
        ["a & b", 7, share, "两\n行", "", None],
    ]
    header = [f"列{i}" for i in range(6)]
    by_rows, by_columns = tmp_path / "rows.xlsx", tmp_path / "columns.xlsx"
    write_workbook(by_rows, [Sheet("表", header, rows)])
    write_workbook(by_columns, [Sheet("表", header, xlsx.Columns(*map(list, zip(*rows, strict=True))))])
    assert by_rows.read_bytes() == by_columns.read_bytes()
    xml = zipfile.ZipFile(by_rows).read("xl/worksheets/sheet1.xml").decode()
    written = re.findall(r'<row r="\d+">.*?</row>', xml, re.DOTALL)
    plain = xlsx.plain_styles(xlsx.STYLE_NORMAL)
    expected = [
        f'<row r="{n}">'
        + "".join(
            f'<c r="{column_letter(i)}{n}"{xlsx._tail(v, plain)}'
            for i, v in enumerate(row)
            if xlsx._tail(v, plain)
        )
        + "</row>"
        for n, row in enumerate(rows, start=2)
    ]
    assert written == expected


def test_wrapped_rows_are_as_tall_as_their_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    long = "每组 2 人（持证且具相应专业的人员、持证执法人员），组长由第一个持证岗位的人员担任" * 2
    write_workbook(
        path, [Sheet("说明", ("项目", "内容"), [("短", "一行"), ("长", long)], widths=(10, 60), wrap=True)]
    )
    rows = openpyxl.load_workbook(path).active.row_dimensions
    assert rows[2].height is None  # one line: the program's default
    assert rows[3].height == 15 * 3  # about 160 units of width (a CJK character is 2) in 59 per line


# The five defects a review reproduced (issue 14): each test failed before the fix.

LITERAL_ESCAPES = [
    "_x0041_",
    "_x0041_x0042_",
    "名称_x005F_甲",
    "_x00e9_",
    "my_xml_file",
    "__x0041__",
    "x0041_",
]
# Texts that also hold characters XML forbids (written as Excel's own _xHHHH_ escapes), next to literals.
ESCAPES_AND_CONTROLS = ["a\x01b_x0041_", "_xABCD\x01", "\x02_x0041_\x03", "_x\x01041_"]


def test_a_literal_xhhhh_text_reads_back_as_written(tmp_path: Path) -> None:
    # Excel (and calamine, LibreOffice) read _xHHHH_ in a text as an escaped character: a literal
    # one must reach every reader as written; openpyxl decodes nothing, so it sees what is stored.
    path = tmp_path / "t.xlsx"
    texts = LITERAL_ESCAPES + ESCAPES_AND_CONTROLS
    write_workbook(path, [Sheet("表", ["_x0041_"], [[t] for t in texts])])
    table = fastexcel.read_excel(path).load_sheet(0, header_row=None, dtypes="string").to_arrow()
    assert table.column(0).to_pylist() == ["_x0041_", *texts]
    sheet = openpyxl.load_workbook(path)["表"]
    assert [c.value for c in sheet["A"][: len(LITERAL_ESCAPES) + 1]] == ["_x0041_", *LITERAL_ESCAPES]


def test_the_workbook_title_is_written_as_given(tmp_path: Path) -> None:
    # docProps/core.xml is no spreadsheet text: Excel's _xHHHH_ escape means nothing there.
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("表", ["甲"], [])], title="计划_x0041_ & <名称>\x01")
    assert openpyxl.load_workbook(path).properties.title == "计划_x0041_ & <名称>"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("分派[1]", "不能含有"),
        ("a]", "不能含有"),
        ("a:b", "不能含有"),
        ("a*", "不能含有"),
        ("问?", "不能含有"),
        ("a/b", "不能含有"),
        ("a\\b", "不能含有"),
        ("表" * 32, "31"),
        ("𠀀" * 16, "31"),
        ("History", "History"),
        ("history", "History"),
        ("'表", "单引号"),
        ("表'", "单引号"),
        ("", "空"),
        ("表\x01", "不能含有"),
        ("表_x0041_", "_xHHHH_"),
    ],
)
def test_sheet_names_excel_forbids_are_refused(tmp_path: Path, name: str, problem: str) -> None:
    with pytest.raises(ValueError, match=f"工作表名称.*{problem}"):
        write_workbook(tmp_path / "t.xlsx", [Sheet(name, ["甲"], [])])


def test_sheet_names_that_excel_accepts_are_written(tmp_path: Path) -> None:
    names = ["表" * 31, "𠀀" * 15, "Histories", "O'Brien", "a-b (c) #1", "分派表"]
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet(n, ["甲"], []) for n in names])
    assert openpyxl.load_workbook(path).sheetnames == names


def test_sheet_names_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"工作表名称.*重复"):
        write_workbook(tmp_path / "t.xlsx", [Sheet("Data", ["甲"], []), Sheet("data", ["甲"], [])])
    book = xlsx.Workbook(tmp_path / "u.xlsx", 2)
    book.add(0, Sheet("Data", ["甲"], []))
    with pytest.raises(ValueError, match=r"工作表名称.*重复"):
        book.add(1, Sheet("DATA", ["甲"], []))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_with_their_place(tmp_path: Path, value: float) -> None:
    rows = [["甲", 1.5], ["乙", value]]
    with pytest.raises(ValueError, match=r"工作表“表”第 3 行 B 列.*不是有限的数"):
        write_workbook(tmp_path / "t.xlsx", [Sheet("表", ["名称", "数值"], rows)])
    with pytest.raises(ValueError, match="第 3 行 B 列"):
        write_workbook(
            tmp_path / "c.xlsx", [Sheet("表", ["名称", "数值"], xlsx.Columns(["甲", "乙"], [1.5, value]))]
        )


def test_finite_floats_are_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("表", ["数值"], [[0.1 + 0.2], [-1e-300], [1e300]])])
    assert [c.value for c in openpyxl.load_workbook(path)["表"]["A"][1:]] == [0.1 + 0.2, -1e-300, 1e300]


def test_wrapped_rows_count_their_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    long = "每组 2 人（持证且具相应专业的人员、持证执法人员），组长由第一个持证岗位的人员担任" * 2  # 3 lines
    rows = [
        ("三行", "第一行\n第二行\n第三行"),
        ("空行", "上\n\n下"),
        ("长", f"{long}\n短"),
        ("一行", "一行\n"),
    ]
    write_workbook(path, [Sheet("说明", ("项目", "内容"), rows, widths=(10, 60), wrap=True)])
    heights = openpyxl.load_workbook(path).active.row_dimensions
    assert [heights[n].height for n in (2, 3, 4)] == [15 * 3, 15 * 3, 15 * 4]
    assert heights[5].height == 15 * 2  # Excel shows the empty line after a final line break


def test_every_sheet_states_its_dimension(tmp_path: Path) -> None:
    import re
    import zipfile

    path = tmp_path / "t.xlsx"
    sheets = [
        Sheet("行", ["甲", "乙", "丙"], [["1", None, 3], [None, "5", ""]]),
        Sheet("只有表头", ["甲", "乙"], []),
        Sheet("列", ["甲"], xlsx.Columns(["1", "2", "3"])),
        Sheet("生成", ["甲", "乙"], (("a", "b") for _ in range(5))),
    ]
    write_workbook(path, sheets)
    archive = zipfile.ZipFile(path)
    expected = ["A1:C3", "A1:B1", "A1:A4", "A1:B6"]
    for number, ref in enumerate(expected, start=1):
        xml = archive.read(f"xl/worksheets/sheet{number}.xml").decode()
        assert re.findall(r"<dimension [^>]*>", xml) == [f'<dimension ref="{ref}"/>']
        assert (
            xml.index("</sheetPr>") < xml.index("<dimension") < xml.index("<sheetViews>")
        )  # the schema's order
    book = openpyxl.load_workbook(path, read_only=True)  # read-only openpyxl sizes a sheet by its dimension
    assert [book[s.name].calculate_dimension() for s in sheets] == expected


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_every_text_as_written(tmp_path: Path) -> None:
    # Calc is the reader closest to what bureaus use (WPS cannot be installed here): formula-like
    # texts stay texts, literal _xHHHH_ stay literal, escaped control characters come back.
    import csv
    import subprocess

    texts = (
        [h for h in HOSTILE if "\r" not in h]
        + LITERAL_ESCAPES
        + ESCAPES_AND_CONTROLS
        + ["贵阳市云岩区", "两\n行"]
    )
    path = tmp_path / "t.xlsx"
    write_workbook(path, [Sheet("表", ["名称"], [[t] for t in texts])])
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as file:
        assert [row[0] for row in csv.reader(file)] == ["名称", *texts]


# Drop-downs, page set-up, borders, column formats and protection (issue 12: documents that print).


def _reference_sheets() -> list[Sheet]:
    return [
        Sheet(
            "表",
            ["甲", "乙", "丙", "丁", "戊"],
            [["a & b", 1, date(2026, 12, 1), Fraction(1, 3), None], ["两\n行", 2.5, None, "", "_x0041_"]],
            widths=[10, 8, 12, 10, 20],
        ),
        Sheet(
            "说明",
            ["项目", "内容"],
            xlsx.Columns(["甲", "乙"], ["很长的一段文字" * 8, "短"]),
            widths=[10, 30],
            wrap=True,
        ),
        Sheet("旧", ["甲"], [["x"]], hidden=True),
    ]


def test_sheets_without_the_new_options_keep_their_bytes(tmp_path: Path) -> None:
    # The content digest this workbook had before drop-downs, page set-up, borders, column formats
    # and protection existed: a sheet that asks for none of them is written exactly as before.
    assert (
        write_workbook(tmp_path / "t.xlsx", _reference_sheets(), title="标题")
        == "6ae14724b42275a18dde87177e93e11f483083b74d429ce4865d3493fdd9a9c1"
    )


RESULTS = ["未发现问题", "发现问题经责令已改正", "违反《食品安全法》相关规定"]


def _form(rows: int = 3, **options: object) -> Sheet:
    """A sheet to fill in: a code, a name, a result to choose, a date and a remark."""
    data = [[f"9152010{n:011d}", f"企业{n}", None, None, ""] for n in range(rows)]
    settings: dict[str, object] = {
        "widths": [22, 20, 24, 12, 20],
        "text_columns": [0],
        "date_columns": [3],
        "editable_columns": [2, 3, 4],
        "borders": True,
        "drop_downs": [DropDown(2, RESULTS, prompt="请选择检查结果")],
    }
    settings.update(options)
    return Sheet("录入", ["代码", "名称", "检查结果", "检查完成日期", "备注"], data, **settings)  # type: ignore[arg-type]


def test_drop_downs_are_list_validations_over_their_rows(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    drops = [DropDown(2, RESULTS, prompt="请选择检查结果"), DropDown(4, ["甲", "乙"], strict=False, rows=50)]
    write_workbook(
        path, [_form(drop_downs=drops), Sheet("空", ["甲"], [], drop_downs=[DropDown(0, ["是", "否"])])]
    )
    book = openpyxl.load_workbook(path)
    strict, lenient = book["录入"].data_validations.dataValidation
    assert (str(strict.sqref), strict.type, strict.formula1) == ("C2:C4", "list", f'"{",".join(RESULTS)}"')
    assert strict.errorStyle in (None, "stop") and strict.showErrorMessage and strict.allowBlank
    assert strict.prompt == "请选择检查结果" and strict.showInputMessage
    assert (str(lenient.sqref), lenient.errorStyle, lenient.formula1) == ("E2:E51", "warning", '"甲,乙"')
    assert not lenient.prompt and not lenient.showInputMessage
    assert book["空"].data_validations.dataValidation == []  # no data row, no rows given: nothing to check


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (["甲,乙"], "逗号"),
        (['"甲"'], "引号"),
        ([""], "不能为空"),
        ([], "没有可选的值"),
        (["长" * 128, "短" * 127], "256 个字符"),
    ],
)
def test_drop_downs_excel_would_refuse_are_refused(tmp_path: Path, values: list[str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        write_workbook(tmp_path / "t.xlsx", [Sheet("表", ["甲"], [["x"]], drop_downs=[DropDown(0, values)])])
    assert not (tmp_path / "t.xlsx").exists()  # refused before the file is begun


def test_a_drop_down_of_255_characters_is_written(tmp_path: Path) -> None:
    values = ["长" * 127, "短" * 127]  # 127 + 1 + 127
    write_workbook(tmp_path / "t.xlsx", [Sheet("表", ["甲"], [["x"]], drop_downs=[DropDown(0, values)])])
    (validation,) = openpyxl.load_workbook(tmp_path / "t.xlsx")["表"].data_validations.dataValidation
    assert validation.formula1 == f'"{values[0]},{values[1]}"'


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"text_columns": [5]}, "文本格式列 5"),
        ({"date_columns": [-1]}, "日期格式列 -1"),
        ({"editable_columns": [9]}, "可编辑列 9"),
        ({"drop_downs": [DropDown(7, ["是"])]}, "下拉列表列 7"),
        ({"text_columns": [3]}, "既是文本格式又是日期格式"),
        ({"page": PageSetup(print_columns=6)}, "打印列数 6"),
        ({"page": PageSetup(header_center="标" * 300)}, "页眉超过 255"),
    ],
)
def test_options_no_sheet_can_hold_are_refused(
    tmp_path: Path, options: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        write_workbook(tmp_path / "t.xlsx", [_form(**options)])


def test_only_the_editable_columns_are_unlocked_in_a_protected_sheet(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [_form(), Sheet("只读", ["甲"], [["x"]])])
    book = openpyxl.load_workbook(path)
    sheet = book["录入"]
    assert sheet.protection.sheet and not sheet.protection.password
    # Filtering and column widths stay usable (openpyxl's False: that action is not protected).
    assert sheet.protection.autoFilter is False and sheet.protection.formatColumns is False
    assert [sheet.cell(row=2, column=c).protection.locked for c in range(1, 6)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert [sheet.cell(row=1, column=c).protection.locked for c in range(1, 6)] == [True] * 5  # the header
    # Blank rows below the table, by the column's own format.
    assert [sheet.column_dimensions[c].protection.locked for c in "ABCDE"] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert sheet["C3"].fill.fgColor.rgb == sheet.column_dimensions["C"].fill.fgColor.rgb == "FFFFF2CC"
    assert sheet["B3"].fill.fill_type is None
    assert not book["只读"].protection.sheet


def test_text_and_date_columns_are_formatted_blank_cells_too(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [_form()])
    sheet = openpyxl.load_workbook(path)["录入"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("915201000000000000", "s")
    assert [sheet[f"A{n}"].number_format for n in (2, 3, 4)] == ["@"] * 3
    assert [sheet[f"D{n}"].number_format for n in (2, 3, 4)] == ["yyyy-mm-dd"] * 3  # empty cells in the table
    assert sheet.column_dimensions["A"].number_format == "@"  # the rows a clerk adds below
    assert sheet.column_dimensions["D"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["B"].number_format == "General"
    assert sheet.column_dimensions["A"].width == 22


def test_borders_surround_every_header_and_data_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_workbook(path, [_form(), Sheet("无框", ["甲"], [["x"]])])
    book = openpyxl.load_workbook(path)
    sheet = book["录入"]
    for row in sheet.iter_rows(min_row=1, max_row=4, max_col=5):  # empty cells in the table too
        for cell in row:
            assert all(
                getattr(cell.border, side).style == "thin" for side in ("left", "right", "top", "bottom")
            )
    assert sheet["A5"].border.left.style is None  # nothing below the table
    assert book["无框"]["A2"].border.left.style is None


def test_page_setup_header_footer_print_titles_and_area_are_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    page = PageSetup(
        landscape=True,
        header_left="检查机关：A & B 局",
        header_center="2026年12月抽查 抽查对象名单",
        header_right="2026-12-01",
        print_columns=4,
    )
    portrait = PageSetup(fit_width=False, footer_center="")
    write_workbook(
        path, [_form(page=page), Sheet("竖", ["甲"], [["x"]], page=portrait), Sheet("默认", ["甲"], [])]
    )
    book = openpyxl.load_workbook(path)
    sheet = book["录入"]
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.print_area == "'录入'!$A$1:$D$4"  # the fifth column is not printed
    # Page header texts are literal (& doubled), the title bold; the footer numbers the pages.
    assert sheet.oddHeader.left.text == "检查机关：A && B 局"
    assert sheet.oddHeader.center.text == "&B2026年12月抽查 抽查对象名单"
    assert sheet.oddHeader.right.text == "2026-12-01"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.print_options.horizontalCentered
    upright = book["竖"]
    assert upright.page_setup.orientation == "portrait"
    assert upright.sheet_properties.pageSetUpPr is None or not upright.sheet_properties.pageSetUpPr.fitToPage
    assert not upright.oddFooter.center.text and not upright.print_area
    default = book["默认"]  # no PageSetup: landscape, fit to width, header row repeated, as before
    assert default.page_setup.orientation == "landscape" and default.print_title_rows == "$1:$1"
    assert not default.oddHeader.center.text


def test_a_helper_process_writes_the_new_options_as_this_process_does(tmp_path: Path) -> None:
    from shuangsuiji.io.helper import WorkbookHelper

    sheets = [_form(page=PageSetup(header_center="标题", print_columns=3)), Sheet("二", ["甲"], [["x"]])]
    helper = WorkbookHelper()
    helper.begin(tmp_path / "helper.xlsx", 2, "t")
    for index in (1, 0):
        helper.add(index, sheets[index])
    reported = helper.wait()
    assert reported == write_workbook(tmp_path / "here.xlsx", sheets, title="t", order=(1, 0))
    assert (tmp_path / "helper.xlsx").read_bytes() == (tmp_path / "here.xlsx").read_bytes()
    assert openpyxl.load_workbook(tmp_path / "helper.xlsx")["录入"].protection.sheet


def _soffice(tmp_path: Path, target: str, path: Path, outdir: Path) -> None:
    import subprocess

    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler (pdftotext) is not installed",
)
def test_libreoffice_prints_the_page_setup(tmp_path: Path) -> None:
    # LibreOffice's PDF export: A4 landscape, the page header and footer on every page, the header
    # row repeated, the column outside the print area left out.
    import subprocess

    rows = [[f"9152010{n:011d}", f"企业{n}", "未发现问题", None, "f" * 64] for n in range(120)]
    page = PageSetup(
        landscape=True, header_left="检查机关：A & B 局", header_center="抽查对象名单", print_columns=4
    )
    path = tmp_path / "t.xlsx"
    write_workbook(
        path,
        [
            Sheet(
                "表",
                ["代码", "名称", "检查结果", "日期", "随机码"],
                rows,
                widths=[22, 20, 14, 12, 66],
                borders=True,
                page=page,
            )
        ],
    )
    _soffice(tmp_path, "pdf", path, tmp_path)
    pdf = tmp_path / "t.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2
    assert "841.89 x 595.3" in info  # A4 landscape, in points
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    printed = text.split("\f")[:pages]
    for number, sheet_page in enumerate(printed, start=1):
        assert "抽查对象名单" in sheet_page and "检查机关：A & B 局" in sheet_page
        assert f"第{number}页共{pages}页" in sheet_page.replace(" ", "")
        assert "代码" in sheet_page and "检查结果" in sheet_page  # the header row, on every page
    assert "f" * 64 not in text and "随机码" not in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_keeps_drop_downs_protection_and_formats(tmp_path: Path) -> None:
    # Calc reads what we wrote and, saving the file again, writes it back: the drop-down (list,
    # values, strictness), the protection and unlocked columns, the text format of blank rows.
    source = tmp_path / "source" / "t.xlsx"
    source.parent.mkdir()
    write_workbook(
        source, [_form(drop_downs=[DropDown(2, RESULTS), DropDown(4, ["甲", "乙"], strict=False, rows=9)])]
    )
    _soffice(tmp_path, "xlsx", source, tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["录入"]
    found = {
        str(v.sqref): (v.type, v.formula1, v.errorStyle or "stop")
        for v in sheet.data_validations.dataValidation
    }
    assert found == {
        "C2:C4": ("list", f'"{",".join(RESULTS)}"', "stop"),
        "E2:E10": ("list", '"甲,乙"', "warning"),
    }
    assert sheet.protection.sheet
    assert [sheet.cell(row=2, column=c).protection.locked for c in range(1, 6)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert sheet.column_dimensions["A"].number_format == "@"


def test_printed_font_size_follows_the_widths_orientation_and_print_area() -> None:
    from shuangsuiji.io.xlsx import printed_font_size

    def size(widths: list[float], **page: object) -> float:
        header = [f"列{n}" for n in range(len(widths))]
        return printed_font_size(Sheet("表", header, [], widths=widths, page=PageSetup(**page)))  # type: ignore[arg-type]

    # A4 portrait, 0.25-inch side margins: 559.3 pt across, 7 pt a width unit.
    assert size([40, 39.8]) == 11  # 558.6 pt: no shrinking
    assert size([80]) == pytest.approx(0.99 * 11)  # 560 pt: 99.9%, rounded down to a whole percent
    assert size([100]) == pytest.approx(0.79 * 11)
    assert size([100], landscape=True) == 11  # 805.9 pt across
    assert size([100, 66], landscape=True, print_columns=1) == 11  # the unprinted column does not count
    assert size([200], fit_width=False) == 11  # not shrunk (printed over several pages wide)
    # Without a PageSetup a sheet prints landscape with 0.4-inch margins, fit to width (as before).
    assert printed_font_size(Sheet("表", ["甲"], [], widths=[120])) == pytest.approx(0.93 * 11)


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet=st.sampled_from("ab1 中文，、（）\n\U00020000😀é"), max_size=40),
            st.integers(-(10**6), 10**6),
            st.dates(),
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([1, 3.5, 8, 12, 30]),
)
def test_row_heights_counted_by_column_equal_counting_every_cell(values: list[object], width: float) -> None:
    # The quick count (whole columns at once, ASCII and one-line texts without splitting) must give
    # exactly what counting each text with _lines gives (numbers and dates never wrap): row heights
    # are part of the bytes.
    counted = xlsx._column_lines(values, width)  # type: ignore[arg-type]
    one_by_one = [xlsx._lines(v, width) if isinstance(v, str) and v else 1 for v in values]
    assert (counted or [1] * len(values)) == one_by_one


def test_a_printed_sheet_has_a_header_row_as_tall_as_its_wrapped_names(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    header = ["序号", "统一社会信用代码/注册号"]
    write_workbook(
        path,
        [
            Sheet("打印", header, [[1, "x"]], widths=[4, 10], page=PageSetup()),
            Sheet("屏幕", header, [[1, "x"]], widths=[4, 10]),
        ],
    )
    book = openpyxl.load_workbook(path)
    assert book["打印"].row_dimensions[1].height == 15 * 3 + 4  # 23 units in a column with room for 9
    assert book["屏幕"].row_dimensions[1].height == 22  # as before
