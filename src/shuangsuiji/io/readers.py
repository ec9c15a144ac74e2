"""Readers for the four input tables: Excel (.xlsx/.xlsm) or CSV → checked domain records.

Every row-level finding comes back as a `Problem` (file, sheet, Excel row number, header text as
written in the file), so `validate` can show all of them at once; only what makes reading
impossible (no file, not a workbook, no such sheet, required columns missing, no data) raises
`InputError`.

The enterprise roster may hold a million rows, so it is checked column by column: numpy over the
Arrow buffers finds the values that are already clean and the keys that are valid USCCs, and only
the rest go through Python (clean_text, key_problem).
Low-cardinality columns are dictionary-encoded so that equal strings share one Python object.
Nothing from Arrow or numpy leaves this module, but for the free-text columns (name, address, ...),
which stay in Arrow behind a plain Sequence of str (TextColumn): the roster is built from lists.

Traps handled here (measured with fastexcel 0.21 / pyarrow 26):
- fastexcel/calamine inflates a whole sheet into memory and holds it as a dense grid up to the last
  cell with a value, so a 1 MB zip bomb costs 1.1 GB and a 3 KB sheet with one cell at XFD1048576
  aborts the process; guard.check_workbook looks at the zip first (see io/guard.py).
- fastexcel's range starts at the first cell holding a value, not at row 1; the real Excel row
  number of that cell is read from the sheet XML, so problems name the row the user sees.
- Converting Arrow data to numpy with `to_numpy()`, and compute calls given a Python scalar,
  import pandas (about half a second); only raw buffers are handed to numpy here.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import posixpath
import re
import zipfile
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast, overload

import fastexcel
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from defusedxml import ElementTree as SafeET  # type: ignore[import-untyped]

from ..errors import InputError, Problem, Severity
from ..fields import ENTERPRISES, HISTORY, INSPECTORS, KEY, PERSON_ID, RECUSALS, REGISTRATION_NO, Field, Table
from ..ids import (
    USCC_ALPHABET,
    USCC_WEIGHTS,
    clean_text,
    compact,
    key_problem,
    normalize_key,
    normalize_person_id,
    tidy_text,
)
from ..model import EnterpriseRoster, HistoryEntry, InputFile, Inspector, Recusal
from ..privacy import personal_data
from ..progress import NullReporter, Reporter
from .guard import Refused, check_workbook

T = TypeVar("T")
if TYPE_CHECKING:
    Column: TypeAlias = pa.Array[Any]  # a column as read: text, null for an empty cell
else:
    Column = pa.Array

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".csv")
HEADER_SEARCH_ROWS = 10  # the header row may sit below title rows, within the first 10 rows
PROBLEMS_PER_COLUMN = 1000  # beyond this, one summary problem per column (a broken column of 1M rows)
CHUNK_ROWS = 100_000  # progress is reported every CHUNK_ROWS enterprises
SUMMARY_FROM = 10  # more rows than this with unknown words: one more line lists each word with its count

_EXCEL_EPOCH = date(1899, 12, 30)
_EARLIEST = date(1950, 1, 1)  # dates (and Excel serial numbers) outside these bounds are typos
_LATEST = date(2199, 12, 31)

# ----------------------------------------------------------------------------------------------
# Columns: which header names which field (the fields themselves are declared in fields.py).


def _lookup(table: Table, mapping: Mapping[str, str]) -> dict[str, tuple[str, int]]:
    """Header token → (canonical name, priority); the plan's mapping has priority -1, the canonical
    name 0, aliases after it in their order."""
    found: dict[str, tuple[str, int]] = {_header_token(header): (name, -1) for name, header in mapping.items()}
    for column in table.fields:
        for priority, text in enumerate((column.name, *column.aliases)):
            found.setdefault(_header_token(text), (column.name, priority))
    return found


_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "﹙": "(", "﹚": ")"})
_HEADER_NOTE = re.compile(r"\((必填|选填|可选|必须)\)$")


def _header_token(text: str) -> str:
    """What a header is compared by: NFKC, no white space at all, one kind of bracket, no * marks."""
    token = "".join(clean_text(text).split()).translate(_BRACKETS).strip("*")
    return _HEADER_NOTE.sub("", token).upper()


# ----------------------------------------------------------------------------------------------
# Values.

# Bytes of a UTF-8 value that clean_text certainly leaves alone: printable ASCII (space only inside
# the value), and the lead bytes E4–E9 with their continuation bytes, i.e. U+4000–U+9FFF (CJK
# ideographs, NFKC-stable). A value made only of these is already clean; any other value (full-width
# forms, CJK punctuation, invisible characters, outer spaces) is cleaned by clean_text itself.
CLEAN_BYTE = np.zeros(256, dtype=np.bool_)
CLEAN_BYTE[0x20:0x7F] = True
CLEAN_BYTE[0x80:0xC0] = True
CLEAN_BYTE[0xE4:0xEA] = True
# Values made only of these characters are cleaned the same way by Arrow (utf8proc NFKC, then
# trimming spaces) as by clean_text: every one was assigned long before Python's Unicode version
# (NFKC of an assigned character never changes), none is invisible, and NFKC turns none of them
# into white space other than the ASCII space. Full-width forms and 、。《》 are common in names.
NFKC_SAFE_RANGES = (
    (0x20, 0x7E), (0xA0, 0xAC), (0xAE, 0xFF), (0x2010, 0x2027), (0x3000, 0x303F), (0x4E00, 0x9FFF),
    (0xFF01, 0xFF5E), (0xFFE0, 0xFFE6),
)
_NFKC_SAFE = "^[" + "".join(f"\\x{{{lo:x}}}-\\x{{{hi:x}}}" for lo, hi in NFKC_SAFE_RANGES) + "]*$"
_KEY_NFKC_SAFE = r"^[\x{20}-\x{7e}\x{3000}\x{ff01}-\x{ff5e}]*$"  # becomes ASCII: upper() agrees too
# Eleven digits (ASCII or full-width), perhaps split by single spaces or hyphens: every mobile or ID
# number privacy.personal_data recognises holds such a run, so cells without one are not looked at.
_LONG_NUMBER = r"[0-9０-９](?:[ \-－\x{a0}\x{2000}-\x{200a}\x{3000}]?[0-9０-９]){10}"
# A character that is not white space or invisible: a cell without one is blank.
_NOT_BLANK = r"[^\s\x{b}\x{1c}-\x{1f}\x{85}\x{a0}\x{ad}\x{1680}\x{2000}-\x{200d}\x{2028}\x{2029}\x{202f}\x{205f}\x{2060}\x{3000}\x{feff}]"

# 国市监信发〔2022〕6号 names the four classes 信用风险低 (A), 一般 (B), 较高 (C), 高 (D); classification
# exports write them as A类, 低风险, 风险低, 信用风险低（A类）, A（低风险） and the like.
CREDIT_WORDS = {"低": "A", "一般": "B", "较高": "C", "高": "D"}
_CLASS_LETTER = re.compile(r"([ABCD])(?:类|级)?(?:企业)?")
_CLASS_AFFIXES = (("信用风险等级", "信用风险", "风险等级", "风险"), ("企业", "类", "级", "风险"))
_WITH_NOTE = re.compile(r"(.+?)\((.+)\)")
_FLAGS = {"是": True, "Y": True, "YES": True, "1": True, "TRUE": True,
          "否": False, "N": False, "NO": False, "0": False, "FALSE": False, "": False}
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"(\d{1,6})(?:\.\d+)?")
_SPECIALTY_SEPARATORS = re.compile(r"[、,，;；\s]+")

Parsed = tuple[T, str | None]  # (value, why the text is invalid or None)


def _credit_part(text: str) -> str | None:
    """One way of writing a class: a letter (A, A类, A级企业) or a word (低, 低风险, 信用风险低, 较高风险企业)."""
    if match := _CLASS_LETTER.fullmatch(text.upper()):
        return match.group(1)
    prefixes, suffixes = _CLASS_AFFIXES
    word = next((text.removeprefix(p) for p in prefixes if text.startswith(p)), text)
    while stripped := next((word.removesuffix(x) for x in suffixes if word.endswith(x) and word != x), None):
        word = stripped
    return CREDIT_WORDS.get(word)


def parse_credit_class(text: str) -> Parsed[str]:
    """The credit class A–D from its letter, its word, or both (信用风险低（A类）: both must agree)."""
    if not text:
        return "", "信用风险等级为空"
    compacted = compact(text).translate(_BRACKETS)
    parts = list(match.groups()) if (match := _WITH_NOTE.fullmatch(compacted)) else [compacted]
    classes = {_credit_part(part) for part in parts}
    if None in classes:
        return "", f"信用风险等级“{text}”无法识别"
    if len(classes) > 1:
        return "", f"信用风险等级“{text}”前后不一致（{'与'.join(sorted(map(str, classes)))}）"
    return classes.pop() or "", None


def parse_flag(text: str) -> Parsed[bool]:
    """是/否, Y/N, 1/0, true/false; empty = 否."""
    flag = _FLAGS.get(text.upper())
    if flag is None:
        return False, f"“{text}”不是“是”或“否”"
    return flag, None


def parse_date(text: str) -> Parsed[date | None]:
    """An Excel date (as fastexcel renders it), a serial number or a written date → date; "" → None."""
    if not text:
        return None, None
    try:
        if match := _YMD.fullmatch(text) or _CHINESE_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
            value = date(year, month, day)
        elif match := _SERIAL.fullmatch(text):
            value = _EXCEL_EPOCH + timedelta(days=int(match.group(1)))
        else:
            return None, f"无法识别的日期“{text}”"
    except ValueError:
        return None, f"“{text}”不是有效日期"
    if not _EARLIEST <= value <= _LATEST:
        return None, f"日期“{text}”超出合理范围（{_EARLIEST.year}–{_LATEST.year} 年）"
    return value, None


def parse_task_limit(text: str) -> Parsed[int | None]:
    """A non-negative whole number (8 or 8.0), or "" for none."""
    if not text:
        return None, None
    whole = text.removesuffix(".0")
    if whole.isascii() and whole.isdigit():
        return int(whole), None
    return None, f"任务上限“{text}”不是非负整数"


def split_specialties(text: str) -> frozenset[str]:
    """专业领域 split on 、 , ， ； ; and white space."""
    return frozenset(part for part in _SPECIALTY_SEPARATORS.split(text) if part)


_DATE_HINT = "请填写日期，例如 2026-01-05、2026/1/5、2026年1月5日，或使用 Excel 日期格式"
_FUTURE_HINT = "检查日期不可能晚于今天：请核对是否录错了年份，或这台电脑的日期是否设对；这样的企业会被当作近期检查过而不参加抽取"
FUTURE_GRACE = timedelta(days=31)
today: Callable[[], date] = date.today  # a seam for tests


def future_date(value: date | None) -> str | None:
    """A warning for an inspection date more than FUTURE_GRACE after today, else None.

    A warning, not an error: the readers do not know the plan, and the computer's clock may be
    wrong, so the draw is not blocked on the clock's word; the warning says what the date does
    (the enterprise counts as recently inspected and is excluded from the draw). The grace keeps
    clock skew and rosters prepared for an upcoming plan quiet (the sample data, made for a plan
    starting 2026-12-01, carries dates up to 2026-11-30), while a mistyped year (2062 for 2026),
    the usual cause, is still caught.
    """
    if value is not None and value > today() + FUTURE_GRACE:
        return f"检查日期“{value.isoformat()}”晚于今天（{today().isoformat()}）"
    return None


# ----------------------------------------------------------------------------------------------
# Problems.


@dataclass
class _Problems:
    """Collects row problems of one file, at most PROBLEMS_PER_COLUMN listed per column."""

    file: str
    sheet: str
    items: list[Problem] = field(default_factory=list)
    listed: Counter[str] = field(default_factory=Counter)
    hidden: Counter[str] = field(default_factory=Counter)
    hidden_errors: set[str] = field(default_factory=set)
    summaries: list[Problem] = field(default_factory=list)  # about a whole column, listed last

    def add(self, message: str, *, row: int | None, column: str = "", hint: str = "",
            severity: Severity = "error") -> None:
        if self.listed[column] >= PROBLEMS_PER_COLUMN:
            self.hidden[column] += 1
            if severity == "error":
                self.hidden_errors.add(column)
            return
        self.listed[column] += 1
        self.items.append(Problem(message, file=self.file, sheet=self.sheet, row=row, column=column,
                                  severity=severity, hint=hint))

    def summarise(self, message: str, *, column: str, hint: str, severity: Severity = "error") -> None:
        """A finding about a whole column (not counted against its per-column limit)."""
        self.summaries.append(Problem(message, file=self.file, sheet=self.sheet, column=column, severity=severity,
                                      hint=hint))

    def result(self) -> list[Problem]:
        """Problems in row order, then one summary per column whose problems were cut short."""
        found = sorted(self.items, key=lambda p: p.row or 0) + self.summaries
        found.extend(
            Problem(f"另有 {count} 行的“{column}”也有问题，未逐一列出（每列最多列出 {PROBLEMS_PER_COLUMN} 处）",
                    file=self.file, sheet=self.sheet, column=column,
                    severity="error" if column in self.hidden_errors else "warning",
                    hint="请先改正上面列出的问题，它们往往有同一个原因")
            for column, count in self.hidden.items()
        )
        return found


def _fail(path: Path, message: str, hint: str, *, sheet: str = "", row: int | None = None,
          column: str = "") -> InputError:
    return InputError([Problem(message, file=path.name, sheet=sheet, row=row, column=column, hint=hint)])


# ----------------------------------------------------------------------------------------------
# numpy ↔ Arrow without pandas (Array.to_numpy and pa.array(...) both import it).


def _buffer(array: Column, index: int) -> memoryview:
    """One of the array's buffers (0 validity, 1 values or offsets, 2 string data) as bytes."""
    found = array.buffers()[index]
    assert found is not None
    return memoryview(found)


