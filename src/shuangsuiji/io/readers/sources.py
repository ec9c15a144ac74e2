"""Table sources: a file → a `Grid` (every column as raw text, the first row's Excel number).

One small interface, one module per kind of file (excel.py, delimited.py); a Parquet source would
be one more. The sheet of a workbook is chosen here too (never a hidden one by itself).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ...fields import Table
from .arrow import Column
from .problems import fail

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".csv")

def file_sha256(path: Path) -> str:
    """Hex SHA-256 of the file's bytes."""
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
    notes: list[str] = field(default_factory=list)  # what the user should know about the choice of sheet

    def __post_init__(self) -> None:
        self.columns = [c if c.type in (pa.string(), pa.large_string()) else c.cast(pa.string()) for c in self.columns]

    @property
    def height(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def sheet_label(self, name: str) -> str:
        """“名称” or “名称”（隐藏） for messages."""
        return f"“{name}”（隐藏）" if name in self.hidden else f"“{name}”"


def check_path(path: Path) -> None:
    suffix = path.suffix.lower()
    if not path.exists():
        raise fail(path, f"文件不存在：{path}", "请检查路径和文件名（包括扩展名）是否写对")
    if path.is_dir():
        raise fail(path, f"“{path}”是一个文件夹，不是文件", "请给出 .xlsx 或 .csv 文件的路径")
    if suffix in (".xls", ".et"):
        raise fail(path, f"不支持旧版 Excel 格式（{suffix}）",
                    "请在 Excel 或 WPS 中打开，选择“文件 → 另存为 → Excel 工作簿(.xlsx)”后再使用")
    if suffix not in SUPPORTED_SUFFIXES:
        raise fail(path, f"不支持的文件类型“{suffix or '（无扩展名）'}”",
                    "支持的格式：.xlsx、.xlsm、.csv；请在 Excel 或 WPS 中另存为 Excel 工作簿(.xlsx)")


def sheet_hint(table: Table) -> str:
    """How the user names the sheet to read, for this input."""
    if table.kind == "enterprises":
        return "请用 --sheet 或计划文件 [inputs.enterprises] 中的 sheet 指定"
    return f"请在计划文件 [inputs.{table.kind}] 中用 sheet 指定"
