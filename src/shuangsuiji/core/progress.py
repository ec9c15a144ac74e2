"""How the pipeline tells the outside world what it is doing, without ever printing itself."""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    """Receives progress; the CLI plugs in rich progress bars, everything else the null one."""

    def stage(self, label: str, total: int | None = None) -> None:
        """A new stage begins (the previous one is finished); `total` units if known."""

    def advance(self, amount: int = 1) -> None:
        """`amount` more units of the current stage are done."""

    def finish(self) -> None:
        """All stages are done."""


class NullReporter:
    """A reporter that ignores everything: the default for tests and library callers."""

    def stage(self, label: str, total: int | None = None) -> None:
        """Ignore the stage."""

    def advance(self, amount: int = 1) -> None:
        """Ignore progress."""

    def finish(self) -> None:
        """Ignore the end."""
