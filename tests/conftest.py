"""Pytest set-up shared by every test."""

from __future__ import annotations

import pytest
from rich import get_console


@pytest.fixture(autouse=True, scope="session")
def _wide_terminal() -> None:
    get_console().width = 300


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current code")
