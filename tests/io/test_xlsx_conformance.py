"""Our xlsx writer against XlsxWriter, the reference OOXML writer, for the same cells.

Both workbooks are read as XML and reduced to what they mean, sheet by sheet: each cell's type and
value (Excel's _xHHHH_ escapes decoded in each text run, as Excel reads them), the resolved style of
every cell (number format, font weight and colour, fill, borders, alignment), row heights, the
frozen pane, the filter, the dimension, page set-up, tab order, hidden tabs and the defined names.
Differences that are choices, not meaning, are left out and named where they are left out: the font
face (ours is 等线, the default of Chinese Office; XlsxWriter's is Calibri), the column width's
padding (XlsxWriter adds Excel's 5 pixels to the width it is given), the way a text is stored
(inline or split in runs) and XML details (attribute order, spans).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.io.xlsx import Columns, DropDown, PageSetup, Sheet, write_workbook

from .xlsxwriter_twin import write_with_xlsxwriter

pytest.importorskip("xlsxwriter")

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
BUILTIN_FORMATS = {0: "General", 10: "0.00%", 14: "m/d/yyyy", 49: "@"}
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")

HOSTILE = ['=HYPERLINK("http://x","点击")', "+86 138", "-1+2", "@SUM(A1)", "=1+1", "&amp;", "<b>粗体</b>"]
ESCAPES = ["_x0041_", "a\x01b_x0041_", "\x1f尾", "名称_x005F_甲", "\r回车", "\t制表"]
SPACES = [" 前后空格 ", "两\n行", "行尾\n", "\n", " "]


def decoded(text: str) -> str:
    """A stored text as Excel reads it: each _xHHHH_ is the character U+HHHH."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _text(element: ET.Element) -> str:
    """An <is> or <si>: its <t>, or its runs' <t>s, each decoded on its own."""
    own = element.find(f"{MAIN}t")
    parts = [own] if own is not None else [r.find(f"{MAIN}t") for r in element.findall(f"{MAIN}r")]
    return "".join(decoded(t.text or "") for t in parts if t is not None)