def _bits(array: Column, index: int) -> npt.NDArray[np.bool_]:
    bits = np.unpackbits(np.frombuffer(_buffer(array, index), dtype=np.uint8), bitorder="little")
    return bits[array.offset : array.offset + len(array)].astype(np.bool_)


def _np_valid(array: Column) -> npt.NDArray[np.bool_]:
    """True where the array holds a value."""
    return _bits(array, 0) if array.null_count else np.ones(len(array), dtype=np.bool_)


def _np_true(mask: Column) -> npt.NDArray[np.bool_]:
    """A boolean Arrow array as numpy, null counted as False."""
    values = _bits(mask, 1)
    return values & _np_valid(mask) if mask.null_count else values


def _np_ints(array: Column) -> npt.NDArray[np.int64]:
    """An int32/int64 Arrow array as numpy int64 (null slots hold arbitrary values)."""
    dtype = np.dtype(np.int32) if array.type == pa.int32() else np.dtype(np.int64)
    values = np.frombuffer(_buffer(array, 1), dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize)
    return values.astype(np.int64)


def _np_offsets(strings: Column) -> npt.NDArray[np.int64]:
    """The len+1 offsets of a string array into its data buffer."""
    dtype = np.dtype(np.int32) if strings.type == pa.string() else np.dtype(np.int64)
    offsets = np.frombuffer(_buffer(strings, 1), dtype=dtype, count=len(strings) + 1,
                            offset=strings.offset * dtype.itemsize)
    return offsets.astype(np.int64)


def _from_numpy(kind: pa.DataType, length: int, *buffers: npt.NDArray[Any] | bytes) -> Column:
    data = [pa.py_buffer(b if isinstance(b, bytes) else b.data) for b in buffers]
    return pa.Array.from_buffers(kind, length, [None, *data])


