"""Table sources: a file → a `Grid` (every column as raw text, the first row's Excel number).

One small interface (`Source`), one module per kind of file (excel.py, delimited.py), chosen by
the file's suffix in tables.py; a Parquet source would be one more module and one more suffix.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from ...core.fields import Table
from .arrow import Column
from .problems import Invalid

COLUMNAR_SUFFIXES = (".parquet", ".csv")  # the kinds of file a roster folder may hold


def folder_files(folder: Path) -> list[Path]:
    """The roster files of a folder (COLUMNAR_SUFFIXES, not hidden), sorted by name (code point)."""
    return sorted(
        (
            entry
            for entry in folder.iterdir()
            if entry.suffix.lower() in COLUMNAR_SUFFIXES
            and not entry.name.startswith(".")
            and entry.is_file()
        ),
        key=lambda entry: entry.name,
    )


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes; for a folder of roster files, SHA-256 of its listing: one
    line "<SHA-256 of the file>  <file name>\n" per file (folder_files order), in UTF-8, as
    `sha256sum` prints it."""
    if path.is_dir():
        listing = "".join(f"{file_sha256(file)}  {file.name}\n" for file in folder_files(path))
        return hashlib.sha256(listing.encode("utf-8")).hexdigest()
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Grid:
    """A sheet as read: every column as raw text (null = empty cell) and the first row's number."""

    sheet: str
    columns: list[Column]
    first_row: int
    sheets: tuple[str, ...] = ()  # every sheet of the workbook, for hints
    hidden: frozenset[str] = frozenset()  # the hidden (or very hidden) ones among them
    notes: list[Invalid] = field(default_factory=list)  # what the user should know about the choice of sheet

    def __post_init__(self) -> None:
        self.columns = [
            c if c.type in (pa.string(), pa.large_string()) else c.cast(pa.string()) for c in self.columns
        ]

    @property
    def height(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def sheet_label(self, name: str) -> str:
        """“名称” or “名称”（隐藏） for messages."""
        return f"“{name}”（隐藏）" if name in self.hidden else f"“{name}”"


class Source(Protocol):
    """Reads one kind of file into a grid. `sheet`, `table` and `mapping` let a workbook source
    choose its sheet (the one whose first rows hold `table`'s header); others ignore them."""

    def __call__(self, path: Path, sheet: str | None, table: Table, mapping: Mapping[str, str]) -> Grid: ...


def sheet_hint(table: Table) -> str:
    """How the user names the sheet to read, for this input."""
    if table.kind == "enterprises":
        return "请用 --sheet 或计划文件 [inputs.enterprises] 中的 sheet 指定"
    return f"请在计划文件 [inputs.{table.kind}] 中用 sheet 指定"
