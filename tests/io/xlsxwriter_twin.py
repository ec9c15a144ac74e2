"""The same workbook as shuangsuiji.io.xlsx writes, written by XlsxWriter (the reference OOXML writer).

Used by the conformance tests (tests/io/test_xlsx_conformance.py), which compare the meaning of the
two writers' XML cell by cell, and by bench/bench_writers.py, which times the two. XlsxWriter runs
as the project would have to run it: constant_memory (rows streamed to a temporary file), no
string ever turned into a formula, a number or a link, and a fixed creation date (its only
timestamp), so that the same input gives the same uncompressed parts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any
from unicodedata import east_asian_width

from shuangsuiji.io.xlsx import Sheet

OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
CREATED = datetime(2000, 1, 1)


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped text takes in a column `width` units wide (a CJK character is 2)."""
    room = max(width - 1, 1)
    return sum(
        max(1, math.ceil(sum(2 if east_asian_width(ch) in "WF" else 1 for ch in line) / room))
        for line in text.split("\n")
    )


def write_with_xlsxwriter(path: Path, sheets: Sequence[Sheet], *, title: str = "") -> None:
    """Write `sheets` (in tab order) with XlsxWriter, with our writer's header, widths and formats."""
    import xlsxwriter  # type: ignore[import-untyped]

    book = xlsxwriter.Workbook(str(path), OPTIONS)
    book.set_properties({"title": title, "author": "shuangsuiji", "created": CREATED})
    header_format = book.add_format(
        {
            "bold": True,
            "font_color": "#FFFFFF",
            "bg_color": "#1F4E79",
            "pattern": 1,
            "border": 1,
            "border_color": "#BFBFBF",
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    percent_format = book.add_format({"num_format": 10})  # 0.00%
    wrap_format = book.add_format({"text_wrap": True, "valign": "top"})
    shown = next((i for i, s in enumerate(sheets) if not s.hidden), 0)
    for number, sheet in enumerate(sheets):
        tab = book.add_worksheet(sheet.name)
        _fill(tab, sheet, header_format, date_format, percent_format, wrap_format)
        if sheet.hidden:
            tab.hide()
        elif number == shown:
            tab.activate()
            tab.set_first_sheet()
    book.close()


def _fill(
    tab: Any, sheet: Sheet, header_format: Any, date_format: Any, percent_format: Any, wrap_format: Any
) -> None:
    for column, width in enumerate(sheet.widths or ()):
        tab.set_column(column, column, width)
    tab.freeze_panes(1, 0)
    tab.set_landscape()
    tab.set_paper(9)
    tab.fit_to_pages(1, 0)
    tab.repeat_rows(0)
    tab.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    tab.set_row(0, 22)
    for column, name in enumerate(sheet.header):
        tab.write_string(0, column, name, header_format)
    text_format = wrap_format if sheet.wrap else None
    write_string, write_number, write_datetime = tab.write_string, tab.write_number, tab.write_datetime
    widths = sheet.widths if sheet.wrap and sheet.widths else None
    last = 0
    for last, row in enumerate(sheet.rows, start=1):
        if widths is not None:
            lines = max(
                (_lines(str(v), w) for v, w in zip(row, widths, strict=False) if v not in (None, "")),
                default=1,
            )
            if lines > 1:
                tab.set_row(last, 15 * lines)
        for column, value in enumerate(row):
            kind = type(value)
            if kind is str:
                if value:
                    write_string(last, column, value, text_format)
            elif value is None:
                continue
            elif kind is bool:
                write_string(last, column, "是" if value else "否", text_format)
            elif kind is int or kind is float:
                write_number(last, column, value)
            elif isinstance(value, Fraction):
                write_number(last, column, float(value), percent_format)
            elif isinstance(value, datetime):
                write_datetime(last, column, datetime.combine(value.date(), datetime.min.time()), date_format)
            elif isinstance(value, date):
                write_datetime(last, column, datetime.combine(value, datetime.min.time()), date_format)
            else:
                raise TypeError(f"{kind.__name__} in {sheet.name}")
    tab.autofilter(0, 0, max(last, 0), max(len(sheet.header) - 1, 0))