def _arrow_mask(mask: npt.NDArray[np.bool_]) -> Column:
    return _from_numpy(pa.bool_(), len(mask), np.packbits(mask, bitorder="little"))


def _arrow_indices(indices: npt.NDArray[np.int64]) -> Column:
    return _from_numpy(pa.int64(), len(indices), np.ascontiguousarray(indices, dtype=np.int64))


def _arrow_strings(values: Sequence[str]) -> Column:
    """A string array from Python strings (empty strings for empty cells)."""
    encoded = [value.encode("utf-8") for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return _from_numpy(pa.large_string(), len(encoded), offsets, b"".join(encoded))


def _python(array: Column) -> list[Any]:
    return cast(list[Any], array.to_pylist())


def already_clean(strings: Column) -> npt.NDArray[np.bool_]:
    """True where clean_text would return the value unchanged (by the CLEAN_BYTE rule); null → False."""
    offsets = _np_offsets(strings)
    data = np.frombuffer(_buffer(strings, 2), dtype=np.uint8)[offsets[0] : offsets[-1]]
    offsets -= offsets[0]
    dirty = ~_np_valid(strings)
    bad = np.flatnonzero(~CLEAN_BYTE[data])
    if len(bad):
        dirty[np.searchsorted(offsets, bad, side="right") - 1] = True
    filled = np.flatnonzero(offsets[1:] > offsets[:-1])
    dirty[filled] |= (data[offsets[filled]] == 0x20) | (data[offsets[filled + 1] - 1] == 0x20)
    return ~dirty


def _matches(array: Column, pattern: str) -> npt.NDArray[np.bool_]:
    """Where the text contains a match of the RE2 pattern (empty cells: False)."""
    return _np_true(cast(Column, pc.match_substring_regex(array, pattern)))


# ----------------------------------------------------------------------------------------------
# Files → raw text columns.


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _Grid:
    """A sheet as read: every column as raw text (null = empty cell) and the first row's number."""

    sheet: str
    columns: list[Column]
    first_row: int
    sheets: tuple[str, ...] = ()  # every sheet of the workbook, for hints
    hidden: frozenset[str] = frozenset()  # the hidden (or very hidden) ones among them
    notes: list[str] = field(default_factory=list)  # what the user should know about the choice of sheet

    def __post_init__(self) -> None:
        self.columns = [c if c.type in (pa.string(), pa.large_string()) else c.cast(pa.string()) for c in self.columns]

    @property
    def height(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def sheet_label(self, name: str) -> str:
        """“名称” or “名称”（隐藏） for messages."""
        return f"“{name}”（隐藏）" if name in self.hidden else f"“{name}”"


def _check_path(path: Path) -> None:
    suffix = path.suffix.lower()
    if not path.exists():
        raise _fail(path, f"文件不存在：{path}", "请检查路径和文件名（包括扩展名）是否写对")
    if path.is_dir():
        raise _fail(path, f"“{path}”是一个文件夹，不是文件", "请给出 .xlsx 或 .csv 文件的路径")
    if suffix in (".xls", ".et"):
        raise _fail(path, f"不支持旧版 Excel 格式（{suffix}）",
                    "请在 Excel 或 WPS 中打开，选择“文件 → 另存为 → Excel 工作簿(.xlsx)”后再使用")
    if suffix not in SUPPORTED_SUFFIXES:
        raise _fail(path, f"不支持的文件类型“{suffix or '（无扩展名）'}”",
                    "支持的格式：.xlsx、.xlsm、.csv；请在 Excel 或 WPS 中另存为 Excel 工作簿(.xlsx)")


def _read_xlsx(path: Path, sheet: str | None, table: Table, mapping: Mapping[str, str]) -> _Grid:
    with path.open("rb") as stream:
        magic = stream.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(path, "文件设置了打开密码，或实际是旧版 .xls 文件（只是扩展名为 .xlsx）",
                    "请在 Excel 或 WPS 中打开，取消密码，另存为 Excel 工作簿(.xlsx)后再使用")
    not_a_workbook = _fail(path, "文件不是有效的 Excel 工作簿，可能已损坏，或只是把扩展名改成了 .xlsx",
                           "请在 Excel 或 WPS 中打开并另存为 Excel 工作簿(.xlsx)；如果打不开，请重新导出")
    if magic[:4] != b"PK\x03\x04":
        raise not_a_workbook
    try:
        check_workbook(path)
    except Refused as refused:
        raise _fail(path, refused.message, refused.hint) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError, OSError) as exc:
        raise not_a_workbook from exc  # the file itself was just opened: an error here is the zip's
    try:
        reader = fastexcel.read_excel(str(path))
        names: list[str] = list(reader.sheet_names)
        hidden = frozenset(name for name, state in _sheet_states(path).items() if state != "visible")
        name, notes = _choose_sheet(path, names, hidden, sheet, lambda n: _has_header(reader, n, table, mapping), table)
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
    return _Grid(name, columns, first_row, tuple(names), hidden, notes)


def _sheet_hint(table: Table) -> str:
    """How the user names the sheet to read, for this input."""
    if table.kind == "enterprises":
        return "请用 --sheet 或计划文件 [inputs.enterprises] 中的 sheet 指定"
    return f"请在计划文件 [inputs.{table.kind}] 中用 sheet 指定"


def _choose_sheet(path: Path, names: list[str], hidden: frozenset[str], wanted: str | None,
                  has_header: Callable[[str], bool], table: Table) -> tuple[str, list[str]]:
    """The sheet to read, and notes for the user.

    A named sheet is read even when hidden (said in a note). Otherwise only visible sheets are
    candidates, never a hidden one (an old roster a clerk keeps out of sight): the only visible
    sheet, or among several the one whose first rows hold the header; several such is ambiguous.
    """
    if not names:
        raise _fail(path, "工作簿中没有工作表", "请检查文件是否导出完整")
    listed = "、".join(f"“{n}”（隐藏）" if n in hidden else f"“{n}”" for n in names)
    if wanted is not None:
        cleaned = {clean_text(n): n for n in names}
        name = wanted if wanted in names else cleaned.get(clean_text(wanted))
        if name is None:
            raise _fail(path, f"找不到工作表“{wanted}”", f"该文件中的工作表有：{listed}；{_sheet_hint(table)}")
        return name, [f"按指定读取了隐藏的工作表“{name}”"] if name in hidden else []
    visible = [n for n in names if n not in hidden]
    if not visible:
        raise _fail(path, f"工作簿中的工作表都是隐藏的（{listed}），不会自动读取隐藏的工作表",
                    f"请在 Excel 或 WPS 中取消隐藏要用的工作表，或{_sheet_hint(table).removeprefix('请')}")
    if len(visible) == 1:
        name = visible[0]
    else:
        matching = [n for n in visible if has_header(n)]
        if len(matching) > 1:
            found = "、".join(f"“{n}”" for n in matching)
            raise _fail(path, f"有 {len(matching)} 个工作表都有{table.label}的表头（{found}），不能确定用哪一个",
                        _sheet_hint(table))
        name = matching[0] if matching else visible[0]
    notes = []
    if skipped := [n for n in names[: names.index(name)] if n in hidden]:
        notes.append(f"读取的是工作表“{name}”；隐藏的工作表{'、'.join(f'“{n}”' for n in skipped)}没有读取")
    elif len(visible) > 1 and name != visible[0]:
        notes.append(f"读取的是工作表“{name}”（其他工作表没有{table.label}的表头）")
    return name, notes


def _has_header(reader: Any, name: str, table: Table, mapping: Mapping[str, str]) -> bool:
    """Whether the sheet's first HEADER_SEARCH_ROWS rows hold a header row of `table`.

    (calamine parses a whole sheet even for a few rows, so this costs a full read of the sheet;
    it runs only for workbooks with several visible sheets.)
    """
    try:
        batch = reader.load_sheet(name, header_row=None, n_rows=HEADER_SEARCH_ROWS, dtypes="string", eager=True)
    except (fastexcel.FastExcelError, ValueError):  # e.g. a chart sheet: it holds no roster
        return False
    head = [[clean_text(v) if v else "" for v in batch.column(i).to_pylist()] for i in range(batch.num_columns)]
    return any(_header_row(cells, table, mapping)[0] for cells in zip(*head, strict=True))


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
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[element.get("Id", "")] = (element.get("Type", ""), target)
    return found


def _workbook_part(book: zipfile.ZipFile) -> str | None:
    return next((t for kind, t in _relationships(book, "").values() if kind.endswith("/officeDocument")), None)


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


def _decode(path: Path, raw: bytes) -> tuple[str, bytes]:
    """The CSV text and its UTF-8 bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")
        return text, text.encode("utf-8")
    try:
        body = raw.removeprefix(codecs.BOM_UTF8)
        return body.decode("utf-8"), body
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _fail(path, "无法识别 CSV 文件的文字编码（不是 UTF-8，也不是 GB18030/GBK）",
                    "请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”或 Excel 工作簿(.xlsx)") from exc
    return text, text.encode("utf-8")


def _delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one a line among the first HEADER_SEARCH_ROWS holds most of (comma on a tie)."""
    lines = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    return max((",", "\t", ";"), key=lambda d: max((line.count(d) for line in lines), default=0))


def _read_csv(path: Path) -> _Grid:
    text, utf8 = _decode(path, path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(text)
    try:
        head = next(csv.reader(io.StringIO(first_line, newline=""), delimiter=delimiter), [])
    except csv.Error:
        head = first_line.split(delimiter)  # pyarrow or the csv module below will say what is wrong
    names = [f"c{i}" for i in range(len(head))]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(utf8),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
        columns = [table.column(i).combine_chunks() for i in range(table.num_columns)]
    except (pa.ArrowInvalid, ValueError):
        # Rows of different lengths (or an empty file): the csv module copes with anything.
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:  # e.g. a carriage return inside an unquoted field, a NUL byte
            raise _fail(path, f"CSV 文件格式有误，无法读取（{exc}）",
                        "请在 Excel 或 WPS 中打开，另存为“CSV UTF-8（逗号分隔）”或 Excel 工作簿(.xlsx)后再使用") from exc
        width = max(map(len, rows), default=0)
        columns = [_arrow_strings([r[i] if i < len(r) else "" for r in rows]) for i in range(width)]
    return _Grid("", columns, 1)


# ----------------------------------------------------------------------------------------------
# Header row → a table of named columns.


@dataclass
class _Table:
    """The data below the header: columns by canonical name, Excel row number of every data row."""

    file: str
    sheet: str
    headers: dict[str, str]  # canonical name → header text as written in the file
    data: dict[str, Column]
    rows: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.rows)

    def texts(self, name: str) -> list[str]:
        """A small column, every value cleaned ("" for empty or missing)."""
        if name not in self.data:
            return [""] * len(self)
        column = self.data[name]
        return _clean_texts(column, _python(column))

    def header(self, name: str) -> str:
        return self.headers.get(name, name)


def _resolve(cells: Sequence[str], lookup: Mapping[str, tuple[str, int]]) -> tuple[dict[str, int], list[tuple[str, int, int]]]:
    """Column index of every recognised field, and the extra columns that matched a field too."""
    best: dict[str, tuple[int, int]] = {}
    extra: list[tuple[str, int, int]] = []
    for index, cell in enumerate(cells):
        hit = lookup.get(_header_token(cell)) if cell else None
        if hit is None:
            continue
        name, priority = hit
        if name not in best:
            best[name] = (priority, index)
        elif priority < best[name][0]:
            extra.append((name, best[name][1], index))
            best[name] = (priority, index)
        else:
            extra.append((name, index, best[name][1]))
    return {name: index for name, (_, index) in best.items()}, extra


def _missing(table: Table, found: Mapping[str, int]) -> list[Field]:
    """The required fields a header row lacks (a field whose stand-in is present is not lacking)."""
    return [f for f in table.fields if f.required and f.name not in found and f.stand_in not in found]


def _header_row(cells: Sequence[str], table: Table, mapping: Mapping[str, str]) -> tuple[bool, dict[str, int], list[tuple[str, int, int]]]:
    """Whether `cells` is a header row of `table` (no required field missing), and its columns."""
    found, extra = _resolve(cells, _lookup(table, mapping))
    return not _missing(table, found), found, extra


def _suggest(column: Field, cells: Sequence[str], taken: set[int]) -> str | None:
    """The header present that looks most like `column` (difflib), if any is close enough."""
    known = [_header_token(t) for t in (column.name, *column.aliases)]
    scored = [
        (max(difflib.SequenceMatcher(None, _header_token(cell), k).ratio() for k in known), cell)
        for index, cell in enumerate(cells)
        if cell and index not in taken
    ]
    score, cell = max(scored, default=(0.0, ""))
    return cell if score >= 0.5 else None


def _other_sheets(grid: _Grid, table: Table) -> str:
    """A hint naming the workbook's other sheets, when it has any."""
    others = [name for name in grid.sheets if name != grid.sheet]
    if not others:
        return ""
    return f"如果数据在别的工作表（{'、'.join(map(grid.sheet_label, others))}），{_sheet_hint(table).removeprefix('请')}"


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(text: str) -> str:
    """`text` as a TOML key: bare when it may be (TYXYDM), quoted otherwise (a Chinese header)."""
    return text if _BARE_KEY.fullmatch(text) else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _missing_columns(path: Path, grid: _Grid, table: Table, mapping: Mapping[str, str], rows: list[list[str]]) -> InputError:
    """Why no row among the first ones is a header row: the required columns the likeliest row lacks."""
    lookup = _lookup(table, mapping)
    scores = [len(_resolve(cells, lookup)[0]) for cells in rows]
    number = scores.index(max(scores)) if any(scores) else next((i for i, cells in enumerate(rows) if any(cells)), 0)
    cells = rows[number]
    found, _ = _resolve(cells, lookup)
    taken = set(found.values())
    present = "、".join(f"“{c}”" for c in cells if c) or "（空行）"
    failures = []
    for column in _missing(table, found):
        if column.name in mapping:
            message = f"{table.label}中找不到计划文件指定的“{mapping[column.name]}”列（对应为“{column.name}”）"
            hint = f"请核对计划文件 [inputs.{table.kind}.columns] 中对应“{column.name}”的文件列名，应与文件中的表头一字不差"
        else:
            message = f"{table.label}缺少必填列“{column.name}”"
            guess = _suggest(column, cells, taken)
            also = "、".join(column.aliases[:4])
            hint = (f"表头中的“{guess}”是否就是这一列？如果是，请改为“{column.name}”，"
                    f"或在计划文件的 [inputs.{table.kind}.columns] 中写明 {toml_key(guess)} = \"{column.name}\"" if guess else
                    f"请在表头加入“{column.name}”列" + (f"（也可写作：{also}）" if also else "")
                    + (f"，没有代码的旧个体工商户可另设“{column.stand_in}”列" if column.stand_in else "")
                    + f"；如果这一列在文件中叫别的名字（例如拼音缩写 TYXYDM），请在计划文件的 "
                    f"[inputs.{table.kind}.columns] 中写明：文件中的列名 = \"{column.name}\"")
        if other := _other_sheets(grid, table):
            hint = f"{hint}；{other}"
        failures.append(Problem(
            f"{message}（在前 {HEADER_SEARCH_ROWS} 行中找表头；第 {grid.first_row + number} 行现有：{present}）",
            file=path.name, sheet=grid.sheet, row=grid.first_row + number, hint=hint,
        ))
    return InputError(failures)


def _locate(path: Path, grid: _Grid, table: Table, mapping: Mapping[str, str], problems: _Problems) -> _Table:
    """Find the header row, name the columns, drop blank rows; raise when required columns are missing."""
    if not grid.columns or grid.height == 0:
        where = "工作表" if grid.sheet else "文件"
        raise _fail(path, f"{where}是空的，找不到{table.label}的表头",
                    _other_sheets(grid, table) or "请检查是否选错了文件", sheet=grid.sheet)
    head = [_python(column.slice(0, HEADER_SEARCH_ROWS)) for column in grid.columns]
    rows = [[clean_text(v) if v else "" for v in row] for row in zip(*head, strict=True)]
    chosen = next(((number, found, extra) for number, cells in enumerate(rows)
                   for ok, found, extra in [_header_row(cells, table, mapping)] if ok), None)
    if chosen is None:
        raise _missing_columns(path, grid, table, mapping, rows)

    number, found, extra = chosen
    header_row = grid.first_row + number
    headers = {name: rows[number][index] for name, index in found.items()}
    unmapped = [(name, header) for name, header in mapping.items()
                if headers.get(name) is None or _header_token(headers[name]) != _header_token(header)]
    if unmapped:
        raise InputError([Problem(
            f"计划文件把“{header}”列对应为“{name}”，但{table.label}的表头（第 {header_row} 行）中没有“{header}”",
            file=path.name, sheet=grid.sheet, row=header_row,
            hint=f"请核对计划文件 [inputs.{table.kind}.columns]，列名应与文件中的表头一字不差",
        ) for name, header in unmapped])
    for note in grid.notes:
        problems.add(note, row=None, severity="warning", hint="如果读错了工作表，" + _sheet_hint(table).removeprefix("请"))
    for name, ignored, used in extra:
        problems.add(f"“{rows[number][ignored]}”列与“{rows[number][used]}”列都是“{name}”，只使用了后者",
                     row=header_row, column=rows[number][ignored], severity="warning",
                     hint="如果用错了列，请删除或改名多余的那一列")
    start = number + 1
    data = {name: grid.columns[index].slice(start) for name, index in found.items()}
    excel_rows = np.arange(header_row + 1, header_row + 1 + grid.height - start, dtype=np.int64)
    # Blank rows (every cell empty) are skipped: only rows blank in one column can be blank.
    candidates = np.flatnonzero(~_matches(next(iter(data.values())), _NOT_BLANK))
    if len(candidates):
        picked = _arrow_indices(candidates)
        blank = np.ones(len(candidates), dtype=np.bool_)
        for raw in grid.columns:
            blank &= ~_matches(raw.slice(start).take(picked), _NOT_BLANK)
        if blank.any():
            keep = np.ones(len(excel_rows), dtype=np.bool_)
            keep[candidates[blank]] = False
            mask = _arrow_mask(keep)
            data = {name: values.filter(mask) for name, values in data.items()}
            excel_rows = excel_rows[keep]
    if len(excel_rows) == 0:
        if not table.may_be_empty:
            raise _fail(path, f"{table.label}在表头下方没有数据行", f"请检查是否选错了文件或工作表（{_sheet_hint(table)}）",
                        sheet=grid.sheet, row=header_row)
        problems.add(f"{table.label}只有表头，没有记录（视为空的{table.label}）", row=header_row,
                     severity="warning", hint="如果本应有记录，请检查是否选错了文件或工作表")
    return _Table(path.name, grid.sheet, headers, data, excel_rows)


def _open(path: Path, table: Table, sheet: str | None, mapping: Mapping[str, str]) -> tuple[_Table, InputFile, _Problems]:
    """Read a file of any supported kind, fingerprint it and locate its header."""
    _check_path(path)
    try:
        before = path.stat()
        with ThreadPoolExecutor(max_workers=1) as worker:
            digest = worker.submit(file_sha256, path)  # hashing overlaps parsing (both release the GIL)
            grid = _read_csv(path) if path.suffix.lower() == ".csv" else _read_xlsx(path, sheet, table, mapping)
            sha256 = digest.result()
        after = path.stat()
    except PermissionError as exc:
        raise _fail(path, "没有权限读取文件", "请检查文件权限，或关闭正在独占打开它的程序后重试") from exc
    except OSError as exc:
        raise _fail(path, f"无法读取文件（{exc.strerror or exc}）", "请检查文件是否完整、磁盘是否可读") from exc
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise _fail(path, "文件在读取过程中被修改了", "请关闭正在编辑它的程序，然后重新运行")
    problems = _Problems(path.name, grid.sheet)
    if sheet is not None and not grid.sheet:
        problems.add("CSV 文件没有工作表，已忽略指定的工作表", row=None, severity="warning")
    located = _locate(path, grid, table, mapping, problems)
    file = InputFile(role=table.kind, path=str(path), sha256=sha256, rows=len(located), sheet=grid.sheet)
    return located, file, problems


# ----------------------------------------------------------------------------------------------
# The enterprise roster, column by column.

_USCC_VALUES = np.full(256, 255, dtype=np.uint8)
for _value, _char in enumerate(USCC_ALPHABET):
    _USCC_VALUES[ord(_char)] = _value
_USCC_WEIGHTS = np.array(USCC_WEIGHTS, dtype=np.int64)
_DIGIT = np.zeros(256, dtype=np.bool_)
_DIGIT[ord("0") : ord("9") + 1] = True
_USCC_MAX = np.array([30, 30, 9, 9, 9, 9, 9, 9] + [30] * 10, dtype=np.uint8)  # positions 3–8 are digits
# Duplicate keys are found by sorting 64-bit fingerprints (the key read as a base-31 or decimal
# number, mod 2^64); equal fingerprints are then confirmed on the strings, so a collision costs
# time, never correctness.
_WRAP = 1 << 64
_NP_POWERS = np.array([pow(31, 16 - i, _WRAP) for i in range(17)], dtype=np.uint64)
_NP_TENS = np.array([10 ** (14 - i) for i in range(15)], dtype=np.uint64)
_REGISTRATION_MARK = 1 << 63


def key_fingerprint(key: str) -> int:
    """The 64-bit fingerprint of a valid key, exactly as scan_keys computes it for a whole column."""
    if len(key) == 15:
        return (int(key) + _REGISTRATION_MARK) % _WRAP
    number = 0
    for char in key[:17]:
        number = number * 31 + USCC_ALPHABET.index(char)
    return number % _WRAP


def _fixed_width(keys: Column, where: npt.NDArray[np.int64], width: int) -> npt.NDArray[np.uint8]:
    """The bytes of keys[where] (all `width` bytes long) as a (len(where), width) matrix."""
    subset = keys.take(_arrow_indices(where))  # contiguous, unlike a numpy gather over the original
    offsets = _np_offsets(subset)
    data = np.frombuffer(_buffer(subset, 2), dtype=np.uint8)
    return data[offsets[0] : offsets[-1]].reshape(-1, width)


def _scan_uscc(chars: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint64]]:
    values = _USCC_VALUES[chars]  # 255 = not in the alphabet
    total = values[:, :17].astype(np.int64) @ _USCC_WEIGHTS
    good = (values <= _USCC_MAX).all(axis=1) & ((31 - total % 31) % 31 == values[:, 17])
    return good, values[good, :17].astype(np.uint64) @ _NP_POWERS


