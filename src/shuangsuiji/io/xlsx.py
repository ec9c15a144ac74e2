"""A small, fast, deterministic .xlsx writer.

Why our own: measured in bench/bench_writers.py against XlsxWriter, the reference OOXML writer (in
constant_memory mode, no text made a formula, a fixed creation date): a million-row draw's two
workbooks, each written in its own process as a draw does, take 1.4 s with this writer and 11.6 s
with XlsxWriter (content digest included), which would take the draw from 1.85 to about 3.3 times
the time of merely reading its roster; a month's workbooks take milliseconds with either. This
writer streams rows straight into the zip, writes every text as an inline string (so no cell can
ever become a formula, whatever it starts with), and gives identical bytes for identical content,
which lets an auditor compare output files by SHA-256. tests/io/test_xlsx_conformance.py writes
the same cells with XlsxWriter and compares what the two files' XML means, sheet by sheet.

Compressed bytes, though, depend on the zlib build (newer Python builds on Windows use zlib-ng), so
the same content written on another machine may differ byte for byte. What a workbook says is
therefore also summed up by its *content digest*, which no compression setting can change:

    The content digest of an .xlsx file is the SHA-256 (lowercase hex) of the canonical JSON
    (record.canonical_json: UTF-8, sorted keys, no spaces) of the list
    [[member name, SHA-256 (lowercase hex) of the member's uncompressed bytes], ...]
    over every member of the zip, sorted by member name (by code point, the same as by UTF-8
    bytes; an xlsx's names are ASCII). Nothing about compression (method, level, sizes),
    timestamps, file attributes or the order of the members enters it. A zip with two members
    of the same name has no content digest (readers disagree on which one counts).

A test vector: a zip holding "b.xml" (the one byte "B") and then "a.xml" (the byte "A") has the list
  [["a.xml","559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd"],["b.xml","df7e70e5021544f4834bbee64a9e3789febc4be81470df629cad6ddb03320a5c"]]
and the content digest 944203d8e8ed4f1f8c4017a405ad49e3b7a5b2770cdccc2856107d38fc59659a.
The writer hashes each member from the very bytes it writes (Workbook.content_digest); for a file
written elsewhere, content_digest(path) inflates each member and hashes it.

Documents that print and forms to fill in ask a sheet for more (Sheet's optional fields: drop-downs,
page set-up with page header and footer, borders, text and date columns, protection with editable
columns). A sheet that asks for none of them is written byte for byte as before they existed, and
styles.xml gains the extended cell formats only in a workbook where some sheet uses them, so the
content digests of existing outputs do not move (tests/io/test_xlsx.py pins one). The draw's own
workbooks use them (bordered, wrapped, printable sheets), which measured 0.98 s → 1.84 s for the
million-row case above (the 1M draw: 12.65 s → 13.66 s, 1.95 times the read; README, bench_draw).

Why one module of this size (~1,040 lines): the OOXML parts (content types, styles, workbook, sheets)
refer to each other by index and name, and the content digest is computed from the very bytes
written; kept together, the byte layout an auditor compares is readable in one place.
"""

from __future__ import annotations

import hashlib
import math
import operator
import queue
import re
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass, replace
from datetime import date, datetime
from fractions import Fraction
from itertools import islice, pairwise
from pathlib import Path
from typing import IO, NamedTuple, cast
from unicodedata import east_asian_width

from ..core.record import canonical_json
from .guard import MAX_TOTAL

Cell = str | int | float | Fraction | date | datetime | None

MAX_ROWS = 1_048_576
MAX_TEXT = 32_767
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_EXCEL_EPOCH = date(1899, 12, 30)

# Characters XML 1.0 forbids, and text that Excel would read as its own _xHHHH_ escape.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ILLEGAL_SPLIT = re.compile("([\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff])")
_EXCEL_ESCAPE = re.compile("_x[0-9A-Fa-f]{4}_")
_EXCEL_ESCAPE_STARTS = re.compile("(?=_x[0-9A-Fa-f]{4}_)")  # every start, overlapping ones too
# What Excel refuses in a sheet name (and what XML cannot hold); names are compared ignoring case.
_NOT_IN_SHEET_NAMES = re.compile("[\\[\\]:*?/\\\\\x00-\x1f\ufffe\uffff]")
MAX_SHEET_NAME = 31  # UTF-16 code units, as Excel counts
_RESERVED_SHEET_NAME = "history"  # Excel keeps "History" for its change tracking

