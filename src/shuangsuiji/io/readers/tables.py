"""Opening an input table: its file read as a grid, fingerprinted (SHA-256, hashed while it is
parsed) and its header located."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ...fields import Table
from ...model import InputFile
from .delimited import read_csv
from .excel import read_xlsx
from .header import Located, locate
from .problems import Problems, fail
from .sources import check_path, file_sha256


def open_table(path: Path, table: Table, sheet: str | None, mapping: Mapping[str, str]) -> tuple[Located, InputFile, Problems]:
    """Read a file of any supported kind, fingerprint it and locate its header."""
    check_path(path)
    try:
        before = path.stat()
        with ThreadPoolExecutor(max_workers=1) as worker:
            digest = worker.submit(file_sha256, path)  # hashing overlaps parsing (both release the GIL)
            grid = read_csv(path) if path.suffix.lower() == ".csv" else read_xlsx(path, sheet, table, mapping)
            sha256 = digest.result()
        after = path.stat()
    except PermissionError as exc:
        raise fail(path, "没有权限读取文件", "请检查文件权限，或关闭正在独占打开它的程序后重试") from exc
    except OSError as exc:
        raise fail(path, f"无法读取文件（{exc.strerror or exc}）", "请检查文件是否完整、磁盘是否可读") from exc
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise fail(path, "文件在读取过程中被修改了", "请关闭正在编辑它的程序，然后重新运行")
    problems = Problems(path.name, grid.sheet)
    if sheet is not None and not grid.sheet:
        problems.add("CSV 文件没有工作表，已忽略指定的工作表", row=None, severity="warning")
    located = locate(path, grid, table, mapping, problems)
    file = InputFile(role=table.kind, path=str(path), sha256=sha256, rows=len(located), sheet=grid.sheet)
    return located, file, problems
