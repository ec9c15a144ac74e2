"""Excel workbooks (.xlsx/.xlsm) as a source: checked before fastexcel opens them (io/guard.py), the
sheet chosen, the first row's number read from the sheet XML.

Traps handled here (measured with fastexcel 0.21 / pyarrow 26):
- fastexcel/calamine inflates a whole sheet into memory and holds it as a dense grid up to the last
  cell with a value, so a 1 MB zip bomb costs 1.1 GB and a 3 KB sheet with one cell at XFD1048576
  aborts the process; guard.check_workbook looks at the zip first (see io/guard.py).
- fastexcel's range starts at the first cell holding a value, not at row 1; the real Excel row
  number of that cell is read from the sheet XML, so problems name the row the user sees.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import fastexcel
import pyarrow as pa
from defusedxml import ElementTree as SafeET  # type: ignore[import-untyped]

from ...core.errors import InputError
from ...core.fields import Table
from ...core.ids import clean_text
from ..guard import Refused, check_workbook
from .header import HEADER_SEARCH_ROWS, header_row
from .problems import Invalid, fail
from .sources import Grid, sheet_hint


def read_xlsx(path: Path, sheet: str | None, table: Table, mapping: Mapping[str, str]) -> Grid:
    with path.open("rb") as stream:
        magic = stream.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail(
            path,
            Invalid("encrypted-or-xls", "文件设置了打开密码，或实际是旧版 .xls 文件（只是扩展名为 .xlsx）"),
            "请在 Excel 或 WPS 中打开，取消密码，另存为 Excel 工作簿(.xlsx)后再使用",
        )
    not_a_workbook = fail(
        path,
        Invalid("not-a-workbook", "文件不是有效的 Excel 工作簿，可能已损坏，或只是把扩展名改成了 .xlsx"),
        "请在 Excel 或 WPS 中打开并另存为 Excel 工作簿(.xlsx)；如果打不开，请重新导出",
    )
    if magic[:4] != b"PK\x03\x04":
        raise not_a_workbook
    try:
        check_workbook(path)
    except Refused as refused:
        raise fail(path, Invalid(refused.code, refused.message), refused.hint) from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        RuntimeError,
        NotImplementedError,
        ValueError,
        OSError,
    ) as exc:
        raise not_a_workbook from exc  # the file itself was just opened: an error here is the zip's
    try:
        reader = fastexcel.read_excel(str(path))
        names: list[str] = list(reader.sheet_names)
        hidden = frozenset(name for name, state in _sheet_states(path).items() if state != "visible")
        name, notes = _choose_sheet(
            path, names, hidden, sheet, lambda n: _has_header(reader, n, table, mapping), table
        )
        batch: pa.RecordBatch = reader.load_sheet(name, header_row=None, dtypes="string", eager=True)
    except InputError:
        raise
    except (fastexcel.FastExcelError, OSError, ValueError) as exc:
        raise not_a_workbook from exc
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException (a BaseException)
        if type(exc).__name__ == "PanicException":
            raise not_a_workbook from exc
        raise
    columns = [batch.column(i) for i in range(batch.num_columns)]
    first_row = _first_row_number(path, name) if columns and len(columns[0]) else 1
    return Grid(name, columns, first_row, tuple(names), hidden, notes)


def _choose_sheet(
    path: Path,
    names: list[str],
    hidden: frozenset[str],
    wanted: str | None,
    has_header: Callable[[str], bool],
    table: Table,
) -> tuple[str, list[Invalid]]:
    """The sheet to read, and notes for the user.

    A named sheet is read even when hidden (said in a note). Otherwise only visible sheets are
    candidates, never a hidden one (an old roster a clerk keeps out of sight): the only visible
    sheet, or among several the one whose first rows hold the header; several such is ambiguous.
    """
    if not names:
        raise fail(path, Invalid("no-sheets", "工作簿中没有工作表"), "请检查文件是否导出完整")
    listed = "、".join(f"“{n}”（隐藏）" if n in hidden else f"“{n}”" for n in names)
    if wanted is not None:
        cleaned = {clean_text(n): n for n in names}
        name = wanted if wanted in names else cleaned.get(clean_text(wanted))
        if name is None:
            raise fail(
                path,
                Invalid("sheet-not-found", f"找不到工作表“{wanted}”", {"sheet": wanted, "sheets": names}),
                f"该文件中的工作表有：{listed}；{sheet_hint(table)}",
            )
        return name, [
            Invalid("hidden-sheet-read", f"按指定读取了隐藏的工作表“{name}”", {"sheet": name})
        ] if name in hidden else []
    visible = [n for n in names if n not in hidden]
    if not visible:
        raise fail(
            path,
            Invalid(
                "all-sheets-hidden",
                f"工作簿中的工作表都是隐藏的（{listed}），不会自动读取隐藏的工作表",
                {"sheets": names},
            ),
            f"请在 Excel 或 WPS 中取消隐藏要用的工作表，或{sheet_hint(table).removeprefix('请')}",
        )
    if len(visible) == 1:
        name = visible[0]
    else:
        matching = [n for n in visible if has_header(n)]
        if len(matching) > 1:
            found = "、".join(f"“{n}”" for n in matching)
            raise fail(
                path,
                Invalid(
                    "several-roster-sheets",
                    f"有 {len(matching)} 个工作表都有{table.label}的表头（{found}），不能确定用哪一个",
                    {"sheets": matching},
                ),
                sheet_hint(table),
            )
        name = matching[0] if matching else visible[0]
    notes = []
    if skipped := [n for n in names[: names.index(name)] if n in hidden]:
        notes.append(
            Invalid(
                "hidden-sheet-skipped",
                f"读取的是工作表“{name}”；隐藏的工作表{'、'.join(f'“{n}”' for n in skipped)}没有读取",
                {"sheet": name, "hidden": skipped},
            )
        )
    elif len(visible) > 1 and name != visible[0]:
        notes.append(
            Invalid(
                "other-sheet-read",
                f"读取的是工作表“{name}”（其他工作表没有{table.label}的表头）",
                {"sheet": name},
            )
        )
    return name, notes


def _has_header(reader: Any, name: str, table: Table, mapping: Mapping[str, str]) -> bool:
    """Whether the sheet's first HEADER_SEARCH_ROWS rows hold a header row of `table`.

    (calamine parses a whole sheet even for a few rows, so this costs a full read of the sheet;
    it runs only for workbooks with several visible sheets.)
    """
    try:
        batch = reader.load_sheet(
            name, header_row=None, n_rows=HEADER_SEARCH_ROWS, dtypes="string", eager=True
        )
    except (fastexcel.FastExcelError, ValueError):  # e.g. a chart sheet: it holds no roster
        return False
    head = [
        [clean_text(v) if v else "" for v in batch.column(i).to_pylist()] for i in range(batch.num_columns)
    ]
    return any(header_row(cells, table, mapping)[0] for cells in zip(*head, strict=True))


def _sheet_states(path: Path) -> dict[str, str]:
    """Sheet name → "visible", "hidden" or "veryHidden", from the workbook part; {} when unreadable
    (fastexcel read the file, so it is a workbook: every sheet then counts as visible)."""
    try:
        with zipfile.ZipFile(path) as book:
            workbook = _workbook_part(book)
            if workbook is None:
                return {}
            return {
                element.get("name", ""): element.get("state", "visible")
                for element in SafeET.fromstring(book.read(workbook)).iter()
                if _local(element.tag) == "sheet"
            }
    except Exception:  # only the choice among several sheets is at stake, never the data
        return {}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _first_row_number(path: Path, sheet: str) -> int:
    """Excel row number of the first row fastexcel returns: calamine starts at the first cell with a value.

    Falls back to 1 when the workbook's structure cannot be followed (fastexcel could read it, so
    it is a workbook; only the numbering of messages is at stake).
    """
    try:
        with zipfile.ZipFile(path) as book:
            part = _sheet_part(book, sheet)
            if part is None:
                return 1
            with book.open(part) as stream:
                return _first_value_row(stream)
    except Exception:  # any oddity here only affects row numbers, never the data
        return 1


def _relationships(book: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, absolute target part) of one package part."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    found: dict[str, tuple[str, str]] = {}
    for element in SafeET.fromstring(book.read(rels)).iter():
        if _local(element.tag) == "Relationship":
            target = element.get("Target", "")
            target = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[element.get("Id", "")] = (element.get("Type", ""), target)
    return found


def _workbook_part(book: zipfile.ZipFile) -> str | None:
    return next(
        (t for kind, t in _relationships(book, "").values() if kind.endswith("/officeDocument")), None
    )


def _sheet_part(book: zipfile.ZipFile, sheet: str) -> str | None:
    workbook = _workbook_part(book)
    if workbook is None:
        return None
    targets = _relationships(book, workbook)
    for element in SafeET.fromstring(book.read(workbook)).iter():
        if _local(element.tag) == "sheet" and element.get("name") == sheet:
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
            return targets[rid][1] if rid in targets else None
    return None


_CELL_ROW = re.compile(r"[A-Za-z]+(\d+)")


def _first_value_row(stream: Any) -> int:
    row = 0
    for event, element in SafeET.iterparse(stream, events=("start", "end")):
        tag = _local(element.tag)
        if event == "start" and tag == "row":
            number = element.get("r", "")
            row = int(number) if number.isdigit() else row + 1
        elif event == "end" and tag == "c":
            has_value = any(
                _local(child.tag) == "is" or (_local(child.tag) == "v" and child.text) for child in element
            )
            if has_value:
                match = _CELL_ROW.fullmatch(element.get("r", ""))
                return int(match.group(1)) if match else max(row, 1)
        elif event == "end" and tag == "row":
            element.clear()
        elif event == "end" and tag == "sheetData":
            break
    return 1
