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
        _fill(book, tab, sheet, header_format, date_format, percent_format, wrap_format)
        if sheet.hidden:
            tab.hide()
        elif number == shown:
            tab.activate()
            tab.set_first_sheet()
    book.close()


def _cell_formats(book: Any, sheet: Sheet) -> list[dict[str, Any]] | None:
    """Per column, the formats of its cells by kind of value (and of its blank cells and the column
    itself), as our writer's extended formats make them; None for a sheet that uses none."""
    if not sheet.formatted():
        return None
    texts, dates, editable = (
        set(sheet.text_columns),
        set(sheet.date_columns),
        set(sheet.editable_columns or ()),
    )
    made: dict[tuple[str, bool, bool], Any] = {}

    def fmt(number_format: str, border: bool, unlocked: bool) -> Any:
        key = (number_format, border, unlocked)
        if key not in made:
            options: dict[str, Any] = {
                "num_format": number_format,
                "valign": "vcenter",
                "locked": not unlocked,
            }
            if sheet.wrap:
                options["text_wrap"] = True
            if border:
                options.update(border=1, border_color="#000000")
            if unlocked:
                options.update(pattern=1, bg_color="#FFF2CC")
            made[key] = book.add_format(options)
        return made[key]

    columns = []
    for column in range(len(sheet.header)):
        kind = "@" if column in texts else "yyyy-mm-dd" if column in dates else "General"
        unlocked = column in editable
        whole = fmt(kind, False, unlocked) if kind != "General" or unlocked else None
        columns.append(
            {
                "value": fmt(kind, sheet.borders, unlocked),
                "date": fmt("yyyy-mm-dd", sheet.borders, unlocked),
                "percent": fmt("0.00%", sheet.borders, unlocked),
                "blank": fmt(kind, sheet.borders, unlocked) if sheet.borders or whole is not None else None,
                "column": whole,
            }
        )
    return columns


def _page(tab: Any, sheet: Sheet, last: int) -> None:
    """Page set-up: as before the options existed, or as the sheet's PageSetup asks."""
    tab.set_paper(9)
    tab.repeat_rows(0)
    page = sheet.page
    if page is None:
        tab.set_landscape()
        tab.fit_to_pages(1, 0)
        tab.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        return
    if page.landscape:
        tab.set_landscape()
    else:
        tab.set_portrait()
    if page.fit_width:
        tab.fit_to_pages(1, 0)
    tab.set_margins(left=0.25, right=0.25, top=0.85, bottom=0.6)
    tab.center_horizontally()
    sections = (("&L", page.header_left), ("&C&B", page.header_center), ("&R", page.header_right))
    header = "".join(code + text.replace("&", "&&") for code, text in sections if text)
    if header:
        tab.set_header(header, {"margin": 0.3})
    if page.footer_center:
        tab.set_footer("&C" + page.footer_center, {"margin": 0.3})
    if page.print_columns is not None:
        tab.print_area(0, 0, max(last, 0), page.print_columns - 1)


def _write_formatted(
    tab: Any, number: int, row: Sequence[Any], formats: list[dict[str, Any]], name: str
) -> None:
    """One data row of a sheet with extended formats (kept apart: the plain loop is what the bench times)."""
    for column, value in enumerate(row):
        own = formats[column]
        if isinstance(value, bool):
            tab.write_string(number, column, "是" if value else "否", own["value"])
        elif isinstance(value, str) and value:
            tab.write_string(number, column, value, own["value"])
        elif value is None or value == "":
            if own["blank"] is not None:
                tab.write_blank(number, column, None, own["blank"])
        elif isinstance(value, int | float) and not isinstance(value, Fraction):
            tab.write_number(number, column, value, own["value"])
        elif isinstance(value, Fraction):
            tab.write_number(number, column, float(value), own["percent"])
        elif isinstance(value, date):
            day = value.date() if isinstance(value, datetime) else value
            tab.write_datetime(number, column, datetime.combine(day, datetime.min.time()), own["date"])
        else:
            raise TypeError(f"{type(value).__name__} in {name}")


def _fill(
    book: Any,
    tab: Any,
    sheet: Sheet,
    header_format: Any,
    date_format: Any,
    percent_format: Any,
    wrap_format: Any,
) -> None:
    formats = _cell_formats(book, sheet)
    for column in range(max(len(sheet.widths or ()), len(sheet.header) if formats else 0)):
        width = sheet.widths[column] if sheet.widths and column < len(sheet.widths) else None
        whole = formats[column]["column"] if formats and column < len(formats) else None
        tab.set_column(column, column, width, whole)
    tab.freeze_panes(1, 0)
    header_lines = (
        max(map(_lines, sheet.header, sheet.widths), default=1) if sheet.page and sheet.widths else 1
    )
    tab.set_row(0, 22 if header_lines == 1 else 15 * header_lines + 4)
    for column, name in enumerate(sheet.header):
        tab.write_string(0, column, name, header_format)
    text_format = wrap_format if sheet.wrap else None
    write_string, write_number, write_datetime = tab.write_string, tab.write_number, tab.write_datetime
    widths = sheet.widths if sheet.wrap and sheet.widths else None
    last = 0
    for last, row in enumerate(sheet.rows, start=1):
        if widths is not None:
            lines = max(
                (_lines(v, w) for v, w in zip(row, widths, strict=False) if isinstance(v, str) and v),
                default=1,
            )
            if lines > 1:
                tab.set_row(last, 15 * lines)
        if formats is not None:
            _write_formatted(tab, last, row, formats, sheet.name)
            continue
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
    if sheet.editable_columns is not None:
        tab.protect("", {"autofilter": True, "format_columns": True, "format_rows": True})
    for drop in sheet.drop_downs:
        end = last if drop.rows is None else drop.rows
        if end < 1:
            continue
        options: dict[str, Any] = {
            "validate": "list",
            "source": list(drop.values),
            "ignore_blank": True,
            "error_type": "stop" if drop.strict else "warning",
            "error_message": "请从下拉列表中选择。" if drop.strict else "该值不在下拉列表中，确定要保留吗？",
            "show_input": bool(drop.prompt),
        }
        if drop.prompt:
            options["input_message"] = drop.prompt
        tab.data_validation(1, drop.column, end, drop.column, options)
    _page(tab, sheet, last)