STYLE_NORMAL, STYLE_HEADER, STYLE_DATE, STYLE_WRAP, STYLE_PERCENT = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class DropDown:
    """An Excel list validation (a drop-down) on one column."""

    column: int  # 0-based
    values: Sequence[str]  # joined with "," at most 255 characters (Excel's limit); none holds "," or '"'
    strict: bool = True  # True: anything else is refused (errorStyle stop); False: warned, may be kept
    prompt: str = ""  # the input message shown when a cell is selected ("" = none)
    rows: int | None = None  # None: the data rows; n: rows 2..n+1 (a template's blank rows to fill)


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints: A4, the header row repeated on every page, a page header and footer."""

    landscape: bool = False
    fit_width: bool = True  # all printed columns on one page wide (fitToWidth=1, fitToHeight=0)
    header_left: str = ""  # page header texts, printed as given (a literal & prints as &)
    header_center: str = ""  # printed bold, e.g. the title
    header_right: str = ""
    footer_center: str = "第 &P 页 共 &N 页"  # Excel's &-codes allowed here (&P page, &N pages)
    print_columns: int | None = None  # print area: the first n columns (technical columns stay unprinted)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a header row (styled, frozen, filterable) and data rows."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    widths: Sequence[float] | None = None
    wrap: bool = False
    hidden: bool = False  # a hidden tab (the sample roster keeps last year's list so, as clerks do)
    drop_downs: Sequence[DropDown] = ()
    page: PageSetup | None = None  # None: landscape, fit to width, no page header or footer
    borders: bool = False  # thin borders around every header and data cell
    text_columns: Sequence[int] = ()  # format "@" (blank cells too): an 18-digit code stays a text
    date_columns: Sequence[int] = ()  # format yyyy-mm-dd (blank cells too)
    # Not None: the sheet is protected (no password) and only these columns (blank rows too) are
    # unlocked, shown with a light fill; filter and column widths stay usable.
    editable_columns: Sequence[int] | None = None

    def formatted(self) -> bool:
        """Whether the sheet needs the extended cell formats (borders, column formats, unlocked cells)."""
        return bool(
            self.borders or self.text_columns or self.date_columns or self.editable_columns is not None
        )


class Columns:
    """Rows given column by column: cheaper to build, and to hand to another process, than tuples.

    Iterates as rows, so a Sheet accepts it wherever it accepts a list of rows.
    """

    def __init__(self, *columns: Sequence[Cell]) -> None:
        self.columns = columns

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        return zip(*self.columns, strict=True)

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class CellError(ValueError):
    """A value that no cell can hold; the sheet's writer adds where it is."""


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _xml(text: str) -> str:
    """XML character data: &, <, > and CR escaped."""
    # A raw CR would be read back as LF (XML end-of-line handling); a character reference survives.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _t(stored: str) -> str:
    space = ' xml:space="preserve"' if stored[:1].isspace() or stored[-1:].isspace() or "\n" in stored else ""
    return f"<t{space}>{_xml(stored)}</t>"


def _inline_text(text: str) -> str:
    """What goes between <is> and </is> so that every reader gets `text` back exactly.

    Excel reads _xHHHH_ in a text as the character U+HHHH. Characters XML forbids are therefore
    written as such escapes (the only way to store them). A literal _xHHHH_ in the text is cut into
    two runs of unformatted text after its underscore: Excel, LibreOffice and calamine decode each
    run on its own and so find no escape, and openpyxl, which decodes nothing, joins the runs as
    they are. (Excel's own "_x005F_" escape of the underscore is lost on openpyxl.)
    """
    stored, made = text, set()
    if _ILLEGAL.search(text):
        pieces = _ILLEGAL_SPLIT.split(text)  # literal, forbidden character, literal, ...
        place = 0
        for number, piece in enumerate(pieces):
            if number % 2:
                made.add(place)
                pieces[number] = f"_x{ord(piece):04X}_"
            place += len(pieces[number])
        stored = "".join(pieces)
    cuts = [m.start() + 1 for m in _EXCEL_ESCAPE_STARTS.finditer(stored) if m.start() not in made]
    if not cuts:
        return _t(stored)
    bounds = [0, *cuts, len(stored)]
    return "".join(f"<r>{_t(stored[a:b])}</r>" for a, b in pairwise(bounds))


