"""The findings of one file, collected (at most PROBLEMS_PER_COLUMN listed per column), and the
errors that stop reading a file at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ...core.errors import InputError, Problem, Severity

PROBLEMS_PER_COLUMN = 1000  # beyond this, one summary problem per column (a broken column of 1M rows)
SUMMARY_FROM = 10  # more rows than this with unknown words: one more line lists each word with its count
_NONE: Mapping[str, Any] = {}


class Invalid(NamedTuple):
    """A finding before it is located: its stable code (errors.Problem), its sentence, its params."""

    code: str
    message: str
    params: Mapping[str, Any] = _NONE


@dataclass
class Problems:
    """Collects row problems of one file, at most PROBLEMS_PER_COLUMN listed per column."""

    file: str
    sheet: str
    items: list[Problem] = field(default_factory=list)
    listed: Counter[str] = field(default_factory=Counter)
    hidden: Counter[str] = field(default_factory=Counter)
    hidden_errors: set[str] = field(default_factory=set)
    summaries: list[Problem] = field(default_factory=list)  # about a whole column, listed last

    def add(
        self, why: Invalid, *, row: int | None, column: str = "", hint: str = "", severity: Severity = "error"
    ) -> None:
        """A finding at a row (and column) of this file."""
        if self.listed[column] >= PROBLEMS_PER_COLUMN:
            self.hidden[column] += 1
            if severity == "error":
                self.hidden_errors.add(column)
            return
        self.listed[column] += 1
        self.items.append(self._located(why, row=row, column=column, hint=hint, severity=severity))

    def summarise(self, why: Invalid, *, column: str, hint: str, severity: Severity = "error") -> None:
        """A finding about a whole column (not counted against its per-column limit)."""
        self.summaries.append(self._located(why, row=None, column=column, hint=hint, severity=severity))

    def _located(
        self, why: Invalid, *, row: int | None, column: str, hint: str, severity: Severity
    ) -> Problem:
        return Problem(
            why.message,
            file=self.file,
            sheet=self.sheet,
            row=row,
            column=column,
            severity=severity,
            hint=hint,
            code=why.code,
            params=why.params,
        )

    def result(self) -> list[Problem]:
        """Problems in row order, then one summary per column whose problems were cut short."""
        found = sorted(self.items, key=lambda p: p.row or 0) + self.summaries
        found.extend(
            self._located(
                Invalid(
                    "more-in-column",
                    f"另有 {count} 行的“{column}”也有问题，"
                    f"未逐一列出（每列最多列出 {PROBLEMS_PER_COLUMN} 处）",
                    {"count": count, "column": column},
                ),
                row=None,
                column=column,
                hint="请先改正上面列出的问题，它们往往有同一个原因",
                severity="error" if column in self.hidden_errors else "warning",
            )
            for column, count in self.hidden.items()
        )
        return found


def fail(
    path: Path, why: Invalid, hint: str, *, sheet: str = "", row: int | None = None, column: str = ""
) -> InputError:
    """The error that stops reading a file at once."""
    return InputError(
        [
            Problem(
                why.message,
                file=path.name,
                sheet=sheet,
                row=row,
                column=column,
                hint=hint,
                code=why.code,
                params=why.params,
            )
        ]
    )
