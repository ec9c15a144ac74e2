"""Opening an input table: its file read as a grid, fingerprinted (SHA-256, hashed while it is
parsed) and its header located."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ...core.fields import Table
from ...core.model import InputFile
from .delimited import read_csv
from .excel import read_xlsx
from .header import Located, locate
from .problems import Invalid, Problems, fail
from .sources import Source, file_sha256

SOURCES: dict[str, Source] = {".xlsx": read_xlsx, ".xlsm": read_xlsx, ".csv": read_csv}


def check_path(path: Path) -> Source:
    """The source for this file; InputError when the file is missing or of a kind we cannot read."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise fail(
            path, Invalid("file-missing", f"文件不存在：{path}"), "请检查路径和文件名（包括扩展名）是否写对"
        )
    if path.is_dir():
        raise fail(
            path,
            Invalid("file-is-folder", f"“{path}”是一个文件夹，不是文件"),
            "请给出 .xlsx 或 .csv 文件的路径",
        )
    if suffix in (".xls", ".et"):
        raise fail(
            path,
            Invalid("old-excel-format", f"不支持旧版 Excel 格式（{suffix}）", {"suffix": suffix}),
            "请在 Excel 或 WPS 中打开，选择“文件 → 另存为 → Excel 工作簿(.xlsx)”后再使用",
        )
    if suffix not in SOURCES:
        raise fail(
            path,
            Invalid(
                "unsupported-file-type", f"不支持的文件类型“{suffix or '（无扩展名）'}”", {"suffix": suffix}
            ),
            f"支持的格式：{'、'.join(SOURCES)}；请在 Excel 或 WPS 中另存为 Excel 工作簿(.xlsx)",
        )
    return SOURCES[suffix]


def open_table(
    path: Path, table: Table, sheet: str | None, mapping: Mapping[str, str]
) -> tuple[Located, InputFile, Problems]:
    """Read a file of any supported kind, fingerprint it and locate its header."""
    source = check_path(path)
    try:
        before = path.stat()
        with ThreadPoolExecutor(max_workers=1) as worker:
            digest = worker.submit(file_sha256, path)  # hashing overlaps parsing (both release the GIL)
            grid = source(path, sheet, table, mapping)
            sha256 = digest.result()
        after = path.stat()
    except PermissionError as exc:
        raise fail(
            path,
            Invalid("file-permission", "没有权限读取文件"),
            "请检查文件权限，或关闭正在独占打开它的程序后重试",
        ) from exc
    except OSError as exc:
        raise fail(
            path,
            Invalid("file-unreadable", f"无法读取文件（{exc.strerror or exc}）"),
            "请检查文件是否完整、磁盘是否可读",
        ) from exc
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise fail(
            path,
            Invalid("file-changed-while-reading", "文件在读取过程中被修改了"),
            "请关闭正在编辑它的程序，然后重新运行",
        )
    problems = Problems(path.name, grid.sheet)
    if sheet is not None and not grid.sheet:
        problems.add(
            Invalid("csv-has-no-sheets", "CSV 文件没有工作表，已忽略指定的工作表"),
            row=None,
            severity="warning",
        )
    located = locate(path, grid, table, mapping, problems)
    file = InputFile(kind=table.kind, path=str(path), sha256=sha256, rows=len(located), sheet=grid.sheet)
    return located, file, problems
