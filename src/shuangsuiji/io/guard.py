"""A look at a workbook's zip before fastexcel opens it: zip bombs, far-away cells, XML entities.

Measured (fastexcel 0.21 / calamine):
- calamine inflates a whole worksheet member into memory before parsing it, whatever the zip's
  directory declares. A 1.1 MB workbook whose sheet inflates to 1.1 GB of spaces took 3.3 s and
  1.1 GB of memory, and did so too when the directory claimed the sheet was 2 MB.
- calamine holds a sheet as a dense grid from the first to the last cell with a value (about 47
  bytes a cell). A 3 KB workbook with one extra cell at ZZ200000 took 31 s and 6.6 GB; one with a
  cell at XFD1048576 asked for 550 GB and the process aborted (a Rust allocation failure, not an
  exception: no message, no exit code of ours).
- entity declarations calamine refuses ("unrecognized entity"), but only with a generic error.

So, before calamine, using only the zip directory and bounded reads:
- a member declared larger than MAX_MEMBER, or all members together larger than MAX_TOTAL, is
  refused; so is a large member (over RATIO_FROM bytes) compressed more than MAX_RATIO : 1.
  Real worksheets compress 5–30 : 1 (the million-row bench roster: 710 MB in 90 MB, 8 : 1);
  a deflate bomb compresses about 1000 : 1.
- every member declared at most VERIFY_UP_TO bytes is read through in chunks (inflating at most
  one byte past its declared size, so a directory that understates a bomb is caught), and the
  cell references in it give the extent of the grid calamine would build: more than MAX_CELLS
  cells is refused. That costs about 1.5 ms per MB of sheet XML (0.08 s for a 100,000-row roster).
  Larger members, which only real rosters of several hundred thousand rows have, are not read
  twice (the million-row roster would be 1–2 s slower): their declared size has passed the ratio
  check. The residual risk, a crafted sheet over VERIFY_UP_TO with a far-away cell or an
  understated size, is accepted and written down here.
- the first bytes of every XML member are searched for <!DOCTYPE and <!ENTITY (also in UTF-16).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

MAX_MEMBER = 4 << 30  # one member, inflated: 4 GiB (a full 1,048,576-row sheet of long texts fits)
MAX_TOTAL = 6 << 30  # all members together
RATIO_FROM = 64 << 20  # the ratio limit applies to members inflating to more than 64 MiB
MAX_RATIO = 200
VERIFY_UP_TO = 128 << 20  # members declared up to this size are read through and checked
VERIFY_BUDGET = 512 << 20  # and at most this many bytes in all
MAX_CELLS = 40_000_000  # the grid calamine builds (about 1.9 GB); a million rows of 12 columns is 12.6 M
PROLOGUE = 4096  # bytes of each XML member searched for a DTD
_CHUNK = 1 << 20
_OVERLAP = 64  # bytes of the previous chunk searched again, so that no reference is cut in two
_DTD_MARKS = tuple(
    mark
    for text in ("<!DOCTYPE", "<!ENTITY")
    for mark in (text.encode("ascii"), text.encode("utf-16-le"), text.encode("utf-16-be"))
)
# One pass finds references at row 100,000 or beyond (r="A123456", also row elements, r="123456")
# and references to columns AA and beyond (r="AB…"). Starting with the literal r=" keeps the search
# fast (0.07 s for a 100,000-row sheet); a match counts only after white space (so ref="…",
# dir="…" do not). Only when a sheet is
# wider than MAX_CELLS / 100,000 columns does a second pass look at every row number.
_FAR = re.compile(rb'r="([A-Z]{0,3})([0-9]{6,10})"|r="([A-Z]{2,3})[0-9]')
_ANY_ROW = re.compile(rb'r="[A-Z]{0,3}([0-9]{1,10})"')
_SHALLOW = 99_999
_SPACES = (b" ", b"\t", b"\r", b"\n")


class Refused(Exception):
    """The workbook must not be opened; `code` names why (errors.Problem), `message` and `hint` are
    for the user (Chinese)."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


_BOMB_HINT = (
    "这个文件的内容被异常地压缩过，可能是恶意构造的“压缩炸弹”；"
    "请在 Excel 或 WPS 中打开并另存为 .xlsx，或重新导出"
)
_DTD_HINT = "正常的 Excel 工作簿不含 DTD 或实体声明；请在 Excel 或 WPS 中打开并另存为 .xlsx，或重新导出"
_EXTENT_HINT = (
    "工作表中有远离数据的单元格：请在 Excel 中按 Ctrl+End 找到最后一个单元格，删除多余的行和列后保存；"
    "或只把名录复制到一个新工作簿"
)


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"