# Text that needs more than wrapping in tags: XML specials, illegal characters, _x escapes, outer spaces.
_NEEDS_CARE = re.compile("[&<>\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x|^\\s|\\s$")
_CARE_CHARACTERS = re.compile("[&<>\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Every cell carries its "r" reference (Excel does not need it, but ClosedXML, EPPlus and older
# readers do), so a cell is `<c r="B7"` plus a tail that depends on the value alone; the tails of
# repeated values (districts, classes, plan fields) are built once per sheet column.
_CACHE_LIMIT = 4096
# Rows are turned into XML a block at a time, column by column (see _block_xml).
BLOCK_ROWS = 4096


def _text_tail(text: str, style: int) -> str:
    style_attr = f' s="{style}"' if style else ""
    if len(text) > MAX_TEXT // 2 and _utf16_length(text) > MAX_TEXT:
        raise CellError(f"文字超过 Excel 单元格上限 {MAX_TEXT} 个字符：{text[:20]}…")
    if _NEEDS_CARE.search(text) is None:
        return f'{style_attr} t="inlineStr"><is><t>{text}</t></is></c>'
    return f'{style_attr} t="inlineStr"><is>{_inline_text(text)}</is></c>'


class ColumnStyles(NamedTuple):
    """The cell format of a column's cells by kind of value, and of its blank cells."""

    text: int
    number: int
    date: int
    percent: int
    empty: int | None  # None: an empty cell is left out (no element at all)
    column: int | None  # the <col> element's style, which blank rows take; None: none


def plain_styles(text_style: int) -> ColumnStyles:
    """A column's formats in a sheet without extended formats: what every sheet had before them."""
    return ColumnStyles(text_style, STYLE_NORMAL, STYLE_DATE, STYLE_PERCENT, None, None)


def _style_attr(style: int) -> str:
    return f' s="{style}"' if style else ""


def _tail(value: Cell, styles: ColumnStyles) -> str:
    """Everything of a cell's XML after `<c r="…"`; empty for an empty cell left out."""
    if value is None or value == "":
        return "" if styles.empty is None else f' s="{styles.empty}"/>'
    if isinstance(value, str):
        return _text_tail(value, styles.text)
    if isinstance(value, bool):  # bool is an int; never write True as 1
        return _text_tail("是" if value else "否", styles.text)
    if isinstance(value, datetime):
        value = value.date()  # rosters carry dates; a time of day is never meaningful here
    if isinstance(value, date):
        return f' s="{styles.date}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, int):
        return f"{_style_attr(styles.number)}><v>{int.__repr__(value)}</v></c>"
    try:
        number = float(value)  # a Fraction, a float (numpy's too), a Decimal
    except (TypeError, ValueError, OverflowError):
        raise CellError(f"无法写出 {type(value).__name__} 类型的值：{value!r}") from None
    if not math.isfinite(number):
        raise CellError(f"数值 {value} 不是有限的数，Excel 无法保存（NaN 或无穷大）")
    style = styles.percent if isinstance(value, Fraction) else styles.number
    return f"{_style_attr(style)}><v>{number!r}</v></c>"


def _plain_texts(texts: list[str]) -> bool:
    """Whether every text goes between <t> tags as it is (what _text_tail checks one by one, decided
    for a whole column at C speed)."""
    if "" in texts:
        return False
    joined = "".join(texts)
    return (
        "_x" not in joined
        and _CARE_CHARACTERS.search(joined) is None
        and all(
            map(operator.is_, map(str.strip, texts), texts)
        )  # strip returns the very string if nothing to strip
        and max(map(len, texts)) <= MAX_TEXT // 2  # longer ones are measured in UTF-16, one by one
    )


def _block_xml(
    columns: Sequence[list[Cell]],
    numbers: range,
    letters: Sequence[str],
    caches: list[dict[str, str]],
    styles: Sequence[ColumnStyles],
    row_ends: list[str] | None = None,
) -> str:
    """The <row> elements of one block of rows, given as columns, numbered `numbers`.

    The block's XML is one join over a list of pieces laid out row by row, filled a whole column of
    pieces at a time by slice assignment (C speed): the same text on every row, the row numbers,
    and each column's values as they are (plain text, whole numbers), or the tails of its cells,
    or, where some cells are empty (no element at all), whole cells. (Measured: 2.2 times as fast as
    the cell-by-cell loop it replaced.)
    """
    marks = list(map(str, numbers))
    parts: list[str | list[str]] = ['<row r="', marks, row_ends or '">']
    for letter, cache, values, style in zip(letters, caches, columns, styles, strict=True):
        kinds = set(map(type, values))
        if kinds == {str} and _plain_texts(cast(list[str], values)):
            parts += (
                f'<c r="{letter}',
                marks,
                f'"{_style_attr(style.text)} t="inlineStr"><is><t>',
                cast(list[str], values),
                "</t></is></c>",
            )
            continue
        if kinds == {int}:  # exactly int: True is written as 是
            parts += (
                f'<c r="{letter}',
                marks,
                f'"{_style_attr(style.number)}><v>',
                list(map(str, values)),
                "</v></c>",
            )
            continue
        # Other values repeat as the very same object (a stratum's probability): while the block
        # holds them, their identity names them.
        same: dict[int, str] = {}
        tails = []
        for value in values:
            if type(value) is not str:
                tail = same.get(id(value))
                if tail is None:
                    tail = same[id(value)] = _tail(value, style)
            elif value in cache:
                tail = cache[value]
            else:
                tail = _tail(value, style)
                if len(cache) < _CACHE_LIMIT:
                    cache[value] = tail
            tails.append(tail)
        if "" not in tails:
            parts += (f'<c r="{letter}', marks, '"', tails)
        elif any(tails):
            parts.append(
                [f'<c r="{letter}{n}"{tail}' if tail else "" for n, tail in zip(marks, tails, strict=True)]
            )
    parts.append("</row>")
    merged: list[str | list[str]] = []  # neighbouring constant texts joined: fewer pieces
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    count, stride = len(marks), len(merged)
    pieces: list[str] = [""] * (count * stride)
    for place, part in enumerate(merged):
        pieces[place::stride] = [part] * count if isinstance(part, str) else part
    return "".join(pieces)


_wide: list[re.Pattern[str]] = []  # built on first use: the BMP's wide (CJK) characters as one class


def _wide_in_bmp() -> re.Pattern[str]:
    """A pattern matching every wide character of the Basic Multilingual Plane (~20 ms to build)."""
    if not _wide:
        ranges: list[list[int]] = []
        for code in range(0x10000):
            if east_asian_width(chr(code)) in "WF":
                if ranges and ranges[-1][1] == code - 1:
                    ranges[-1][1] = code
                else:
                    ranges.append([code, code])
        _wide.append(re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]"))
    return _wide[0]


def _units(line: str) -> int:
    """A line's width: a wide (CJK) character takes two units, any other one."""
    if not line or line.isascii():
        return len(line)
    if max(line) <= "\uffff":
        return len(line) + len(_wide_in_bmp().findall(line))
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in line)


def _lines(text: str, width: float) -> int:
    """The lines a wrapped text takes in a column `width` units wide: each line break starts a line,
    and each line wraps on its own. A wide (CJK) character takes two units of width."""
    room = max(width - 1, 1)
    return sum(max(1, math.ceil(_units(line) / room)) for line in text.split("\n"))


def _column_lines(values: list[Cell], width: float) -> list[int] | None:
    """The lines each cell of a column takes (texts as _lines counts them; numbers and dates never
    wrap: too narrow a column shows ### instead); None when every one fits on one line.

    Counted with as little Python per cell as possible (measured on a 1M-roster draw's workbooks,
    where cell-by-cell counting with east_asian_width took 1.5 s for the 分派表 alone): repeated
    values (plan fields, districts) once each; ASCII columns by length; a text of n characters
    takes at most 2n units, so most need no count at all.
    """
    if str not in set(map(type, values)):
        return None
    room = max(width - 1, 1)
    distinct = set(values)
    if len(distinct) * 4 < len(values):
        counts = {v: _lines(v, width) if type(v) is str and v else 1 for v in distinct}
        if all(n == 1 for n in counts.values()):
            return None
        return list(map(counts.__getitem__, values))
    texts = [v if type(v) is str else "" for v in values]
    joined = "".join(texts)
    sizes = list(map(len, texts))
    breaks = "\n" in joined
    if not breaks and joined.isascii():
        if max(sizes) <= room:
            return None
        return [math.ceil(n / room) or 1 for n in sizes]
    if not breaks and 2 * max(sizes) <= room:
        return None
    if not breaks and max(joined) <= "\uffff":  # a text's width: its length and its wide characters
        wide = map(len, map(_wide_in_bmp().findall, texts))
        return [math.ceil((size + more) / room) or 1 for size, more in zip(sizes, wide, strict=True)]
    return [1 if 2 * len(text) <= room and "\n" not in text else _lines(text, width) for text in texts]


