"""The pure core imports no I/O, UI or table libraries, and reads no clock, file or environment."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "shuangsuiji"
PURE = ["tickets", "ids", "model", "select", "assign", "teamflow", "draw", "record", "validate", "errors", "progress", "ceremony", "privacy", "fields",
        "compare"]
FORBIDDEN_MODULES = {"pandas", "pyarrow", "fastexcel", "openpyxl", "rich", "typer", "numpy", "os", "random",
                     "time", "sqlite3", "shutil", "tempfile", "subprocess", "secrets"}
FORBIDDEN_CALLS = {"open", "now", "today", "utcnow", "getenv", "read_text", "write_text", "print"}


@pytest.mark.parametrize("name", PURE)
def test_pure_module_has_no_io(name: str) -> None:
    tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & FORBIDDEN_MODULES, name
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            assert (node.module or "").split(".")[0] not in FORBIDDEN_MODULES, name
        elif isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith(("io", "cli", "ui", "pipeline")), name
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert called not in FORBIDDEN_CALLS, f"{name} calls {called}"
