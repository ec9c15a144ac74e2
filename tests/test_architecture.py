"""The pure core imports no I/O, UI or table libraries, and reads no clock, file or environment; the
command line imports the heavy libraries only when a command needs them."""

from __future__ import annotations

import ast
import subprocess
import sys
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


# The command line loads the table and chart libraries only in the commands that use them: `seed new`
# must not pay for numpy and pyarrow (bench/bench_startup.py measures what that saves).
HEAVY = ("numpy", "pyarrow", "fastexcel", "matplotlib")
PROBE = """
import sys
{setup}
print("LOADED", ",".join(m for m in {heavy!r} if m in sys.modules))
"""
RUN_COMMAND = """
from shuangsuiji.cli import app
try:
    app({args!r}, standalone_mode=False)
except SystemExit:
    pass
"""


def _heavy_modules_after(setup: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(setup=setup, heavy=HEAVY)], capture_output=True,
                          text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("LOADED"))
    return [name for name in line.removeprefix("LOADED").strip().split(",") if name]


@pytest.mark.parametrize("args", [None, ["seed", "new"], ["seed", "combine", "a", "b"], ["--help"], ["ledger", "--help"]])
def test_the_cli_and_its_light_commands_do_not_load_the_table_libraries(args: list[str] | None) -> None:
    setup = "import shuangsuiji.cli" if args is None else RUN_COMMAND.format(args=args)
    assert _heavy_modules_after(setup) == []


def test_the_probe_sees_the_table_libraries_when_they_are_loaded() -> None:
    assert {"numpy", "pyarrow", "fastexcel"} <= set(_heavy_modules_after("import shuangsuiji.pipeline"))


def test_the_cli_names_the_ledger_file_as_the_ledger_does() -> None:
    from shuangsuiji import cli, ledger

    assert cli.LEDGER_FILE == ledger.LEDGER_FILE