def _row_heights(columns: Sequence[list[Cell]], widths: Sequence[float]) -> list[str]:
    """The end of each <row> tag, with a height that fits its wrapped text.

    Spreadsheet programs do not all grow rows to fit wrapped text when they open a file (LibreOffice
    does not), so a row that needs n lines says so.
    """
    counts = [c for c in map(_column_lines, columns, widths) if c is not None]  # map stops at the shorter
    if not counts:
        return ['">'] * (len(columns[0]) if columns else 0)
    return [
        f'" ht="{15 * n}" customHeight="1">' if n > 1 else '">'
        for n in map(max, *counts, [1] * len(counts[0]))
    ]


def _blocks(sheet: Sheet) -> Iterator[tuple[int, list[list[Cell]]]]:
    """The sheet's rows, BLOCK_ROWS at a time: (how many, the block as column lists); checks widths."""
    width = len(sheet.header)
    rows = sheet.rows
    if isinstance(rows, Columns) and len(rows.columns) == width and width:
        size = len(rows)
        if any(len(c) != size for c in rows.columns):
            raise ValueError(f"工作表“{sheet.name}”的各列行数不同")
        for start in range(0, size, BLOCK_ROWS):
            block = [list(c[start : start + BLOCK_ROWS]) for c in rows.columns]
            yield len(block[0]), block
        return
    found = iter(rows)
    number = 2
    while chunk := [tuple(row) for row in islice(found, BLOCK_ROWS)]:
        for row in chunk:
            if len(row) != width:
                raise ValueError(f"工作表“{sheet.name}”第 {number} 行有 {len(row)} 个值，表头有 {width} 列")
            number += 1
        yield len(chunk), [list(c) for c in zip(*chunk, strict=True)]


def _table_range(columns: int, rows: int, *, absolute: bool = False) -> str:
    """The header and data rows' range, A1:C3 (a single cell as A1, as Excel writes it)."""
    mark = "$" if absolute else ""
    first, last = f"{mark}A{mark}1", f"{mark}{column_letter(max(columns, 1) - 1)}{mark}{max(rows, 1)}"
    return first if first == last else f"{first}:{last}"


def _where(
    sheet: Sheet,
    block: Sequence[list[Cell]],
    first: int,
    letters: Sequence[str],
    styles: Sequence[ColumnStyles],
) -> str:
    """The first cell of a block (its first row numbered `first`) that no cell can hold, and why."""
    for offset, row in enumerate(zip(*block, strict=True)):
        for letter, value, style in zip(letters, row, styles, strict=True):
            try:
                _tail(value, style)
            except CellError as error:
                return f"工作表“{sheet.name}”第 {first + offset} 行 {letter} 列：{error}"
    return f"工作表“{sheet.name}”：无法写出"  # not reached: the block failed for some cell


def _counted(sheet: Sheet) -> tuple[Sheet, int]:
    """The sheet and its number of data rows, known before its XML begins (<dimension> needs it)."""
    rows = sheet.rows
    if isinstance(rows, Sized):
        return sheet, len(rows)
    rows = list(rows)
    return replace(sheet, rows=rows), len(rows)


def _column_styles(sheet: Sheet) -> list[ColumnStyles]:
    """Each column's cell formats: the base ones, or extended ones where the sheet asks for them."""
    ncols = len(sheet.header)
    if not sheet.formatted():
        return [plain_styles(STYLE_WRAP if sheet.wrap else STYLE_NORMAL)] * ncols
    texts, dates, editable = (
        set(sheet.text_columns),
        set(sheet.date_columns),
        set(sheet.editable_columns or ()),
    )
    styles = []
    for column in range(ncols):
        kind = FORMAT_TEXT if column in texts else FORMAT_DATE if column in dates else FORMAT_GENERAL
        unlocked = column in editable

        def cell(number_format: int, *, border: bool = sheet.borders, unlocked: bool = unlocked) -> int:
            return extended_style(number_format, wrap=sheet.wrap, border=border, unlocked=unlocked)

        # Blank rows below the table take the column's format (typed-in codes stay text), not its border.
        whole = cell(kind, border=False) if kind != FORMAT_GENERAL or unlocked else None
        empty = cell(kind) if sheet.borders or whole is not None else None
        styles.append(
            ColumnStyles(cell(kind), cell(kind), cell(FORMAT_DATE), cell(FORMAT_PERCENT), empty, whole)
        )
    return styles


def check_sheet(sheet: Sheet) -> None:
    """Raise ValueError for options that no worksheet can hold (a column out of range, a drop-down
    Excel would refuse, a page header longer than Excel allows)."""
    ncols = len(sheet.header)
    named = [
        ("文本格式列", sheet.text_columns),
        ("日期格式列", sheet.date_columns),
        ("可编辑列", sheet.editable_columns or ()),
        ("下拉列表列", [d.column for d in sheet.drop_downs]),
    ]
    for what, columns in named:
        if bad := [c for c in columns if not 0 <= c < ncols]:
            raise ValueError(f"工作表“{sheet.name}”的{what} {bad[0]} 超出表头的 {ncols} 列")
    if both := set(sheet.text_columns) & set(sheet.date_columns):
        raise ValueError(f"工作表“{sheet.name}”的第 {min(both)} 列不能既是文本格式又是日期格式")
    for drop in sheet.drop_downs:
        _list_formula(sheet.name, drop)
        if _utf16_length(drop.prompt) > 255:
            raise ValueError(f"工作表“{sheet.name}”下拉列表的提示超过 255 个字符（Excel 的上限）")
        if drop.rows is not None and not 0 <= drop.rows < MAX_ROWS:
            raise ValueError(f"工作表“{sheet.name}”下拉列表的行数 {drop.rows} 无效")
    if sheet.page is not None:
        _header_footer(sheet.name, sheet.page)
        if sheet.page.print_columns is not None and not 0 < sheet.page.print_columns <= ncols:
            raise ValueError(
                f"工作表“{sheet.name}”的打印列数 {sheet.page.print_columns} 无效（共 {ncols} 列）"
            )


