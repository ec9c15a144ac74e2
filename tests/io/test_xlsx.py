"""Our xlsx writer, checked by reading the files back with openpyxl and fastexcel (never by bytes alone)."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import fastexcel
import openpyxl
import pytest

from shuangsuiji.io.xlsx import Sheet, column_letter, write_workbook

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
    expected = [
        f'<row r="{n}">'
        + "".join(f'<c r="{column_letter(i)}{n}"{xlsx._tail(v, 0)}' for i, v in enumerate(row) if xlsx._tail(v, 0))
        + "</row>"
        for n, row in enumerate(rows, start=2)
    ]
    assert written == expected


def test_wrapped_rows_are_as_tall_as_their_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    long = "每组 2 人（持证且具相应专业的人员、持证执法人员），组长由第一个持证岗位的人员担任" * 2
    write_workbook(path, [Sheet("说明", ("项目", "内容"), [("短", "一行"), ("长", long)], widths=(10, 60), wrap=True)])
    rows = openpyxl.load_workbook(path).active.row_dimensions
    assert rows[2].height is None  # one line: the program's default
    assert rows[3].height == 15 * 3  # about 160 units of width (a CJK character is 2) in 59 per line
