"""Pytest set-up shared by every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from rich import get_console

# No time limit per example: timing belongs in bench/, and a busy shared machine made examples
# that take 0.2 s fail at random (hypothesis's default deadline).
settings.register_profile("shuangsuiji", deadline=None)
settings.load_profile("shuangsuiji")


@pytest.fixture(autouse=True, scope="session")
def _wide_terminal() -> None:
    from shuangsuiji import ui

    get_console().width = 300
    ui.console.width = 300  # tables must not fold the values the tests look for


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from the current code"
    )


@pytest.fixture(autouse=True)
def _own_working_folder(tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # The ledger lives in the working folder by default: every test gets its own.
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _shared_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Module-scoped fixtures draw before any per-test fixture runs: they register here, not at home.
    from shuangsuiji.io.staging import STATE_DIR_VARIABLE

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(STATE_DIR_VARIABLE, str(tmp_path_factory.mktemp("state-shared")))
        yield


@pytest.fixture(autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The registry of staging folders lives in the user's state folder: never the real home in
    # tests, and not inside tmp_path either, where tests look for what a draw left behind.
    from shuangsuiji.io.staging import STATE_DIR_VARIABLE

    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv(STATE_DIR_VARIABLE, str(state))
    return state
