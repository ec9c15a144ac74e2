"""Make the broken and hostile input corpus (tests/corpus/files/) and nothing else.

Deterministic: running it again gives byte-identical files (fixed zip timestamps, no random state
beyond a seeded generator, openpyxl's document properties replaced). What each file must produce
is listed in cases.toml next to this script; the files are committed, so the tests do not need to
run this script. The two files whose size is the point (zip bombs) are not committed: the tests
call `zip_bomb` and `lying_zip_bomb` below to make them in a temporary folder.

    /work/venv/bin/python tests/corpus/make_corpus.py
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from shuangsuiji.core.ids import uscc_check_char
from shuangsuiji.io.xlsx import Cell, Sheet, column_letter, write_workbook

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
CORE_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
    b'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>corpus</dc:creator></cp:coreProperties>'
)
SHEET_XML = "xl/worksheets/sheet1.xml"

ENTERPRISE_HEADER = ["统一社会信用代码", "企业名称", "信用风险等级", "所属区域", "行业类别", "登记机关",
                     "经营状态", "最近检查日期", "重点检查", "地址", "法定代表人", "联系电话"]  # fmt: skip
INSPECTOR_HEADER = ["人员编号", "姓名", "所属部门", "执法证号", "执法证有效期至", "专业领域", "所属区域",
                    "在岗状态", "任务上限", "身份证号", "手机号"]  # fmt: skip
CONFLICT_HEADER = ["人员编号", "统一社会信用代码", "回避原因"]
HISTORY_HEADER = ["统一社会信用代码", "检查日期", "人员编号"]


def uscc(number: int, prefix: str = "91520102") -> str:
    """A valid USCC made from `number`."""
    body = f"{prefix}{number:09d}"[:17]
    return body + uscc_check_char(body)


def enterprise(number: int, name: str = "", cls: str = "B", **fields: Cell) -> list[Cell]:
    """One enterprise row in ENTERPRISE_HEADER order."""
    values: dict[str, Cell] = {
        "统一社会信用代码": uscc(number),
        "企业名称": name or f"贵阳市测试餐饮店{number}号",
        "信用风险等级": cls,
        "所属区域": "云岩区",
        "行业类别": "餐饮服务",
        "登记机关": "云岩区市场监督管理局",
        "经营状态": "存续",
        "最近检查日期": None,
        "重点检查": "否",
        "地址": "贵州省贵阳市云岩区中华北路1号",
        "法定代表人": "张三",
        "联系电话": "13800000000",
        **fields,
    }
    return [values[h] for h in ENTERPRISE_HEADER]


def enterprises(count: int = 3) -> list[list[Cell]]:
    return [enterprise(i, cls="ABCD"[i % 4]) for i in range(1, count + 1)]


def inspector(number: int, **fields: Cell) -> list[Cell]:
    values: dict[str, Cell] = {
        "人员编号": f"GYSJ{number:04d}",
        "姓名": f"测试员{number}",
        "所属部门": "食品经营监管科",
        "执法证号": f"5201122025{number:04d}",
        "执法证有效期至": date(2030, 12, 31),
        "专业领域": "餐饮服务",
        "所属区域": "云岩区",
        "在岗状态": "在岗",
        "任务上限": None,
        "身份证号": "",
        "手机号": "",
        **fields,
    }
    return [values[h] for h in INSPECTOR_HEADER]


def inspectors(count: int = 6) -> list[list[Cell]]:
    return [inspector(i) for i in range(1, count + 1)]


# ----------------------------------------------------------------------------------------------
# Writing files.


def fixed_zip(
    source: bytes, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The zip rewritten with fixed timestamps and fixed document properties; members replaced,
    removed (None) or added."""
    replace = dict(replace or {})
    replace.setdefault("docProps/core.xml", CORE_XML)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = replace.get(info.filename, zin.read(info.filename))
            if info.filename in replace and replace[info.filename] is None:
                continue
            assert data is not None
            zout.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), data, zipfile.ZIP_DEFLATED)
        for name, data in (add or {}).items():
            zout.writestr(zipfile.ZipInfo(name, FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def ours(header: Sequence[str], rows: Sequence[Sequence[Cell]], *, sheet: str = "名录") -> bytes:
    """A workbook from our own writer (inline strings, real dates)."""
    return ours_sheets([Sheet(sheet, header, rows)])


def ours_sheets(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of several sheets (some perhaps hidden) from our own writer."""
    scratch = FILES.parent / ".scratch.xlsx"
    write_workbook(scratch, sheets)
    data = scratch.read_bytes()
    scratch.unlink()
    return fixed_zip(data)


def with_openpyxl(build: Callable[[Any], None]) -> bytes:
    """A workbook made by openpyxl (shared strings, merged cells, title rows), made deterministic."""
    book = openpyxl.Workbook()
    build(book.active)
    stream = io.BytesIO()
    book.save(stream)
    return fixed_zip(stream.getvalue())


def _cell_xml(ref: str, value: Any) -> str:
    """One raw <c>: str → inline string; int/float → number; ("=", formula, cached) → formula."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        _, formula, cached = value
        formula = formula.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        if isinstance(cached, str):
            return f'<c r="{ref}" t="str"><f>{formula}</f><v>{_xml(cached)}</v></c>'
        return f'<c r="{ref}"><f>{formula}</f><v>{cached}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_xml(value)}</t></is></c>'


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_xml(
    rows: Sequence[Sequence[Any]], *, prologue: str = "", first_row: int = 1, entity_cell: str = ""
) -> bytes:
    """A worksheet part written by hand, for what no writer makes (formulas with cached values, DTDs)."""
    body = []
    for number, values in enumerate(rows, start=first_row):
        cells = "".join(_cell_xml(f"{column_letter(i)}{number}", v) for i, v in enumerate(values))
        body.append(f'<row r="{number}">{cells}</row>')
    if entity_cell:
        body.append(
            f'<row r="{first_row + len(rows)}"><c r="A{first_row + len(rows)}" t="inlineStr"><is><t>'
            f"{entity_cell}</t></is></c></row>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + prologue
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(body)
        + "</sheetData></worksheet>"
    ).encode("utf-8")


def raw(rows: Sequence[Sequence[Any]], **options: Any) -> bytes:
    """A workbook whose only sheet is `sheet_xml(rows, ...)` (other parts from our writer)."""
    return fixed_zip(ours(["x"], [["x"]]), {SHEET_XML: sheet_xml(rows, **options)})


BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + "]>\n"
)
EXTERNAL_ENTITY = '<!DOCTYPE worksheet [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'


# ----------------------------------------------------------------------------------------------
# Files whose size is the point: made at test time, small on disk.


def _deflate_spaces(size: int) -> tuple[bytes, int]:
    """Raw deflate of `size` spaces (made from one compressed megabyte, repeated) and its CRC-32."""
    mb = 1 << 20
    assert size % mb == 0
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = squeeze.compress(b" " * mb) + squeeze.flush(zlib.Z_FULL_FLUSH)  # independent of what precedes
    blocks = size // mb
    crc, power, power_crc = 0, mb, zlib.crc32(b" " * mb)  # CRC of 2^k megabytes of spaces, by doubling
    length = 0
    while blocks:
        if blocks & 1:
            crc = _crc_combine(crc, power_crc, power) if length else power_crc
            length += power
        blocks >>= 1
        power_crc = _crc_combine(power_crc, power_crc, power)
        power *= 2
    return block * (size // mb), crc


def _zip_with_raw_member(path: Path, head: bytes, padding: int, tail: bytes, declared: int | None) -> None:
    """A workbook (parts from our writer) whose sheet is head + `padding` spaces + tail, written as
    a raw deflate stream; `declared` overrides the uncompressed size in the zip's headers."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = squeeze.compress(head) + squeeze.flush(zlib.Z_FULL_FLUSH)
    middle, middle_crc = _deflate_spaces(padding)
    last_squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = last_squeeze.compress(tail) + last_squeeze.flush(zlib.Z_FINISH)
    data = first + middle + last
    crc = zlib.crc32(tail, _crc_combine(zlib.crc32(head), middle_crc, padding))
    size = len(head) + padding + len(tail)
    shown = size if declared is None else declared
    with zipfile.ZipFile(io.BytesIO(ours(ENTERPRISE_HEADER, enterprises(1)))) as base:
        parts = [(i.filename, base.read(i.filename)) for i in base.infolist() if i.filename != SHEET_XML]
    members: list[tuple[str, bytes, int, int, int]] = []  # name, data, crc, size, method
    for name, content in parts:
        squeezed = zlib.compressobj(6, zlib.DEFLATED, -15)
        members.append(
            (name, squeezed.compress(content) + squeezed.flush(), zlib.crc32(content), len(content), 8)
        )
    members.append((SHEET_XML, data, crc, shown, 8))
    zip64 = any(m[3] >= 0xFFFFFFFF for m in members)
    with path.open("wb") as out:
        directory = []
        for name, content, member_crc, member_size, method in members:
            offset = out.tell()
            encoded = name.encode()
            extra = struct.pack("<HHQQ", 1, 16, member_size, len(content)) if zip64 else b""
            sizes = (0xFFFFFFFF, 0xFFFFFFFF) if zip64 else (len(content), member_size)
            out.write(
                struct.pack(
                    "<4sHHHHHIIIHH",
                    b"PK\x03\x04",
                    45 if zip64 else 20,
                    0,
                    method,
                    0,
                    0x21,
                    member_crc,
                    *sizes,
                    len(encoded),
                    len(extra),
                )
                + encoded
                + extra
            )
            out.write(content)
            central_extra = struct.pack("<HHQQQ", 1, 24, member_size, len(content), offset) if zip64 else b""
            directory.append(
                struct.pack(
                    "<4sHHHHHHIIIHHHHHII",
                    b"PK\x01\x02",
                    45 if zip64 else 20,
                    45 if zip64 else 20,
                    0,
                    method,
                    0,
                    0x21,
                    member_crc,
                    *sizes,
                    len(encoded),
                    len(central_extra),
                    0,
                    0,
                    0,
                    0,
                    0xFFFFFFFF if zip64 else offset,
                )
                + encoded
                + central_extra
            )
        start = out.tell()
        body = b"".join(directory)
        out.write(body)
        out.write(
            struct.pack(
                "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(directory), len(directory), len(body), start, 0
            )
        )


def _crc_combine(crc1: int, crc2: int, length2: int) -> int:
    """zlib's crc32_combine (CRC of A+B from the CRCs of A and B and the length of B)."""

    def multiply(matrix: list[int], vector: int) -> int:
        total = 0
        index = 0
        while vector:
            if vector & 1:
                total ^= matrix[index]
            vector >>= 1
            index += 1
        return total

    def square(matrix: list[int]) -> list[int]:
        return [multiply(matrix, matrix[n]) for n in range(32)]

    if length2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if length2 & 1:
            crc1 = multiply(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = square(even)
        if length2 & 1:
            crc1 = multiply(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


_BOMB_HEAD = sheet_xml([ENTERPRISE_HEADER, enterprise(1)]).split(b"</sheetData>")[0]
_BOMB_TAIL = b"</sheetData></worksheet>"
BOMB_SIZE = 1100 << 20  # inflates to 1.1 GB: "a sheet XML that inflates to > 1 GB"


def zip_bomb(path: Path) -> Path:
    """A valid-looking workbook whose sheet inflates to 1.1 GB of spaces (about 1.1 MB on disk)."""
    _zip_with_raw_member(path, _BOMB_HEAD, BOMB_SIZE, _BOMB_TAIL, declared=None)
    return path


def lying_zip_bomb(path: Path) -> Path:
    """The same bomb, but the zip's headers claim the sheet is only 2 MB uncompressed."""
    _zip_with_raw_member(path, _BOMB_HEAD, BOMB_SIZE, _BOMB_TAIL, declared=2_000_000)
    return path


# ----------------------------------------------------------------------------------------------
# The corpus.


def _merged_header(sheet: Any) -> None:
    sheet.append(["贵阳市市场监督管理局检查对象名录库（2026年12月）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(ENTERPRISE_HEADER))
    sheet.append(ENTERPRISE_HEADER)
    sheet.append([None] * len(ENTERPRISE_HEADER))  # the lower half of the two-row header cells
    for column in range(1, len(ENTERPRISE_HEADER) + 1):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    for values in enterprises(4):
        sheet.append(values)


def _openpyxl_typed(sheet: Any) -> None:
    sheet.append(ENTERPRISE_HEADER)
    sheet.append(enterprise(1, 最近检查日期=datetime(2024, 5, 1)))
    sheet.append(enterprise(2, 最近检查日期=date(2023, 2, 28), 重点检查=True))
    sheet.append(enterprise(3, 联系电话=13800000000))


def _title_rows(sheet: Any) -> None:
    sheet.append(["检查对象名录库"])
    sheet.append(["导出时间：2026年11月1日"])
    sheet.append(ENTERPRISE_HEADER)
    for values in enterprises(3):
        sheet.append(values)
    sheet.append(enterprise(4, cls="Q"))


def _csv(rows: Sequence[Sequence[Cell]], delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join("" if v is None else str(v) for v in r) for r in rows) + "\r\n"


def corpus() -> dict[str, bytes]:
    """Every committed corpus file: name → bytes."""
    rng = random.Random(20261201)
    e_head, e_rows = ENTERPRISE_HEADER, enterprises()
    files: dict[str, bytes] = {}

    def e(name: str, rows: Sequence[Sequence[Cell]], header: Sequence[str] = e_head) -> None:
        files[name] = ours(header, rows)

    # Columns and keys.
    e("e_missing_column.xlsx", e_rows, [h if h != "信用风险等级" else "信用风险级别" for h in e_head])
    e("e_duplicate_key.xlsx", [*e_rows, enterprise(2, name="重复的企业")])
    bad_check = uscc(7)[:17] + ("0" if uscc(7)[17] != "0" else "1")
    e("e_uscc_check_char.xlsx", [*e_rows, enterprise(7, 统一社会信用代码=bad_check)])
    e("e_uscc_length.xlsx", [*e_rows, enterprise(7, 统一社会信用代码=uscc(7)[:16])])
    e("e_uscc_illegal_chars.xlsx", [*e_rows, enterprise(7, 统一社会信用代码="91520102MA6OISVZ1X")])
    e("e_uscc_pipe.xlsx", [*e_rows, enterprise(7, 统一社会信用代码="91520102|A6DL6CJ0")])
    e("e_registration_15.xlsx", [*e_rows, enterprise(7, 统一社会信用代码="520102000012345")])
    e("e_unknown_credit_class.xlsx", [*e_rows, enterprise(7, cls="E类")])
    e("e_credit_words.xlsx", [enterprise(1, cls="低风险"), enterprise(2, cls="b级"), enterprise(3, cls="高")])
    e("e_bad_date.xlsx", [*e_rows, enterprise(7, 最近检查日期="去年五月")])
    e("e_impossible_date.xlsx", [*e_rows, enterprise(7, 最近检查日期="2024-02-30")])
    e("e_future_date.xlsx", [*e_rows, enterprise(7, 最近检查日期=date(2150, 1, 1))])
    e("e_empty_name.xlsx", [*e_rows, enterprise(7, 企业名称="")])
    e("e_bad_flag.xlsx", [*e_rows, enterprise(7, 重点检查="也许")])
    e("e_duplicate_header.xlsx", [[*r, r[1]] for r in e_rows], [*e_head, "名称"])
    e("e_header_only.xlsx", [])
    files["e_empty_sheet.xlsx"] = raw([])
    files["e_header_too_low.xlsx"] = raw([[f"说明第{i}行"] for i in range(1, 12)] + [e_head, *e_rows])
    # Layouts.
    files["e_title_rows.xlsx"] = with_openpyxl(_title_rows)
    files["e_merged_header.xlsx"] = with_openpyxl(_merged_header)
    files["e_openpyxl_types.xlsx"] = with_openpyxl(_openpyxl_typed)
    files["e_blank_rows_columns.xlsx"] = raw(
        [
            [],
            [None, *e_head],
            [],
            [None, *e_rows[0]],
            [None] * 13,
            [None, *e_rows[1]],
            [],
            [],
            [None, *e_rows[2]],
        ],
        first_row=2,
    )
    invisible = [
        enterprise(
            1,
            name="\u3000贵阳市\u200b甲餐饮店\u3000",
            cls=" Ａ ",
            统一社会信用代码=f"\ufeff{uscc(1).lower()}\u200b",
        ),
        enterprise(2, name="\u00a0乙商贸有限公司\u2060", 统一社会信用代码=f"　{uscc(2)}　"),
        enterprise(
            3, name="丙（贵阳）有限公司", 统一社会信用代码="".join(chr(ord(c) + 0xFEE0) for c in uscc(3))
        ),
    ]
    e("e_invisible_chars.xlsx", invisible)
    formulas = [list(e_head)]
    for i, values in enumerate(e_rows, start=1):
        row: list[Any] = list(values)
        row[1] = ("=", f'CONCATENATE("公式企业","{i}")', f"公式企业{i}")
        row[2] = ("=", 'IF(1=1,"A","B")', "A")
        row[7] = ("=", "DATE(2024,5,1)", 45413)
        formulas.append(row)
    files["e_formulas.xlsx"] = raw(formulas)
    files["e_hyperlink_formula.xlsx"] = raw(
        [
            e_head,
            [*e_rows[0][:1], ("=", 'HYPERLINK("http://example.com/","点击")', "点击"), *e_rows[0][2:]],
            *e_rows[1:],
        ]
    )
    e(
        "e_hyperlink_text.xlsx",
        [
            enterprise(1, name='=HYPERLINK("http://example.com/","点击")'),
            *enterprises()[1:],
            enterprise(9, name="@SUM(1+1)*cmd|' /C calc'!A0"),
        ],
    )
    numbers_as_text = [
        enterprise(1, 最近检查日期="2024-05-01", 重点检查="1"),
        enterprise(2, 最近检查日期="45413", 重点检查="0"),
        enterprise(3, 最近检查日期="2024年5月1日", 联系电话="13800000000"),
    ]
    e("e_numbers_as_text.xlsx", numbers_as_text)
    files["e_text_as_numbers.xlsx"] = raw(
        [
            e_head,
            [520102000012345, "个体工商户甲", "A", None, None, None, None, 45413, 1, None, None, 13800000000],
            [*e_rows[1][:7], 45413.0, 0, *e_rows[1][9:]],
        ]
    )
    files["e_uscc_as_number.xlsx"] = raw([e_head, *e_rows, [915201020000000000, "数字格式的代码", "A"]])
    # Not workbooks, or not ours to read.
    files["e_wrong_extension.txt"] = _csv([e_head, *e_rows]).encode()
    files["e_old_format.xls"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(
        rng.randrange(256) for _ in range(1024)
    )
    files["e_random_bytes.xlsx"] = bytes(rng.randrange(256) for _ in range(4096))
    files["e_zero_bytes.xlsx"] = b""
    whole = ours(e_head, e_rows)
    files["e_truncated.xlsx"] = whole[: len(whole) // 2]
    files["e_encrypted.xlsx"] = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + "EncryptedPackage".encode("utf-16-le")
        + bytes(rng.randrange(256) for _ in range(2048))
    )
    files["e_zip_not_workbook.xlsx"] = fixed_zip(
        whole, {"xl/workbook.xml": None, "xl/_rels/workbook.xml.rels": None, "_rels/.rels": None}
    )
    files["e_corrupt_sheet_xml.xlsx"] = fixed_zip(whole, {SHEET_XML: sheet_xml([e_head])[:-40]})
    # Hostile XML.
    files["e_billion_laughs.xlsx"] = raw([e_head, e_rows[0]], prologue=BILLION_LAUGHS, entity_cell="&lol9;")
    files["e_external_entity.xlsx"] = raw([e_head, e_rows[0]], prologue=EXTERNAL_ENTITY, entity_cell="&xxe;")
    shared: list[Sequence[Cell]] = [e_head, *e_rows]
    strings = [*sorted({str(v) for r in shared for v in r if v is not None}), "&lol9;"]
    index = {text: i for i, text in enumerate(strings)}
    cells = "".join(
        f'<row r="{n}">'
        + "".join(
            f'<c r="{column_letter(i)}{n}" t="s"><v>{index[str(v)]}</v></c>'
            for i, v in enumerate(r)
            if v is not None
        )
        + "</row>"
        for n, r in enumerate(shared, start=1)
    )
    items = "".join(f"<si><t>{t if t.startswith('&lol') else _xml(t)}</t></si>" for t in strings)
    files["e_shared_strings_laughs.xlsx"] = fixed_zip(
        whole,
        {
            SHEET_XML: (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                + cells
                + "</sheetData></worksheet>"
            ).encode()
        },
        add={
            "xl/sharedStrings.xml": (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                + BILLION_LAUGHS
                + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + items
                + "</sst>"
            ).encode()
        },
    )
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    files["e_far_cell.xlsx"] = fixed_zip(
        whole, {SHEET_XML: sheet_xml([e_head, *e_rows]).replace(b"</sheetData>", far)}
    )
    wide = b'<row r="9"><c r="ZZ9"><v>1</v></c></row><row r="99999"><c><v>1</v></c></row></sheetData>'
    files["e_far_cell_wide.xlsx"] = fixed_zip(
        whole, {SHEET_XML: sheet_xml([e_head, *e_rows]).replace(b"</sheetData>", wide)}
    )
    # CSV.
    e_csv: list[Sequence[Cell]] = [e_head, *e_rows]
    files["e_gb18030.csv"] = _csv(e_csv).encode("gb18030")
    files["e_utf8_bom.csv"] = b"\xef\xbb\xbf" + _csv(e_csv).encode()
    files["e_utf16.csv"] = _csv(e_csv).encode("utf-16")
    files["e_tab.csv"] = _csv(e_csv, "\t").encode()
    files["e_semicolon.csv"] = _csv(e_csv, ";").encode()
    files["e_ragged.csv"] = _csv([e_head, e_rows[0][:3], e_rows[1], [*e_rows[2], "多余", "的列"]]).encode()
    files["e_quoted_newlines.csv"] = (
        _csv([e_head]) + f'{uscc(1)},"第一行\n第二行",A\r\n' + _csv(e_rows[1:])
    ).encode()
    files["e_control_chars.csv"] = _csv(
        [e_head, enterprise(1, name="控制\x01字符\x7f企业"), *e_rows[1:]]
    ).encode()
    files["e_undecodable.csv"] = _csv(e_csv).encode() + b"\xff\xfe\xfd\x81\x30"
    files["e_empty.csv"] = b""
    files["e_carriage_return_nul.csv"] = b"\r\x00"  # found by test_fuzz: the csv module raised csv.Error
    files["e_bare_carriage_returns.csv"] = _csv(e_csv).replace("\r\n", "\r").encode()
    files["e_blank_lines.csv"] = ("\r\n\r\n" + _csv(e_csv) + "\r\n,,,\r\n").encode()
    # Inspectors.
    i_head, i_rows = INSPECTOR_HEADER, inspectors()
    files["i_no_certificates.xlsx"] = ours(i_head, [inspector(i, 执法证号="") for i in range(1, 7)])
    files["i_expired_certificates.xlsx"] = ours(
        i_head, [inspector(i, 执法证有效期至=date(2026, 6, 30)) for i in range(1, 7)]
    )
    files["i_missing_column.xlsx"] = ours([h if h != "姓名" else "人员姓名" for h in i_head], i_rows)
    files["i_duplicate_id.xlsx"] = ours(i_head, [*i_rows, inspector(3, 姓名="另一人")])
    files["i_bad_expiry.xlsx"] = ours(i_head, [*i_rows, inspector(9, 执法证有效期至="长期有效期")])
    files["i_bad_task_limit.xlsx"] = ours(i_head, [*i_rows, inspector(9, 任务上限="-2")])
    files["i_numeric_ids.xlsx"] = raw(
        [
            i_head,
            *[
                [1000 + i, f"测试员{i}", "食品科", 520112202500 + i, 47483, "餐饮服务", "云岩区", "在岗", 8.0]
                for i in range(1, 7)
            ],
        ]
    )
    # Recusals.
    c_head = CONFLICT_HEADER
    files["c_unknown_people.xlsx"] = ours(
        c_head, [["GYSJ9999", uscc(2, "91520103"), "亲属"], ["GYSJ0002", uscc(424242, "91520199"), "曾任职"]]
    )
    files["c_bad_key.xlsx"] = ours(c_head, [["GYSJ0002", "91520102MA6DL6CJ0", "亲属"]])
    files["c_missing_column.xlsx"] = ours(
        ["人员编号", "企业统一代码号", "回避原因"], [["GYSJ0002", uscc(1), "亲属"]]
    )
    # Real export shapes (issue "Real rosters and real auditors").
    real = ["121200004013590816", "911522010783710635", "913101127033980359"]  # published, all digits
    e(
        "e_all_digit_codes.xlsx",
        [enterprise(i, 统一社会信用代码=code) for i, code in enumerate(real, start=1)],
    )
    r_head = ["统一社会信用代码", "注册号", *e_head[1:]]
    e(
        "e_registration_column.xlsx",
        [[row[0], "", *row[1:]] for row in e_rows] + [["", "520102000012345", *enterprise(7)[1:]]],
        r_head,
    )
    e(
        "e_no_code_at_all.xlsx",
        [[row[0], "", *row[1:]] for row in e_rows] + [["", "", *enterprise(7)[1:]]],
        r_head,
    )
    words = ["存续（在营、开业、在册）", "吊销，未注销", "在业", "清算"]
    e("e_national_status.xlsx", [enterprise(i, 经营状态=word) for i, word in enumerate(words, start=1)])
    e("e_unknown_status.xlsx", [*e_rows, enterprise(7, 经营状态="营业中"), enterprise(8, 经营状态="营业中")])
    e(
        "e_class_words_national.xlsx",
        [enterprise(1, cls="信用风险低（A类）"), enterprise(2, cls="C类"), enterprise(3, cls="高风险企业")],
    )
    e(
        "e_typed_codes.xlsx",
        [
            *e_rows,
            enterprise(7, 统一社会信用代码=uscc(7).lower()),
            enterprise(8, 统一社会信用代码=" " + "".join(chr(ord(c) + 0xFEE0) for c in uscc(8))),
        ],
    )
    e("e_id_in_name.xlsx", [*e_rows, enterprise(7, name="张三（520102199001011096）小吃店")])
    pinyin = ["TYXYDM", "QYMC", "FXDJ", "ZT", "LXDH"]
    e("e_pinyin_headers.xlsx", [[row[0], row[1], row[2], row[6], row[11]] for row in e_rows], pinyin)
    files["e_hidden_first_sheet.xlsx"] = ours_sheets(
        [
            Sheet("旧名录", e_head, [enterprise(i, cls="A") for i in range(20, 26)], hidden=True),
            Sheet("名录", e_head, e_rows),
        ]
    )
    files["e_only_hidden_roster.xlsx"] = ours_sheets(
        [Sheet("名录", e_head, e_rows, hidden=True), Sheet("说明", ["填表说明"], [["请勿修改表头"]])]
    )
    files["e_two_roster_sheets.xlsx"] = ours_sheets(
        [Sheet("11月", e_head, e_rows), Sheet("12月", e_head, e_rows)]
    )
    files["c_header_only.xlsx"] = ours(CONFLICT_HEADER, [])
    files["c_typed_ids.xlsx"] = ours(CONFLICT_HEADER, [["gysj0002 ", uscc(2), "近亲属在该企业任职"]])
    files["h_header_only.xlsx"] = ours(HISTORY_HEADER, [])
    files["h_registration_column.xlsx"] = ours(
        ["统一社会信用代码", "注册号", "检查日期", "人员编号"],
        [["", "520102000012345", date(2025, 3, 1), "gysj0001"]],
    )
    # History.
    h_head = HISTORY_HEADER
    files["h_bad_date.xlsx"] = ours(
        h_head, [[uscc(1), date(2025, 3, 1), "GYSJ0001"], [uscc(2), "2025-13-01", ""]]
    )
    files["h_empty_date.xlsx"] = ours(h_head, [[uscc(1), date(2025, 3, 1), "GYSJ0001"], [uscc(2), None, ""]])
    files["h_bad_key.xlsx"] = ours(
        h_head, [[uscc(1), date(2025, 3, 1), "GYSJ0001"], ["12345", date(2025, 3, 1), ""]]
    )
    files["h_future_date.xlsx"] = ours(h_head, [[uscc(1), date(2150, 3, 1), "GYSJ0001"]])
    return files


def main() -> None:
    FILES.mkdir(exist_ok=True)
    made = corpus()
    for old in FILES.iterdir():
        if old.name not in made:
            old.unlink()
    for name, data in sorted(made.items()):
        assert len(data) < 50_000, name
        (FILES / name).write_bytes(data)
    print(f"{len(made)} files in {FILES}")


if __name__ == "__main__":
    main()