def column_number(letters: str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def check_workbook(path: Path) -> None:
    """Raise Refused when the workbook at `path` (already known to start like a zip) looks hostile.

    zipfile.BadZipFile, zlib.error and OSError pass through: the caller reports a damaged workbook.
    """
    with zipfile.ZipFile(path) as book:
        members = [info for info in book.infolist() if not info.is_dir()]
        total = 0
        for info in members:
            total += info.file_size
            if info.file_size > MAX_MEMBER or total > MAX_TOTAL:
                raise Refused(
                    "zip-bomb",
                    f"工作簿解压后过大（其中“{info.filename}”为 {_mb(info.file_size)}），已拒绝读取",
                    _BOMB_HINT,
                )
            if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise Refused(
                    "zip-bomb",
                    f"工作簿中的“{info.filename}”压缩比异常"
                    f"（{_mb(info.compress_size)} 解压为 {_mb(info.file_size)}），已拒绝读取",
                    _BOMB_HINT,
                )
        budget = VERIFY_BUDGET
        readable = [
            i
            for i in members
            if i.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) and not i.flag_bits & 1
        ]  # calamine reads nothing else; encrypted members fail there
        for info in readable:
            if info.file_size > VERIFY_UP_TO:
                continue
            if info.file_size > budget:
                raise Refused("zip-bomb", "工作簿中的内容过多，已拒绝读取", _BOMB_HINT)
            budget -= info.file_size
            if info.filename.lower().endswith(".xml"):
                _check_extent(path, info)
            else:
                for _ in _content(path, info):
                    pass
        for info in readable:
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                _check_prologue(book, info)


def _content(path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in chunks, inflated (never more than one byte past its declared size)."""
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    limit = info.file_size + 1
    produced = 0
    with path.open("rb") as stream:
        stream.seek(info.header_offset)
        header = stream.read(30)
        if header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local header")
        skip = int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
        stream.seek(info.header_offset + 30 + skip)
        left = info.compress_size
        while left > 0 and produced < limit:
            raw = stream.read(min(left, _CHUNK))
            if not raw:
                break
            left -= len(raw)
            if inflater is None:
                produced += len(raw)
                yield raw
                continue
            while raw and produced < limit:
                out = inflater.decompress(raw, min(limit - produced, _CHUNK))
                produced += len(out)
                raw = inflater.unconsumed_tail
                yield out
            if inflater.eof:
                break
    if produced > info.file_size:
        raise Refused(
            "zip-bomb",
            f"工作簿中的“{info.filename}”解压后超过其声明的大小（{info.file_size} 字节），"
            "文件被篡改或已损坏，已拒绝读取",
            _BOMB_HINT,
        )


def _check_extent(path: Path, info: zipfile.ZipInfo) -> None:
    """Refuse a sheet whose cell references span more than MAX_CELLS cells (rows × columns)."""
    rows, columns, far = 0, 26, ""  # without a reference beyond column Z, at most 26 columns
    for text in _overlapping(_content(path, info)):
        for match in _FAR.finditer(text):
            if text[match.start() - 1 : match.start()] not in _SPACES:
                continue  # dir="5400000" in a theme, say: not an r attribute
            deep_letters, deep_row, wide_letters = match.groups(b"")
            letters = deep_letters or wide_letters
            if deep_row:
                rows = max(rows, int(deep_row))
            if len(letters) > 1 and (column := column_number(letters.decode())) > columns:
                columns, far = column, (letters + deep_row).decode()
    if rows <= _SHALLOW and _SHALLOW * columns > MAX_CELLS:
        rows = 0  # rows below 100,000 matter now: count them exactly
        for text in _overlapping(_content(path, info)):
            for match in _ANY_ROW.finditer(text):
                if text[match.start() - 1 : match.start()] in _SPACES:
                    rows = max(rows, int(match.group(1)))
    if rows * columns > MAX_CELLS:
        where = "" if not far else f"（例如单元格 {far}）" if far[-1].isdigit() else f"（例如 {far} 列）"
        raise Refused(
            "sheet-too-large",
            f"工作簿中的“{info.filename}”数据区域过大：约 {rows:,} 行 × {columns:,} 列{where}，"
            "读取需要的内存过多，已拒绝读取",
            _EXTENT_HINT,
        )


def _overlapping(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, each preceded by the end of the one before, so that no reference is cut in two."""
    tail = b""
    for chunk in chunks:
        text = tail + chunk
        tail = text[-_OVERLAP:]
        yield text


def _check_prologue(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    with book.open(info) as stream:
        head = stream.read(PROLOGUE)
    if any(mark in head for mark in _DTD_MARKS):
        raise Refused(
            "xml-entities",
            f"工作簿中的“{info.filename}”含有 DTD/实体声明（可用于“实体膨胀”攻击），已拒绝读取",
            _DTD_HINT,
        )
