"""Every failure a user can meet, as exceptions carrying a Chinese message and an exit code.

The core raises these; `cli.py` is the only place that turns them into printed text and exit codes.
Findings about inputs are data (`Problem`): a stable `code` and its `params` for scripts and tests,
beside the Chinese sentence for people (after frictionless's error classes), so the wording can
improve without breaking either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about an input, located as precisely as we can (file, sheet, Excel row, column).

    `code` names the kind of finding, stable across versions (`missing-column`, `bad-uscc-check`,
    `unknown-status`, ...; docs/problems.md lists them); `params` holds the values the sentence
    was made from (the header, the word, the count...).
    """

    message: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    severity: Severity = "error"
    hint: str = ""
    code: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """For scripts (validate --json): every field, the code and params included."""
        return {
            "code": self.code,
            "params": dict(self.params),
            "severity": self.severity,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }

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
    code = "error"  # the Problem code when the error becomes a finding (validate)

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}。{self.hint}" if self.hint else self.message


class UsageError(ShuangsuijiError):
    """Bad command-line usage: a missing option, an output folder that already holds files."""

    code = "usage"


class SeedError(ShuangsuijiError):
    """The seed text breaks the seed rules of the algorithm."""

    code = "bad-seed"


class ProblemsError(ShuangsuijiError):
    """Invalid inputs or plan: carries every problem found (the first error is the message)."""

    fallback = "输入有误"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"] or problems
        first = errors[0].sentence() if errors else self.fallback
        more = f"（另有 {len(errors) - 1} 处错误）" if len(errors) > 1 else ""
        super().__init__(first + more)


class PlanError(ProblemsError):
    """The plan file cannot be read or holds invalid values."""

    fallback = "抽查计划文件有误"


class InputError(ProblemsError):
    """An input file is missing, unreadable, or its content is invalid."""

    fallback = "输入文件有误"


class DrawError(ShuangsuijiError):
    """The inputs are valid but the draw cannot be made, e.g. no valid team for a task."""

    exit_code = 1


class OutputError(ShuangsuijiError):
    """The outputs cannot be written (folder not writable, disk full)."""