def _attribute(text: str) -> str:
    """An XML attribute value (in double quotes)."""
    return _xml(_ILLEGAL.sub("", text)).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _list_formula(sheet_name: str, drop: DropDown) -> str:
    """A list validation's formula: the values in one quoted text, as Excel stores them."""
    if not drop.values:
        raise ValueError(f"工作表“{sheet_name}”的下拉列表没有可选的值")
    for value in drop.values:
        if not value or "," in value or '"' in value:
            raise ValueError(f"工作表“{sheet_name}”下拉列表的值“{value}”不能为空，也不能含有半角逗号或引号")
    joined = ",".join(drop.values)
    if _utf16_length(joined) > 255:
        raise ValueError(
            f"工作表“{sheet_name}”下拉列表的值连起来有 {_utf16_length(joined)} 个字符，超过 Excel 的上限 255"
        )
    return f'"{joined}"'


def _validations(sheet: Sheet, count: int) -> str:
    """<dataValidations>: each drop-down over the data rows (or its own `rows`); none over no row."""
    items = []
    for drop in sheet.drop_downs:
        last = count + 1 if drop.rows is None else drop.rows + 1
        if last < 2:
            continue
        letter = column_letter(drop.column)
        where = f"{letter}2" if last == 2 else f"{letter}2:{letter}{last}"
        if drop.strict:
            style, error = "", "请从下拉列表中选择。"
        else:
            style, error = ' errorStyle="warning"', "该值不在下拉列表中，确定要保留吗？"
        prompt = f' showInputMessage="1" prompt="{_attribute(drop.prompt)}"' if drop.prompt else ""
        items.append(
            f'<dataValidation type="list"{style} allowBlank="1" showErrorMessage="1" '
            f'error="{error}"{prompt} sqref="{where}">'
            f"<formula1>{_xml(_list_formula(sheet.name, drop))}</formula1></dataValidation>"
        )
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>' if items else ""


_HEADER_FOOTER_LIMIT = 255  # characters Excel keeps in a page header or footer, codes included


def _header_footer(sheet_name: str, page: PageSetup) -> str:
    """<headerFooter>: the page header's three texts (literal: & doubled), the title bold, and the footer."""
    sections = (("&L", page.header_left), ("&C&B", page.header_center), ("&R", page.header_right))
    header = "".join(code + _ILLEGAL.sub("", text).replace("&", "&&") for code, text in sections if text)
    footer = f"&C{_ILLEGAL.sub('', page.footer_center)}" if page.footer_center else ""
    for what, text in (("页眉", header), ("页脚", footer)):
        if _utf16_length(text) > _HEADER_FOOTER_LIMIT:
            raise ValueError(
                f"工作表“{sheet_name}”的{what}超过 {_HEADER_FOOTER_LIMIT} 个字符（Excel 的上限），请缩短"
            )
    parts = (f"<oddHeader>{_xml(header)}</oddHeader>" if header else "") + (
        f"<oddFooter>{_xml(footer)}</oddFooter>" if footer else ""
    )
    return f"<headerFooter>{parts}</headerFooter>" if parts else ""


def _cols(sheet: Sheet, styles: Sequence[ColumnStyles]) -> str:
    """<cols>: the widths given, and the formats that blank rows take."""
    widths = list(sheet.widths or ())
    if not any(s.column is not None for s in styles):
        if not widths:
            return ""
        return (
            "<cols>"
            + "".join(
                f'<col min="{i + 1}" max="{i + 1}" width="{w:g}" customWidth="1"/>'
                for i, w in enumerate(widths)
            )
            + "</cols>"
        )
    cols = []
    for i in range(max(len(widths), len(styles))):
        # A <col> needs a width: Excel's default, where none was given.
        size = f'width="{widths[i]:g}" customWidth="1"' if i < len(widths) else 'width="9"'
        whole = styles[i].column if i < len(styles) else None
        style = "" if whole is None else f' style="{whole}"'
        cols.append(f'<col min="{i + 1}" max="{i + 1}" {size}{style}/>')
    return f"<cols>{''.join(cols)}</cols>"


def _header_height(sheet: Sheet) -> int:
    """The header row's height: 22 pt, or as tall as its wrapped names where the sheet is printed
    (PageSetup), so that narrow printed columns show their whole name."""
    if sheet.page is None or not sheet.widths:
        return 22
    lines = max(map(_lines, sheet.header, sheet.widths), default=1)
    return 22 if lines == 1 else 15 * lines + 4


# Printing (sheets with a PageSetup): A4 with narrow side margins. How wide a column prints depends
# on the font the program measures its width unit with: Excel with 等线 (these workbooks' font)
# takes about 6 pt a unit; LibreOffice without Chinese Office fonts measures DejaVu Sans, about 7 pt
# (measured from its PDF export: a 154.5-unit table printed at 70% on A4 landscape). printed_font_size
# takes the wider one, so what prints at 9 pt there prints larger in Excel and WPS.
SIDE_MARGIN = 0.25  # inches, left and right
POINTS_PER_UNIT = 7.0
FONT_POINTS = 11
_A4_POINTS = (595.3, 841.9)  # portrait width, landscape width


def printed_font_size(sheet: Sheet) -> float:
    """The size, in points, at which the sheet's 11-pt text prints once fit-to-width has shrunk its
    printed columns onto A4 (the scale rounded down to a whole percent, as spreadsheet programs do)."""
    page = sheet.page or PageSetup(landscape=True)
    columns = page.print_columns or len(sheet.header)
    widths = list(sheet.widths or ())[:columns]
    widths += [8.43] * (columns - len(widths))  # Excel's default width where none is given
    margins = (SIDE_MARGIN if sheet.page is not None else 0.4) * 2 * 72
    room = _A4_POINTS[page.landscape] - margins
    scale = min(1.0, room / (sum(widths) * POINTS_PER_UNIT)) if page.fit_width else 1.0
    return math.floor(scale * 100) / 100 * FONT_POINTS


