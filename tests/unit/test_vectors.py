"""The ten-row example of docs/algorithm.md, exactly as published there."""

from __future__ import annotations

from datetime import date

from shuangsuiji.core.assign import Staffing, assignment_order, shuffled
from shuangsuiji.core.select import select
from tests.builders import enterprise, inspector, make_plan, roster

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
    assert [(s.key, s.eligible, s.quota) for s in result.strata] == [
        (("A",), 3, 2),
        (("B",), 3, 1),
        (("D",), 1, 1),
    ]
    reasons = {e.enterprise_key: e.code for e in result.exclusions}
    assert reasons == {"91520103MA6E00Q2XE": "status", "91520111MA6H1B35XU": "window"}
    assert result.picks[0].ticket.startswith("1fa4bf6f")


def test_small_team_example() -> None:
    """docs/algorithm.md §5.8, including the place where the best-ranked candidate is not safe."""
    seed = "2026120188"
    keys = ["91520102MA6DR7U0XG", "91520102MA6DR7U1XH", "92520112MA6J2C46XF"]
    staff = [
        inspector("GY01", specialties=frozenset({"餐饮服务"})),
        inspector("GY02"),
        inspector("GY03", specialties=frozenset({"餐饮服务"}), max_tasks=1),
        inspector("GY04", specialties=frozenset({"餐饮服务"}), certificate=""),
        inspector("GY05"),
    ]
    plan = make_plan(teams={"size": 2, "certified": 2, "specialist": 1, "max_tasks": 2})
    order = assignment_order(seed, keys)
    assert order == ["91520102MA6DR7U1XH", "91520102MA6DR7U0XG", "92520112MA6J2C46XF"]
    staffing = Staffing(plan, seed, [enterprise(k) for k in order], staff)
    names = [[staffing.pool[i].id for i in members] for members in staffing.lists]
    assert names == [["GY01", "GY03"], ["GY01", "GY02", "GY03", "GY05"]]
    ids = {i: p.id for i, p in enumerate(staffing.pool)}
    gy = {p.id: i for i, p in enumerate(staffing.pool)}
    assert [ids[i] for i in shuffled(seed, order[0], ("1", "0"), [gy["GY02"], gy["GY03"], gy["GY05"]])] == [
        "GY03",
        "GY05",
        "GY02",
    ]
    assert [ids[i] for i in shuffled(seed, order[1], ("1", "1"), [gy["GY01"], gy["GY05"]])] == [
        "GY01",
        "GY05",
    ]
    assert [ids[i] for i in shuffled(seed, order[2], ("1", "1"), [gy["GY02"], gy["GY05"]])] == [
        "GY05",
        "GY02",
    ]
    staffing.reset()
    assert staffing.greedy() == 4, "a plain greedy pass gets stuck at the third task"
    staffing.solve()
    assert [[m.id for m in team] for team in staffing.teams()] == [
        ["GY01", "GY05"],
        ["GY03", "GY02"],
        ["GY01", "GY05"],
    ]
