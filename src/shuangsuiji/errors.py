"""Every failure a user can meet, as exceptions carrying a Chinese message and an exit code.

The core raises these; `cli.py` is the only place that turns them into printed text and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about an input, located as precisely as we can (file, sheet, Excel row, column)."""

    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    severity: Severity = "error"
    hint: str = ""

    def location(self) -> str:
        """Where the problem is, in the user's terms: 文件 工作表 第 N 行 列。"""
        parts = []
        if self.file:
            parts.append(f"文件“{self.file}”")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "，".join(parts)

    def sentence(self) -> str:
        """The whole finding as one sentence: location, what is wrong, what to do."""
        where = self.location()
        text = f"{where}：{self.message}" if where else self.message
        return f"{text}。{self.hint}" if self.hint else text


class ShuangsuijiError(Exception):
    """Base of every error the tool reports to a user."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}。{self.hint}" if self.hint else self.message


class UsageError(ShuangsuijiError):
    """Bad command-line usage: a missing option, an output folder that already holds files."""


class SeedError(ShuangsuijiError):
    """The seed text breaks the seed rules of the algorithm."""


class PlanError(ShuangsuijiError):
    """The plan file cannot be read or holds invalid values; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0].sentence() if problems else "抽查计划文件有误"
        more = f"（另有 {len(problems) - 1} 处问题）" if len(problems) > 1 else ""
        super().__init__(first + more)


class InputError(ShuangsuijiError):
    """An input file is missing, unreadable, or its content is invalid; carries every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"] or problems
        first = errors[0].sentence() if errors else "输入文件有误"
        more = f"（另有 {len(errors) - 1} 处错误）" if len(errors) > 1 else ""
        super().__init__(first + more)


class DrawError(ShuangsuijiError):
    """The inputs are valid but the draw cannot be made, e.g. no valid team for a task."""

    exit_code = 1


class OutputError(ShuangsuijiError):
    """The outputs cannot be written (folder not writable, disk full)."""