def _sheet_parts(sheet: Sheet, last_row: list[int]) -> Iterable[str]:
    """The worksheet XML in pieces; sets last_row[0] to the sheet's last row number."""
    check_sheet(sheet)
    sheet, count = _counted(sheet)
    ncols = len(sheet.header)
    letters = [column_letter(i) for i in range(ncols)]
    styles = _column_styles(sheet)
    table = _table_range(ncols, count + 1)
    page = sheet.page
    fit = page is None or page.fit_width
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        + ('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if fit else "")
        + f'<dimension ref="{table}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
    )
    yield _cols(sheet, styles)
    yield "<sheetData>"
    try:
        header = "".join(
            f'<c r="{letters[i]}1"{_text_tail(h, STYLE_HEADER)}' for i, h in enumerate(sheet.header)
        )
    except CellError as error:
        raise ValueError(f"工作表“{sheet.name}”的表头：{error}") from None
    yield f'<row r="1" ht="{_header_height(sheet)}" customHeight="1">{header}</row>'
    caches: list[dict[str, str]] = [{} for _ in range(ncols)]
    number = 1
    if count + 1 > MAX_ROWS:
        raise ValueError(f"工作表“{sheet.name}”超过 Excel 的行数上限 {MAX_ROWS}")
    for size, block in _blocks(sheet):
        ends = _row_heights(block, sheet.widths) if sheet.wrap and sheet.widths else None
        try:
            yield _block_xml(block, range(number + 1, number + 1 + size), letters, caches, styles, ends)
        except CellError:
            raise ValueError(_where(sheet, block, number + 1, letters, styles)) from None
        number += size
    if number != count + 1:  # a Sized whose length is not what it yields
        raise ValueError(f"工作表“{sheet.name}”给出 {number - 1} 行，而它的长度是 {count}")
    last_row[0] = number
    yield "</sheetData>"
    if sheet.editable_columns is not None:
        # No password: the protection keeps a slip of the hand off the filled-in columns, it is no
        # security. Filtering and resizing columns and rows stay allowed ("0" = not protected).
        yield (
            '<sheetProtection sheet="1" objects="1" scenarios="1" '
            'formatColumns="0" formatRows="0" autoFilter="0"/>'
        )
    yield f'<autoFilter ref="{table}"/>'
    yield _validations(sheet, count)
    if page is None:
        yield '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        # Printed landscape, all columns on one page width, as many pages long as needed; header row repeats.
        yield '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    else:
        # Room above and below the table for the page header and footer; the table centred across the page.
        yield '<printOptions horizontalCentered="1"/>'
        yield (
            f'<pageMargins left="{SIDE_MARGIN}" right="{SIDE_MARGIN}" top="0.85" bottom="0.6" '
            'header="0.3" footer="0.3"/>'
        )
        orientation = "landscape" if page.landscape else "portrait"
        fitting = ' fitToWidth="1" fitToHeight="0"' if page.fit_width else ""
        yield f'<pageSetup paperSize="9" orientation="{orientation}"{fitting}/>'
        yield _header_footer(sheet.name, page)
    yield "</worksheet>"


_FONTS = (
    '<fonts count="2">'
    '<font><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/>'
    '<name val="等线"/><family val="2"/><charset val="134"/></font>'
    "</fonts>"
)
_FILLS = (
    '<fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid">'
    '<fgColor rgb="FF1F4E79"/><bgColor indexed="64"/></patternFill></fill>'
)
_BORDERS = (
    "<border><left/><right/><top/><bottom/><diagonal/></border>"
    '<border><left style="thin"><color rgb="FFBFBFBF"/></left>'
    '<right style="thin"><color rgb="FFBFBFBF"/></right>'
    '<top style="thin"><color rgb="FFBFBFBF"/></top>'
    '<bottom style="thin"><color rgb="FFBFBFBF"/></bottom><diagonal/></border>'
)
_CELL_XFS = (
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" '
    'applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
)
_BASE_XFS = 5

# The extended cell formats: every combination of a number format, wrapping, a thin black border
# and unlocked (with a light fill, for the cells a clerk fills in), appended after the five above
# only in a workbook where some sheet asks for them (Sheet.formatted), so that every other
# workbook keeps its bytes and content digest. All of them centre vertically: a bordered row with
# one wrapped cell reads level.
FORMAT_GENERAL, FORMAT_DATE, FORMAT_PERCENT, FORMAT_TEXT = range(4)
_FORMAT_IDS = (0, 164, 10, 49)  # 49 is Excel's built-in "@" (text)
_FILL_UNLOCKED = (
    '<fill><patternFill patternType="solid">'
    '<fgColor rgb="FFFFF2CC"/><bgColor indexed="64"/></patternFill></fill>'
)
_BORDER_THIN = (
    '<border><left style="thin"><color rgb="FF000000"/></left>'
    '<right style="thin"><color rgb="FF000000"/></right>'
    '<top style="thin"><color rgb="FF000000"/></top>'
    '<bottom style="thin"><color rgb="FF000000"/></bottom><diagonal/></border>'
)


def extended_style(number_format: int, *, wrap: bool, border: bool, unlocked: bool) -> int:
    """The index of an extended cell format (see _FORMAT_IDS for `number_format`)."""
    return _BASE_XFS + ((number_format * 2 + wrap) * 2 + border) * 2 + unlocked


