"""CSV files as a source: UTF-8 (with or without BOM), UTF-16 with BOM or GB18030; comma, tab or
semicolon; rows of different lengths."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from ...core.fields import Table
from .arrow import arrow_strings
from .header import HEADER_SEARCH_ROWS
from .problems import Invalid, fail
from .sources import Grid


def encoding_of(path: Path, raw: bytes, *, final: bool = True) -> str:
    """The encoding of CSV bytes (all of them, or with `final` False the start of a file): "utf-16"
    (with BOM), "utf-8" (with or without BOM), else "gb18030"; InputError when neither decodes."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw.removeprefix(codecs.BOM_UTF8), final=final)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(raw, final=final)
    except UnicodeDecodeError as exc:
        raise fail(
            path,
            Invalid("csv-undecodable", "无法识别 CSV 文件的文字编码（不是 UTF-8，也不是 GB18030/GBK）"),
            "请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”或 Excel 工作簿(.xlsx)",
        ) from exc
    return "gb18030"


def _decode(path: Path, raw: bytes) -> tuple[str, bytes]:
    """The CSV text and its UTF-8 bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030."""
    encoding = encoding_of(path, raw)
    if encoding == "utf-8":
        body = raw.removeprefix(codecs.BOM_UTF8)
        return body.decode("utf-8"), body
    text = raw.decode(encoding)
    return text, text.encode("utf-8")


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one a line among the first HEADER_SEARCH_ROWS holds most of (comma on a
    tie)."""
    lines = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    return max((",", "\t", ";"), key=lambda d: max((line.count(d) for line in lines), default=0))


def read_csv(
    path: Path, sheet: str | None = None, table: Table | None = None, mapping: Mapping[str, str] | None = None
) -> Grid:
    """A CSV file as a grid (a Source: a CSV file has no sheets, so `sheet` and the rest are unused)."""
    text, utf8 = _decode(path, path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(text)
    try:
        head = next(csv.reader(io.StringIO(first_line, newline=""), delimiter=delimiter), [])
    except csv.Error:
        head = first_line.split(delimiter)  # pyarrow or the csv module below will say what is wrong
    names = [f"c{i}" for i in range(len(head))]
    try:
        parsed = pa_csv.read_csv(
            io.BytesIO(utf8),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        columns = [parsed.column(i).combine_chunks() for i in range(parsed.num_columns)]
    except (pa.ArrowInvalid, ValueError):
        # Rows of different lengths (or an empty file): the csv module copes with anything.
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:  # e.g. a carriage return inside an unquoted field, a NUL byte
            raise fail(
                path,
                Invalid("csv-malformed", f"CSV 文件格式有误，无法读取（{exc}）"),
                "请在 Excel 或 WPS 中打开，另存为“CSV UTF-8（逗号分隔）”或 Excel 工作簿(.xlsx)后再使用",
            ) from exc
        width = max(map(len, rows), default=0)
        columns = [arrow_strings([r[i] if i < len(r) else "" for r in rows]) for i in range(width)]
    return Grid("", columns, 1)
