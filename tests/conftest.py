"""Pytest set-up shared by every test."""

from __future__ import annotations

import pytest
from rich import get_console


@pytest.fixture(autouse=True, scope="session")
def _wide_terminal() -> None:
    from shuangsuiji import ui

    get_console().width = 300
    ui.console.width = 300  # tables must not fold the values the tests look for


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current code")


@pytest.fixture(autouse=True)
def _own_working_folder(tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # The ledger lives in the working folder by default: every test gets its own.
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