def _extended_xfs() -> str:
    xfs = []
    for number_format in range(len(_FORMAT_IDS)):
        for wrap in (False, True):
            for border in (False, True):
                for unlocked in (False, True):
                    wrapping = ' wrapText="1"' if wrap else ""
                    xfs.append(
                        f'<xf numFmtId="{_FORMAT_IDS[number_format]}" fontId="0" '
                        f'fillId="{3 if unlocked else 0}" borderId="{2 if border else 0}" xfId="0" '
                        f'applyNumberFormat="1" applyFill="1" applyBorder="1" applyAlignment="1" '
                        f'applyProtection="1"><alignment vertical="center"{wrapping}/>'
                        f'<protection locked="{0 if unlocked else 1}"/></xf>'
                    )
    return "".join(xfs)


def _styles(extended: bool) -> str:
    """styles.xml: the five base cell formats, and the extended ones if asked for."""
    fills, borders, xfs = _FILLS, _BORDERS, _CELL_XFS
    if extended:
        fills, borders, xfs = fills + _FILL_UNLOCKED, borders + _BORDER_THIN, xfs + _extended_xfs()
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
        f"{_FONTS}"
        f'<fills count="{fills.count("<fill>")}">{fills}</fills>'
        f'<borders count="{borders.count("<border>")}">{borders}</borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{xfs.count("<xf ")}">{xfs}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{sheets}"
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    )


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)


def _core(title: str) -> str:
    # Dublin Core, not spreadsheet text: no _xHHHH_ escapes; characters XML cannot hold are left out.
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{_xml(_ILLEGAL.sub('', title))}</dc:title><dc:creator>shuangsuiji</dc:creator>"
        "</cp:coreProperties>"
    )


def _workbook(
    names: Sequence[str],
    row_counts: Sequence[int],
    widths: Sequence[int],
    hidden: Sequence[bool] | None = None,
    print_columns: Sequence[int | None] | None = None,
) -> str:
    hidden = hidden or [False] * len(names)
    print_columns = print_columns or [None] * len(names)
    states = [' state="hidden"' if h else "" for h in hidden]
    sheets = "".join(
        f'<sheet name="{_xml(n).replace(chr(34), "&quot;")}" sheetId="{i}"{state} r:id="rId{i}"/>'
        for i, (n, state) in enumerate(zip(names, states, strict=True), start=1)
    )
    active = next((i for i, h in enumerate(hidden) if not h), 0)  # a hidden tab cannot be the one shown
    view = f'activeTab="{active}" firstSheet="{active}"' if active else 'activeTab="0"'
    quoted = [f"'{_xml(n).replace(chr(39), chr(39) * 2)}'" for n in names]
    # A print area, where asked for, leaves the columns after the first n unprinted.
    areas = [
        ""
        if p is None
        else f'<definedName name="_xlnm.Print_Area" localSheetId="{i}">'
        f"{q}!{_table_range(p, r, absolute=True)}</definedName>"
        for i, (q, r, p) in enumerate(zip(quoted, row_counts, print_columns, strict=True))
    ]
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{q}!{_table_range(w, r, absolute=True)}</definedName>"
        f"{area}"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        f"{q}!$1:$1</definedName>"
        for i, (q, r, w, area) in enumerate(zip(quoted, row_counts, widths, areas, strict=True))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<bookViews><workbookView {view}/></bookViews>"
        f"<sheets>{sheets}</sheets><definedNames>{filters}</definedNames></workbook>"
    )


def _workbook_rels(count: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{rels}<Relationship Id="rId{count + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/>'
        "</Relationships>"
    )


# Deflate level 2 instead of zlib's default 6: on a million-row draw's workbooks, half the compression
# time (0.55 s of CPU, 0.4 s of the draw's wall time) for files 15% larger (measured).
COMPRESS_LEVEL = 2


def check_sheet_name(name: str, taken: Iterable[str] = ()) -> None:
    """Raise ValueError, in words a clerk understands, for a sheet name Excel would refuse (or
    repair when opening the file), or one already `taken` (ignoring case, as Excel does)."""
    if not name:
        raise ValueError("工作表名称不能为空")
    if bad := _NOT_IN_SHEET_NAMES.search(name):
        shown = bad.group() if bad.group().isprintable() else f"控制字符 U+{ord(bad.group()):04X}"
        raise ValueError(
            f"工作表名称“{name}”不能含有“{shown}”：Excel 不允许名称中有 [ ] : * ? / \\ 和控制字符"
        )
    if _utf16_length(name) > MAX_SHEET_NAME:
        raise ValueError(f"工作表名称“{name}”超过 {MAX_SHEET_NAME} 个字符（Excel 的上限）")
    if name.lower() == _RESERVED_SHEET_NAME:
        raise ValueError(f"工作表名称不能是“{name}”：History 是 Excel 保留的名称")
    if name.startswith("'") or name.endswith("'"):
        raise ValueError(f"工作表名称“{name}”不能以单引号开头或结尾（Excel 不允许）")
    if _EXCEL_ESCAPE.search(name):
        raise ValueError(f"工作表名称“{name}”不能含有 _xHHHH_ 形式的文字（Excel 会把它读成另一个字符）")
    if name.lower() in {other.lower() for other in taken}:
        raise ValueError(f"工作表名称“{name}”重复（Excel 不区分大小写）")


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]  # what open(info, "w") uses (3.13: compress_level)
    info.external_attr = 0o600 << 16
    return info


def _write_stream(out: IO[bytes], parts: Iterable[str]) -> str:
    """Write the parts in ~1 MB chunks, so a 50,000-row sheet never sits in memory whole; return
    the SHA-256 (hex) of the bytes written.

    Compression, CRC and SHA-256 run in a helper thread (zlib and hashlib release the GIL),
    overlapping the XML generation on the other core.
    """
    chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
    failure: list[BaseException] = []
    sha = hashlib.sha256()

    def drain() -> None:
        while (chunk := chunks.get()) is not None:
            if not failure:
                try:
                    sha.update(chunk)
                    out.write(chunk)
                except BaseException as exc:  # re-raised in the caller's thread below
                    failure.append(exc)

    writer = threading.Thread(target=drain, name="xlsx-deflate", daemon=True)
    writer.start()
    try:
        buffer: list[str] = []
        size = 0
        for part in parts:
            buffer.append(part)
            size += len(part)
            if size > 1 << 20:
                chunks.put("".join(buffer).encode("utf-8"))
                buffer.clear()
                size = 0
                if failure:
                    break
        chunks.put("".join(buffer).encode("utf-8"))
    finally:
        chunks.put(None)
        writer.join()
    if failure:
        raise failure[0]
    return sha.hexdigest()


