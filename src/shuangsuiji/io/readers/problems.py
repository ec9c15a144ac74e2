"""The findings of one file, collected (at most PROBLEMS_PER_COLUMN listed per column), and the
errors that stop reading a file at once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import InputError, Problem, Severity

PROBLEMS_PER_COLUMN = 1000  # beyond this, one summary problem per column (a broken column of 1M rows)
SUMMARY_FROM = 10  # more rows than this with unknown words: one more line lists each word with its count

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

    def add(self, message: str, *, row: int | None, column: str = "", hint: str = "",
            severity: Severity = "error") -> None:
        if self.listed[column] >= PROBLEMS_PER_COLUMN:
            self.hidden[column] += 1
            if severity == "error":
                self.hidden_errors.add(column)
            return
        self.listed[column] += 1
        self.items.append(Problem(message, file=self.file, sheet=self.sheet, row=row, column=column,
                                  severity=severity, hint=hint))

    def summarise(self, message: str, *, column: str, hint: str, severity: Severity = "error") -> None:
        """A finding about a whole column (not counted against its per-column limit)."""
        self.summaries.append(Problem(message, file=self.file, sheet=self.sheet, column=column, severity=severity,
                                      hint=hint))

    def result(self) -> list[Problem]:
        """Problems in row order, then one summary per column whose problems were cut short."""
        found = sorted(self.items, key=lambda p: p.row or 0) + self.summaries
        found.extend(
            Problem(f"另有 {count} 行的“{column}”也有问题，未逐一列出（每列最多列出 {PROBLEMS_PER_COLUMN} 处）",
                    file=self.file, sheet=self.sheet, column=column,
                    severity="error" if column in self.hidden_errors else "warning",
                    hint="请先改正上面列出的问题，它们往往有同一个原因")
            for column, count in self.hidden.items()
        )
        return found


def fail(path: Path, message: str, hint: str, *, sheet: str = "", row: int | None = None,
          column: str = "") -> InputError:
    return InputError([Problem(message, file=path.name, sheet=sheet, row=row, column=column, hint=hint)])
