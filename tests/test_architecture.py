"""The pure core imports no I/O, UI or table libraries, and reads no clock, file or environment; the
command line imports the heavy libraries only when a command needs them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "shuangsuiji"
# The pure core is whatever lives in core/: a module is pure by where it is, not by a list.
CORE = sorted(path.relative_to(PACKAGE).as_posix() for path in (PACKAGE / "core").rglob("*.py"))
# Standard-library modules that reach files, clocks, processes or chance; anything outside the
# standard library (numpy, pyarrow, rich, typer ...) is refused as well.
FORBIDDEN_STDLIB = {
    "os",
    "io",
    "random",
    "time",
    "sqlite3",
    "shutil",
    "tempfile",
    "subprocess",
    "secrets",
    "socket",
    "glob",
    "importlib",
    "sys",
    "zipfile",
    "multiprocessing",
    "threading",
    "logging",
}
FORBIDDEN_CALLS = {
    "open",
    "now",
    "today",
    "utcnow",
    "getenv",
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "print",
    "input",
    "exists",
    "is_file",
    "stat",
    "iterdir",
    "resolve",
    "absolute",
    "cwd",
    "home",
    "expanduser",
}


def test_the_core_is_found_by_its_layout() -> None:
    assert {"core/tickets.py", "core/select.py", "core/assign.py", "core/record.py", "core/model.py"} <= set(
        CORE
    )


@pytest.mark.parametrize("module", CORE)
def test_pure_module_has_no_io(module: str) -> None:
    tree = ast.parse((PACKAGE / module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and getattr(node, "level", 0) == 0:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for top in {name.split(".")[0] for name in names}:
                assert top in sys.stdlib_module_names and top not in FORBIDDEN_STDLIB, (
                    f"{module} imports {top}"
                )
        elif isinstance(node, ast.ImportFrom):
            # Inside the core (level 1); above it only the package's version string.
            inside = node.level == 1
            version = node.level == 2 and not node.module and [a.name for a in node.names] == ["__version__"]
            assert inside or version, (
                f"{module} imports from outside the core: {'.' * node.level}{node.module or ''}"
            )
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert called not in FORBIDDEN_CALLS, f"{module} calls {called}"


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
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(setup=setup, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("LOADED"))
    return [name for name in line.removeprefix("LOADED").strip().split(",") if name]


@pytest.mark.parametrize(
    "args", [None, ["seed", "new"], ["seed", "combine", "a", "b"], ["--help"], ["ledger", "--help"]]
)
def test_the_cli_and_its_light_commands_do_not_load_the_table_libraries(args: list[str] | None) -> None:
    setup = "import shuangsuiji.cli" if args is None else RUN_COMMAND.format(args=args)
    assert _heavy_modules_after(setup) == []


def test_the_probe_sees_the_table_libraries_when_they_are_loaded() -> None:
    assert {"numpy", "pyarrow", "fastexcel"} <= set(_heavy_modules_after("import shuangsuiji.pipeline"))


def test_the_cli_names_the_ledger_file_as_the_ledger_does() -> None:
    from shuangsuiji import cli
    from shuangsuiji.io import ledger

    assert cli.LEDGER_FILE == ledger.LEDGER_FILE