def _scan_registration(chars: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint64]]:
    good = cast(npt.NDArray[np.bool_], _DIGIT[chars].all(axis=1))
    digits = (chars[good] - ord("0")).astype(np.uint64)
    found: npt.NDArray[np.uint64] = digits @ _NP_TENS + np.uint64(_REGISTRATION_MARK)
    return good, found


def scan_keys(keys: Column) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint64]]:
    """Where a raw key is already a normalised, valid USCC or 15-digit 注册号, and their fingerprints.

    Vectorised over the Arrow buffers, in blocks so that no temporary grows large (about 0.1 s per
    million keys). A False says nothing by itself: those keys go through normalize_key and
    key_problem in Python.
    """
    ok = np.zeros(len(keys), dtype=np.bool_)
    fingerprints = [np.zeros(0, dtype=np.uint64)]
    lengths = np.diff(_np_offsets(keys))
    valid = _np_valid(keys)
    with np.errstate(over="ignore"):
        for width, scan in ((18, _scan_uscc), (15, _scan_registration)):
            every = np.flatnonzero(valid & (lengths == width))
            for start in range(0, len(every), 1 << 16):
                where = every[start : start + (1 << 16)]
                good, found = scan(_fixed_width(keys, where, width))
                ok[where[good]] = True
                fingerprints.append(found)
    return ok, np.concatenate(fingerprints)