def _digest_of_members(member_sha256: Iterable[tuple[str, str]]) -> str:
    """The content digest (see the module's docstring) from (member name, SHA-256 hex) pairs."""
    return hashlib.sha256(canonical_json(sorted([name, sha] for name, sha in member_sha256))).hexdigest()


# content_digest inflates at most this much in all, the limit for the rosters we read: a zip bomb
# among the files to verify is refused, not hashed for an hour.
MAX_INFLATED = MAX_TOTAL
_READ_BLOCK = 1 << 20


def content_digest(path: Path) -> str:
    """The content digest of an existing .xlsx (or any zip) file, each member streamed through
    decompression: for files written elsewhere, whatever compressed them.

    Raises ValueError for a file that is not a readable zip, one whose members are damaged
    (CRC or deflate errors), one with two members of the same name (readers disagree on which
    counts), or one inflating to more than MAX_INFLATED bytes.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = [info.filename for info in members]
            if len(set(names)) != len(names):
                raise ValueError(f"“{path.name}”中有同名的成员，无法确定其内容")
            hashes = []
            inflated = 0
            for info in members:
                sha = hashlib.sha256()
                with archive.open(info) as member:
                    while block := member.read(_READ_BLOCK):
                        inflated += len(block)
                        if inflated > MAX_INFLATED:
                            raise ValueError(
                                f"“{path.name}”解压后超过 {MAX_INFLATED >> 30} GB，可能是压缩炸弹"
                            )
                        sha.update(block)
                hashes.append((info.filename, sha.hexdigest()))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method.
        raise ValueError(f"“{path.name}”不是完好的 xlsx 工作簿（zip 文件）：{exc}") from exc
    return _digest_of_members(hashes)


class Workbook:
    """A new .xlsx at `path`, written a sheet at a time in any order: the zip holds each sheet's
    member in the order added (a helper writes whichever sheet is ready first), the workbook lists
    the sheets by index, their tab order. Same content added in the same order → same bytes.
    Each member is hashed as it is written; content_digest() gives the workbook's after close()."""

    def __init__(self, path: Path, count: int, *, title: str = "") -> None:
        self._count = count
        # index → name, last row, width, hidden, printed columns
        self._added: dict[int, tuple[str, int, int, bool, int | None]] = {}
        self._formatted = False  # whether some sheet needs the extended cell formats
        self._member_sha256: dict[str, str] = {}  # member name → SHA-256 of its uncompressed bytes
        self._content_digest: str | None = None
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
        self._put("[Content_Types].xml", _content_types(count))
        self._put("_rels/.rels", _ROOT_RELS)
        self._put("docProps/core.xml", _core(title))

    def _put(self, name: str, text: str) -> None:
        data = text.encode("utf-8")
        self._member_sha256[name] = hashlib.sha256(data).hexdigest()
        self._zip.writestr(_member(name), data)

    def add(self, index: int, sheet: Sheet) -> None:
        """Write the sheet whose tab is number `index` (from 0)."""
        if not 0 <= index < self._count or index in self._added:
            raise ValueError(f"工作表序号 {index} 无效或重复")
        check_sheet_name(sheet.name, (added[0] for added in self._added.values()))
        last_row = [1]
        member = f"xl/worksheets/sheet{index + 1}.xml"
        with self._zip.open(_member(member), "w", force_zip64=True) as out:
            self._member_sha256[member] = _write_stream(out, _sheet_parts(sheet, last_row))
        printed = sheet.page.print_columns if sheet.page is not None else None
        self._added[index] = (sheet.name, last_row[0], len(sheet.header), sheet.hidden, printed)
        self._formatted = self._formatted or sheet.formatted()

    def close(self) -> None:
        """Write the workbook's parts that list the sheets; every sheet must have been added."""
        if sorted(self._added) != list(range(self._count)):
            raise ValueError(f"工作簿缺少工作表：共 {self._count} 个，只写了 {len(self._added)} 个")
        tabs = [self._added[i] for i in range(self._count)]
        names, rows, widths, hidden, printed = zip(*tabs, strict=True)
        self._put("xl/workbook.xml", _workbook(names, rows, widths, hidden, printed))
        self._put("xl/_rels/workbook.xml.rels", _workbook_rels(self._count))
        self._put("xl/styles.xml", _styles(self._formatted))
        self._zip.close()
        self._content_digest = _digest_of_members(self._member_sha256.items())

    def content_digest(self) -> str:
        """The workbook's content digest (see the module's docstring); only once close() succeeded."""
        if self._content_digest is None:
            raise RuntimeError("工作簿尚未写完，还没有内容摘要")
        return self._content_digest

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if kind is None:
            self.close()
        else:
            self._zip.close()  # an unfinished file: whoever failed throws it away


def write_workbook(
    path: Path, sheets: Sequence[Sheet], *, title: str = "", order: Sequence[int] | None = None
) -> str:
    """Write `sheets` (in tab order) to a new .xlsx at `path`, their zip members in `order`
    (default: tab order); return its content digest."""
    for number, sheet in enumerate(sheets):  # all of them, before the file is begun
        check_sheet_name(sheet.name, (s.name for s in sheets[:number]))
        check_sheet(sheet)
    with Workbook(path, len(sheets), title=title) as book:
        for index in range(len(sheets)) if order is None else order:
            book.add(index, sheets[index])
    return book.content_digest()