class Meaning:
    """What an .xlsx says, read from its XML."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        self.workbook = self._xml("xl/workbook.xml")
        self.styles = self._styles()
        self.strings = (
            [_text(si) for si in self._xml("xl/sharedStrings.xml").iter(f"{MAIN}si")]
            if ("xl/sharedStrings.xml" in self.zip.namelist())
            else []
        )
        rels = {
            r.get("Id"): r.get("Target")
            for r in self._xml("xl/_rels/workbook.xml.rels").iter(f"{RELS}Relationship")
        }
        self.sheets = {s.get("name"): "xl/" + rels[s.get(R_ID)] for s in self.workbook.iter(f"{MAIN}sheet")}

    def _xml(self, name: str) -> ET.Element:
        return ET.fromstring(self.zip.read(name))

    def _styles(self) -> list[dict[str, Any]]:
        root = self._xml("xl/styles.xml")
        formats = dict(BUILTIN_FORMATS)
        formats.update(
            {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iter(f"{MAIN}numFmt")}
        )

        def children(tag: str) -> list[ET.Element]:
            found = root.find(f"{MAIN}{tag}")
            return list(found) if found is not None else []

        fonts, fills, borders = children("fonts"), children("fills"), children("borders")
        resolved = []
        for xf in children("cellXfs"):
            font = fonts[int(xf.get("fontId", "0"))]
            color = font.find(f"{MAIN}color")
            pattern = fills[int(xf.get("fillId", "0"))].find(f"{MAIN}patternFill")
            foreground = pattern.find(f"{MAIN}fgColor") if pattern is not None else None
            border = borders[int(xf.get("borderId", "0"))]
            alignment = xf.find(f"{MAIN}alignment")
            protection = xf.find(f"{MAIN}protection")
            resolved.append(
                {
                    "format": formats[int(xf.get("numFmtId", "0"))],
                    "bold": font.find(f"{MAIN}b") is not None,
                    "size": font.find(f"{MAIN}sz").get("val"),  # type: ignore[union-attr]
                    "font colour": color.get("rgb") if color is not None and color.get("rgb") else None,
                    "fill": (
                        pattern.get("patternType"),
                        foreground.get("rgb") if foreground is not None else None,
                    )
                    if pattern is not None and pattern.get("patternType") not in (None, "none")
                    else None,
                    "borders": {
                        side: (edge.get("style"), edge.find(f"{MAIN}color").get("rgb"))  # type: ignore[union-attr]
                        for side in ("left", "right", "top", "bottom")
                        if (edge := border.find(f"{MAIN}{side}")) is not None and edge.get("style")
                    },
                    "alignment": {
                        k: v
                        for k, v in (alignment.attrib if alignment is not None else {}).items()
                        if k in ("horizontal", "vertical", "wrapText")
                    },
                    # Cells are locked unless a format says otherwise (it matters in a protected sheet).
                    "locked": protection.get("locked", "1") if protection is not None else "1",
                }
            )
        return resolved

    def tabs(self) -> list[tuple[str | None, str]]:
        return [(s.get("name"), s.get("state", "visible")) for s in self.workbook.iter(f"{MAIN}sheet")]

    def view(self) -> tuple[str, str]:
        view = self.workbook.find(f"{MAIN}bookViews/{MAIN}workbookView")
        assert view is not None
        return view.get("activeTab", "0"), view.get("firstSheet", "0")

    def defined_names(self) -> set[tuple[str | None, str | None, str]]:
        # XlsxWriter quotes a sheet name in a reference only where needed; we always do.
        return {
            (d.get("name"), d.get("localSheetId"), (d.text or "").replace("'", ""))
            for d in self.workbook.iter(f"{MAIN}definedName")
        }

    def sheet(self, name: str) -> dict[str, Any]:
        root = self._xml(self.sheets[name])
        assert root.find(f".//{MAIN}f") is None, "a formula"
        cells: dict[str | None, tuple[str, object, dict[str, Any]]] = {}
        heights = {}
        for row in root.iter(f"{MAIN}row"):
            if row.get("customHeight") == "1":  # in pixels (0.75 pt): XlsxWriter rounds 22 pt to 21.75
                heights[row.get("r")] = round(float(row.get("ht", "0")) / 0.75)
            for cell in row.iter(f"{MAIN}c"):
                kind = cell.get("t", "n")
                value: object
                if kind == "inlineStr":
                    kind, value = "text", _text(cell.find(f"{MAIN}is"))  # type: ignore[arg-type]
                elif kind == "s":
                    kind, value = "text", self.strings[int(cell.findtext(f"{MAIN}v") or "")]
                elif cell.find(f"{MAIN}v") is None:  # a blank cell that carries a format (a border)
                    kind, value = "blank", None
                elif kind == "n":
                    kind, value = "number", float(cell.findtext(f"{MAIN}v") or "nan")
                else:
                    value = cell.findtext(f"{MAIN}v")
                cells[cell.get("r")] = (kind, value, self.styles[int(cell.get("s", "0"))])
        pane = root.find(f".//{MAIN}pane")
        setup = root.find(f"{MAIN}pageSetup")
        fit = root.find(f"{MAIN}sheetPr/{MAIN}pageSetUpPr")
        margins = root.find(f"{MAIN}pageMargins")
        protection = root.find(f"{MAIN}sheetProtection")
        options = root.find(f"{MAIN}printOptions")
        return {
            "cells": cells,
            "heights": heights,
            "dimension": root.find(f"{MAIN}dimension").get("ref"),  # type: ignore[union-attr]
            "pane": {k: pane.get(k) for k in ("xSplit", "ySplit", "topLeftCell", "activePane", "state")}
            if pane is not None
            else None,
            "filter": root.find(f"{MAIN}autoFilter").get("ref"),  # type: ignore[union-attr]
            # fitToWidth and fitToHeight are 1 where not written (the schema's default)
            "page": {k: setup.get(k, "1") for k in ("paperSize", "orientation", "fitToWidth", "fitToHeight")}
            if setup is not None
            else None,
            "fit to page": fit.get("fitToPage") if fit is not None else None,
            "margins": {k: float(v) for k, v in margins.attrib.items()} if margins is not None else None,
            "widths": {
                n: float(c.get("width", "0"))
                for c in root.iter(f"{MAIN}col")
                for n in range(int(c.get("min", "0")), int(c.get("max", "0")) + 1)
            },
            "column styles": {
                n: self.styles[int(c.get("style", "0"))]
                for c in root.iter(f"{MAIN}col")
                for n in range(int(c.get("min", "0")), int(c.get("max", "0")) + 1)
            },
            # An input message means something only where it is shown.
            "validations": sorted(
                (
                    v.get("sqref"),
                    v.get("type"),
                    v.get("errorStyle", "stop"),
                    v.get("allowBlank"),
                    v.get("showErrorMessage"),
                    v.get("error"),
                    v.get("prompt") if v.get("showInputMessage") == "1" else None,
                    v.findtext(f"{MAIN}formula1"),
                )
                for v in root.iter(f"{MAIN}dataValidation")
            ),
            "protection": dict(protection.attrib) if protection is not None else None,
            "header": root.findtext(f"{MAIN}headerFooter/{MAIN}oddHeader"),
            "footer": root.findtext(f"{MAIN}headerFooter/{MAIN}oddFooter"),
            "print options": dict(options.attrib) if options is not None else None,
        }


def compare(tmp_path: Path, sheets: list[Sheet], title: str = "标题") -> tuple[Meaning, Meaning]:
    """Write `sheets` with both writers and assert that the two workbooks mean the same."""
    ours_path, theirs_path = tmp_path / "ours.xlsx", tmp_path / "xlsxwriter.xlsx"
    write_workbook(ours_path, sheets, title=title)
    write_with_xlsxwriter(theirs_path, sheets, title=title)
    ours, theirs = Meaning(ours_path), Meaning(theirs_path)
    assert ours.tabs() == theirs.tabs()
    assert ours.view() == theirs.view()
    assert ours.defined_names() == theirs.defined_names()
    for sheet in sheets:
        mine, reference = ours.sheet(sheet.name), theirs.sheet(sheet.name)
        assert mine["cells"].keys() == reference["cells"].keys(), sheet.name
        for ref, (kind, value, style) in reference["cells"].items():
            my_kind, my_value, my_style = mine["cells"][ref]
            assert my_kind == kind, ref
            if kind == "number" and my_kind == "number":
                assert my_value == pytest.approx(value, rel=1e-15), ref  # XlsxWriter writes 16 digits, we 17
            else:
                assert my_value == value, ref
            assert my_style == style, ref
        for key in (
            "heights",
            "dimension",
            "pane",
            "filter",
            "page",
            "fit to page",
            "margins",
            "column styles",
            "validations",
            "protection",
            "header",
            "footer",
            "print options",
        ):
            assert mine[key] == reference[key], (sheet.name, key)
        # XlsxWriter pads a width by Excel's 5 pixels (of 7 a character): the same column, wider by < 1.
        assert mine["widths"].keys() == reference["widths"].keys()
        for column, width in mine["widths"].items():
            assert 0 <= reference["widths"][column] - width < 1
    return ours, theirs


def test_text_cells_mean_the_same(tmp_path: Path) -> None:
    texts = (
        HOSTILE + ESCAPES + SPACES + ["贵阳市某某餐饮有限公司", "0012", "1e5", "TRUE", "#N/A", "http://x.cn"]
    )
    ours, _ = compare(tmp_path, [Sheet("文字", ["原文", "再一次"], [[t, t] for t in texts], widths=[30, 12])])
    cells = ours.sheet("文字")["cells"]
    assert [
        cells[f"A{n}"][1] for n in range(2, len(texts) + 2)
    ] == texts  # and both are exactly what was given


def test_numbers_dates_fractions_and_booleans_mean_the_same(tmp_path: Path) -> None:
    rows = [
        [1, 2.5, date(2026, 12, 1), datetime(2026, 12, 31, 13, 5), Fraction(1, 20), True],
        [-7, 0.1 + 0.2, date(1900, 3, 1), None, Fraction(1, 3), False],
        [10**15, 1e-300, date(2099, 1, 1), datetime(2026, 1, 1), Fraction(5000, 100_000), None],
    ]
    compare(tmp_path, [Sheet("数", ["整数", "小数", "日期", "日期时间", "比例", "是否"], rows)])


def test_empty_cells_and_columns_mean_the_same(tmp_path: Path) -> None:
    rows = Columns(["a", None, "", "d"], [None, None, None, "x"], ["", "b", None, "c"])
    compare(tmp_path, [Sheet("空", ["甲", "乙", "丙"], rows, widths=[8, 8, 8])])


def test_a_draw_like_workbook_means_the_same(tmp_path: Path) -> None:
    # Tabs as a draw writes them: a hidden first tab, the styled header, widths, a wrapped notes sheet.
    tasks = Columns(
        [1, 2, 3],
        ["GY-SJ-2026-12-00001", "GY-SJ-2026-12-00002", "GY-SJ-2026-12-00003"],
        ["贵阳市某某餐饮有限公司", '=HYPERLINK("x","y")', "名称_x0041_"],
        [Fraction(3, 100), None, Fraction(3, 100)],
        [date(2026, 12, 1)] * 3,
    )
    notes = [
        ("抽查计划编号", "GY-SJ-2026-12"),
        (
            "检查组规则",
            "每组 2 人（持证且具相应专业的人员、持证执法人员），组长由第一个持证岗位的人员担任；" * 3,
        ),
        ("如何复核", "第一行\n第二行\n第三行"),
        ("抽取户数", 3),
    ]
    sheets = [
        Sheet("2025年名录（旧）", ["甲"], [["旧"]], hidden=True),
        Sheet(
            "分派表",
            ["序号", "抽查任务编号", "市场主体名称", "入选概率", "检查日期自"],
            tasks,
            widths=[6, 20, 34, 10, 12],
        ),
        Sheet("抽取说明", ["项目", "内容"], notes, widths=[22, 90], wrap=True),
    ]
    ours, _ = compare(tmp_path, sheets, title="2026年12月食品经营者双随机抽查（GY-SJ-2026-12）分派表")
    header = ours.sheet("分派表")["cells"]["A1"][2]
    assert header["bold"] and header["font colour"] == "FFFFFFFF" and header["fill"] == ("solid", "FF1F4E79")
    assert (
        ours.sheet("抽取说明")["heights"]["3"] > 20 and ours.sheet("抽取说明")["heights"]["4"] == 60
    )  # 3 lines
    assert ours.tabs()[0] == ("2025年名录（旧）", "hidden") and ours.view() == ("1", "1")


def test_only_the_header_means_the_same(tmp_path: Path) -> None:
    compare(tmp_path, [Sheet("表头", ["甲", "乙"], []), Sheet("一列", ["甲"], [])])


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_both_refuse_what_no_cell_can_hold(tmp_path: Path, value: float) -> None:
    sheets = [Sheet("表", ["数"], [[value]])]
    with pytest.raises(ValueError, match="不是有限的数"):
        write_workbook(tmp_path / "ours.xlsx", sheets)
    with pytest.raises(TypeError, match="NAN/INF"):
        write_with_xlsxwriter(tmp_path / "theirs.xlsx", sheets)


def test_a_text_that_looks_like_rich_text_stays_text(tmp_path: Path) -> None:
    # Left out of the comparison above: XlsxWriter 3.x in constant_memory mode writes a string that
    # starts with "<r>" and ends with "</r>" into the XML as it is (as rich text markup), so an
    # enterprise name could put markup into its file. Ours writes every text as text. And its escape
    # of a literal _xHHHH_ misses a second one sharing the first one's underscore: Excel would read
    # "_x0041_x0042_" from it as "_x0041B"; and it escapes the escape before it writes characters XML
    # forbids as escapes, so "_xABCD" followed by U+0001 would be read as U+ABCD, "x0001_".
    path = tmp_path / "ours.xlsx"
    texts = ["<r>粗体</r>", "<r><t>x</t></r>", "</t></is></c>", "_x0041_x0042_", "_xABCD\x01"]
    write_workbook(path, [Sheet("表", ["名称"], [[t] for t in texts])])
    cells = Meaning(path).sheet("表")["cells"]
    assert [cells[f"A{n}"][:2] for n in range(2, len(texts) + 2)] == [("text", t) for t in texts]


def test_a_form_and_a_printed_list_mean_the_same(tmp_path: Path) -> None:
    # The options documents that print and forms to fill in use: borders, text and date columns,
    # protection with editable columns, drop-downs, page set-up with page header, footer and print area.
    results = ["未发现问题", "发现问题经责令已改正", "违反《食品安全法》相关规定"]
    form = Sheet(
        "录入",
        ["代码", "名称", "检查结果", "检查完成日期", "备注", "数"],
        [
            ["915201000000000001", "甲 & 乙", None, date(2026, 12, 3), "", 3],
            ["915201000000000002", "丙", "未发现问题", None, "有\n备注", Fraction(1, 3)],
        ],
        widths=[22, 20, 24, 12, 20, 8],
        wrap=True,
        borders=True,
        text_columns=[0],
        date_columns=[3],
        editable_columns=[2, 3, 4],
        drop_downs=[
            DropDown(2, results, prompt="请选择检查结果"),
            DropDown(4, ["甲", "乙"], strict=False, rows=30),
        ],
        page=PageSetup(
            landscape=True, header_left="检查机关：A & B", header_center="2026年 名单", print_columns=5
        ),
    )
    upright = Sheet(
        "竖", ["甲", "乙"], [["x", None]], widths=[10, 10], borders=True, page=PageSetup(fit_width=False)
    )
    ours, _ = compare(tmp_path, [form, upright, Sheet("平常", ["甲"], [["y"]])])
    cells = ours.sheet("录入")["cells"]
    assert cells["C2"] == ("blank", None, cells["C2"][2]) and cells["C2"][2]["locked"] == "0"
    assert cells["A2"][2]["format"] == "@" and cells["B2"][2]["borders"]["left"] == ("thin", "FF000000")
    assert ours.sheet("录入")["protection"] is not None and ours.sheet("平常")["protection"] is None