def valid_key_mask(keys: Column) -> npt.NDArray[np.bool_]:
    """True where a raw key is already a normalised, valid USCC or 15-digit 注册号."""
    return scan_keys(keys)[0]


def nfkc_trimmed(strings: Column) -> Column:
    """clean_text in Arrow, exact for values made of NFKC_SAFE_RANGES characters only."""
    normalized = pc.utf8_normalize(strings, "NFKC")  # type: ignore[attr-defined]  # missing from pyarrow-stubs
    return cast(Column, pc.utf8_trim(normalized, " "))


def _clean_in_arrow(strings: Column, dirty: npt.NDArray[np.int64], values: list[Any]) -> npt.NDArray[np.int64]:
    """Clean, in `values`, the dirty positions Arrow can clean exactly; return the others."""
    subset = strings.take(_arrow_indices(dirty))
    safe = _matches(subset, _NFKC_SAFE)
    if safe.any():
        cleaned = _python(nfkc_trimmed(subset.filter(_arrow_mask(safe))))
        for i, value in zip(dirty[safe].tolist(), cleaned, strict=True):
            values[i] = value
    return dirty[~safe]


def _clean_texts(strings: Column, values: list[Any]) -> list[str]:
    """A text column (`values` is its to_pylist): values that are not already clean are cleaned in
    Arrow when that is exact (full-width brackets and the like), in Python otherwise."""
    dirty = np.flatnonzero(~already_clean(strings))
    if len(dirty) > 64:
        dirty = _clean_in_arrow(strings, dirty, values)
    for i in dirty.tolist():
        value = values[i]
        values[i] = clean_text(value) if value else ""
    return cast(list[str], values)


