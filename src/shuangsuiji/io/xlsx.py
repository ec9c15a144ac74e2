"""A small, fast, deterministic .xlsx writer.

Why our own: measured in bench/, writing two 50,000-row workbooks with xlsxwriter or openpyxl takes
longer than reading the million-row roster, and both stamp the current time into the file. This
writer streams rows straight into the zip, writes every text as an inline string (so no cell can
ever become a formula, whatever it starts with), and gives identical bytes for identical content,
which lets an auditor compare output files by SHA-256.
"""

from __future__ import annotations

import queue
import re
import threading
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import IO

Cell = str | int | float | Fraction | date | datetime | None

MAX_ROWS = 1_048_576
MAX_TEXT = 32_767
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_EXCEL_EPOCH = date(1899, 12, 30)

# Characters XML 1.0 forbids, and text that Excel would read as its own _xHHHH_ escape.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")

STYLE_NORMAL, STYLE_HEADER, STYLE_DATE, STYLE_WRAP, STYLE_PERCENT = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a header row (styled, frozen, filterable) and data rows."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    widths: Sequence[float] | None = None
    wrap: bool = False


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


def _escape(text: str) -> str:
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    elif "_x" in text:
        text = _EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    # A raw CR would be read back as LF (XML end-of-line handling); a character reference survives.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


# Text that needs more than wrapping in tags: XML specials, illegal characters, _x escapes, outer spaces.
_NEEDS_CARE = re.compile("[&<>\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x|^\\s|\\s$")
# Every cell carries its "r" reference (Excel does not need it, but ClosedXML, EPPlus and older
# readers do), so a cell is `<c r="B7"` plus a tail that depends on the value alone; the tails of
# repeated values (districts, classes, plan fields) are built once per sheet column.
_CACHE_LIMIT = 4096


def _text_tail(text: str, style: int) -> str:
    style_attr = f' s="{style}"' if style else ""
    if len(text) > MAX_TEXT:
        raise ValueError(f"文字超过 Excel 单元格上限 {MAX_TEXT} 个字符：{text[:20]}…")
    if _NEEDS_CARE.search(text) is None:
        return f'{style_attr} t="inlineStr"><is><t>{text}</t></is></c>'
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() or "\n" in text else ""
    return f'{style_attr} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def _tail(value: Cell, text_style: int) -> str:
    """Everything of a cell's XML after `<c r="…"`; empty for an empty cell (no element at all)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return _text_tail(value, text_style)
    if isinstance(value, bool):  # bool is an int; never write True as 1
        return _text_tail("是" if value else "否", text_style)
    if isinstance(value, datetime):
        value = value.date()  # rosters carry dates; a time of day is never meaningful here
    if isinstance(value, date):
        return f' s="{STYLE_DATE}"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, Fraction):
        return f' s="{STYLE_PERCENT}"><v>{float(value)!r}</v></c>'
    return f"><v>{value!r}</v></c>"


def _sheet_parts(sheet: Sheet, last_row: list[int]) -> Iterable[str]:
    """The worksheet XML in pieces; sets last_row[0] to the sheet's last row number."""
    ncols = len(sheet.header)
    letters = [column_letter(i) for i in range(ncols)]
    last = letters[-1] if letters else "A"
    text_style = STYLE_WRAP if sheet.wrap else STYLE_NORMAL
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
    )
    if sheet.widths:
        cols = "".join(
            f'<col min="{i + 1}" max="{i + 1}" width="{w:g}" customWidth="1"/>'
            for i, w in enumerate(sheet.widths)
        )
        yield f"<cols>{cols}</cols>"
    yield "<sheetData>"
    header = "".join(f'<c r="{letters[i]}1"{_text_tail(h, STYLE_HEADER)}' for i, h in enumerate(sheet.header))
    yield f'<row r="1" ht="22" customHeight="1">{header}</row>'
    caches: list[dict[str, str]] = [{} for _ in range(ncols)]
    number = 1
    for number, values in enumerate(sheet.rows, start=2):
        if number > MAX_ROWS:
            raise ValueError(f"工作表“{sheet.name}”超过 Excel 的行数上限 {MAX_ROWS}")
        if len(values) != ncols:  # checked here so that zip(strict=True) below never fires
            raise ValueError(f"工作表“{sheet.name}”第 {number} 行有 {len(values)} 个值，表头有 {ncols} 列")
        cells = []
        row = str(number)
        for letter, cache, value in zip(letters, caches, values, strict=True):
            if type(value) is not str:  # numbers, dates: no cache (1, 1.0 and True are equal keys)
                tail = _tail(value, text_style)
            elif value in cache:
                tail = cache[value]
            else:
                tail = _tail(value, text_style)
                if len(cache) < _CACHE_LIMIT:
                    cache[value] = tail
            if tail:
                cells.append(f'<c r="{letter}{row}"{tail}')
        yield f'<row r="{row}">{"".join(cells)}</row>'
    last_row[0] = number
    yield "</sheetData>"
    yield f'<autoFilter ref="A1:{last}{max(number, 1)}"/>'
    yield '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
    # Printed landscape, all columns on one page width, as many pages long as needed; header row repeats.
    yield '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    yield "</worksheet>"


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2">'
    '<font><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="等线"/><family val="2"/><charset val="134"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E79"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color rgb="FFBFBFBF"/></left><right style="thin"><color rgb="FFBFBFBF"/></right>'
    '<top style="thin"><color rgb="FFBFBFBF"/></top><bottom style="thin"><color rgb="FFBFBFBF"/></bottom><diagonal/></border>'
    "</borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
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
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)


