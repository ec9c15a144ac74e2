"""Records keep UTC; people read Beijing time (UTC+8, no daylight saving)."""

from __future__ import annotations

import pytest

from shuangsuiji.core.beijing_time import beijing_time


@pytest.mark.parametrize(
    ("recorded", "shown"),
    [
        ("2026-12-01T00:30:05Z", "2026-12-01 08:30:05"),
        ("2026-12-31T16:00:00Z", "2027-01-01 00:00:00"),  # across the year's end
        ("2026-07-01T12:00:00+00:00", "2026-07-01 20:00:00"),  # summer: still +8
        ("2026-07-01T20:00:00+08:00", "2026-07-01 20:00:00"),  # already Beijing time
        ("2026-12-01T00:30:05", "2026-12-01 08:30:05"),  # no offset: the records write UTC
        ("损坏的值", "损坏的值"),  # shown as it is, never hidden
    ],
)
def test_utc_is_shown_as_beijing_time(recorded: str, shown: str) -> None:
    assert beijing_time(recorded) == shown


def test_list_views_drop_the_seconds() -> None:
    assert beijing_time("2026-12-02T17:45:59Z", seconds=False) == "2026-12-03 01:45"