class TextColumn(Sequence[str]):
    """A free-text roster column (name, address, ...) as written (tidy_text: no NFKC, so a
    registered name keeps its full-width brackets), left in Arrow until read.

    The draw reads these columns only for the drawn rows (a few percent), so making a million
    Python strings of each up front is wasted (0.1 s a column). Values that tidy_text might change
    (every value the CLEAN_BYTE rule does not vouch for, and empty cells) are tidied now; the
    others are decoded when asked for.
    """

    def __init__(self, strings: Column) -> None:
        self._strings = strings
        dirty = np.flatnonzero(~already_clean(strings))
        subset = strings.take(_arrow_indices(dirty))
        self._cleaned = {i: tidy_text(value) if value else "" for i, value in zip(dirty.tolist(), _python(subset), strict=True)}
        self._offsets = array("q", _np_offsets(strings).tobytes())
        data = strings.buffers()[2]
        self._data = memoryview(data) if data is not None else memoryview(b"")

    def __len__(self) -> int:
        return len(self._strings)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("TextColumn index out of range")
        cleaned = self._cleaned.get(index)
        if cleaned is not None:
            return cleaned
        return str(self._data[self._offsets[index] : self._offsets[index + 1]], "utf-8")

    def __iter__(self) -> Iterator[str]:
        values = _python(self._strings)
        for index, cleaned in self._cleaned.items():
            values[index] = cleaned
        return iter(values)

    def blanks(self) -> list[int]:
        """Positions of the empty values, in order."""
        empty = np.flatnonzero(np.diff(_np_offsets(self._strings)) == 0).tolist()
        return sorted({*(i for i in empty if i not in self._cleaned), *(i for i, v in self._cleaned.items() if not v)})


def _coded(array: Column) -> tuple[list[str | None], npt.NDArray[np.int64]]:
    """Distinct raw values (None for empty cells) and each row's index into them."""
    encoded = cast("pa.DictionaryArray[Any, Any]", pc.dictionary_encode(array))
    distinct = cast(list[str | None], encoded.dictionary.to_pylist())
    indices = cast(Column, encoded.indices)
    codes = _np_ints(indices)
    if indices.null_count:
        codes = np.where(_np_valid(indices), codes, len(distinct))
        distinct.append(None)
    return distinct, codes


def _convert_coded(
    distinct: list[str | None], codes: npt.NDArray[np.int64], convert: Callable[[str], Parsed[Any]],
    warn: Callable[[Any], str | None] | None = None, clean: Callable[[str], str] = clean_text,
) -> tuple[list[Any], list[tuple[int, str, Severity]]]:
    """A low-cardinality column converted once per distinct value, equal results sharing one object;
    and (position, message, severity) of every value that did not convert (error) or that `warn`
    objects to (warning)."""
    shared: dict[Any, Any] = {}
    table = np.empty(len(distinct), dtype=object)
    messages: dict[int, tuple[str, Severity]] = {}
    for index, raw in enumerate(distinct):
        value, why = convert(clean(raw) if raw else "")
        table[index] = shared.setdefault(value, value)
        if why is not None:
            messages[index] = (why, "error")
        elif warn is not None and (caution := warn(value)) is not None:
            messages[index] = (caution, "warning")
    failed: list[tuple[int, str, Severity]] = []
    if messages:
        where = np.flatnonzero(np.isin(codes, np.array(list(messages), dtype=np.int64)))
        failed = [(i, *messages[int(codes[i])]) for i in where.tolist()]
    return cast(list[Any], table[codes].tolist()), failed


def _as_text(text: str) -> Parsed[str]:
    return text, None


def _as_public_text(text: str) -> Parsed[str]:
    """A column the disclosure publishes (登记机关): no mobile or ID number in it."""
    finding = personal_data(text)
    return text, f"含有{finding}，公示表不得含有个人信息" if finding else None


def _as_word(text: str) -> Parsed[str]:
    """A name compared with names in other files or the plan (区域, 行业): no white space inside."""
    return compact(text), None


_ENTERPRISE_CODED: dict[str, tuple[str, Callable[[str], Parsed[Any]], str]] = {
    # roster field: (column, converter, hint when a value does not convert)
    "credit_class": ("信用风险等级", parse_credit_class, "请填写 A、B、C、D，或 低风险、一般风险、较高风险、高风险"),
    "district": ("所属区域", _as_word, ""),
    "industry": ("行业类别", _as_word, ""),
    "authority": ("登记机关", _as_public_text, "公示表会公开登记机关，请改为登记机关的名称"),
    "status": ("经营状态", _as_text, ""),
    "last_inspected": ("最近检查日期", parse_date, _DATE_HINT),
    "must_inspect": ("重点检查", parse_flag, "请填写“是”或“否”（也可用 Y/N、1/0）；不是重点检查可留空"),
}
_ENTERPRISE_TEXT = {"name": "企业名称", "address": "地址", "legal_rep": "法定代表人", "phone": "联系电话"}
_EMPTY_CODED: dict[str, Any] = {"last_inspected": None, "must_inspect": False}


def _key_message(raw: str, key: str, *, with_registration: bool = False) -> tuple[str, str] | None:
    """(message, hint) for a key that is not usable, else None."""
    if not key:
        if with_registration:
            return "统一社会信用代码和注册号都为空", "每一行都要填写统一社会信用代码，没有代码的旧个体工商户填写 15 位注册号"
        return "统一社会信用代码为空", "每一行都要填写统一社会信用代码（旧个体工商户可填 15 位注册号）"
    if "|" in key:
        return f"代码“{raw}”中含有竖线“|”", "竖线是抽取车票中的分隔符，代码中不能出现"
    why = key_problem(key)
    if why is None:
        return None
    hint = "请对照营业执照核对后改正"
    if key.isdigit() and len(key) > 15:
        hint = "这一列可能被设成了数字格式，超过 15 位的数字末尾会变成 0；请把单元格设为文本格式后重新填写代码"
    return f"统一社会信用代码“{key}”有误：{why}", hint


