"""Times as people in China read them: records and the ledger keep UTC ISO strings, the screen shows
Beijing time.

A fixed UTC+8 offset, not zoneinfo's "Asia/Shanghai": China has kept UTC+8 without daylight
saving since 1991, and Windows has no time-zone database unless the tzdata package is installed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "北京时间")


def beijing_time(utc_iso: str, *, seconds: bool = True) -> str:
    """ "2026-12-01T08:00:05Z" → "2026-12-01 16:00:05" (Beijing time); text that is not an ISO time
    is returned as it is, so that a damaged value is still shown, not hidden."""
    try:
        moment = datetime.fromisoformat(utc_iso.strip())
    except ValueError:
        return utc_iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the records write UTC; a bare time is read as such
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def beijing_date(utc_iso: str) -> date:
    """The calendar day in Beijing at a UTC time written by the program ("2026-12-01T17:00:00Z" →
    2026-12-02): what "today" means for a publication's completion dates and deadlines."""
    moment = datetime.fromisoformat(utc_iso.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).date()
