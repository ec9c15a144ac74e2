"""The ten-row example of docs/algorithm.md, exactly as published there."""

from __future__ import annotations

from datetime import date

from shuangsuiji.select import select
from tests.builders import enterprise, make_plan, roster

ROWS = [
    enterprise("91520102MA6DR7U0XG", "A"),
    enterprise("91520102MA6DR7U1XH", "A"),
    enterprise("91520103MA6E00Q2XE", "A", status="注销"),
    enterprise("92520103MA6E0Q13X7", "A"),
    enterprise("91520111MA6H1B24X5", "B"),
    enterprise("91520111MA6H1B35XU", "B", last_inspected=date(2026, 5, 10)),
    enterprise("92520112MA6J2C46XF", "B"),
    enterprise("91520115MA6K3D57X6", "B"),
    enterprise("91520181MA6L4E68X1", "D"),
    enterprise("92520123MA6M5F79X6", "D", must_inspect=True),
]


def test_ten_row_example() -> None:
    plan = make_plan(
        selection={"ratio": {"A": "50%", "B": "1/3", "D": "0%"}, "minimum": {"D": 1}, "rounding": "ceil"},
        exclusion={"inspected_within_days": 365},
    )
    result = select(roster(ROWS), plan, "2026120188")
    drawn = [(p.enterprise_key, p.rank, p.must_inspect) for p in result.picks]
    assert drawn == [
        ("91520102MA6DR7U0XG", 1, False),
        ("91520102MA6DR7U1XH", 2, False),
        ("92520112MA6J2C46XF", 1, False),
        ("92520123MA6M5F79X6", None, True),
        ("91520181MA6L4E68X1", 1, False),
    ]
    assert [(s.key, s.eligible, s.quota) for s in result.strata] == [(("A",), 3, 2), (("B",), 3, 1), (("D",), 1, 1)]
    reasons = {e.enterprise_key: e.code for e in result.exclusions}
    assert reasons == {"91520103MA6E00Q2XE": "status", "91520111MA6H1B35XU": "window"}
    assert result.picks[0].ticket.startswith("1fa4bf6f")