def _normalise_keys_in_arrow(
    keys: Column, dirty: npt.NDArray[np.int64], values: list[Any]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """normalize_key in Arrow for dirty keys where that is exact (spaces, lower case, full width) and
    the result is valid; patch `values`; return the positions left and the new fingerprints."""
    subset = keys.take(_arrow_indices(dirty))
    safe = _matches(subset, _KEY_NFKC_SAFE)
    if not safe.any():
        return dirty, np.zeros(0, dtype=np.uint64)
    normalized = pc.utf8_upper(nfkc_trimmed(subset.filter(_arrow_mask(safe))))
    valid, fingerprints = scan_keys(normalized)
    accepted = dirty[safe][valid]
    for i, key in zip(accepted.tolist(), _python(normalized.filter(_arrow_mask(valid))), strict=True):
        values[i] = key
    left = np.ones(len(dirty), dtype=np.bool_)
    left[np.flatnonzero(safe)[valid]] = False
    return dirty[left], fingerprints


@dataclass(frozen=True)
class _KeyColumn:
    """The enterprise key as a file gives it: the 统一社会信用代码 column, or, on rows where that is
    blank, the 注册号 column beside it (old 个体工商户 have no USCC)."""

    raw: Column
    key_header: str
    registration_header: str = ""  # "" when the file has no 注册号 column
    from_registration: npt.NDArray[np.bool_] | None = None  # rows whose key is the 注册号

    def header(self, index: int) -> str:
        """The header of the column row `index` took its key from."""
        used = self.from_registration is not None and self.from_registration[index]
        return self.registration_header if used else self.key_header

    def message(self, raw: str, key: str) -> tuple[str, str] | None:
        return _key_message(raw, key, with_registration=bool(self.registration_header))


def _key_column(table: _Table) -> _KeyColumn:
    key, registration = table.data.get(KEY), table.data.get(REGISTRATION_NO)
    if registration is None:
        assert key is not None  # _locate made sure one of the two is there
        return _KeyColumn(key, table.header(KEY))
    if key is None:
        return _KeyColumn(registration, table.header(KEY), table.header(REGISTRATION_NO), np.ones(len(table), np.bool_))
    # Only rows that have something in the 注册号 column can take their key from it (a few percent):
    # the blank test runs on those alone (measured: 0.13 s for both whole columns at a million rows).
    given = np.flatnonzero(_np_valid(registration) & (np.diff(_np_offsets(registration)) > 0))
    picked = _arrow_indices(given)
    use = np.zeros(len(table), dtype=np.bool_)
    use[given] = ~_matches(key.take(picked), _NOT_BLANK) & _matches(registration.take(picked), _NOT_BLANK)
    raw = cast(Column, pc.if_else(_arrow_mask(use), registration.cast(key.type), key)) if use.any() else key
    return _KeyColumn(raw, table.header(KEY), table.header(REGISTRATION_NO), use)


@dataclass
class _KeyCheck:
    """Per-row key checks, and what the duplicate check needs at the end."""

    source: _KeyColumn
    problems: _Problems
    fingerprints: npt.NDArray[np.uint64]
    slow: list[int] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)
    invalid_repeats: bool = False

    def check(self, keys: list[str | None], dirty: npt.NDArray[np.int64], rows: npt.NDArray[np.int64]) -> list[str]:
        """Normalise and check, in place, the keys at `dirty` (those no vectorised scan vouched for)."""
        for i in dirty.tolist():
            raw = clean_text(keys[i] or "")
            key = keys[i] = raw.upper()
            found = self.source.message(raw, key)
            if found is None:
                self.slow.append(key_fingerprint(key))
                continue
            self.problems.add(found[0], row=int(rows[i]), column=self.source.header(i), hint=found[1])
            if key:
                self.invalid_repeats |= key in self.invalid
                self.invalid.add(key)
        return cast(list[str], keys)

    def may_repeat(self) -> bool:
        """False only when no key can occur twice (sorted fingerprints all differ)."""
        if self.invalid_repeats:
            return True
        every = np.concatenate([self.fingerprints, np.array(self.slow, dtype=np.uint64)])
        every.sort()
        return bool((every[1:] == every[:-1]).any())


@dataclass
class _Progress:
    """Turns fractions of the checking work into reporter.advance calls that add up to `total`."""

    reporter: Reporter
    total: int
    done: int = 0

    def to(self, fraction: float) -> None:
        target = min(self.total, round(self.total * fraction))
        if target > self.done:
            self.reporter.advance(target - self.done)
            self.done = target


def _build_roster(table: _Table, problems: _Problems, reporter: Reporter) -> EnterpriseRoster:
    """Check the roster column by column: vectorised checks first, Python only for what they flag.

    (A worker thread for the Arrow/numpy half was measured: on two cores the GIL hand-offs ate the
    gain, so this stays sequential.)
    """
    n = len(table)
    reporter.stage("检查企业名录", total=n)
    progress = _Progress(reporter, n)
    texts = [(name, h) for name, h in _ENTERPRISE_TEXT.items() if h in table.data]
    steps = len(texts) + 2

    def python_list(column: Column, step: int) -> list[Any]:
        values: list[Any] = []
        for start in range(0, n, CHUNK_ROWS):
            values.extend(_python(column.slice(start, CHUNK_ROWS)))
            progress.to((step + min(1.0, (start + CHUNK_ROWS) / n)) / steps)
        return values

    source = _key_column(table)
    fast, fingerprints = scan_keys(source.raw)
    keys = python_list(source.raw, 0)
    dirty = np.flatnonzero(~fast)
    if len(dirty) > 64:
        dirty, more = _normalise_keys_in_arrow(source.raw, dirty, keys)
        fingerprints = np.concatenate([fingerprints, more])
    checker = _KeyCheck(source, problems, fingerprints)
    keys = checker.check(keys, dirty, table.rows)
    columns: dict[str, Any] = {name: [""] * n for name in _ENTERPRISE_TEXT}
    for step, (name, header) in enumerate(texts, start=1):
        columns[name] = TextColumn(table.data[header])
        progress.to((step + 1) / steps)
    for i in columns["name"].blanks():
        problems.add("企业名称为空", row=int(table.rows[i]), column=table.header("企业名称"),
                     hint="请填写市场主体名称")
    if "企业名称" in table.data:
        # The disclosure publishes the names of drawn enterprises: a name holding a mobile or ID
        # number is found now, for every row, so that whether a draw can be published never
        # depends on the seed. Only names with 11 digits or more are looked at closely.
        for i in np.flatnonzero(_matches(table.data["企业名称"], _LONG_NUMBER)).tolist():
            if finding := personal_data(columns["name"][i]):
                problems.add(f"企业名称含有{finding}，公示表不得含有个人信息", row=int(table.rows[i]),
                             column=table.header("企业名称"), hint="请核对该市场主体的名称（公示表会公开被抽中企业的名称）")
    for name, (header, convert, hint) in _ENTERPRISE_CODED.items():
        if header not in table.data:
            columns[name] = [_EMPTY_CODED.get(name, "")] * n
            continue
        warn = future_date if name == "last_inspected" else None
        clean = tidy_text if name == "authority" else clean_text  # published as written
        columns[name], failed = _convert_coded(*_coded(table.data[header]), convert, warn, clean)
        for i, message, severity in failed:
            problems.add(message, row=int(table.rows[i]), column=table.header(header), severity=severity,
                         hint=hint if severity == "error" else _FUTURE_HINT)
        if name == "credit_class" and failed:
            _summarise_unknown(table, header, failed, problems)
    if checker.may_repeat():
        _report_duplicates(keys, table.rows, source, problems)
    progress.to(1.0)
    return EnterpriseRoster(key=keys, row=table.rows.tolist(), **columns)


