"""China's working-day calendar (法定节假日 and the weekend days worked in exchange, 调休), from the
chinese-calendar package, which follows each year's State Council notice.

A year the package does not know yet (the holidays are announced late each year for the next) is
counted Monday to Friday, and the deadline is marked as an estimate: shown as such, never as fact.
"""

from __future__ import annotations

import functools
from datetime import date

import chinese_calendar

from ..core.results import publication_deadline


def is_workday(day: date) -> bool:
    """A working day in China (raises NotImplementedError for a year the calendar does not cover)."""
    return bool(chinese_calendar.is_workday(day))


def _weekday(day: date) -> bool:
    return day.weekday() < 5


@functools.lru_cache(maxsize=4096)  # a month's results share a few dozen dates; each count asks ~28 days
def deadline(completed_on: date) -> tuple[date, bool]:
    """The last day to publish a result completed on `completed_on`, and whether it is exact (False:
    a year the calendar does not cover yet was counted Monday to Friday)."""
    try:
        return publication_deadline(completed_on, is_workday), True
    except NotImplementedError:
        return publication_deadline(completed_on, _weekday), False