def _core(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{_escape(title)}</dc:title><dc:creator>shuangsuiji</dc:creator>"
        "</cp:coreProperties>"
    )


def _workbook(names: Sequence[str], row_counts: Sequence[int], widths: Sequence[int]) -> str:
    sheets = "".join(
        f'<sheet name="{_escape(n).replace(chr(34), "&quot;")}" sheetId="{i}" r:id="rId{i}"/>'
        for i, n in enumerate(names, start=1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"'{_escape(n).replace(chr(39), chr(39) * 2)}'!$A$1:${column_letter(max(w, 1) - 1)}${max(r, 1)}</definedName>"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        f"'{_escape(n).replace(chr(39), chr(39) * 2)}'!$1:$1</definedName>"
        for i, (n, r, w) in enumerate(zip(names, row_counts, widths, strict=True))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheets}</sheets><definedNames>{filters}</definedNames></workbook>"
    )


def _workbook_rels(count: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{rels}<Relationship Id="rId{count + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    )


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _write_stream(out: IO[bytes], parts: Iterable[str]) -> None:
    """Write the parts in ~1 MB chunks, so a 50,000-row sheet never sits in memory whole.

    Compression and CRC run in a helper thread (zlib releases the GIL), overlapping the XML
    generation on the other core.
    """
    chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
    failure: list[BaseException] = []

    def drain() -> None:
        while (chunk := chunks.get()) is not None:
            if not failure:
                try:
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


def write_workbook(path: Path, sheets: Sequence[Sheet], *, title: str = "") -> None:
    """Write `sheets` to a new .xlsx at `path` (same content → same bytes)."""
    names = [s.name for s in sheets]
    if len(set(names)) != len(names) or any(len(n) > 31 or not n for n in names):
        raise ValueError(f"工作表名称无效：{names}")
    row_counts: list[int] = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        book.writestr(_member("[Content_Types].xml"), _content_types(len(sheets)))
        book.writestr(_member("_rels/.rels"), _ROOT_RELS)
        book.writestr(_member("docProps/core.xml"), _core(title))
        for i, sheet in enumerate(sheets, start=1):
            last_row = [1]
            with book.open(_member(f"xl/worksheets/sheet{i}.xml"), "w", force_zip64=True) as out:
                _write_stream(out, _sheet_parts(sheet, last_row))
            row_counts.append(last_row[0])
        book.writestr(
            _member("xl/workbook.xml"), _workbook(names, row_counts, [len(s.header) for s in sheets])
        )
        book.writestr(_member("xl/_rels/workbook.xml.rels"), _workbook_rels(len(sheets)))
        book.writestr(_member("xl/styles.xml"), _STYLES)