def _summarise_unknown(table: _Table, header: str, failed: list[tuple[int, str, Severity]], problems: _Problems) -> None:
    """One line listing every way of writing the column that was not understood, with its count."""
    raw = table.data[header]
    counts = Counter(clean_text(raw[i].as_py() or "") for i, _, severity in failed if severity == "error")
    if sum(counts.values()) > SUMMARY_FROM:
        words = "、".join(f"“{word}”（{count} 行）" for word, count in counts.most_common(20))
        more = f"等 {len(counts)} 种" if len(counts) > 20 else ""
        problems.summarise(f"“{table.header(header)}”中无法识别的写法：{words}{more}", column=table.header(header),
                           hint="请改为 A、B、C、D，或 低风险、一般风险、较高风险、高风险（信用风险低（A类）等写法也可）")


def _report_duplicates(keys: Sequence[str], rows: npt.NDArray[np.int64], source: _KeyColumn, problems: _Problems) -> None:
    """Every repeat of a non-empty key, naming the row where it first appeared."""
    first: dict[str, int] = {}
    for index, (key, row) in enumerate(zip(keys, rows.tolist(), strict=True)):
        if not key:
            continue
        if key in first:
            problems.add(f"{source.header(index)}“{key}”与第 {first[key]} 行重复", row=row, column=source.header(index),
                         hint=f"同一市场主体只能出现一次，请删除或合并第 {first[key]} 行和第 {row} 行")
        else:
            first[key] = row


_SILENT = NullReporter()


_NO_MAPPING: Mapping[str, str] = {}


def read_enterprises(
    path: Path, *, sheet: str | None = None, columns: Mapping[str, str] = _NO_MAPPING, reporter: Reporter = _SILENT
) -> tuple[EnterpriseRoster, InputFile, list[Problem]]:
    """Read and check the enterprise roster (检查对象名录库); `columns` maps our headers to the file's."""
    reporter.stage("读取企业名录", total=None)
    table, file, problems = _open(path, ENTERPRISES, sheet, columns)
    roster = _build_roster(table, problems, reporter)
    return roster, file, problems.result()


# ----------------------------------------------------------------------------------------------
# The small tables, row by row.


def _person_ids(table: _Table, problems: _Problems, *, unique: bool, required: bool = True) -> list[str]:
    """人员编号, normalised alike in every file (width, case, spaces, invisible characters)."""
    ids = [normalize_person_id(text) for text in table.texts(PERSON_ID)]
    header = table.header(PERSON_ID)
    seen: dict[str, int] = {}
    for person, row in zip(ids, table.rows.tolist(), strict=True):
        if not person:
            if required:
                problems.add("人员编号为空", row=row, column=header, hint="每一行都要填写人员编号")
        elif "|" in person:
            problems.add(f"人员编号“{person}”中含有竖线“|”", row=row, column=header,
                         hint="竖线是抽取车票中的分隔符，编号中不能出现")
        elif unique and person in seen:
            problems.add(f"人员编号“{person}”与第 {seen[person]} 行重复", row=row, column=header,
                         hint=f"每人只能出现一次（编号不分大小写、全角半角），请核对第 {seen[person]} 行和第 {row} 行")
        else:
            seen.setdefault(person, row)
    return ids


def _enterprise_keys(table: _Table, problems: _Problems, *, severity: Severity) -> list[str]:
    source = _key_column(table)
    keys = _clean_texts(source.raw, _python(source.raw))
    # Keys that are already valid and normalised (nearly all) skip the per-value Python checks.
    unchecked = np.flatnonzero(~scan_keys(source.raw)[0])
    rows = table.rows
    for i in unchecked.tolist():
        raw = keys[i]
        keys[i] = normalize_key(raw)
        if found := source.message(raw, keys[i]):
            problems.add(found[0], row=int(rows[i]), column=source.header(i), hint=found[1],
                         severity="error" if not keys[i] else severity)
    return keys


def _parsed(table: _Table, name: str, parse: Callable[[str], Parsed[T]], hint: str,
            problems: _Problems) -> list[T]:
    values = []
    known: dict[str, Parsed[T]] = {}  # each distinct text parsed once (history dates repeat)
    for text, row in zip(table.texts(name), table.rows.tolist(), strict=True):
        found = known.get(text)
        if found is None:
            found = known[text] = parse(text)
        value, why = found
        if why:
            problems.add(why, row=row, column=table.header(name), hint=hint)
        values.append(value)
    return values


def read_inspectors(
    path: Path, *, sheet: str | None = None, columns: Mapping[str, str] = _NO_MAPPING
) -> tuple[tuple[Inspector, ...], InputFile, list[Problem]]:
    """Read and check the inspector roster (执法检查人员名录库)."""
    table, file, problems = _open(path, INSPECTORS, sheet, columns)
    ids = _person_ids(table, problems, unique=True)
    names = table.texts("姓名")
    departments = list(map(compact, table.texts("所属部门")))
    expiry = _parsed(table, "执法证有效期至", parse_date, _DATE_HINT, problems)
    limits = _parsed(table, "任务上限", parse_task_limit, "请填写 0 或正整数；留空则使用计划中的 max_tasks", problems)
    rows = table.rows.tolist()
    for name, department, row in zip(names, departments, rows, strict=True):
        if not name:
            problems.add("姓名为空", row=row, column=table.header("姓名"), hint="请填写执法人员姓名")
        if not department:
            problems.add("所属部门为空", row=row, column=table.header("所属部门"), severity="warning",
                         hint="联合检查按部门组队，请填写所属部门")
    inspectors = tuple(
        Inspector(id=person, name=name, department=department, certificate=certificate,
                  certificate_expiry=until, specialties=split_specialties(specialties), district=district,
                  status=status, max_tasks=limit, row=row, id_card=id_card, phone=phone)
        for person, name, department, certificate, until, specialties, district, status, limit, row, id_card, phone
        in zip(ids, names, departments, table.texts("执法证号"), expiry, table.texts("专业领域"),
               map(compact, table.texts("所属区域")), table.texts("在岗状态"), limits, rows, table.texts("身份证号"),
               table.texts("手机号"), strict=True)
    )
    return inspectors, file, problems.result()


def read_recusals(
    path: Path, *, sheet: str | None = None, columns: Mapping[str, str] = _NO_MAPPING
) -> tuple[tuple[Recusal, ...], InputFile, list[Problem]]:
    """Read and check the recusal list (回避名单); a malformed code is an error (the recusal would be lost)."""
    table, file, problems = _open(path, RECUSALS, sheet, columns)
    ids = _person_ids(table, problems, unique=False)
    keys = _enterprise_keys(table, problems, severity="error")
    recusals = tuple(
        Recusal(inspector_id=person, enterprise_key=key, reason=reason, row=row)
        for person, key, reason, row in zip(ids, keys, table.texts("回避原因"), table.rows.tolist(), strict=True)
    )
    return recusals, file, problems.result()


def read_history(
    path: Path, *, sheet: str | None = None, columns: Mapping[str, str] = _NO_MAPPING
) -> tuple[tuple[HistoryEntry, ...], InputFile, list[Problem]]:
    """Read and check the inspection history (检查记录); a malformed code is only a warning there."""
    table, file, problems = _open(path, HISTORY, sheet, columns)
    keys = _enterprise_keys(table, problems, severity="warning")
    ids = _person_ids(table, problems, unique=False, required=False)
    dates = _parsed(table, "检查日期", parse_date, _DATE_HINT, problems)
    entries = []
    cautions: dict[date, str | None] = {}
    for key, day, text, person, row in zip(keys, dates, table.texts("检查日期"), ids, table.rows.tolist(),
                                           strict=True):
        if day is not None:
            entries.append(HistoryEntry(enterprise_key=key, inspected_on=day, inspector_id=person, row=row))
            caution = cautions[day] if day in cautions else cautions.setdefault(day, future_date(day))
            if caution:
                problems.add(caution, row=row, column=table.header("检查日期"), severity="warning", hint=_FUTURE_HINT)
        elif not text:
            problems.add("检查日期为空", row=row, column=table.header("检查日期"), hint=_DATE_HINT)
    return tuple(entries), file, problems.result()
