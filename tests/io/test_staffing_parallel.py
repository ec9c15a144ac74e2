"""Independent team groups staffed in helper processes give the draw a single process gives."""

from __future__ import annotations

import pytest

from shuangsuiji.core.draw import compute_draw
from shuangsuiji.core.errors import DrawError
from shuangsuiji.core.model import DrawResult, Inputs
from shuangsuiji.core.plan import Plan
from shuangsuiji.io import staffing
from shuangsuiji.io.staffing import shares, staff_in_parallel
from tests.builders import enterprise, inspector, make_plan, roster

ALL = {"ratio": {"A": "100%", "B": "100%", "C": "100%", "D": "100%"}}
INDUSTRIES = ("餐饮服务", "食品销售", "食品生产", "药品零售", "特种设备")


@pytest.fixture
def helpers_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Helpers even for a small draw, and on a busy or one-core machine."""
    monkeypatch.setattr(staffing, "MIN_PLACES", 0)
    monkeypatch.setattr(staffing, "_workers", lambda: 3)


def by_industry(tasks: int, people: int, cap: int) -> tuple[Inputs, Plan]:
    """Specialist-only teams; every inspector knows one industry, so each industry is a group."""
    staff = [
        inspector(
            f"P{n:02d}", specialties=frozenset({INDUSTRIES[n % 5]}), max_tasks=1 if n % 7 == 0 else None
        )
        for n in range(people)
    ]
    rows = [
        enterprise(f"K{n:03d}", industry=INDUSTRIES[n % 5], district=("云岩区", "南明区")[n % 2])
        for n in range(tasks)
    ]
    teams = {"size": 2, "certified": 2, "specialist": 2, "max_tasks": cap, "cross_district": True}
    return Inputs(roster(rows), tuple(staff)), make_plan(selection=ALL, teams=teams)


def members(result: DrawResult) -> list[tuple[str, ...]]:
    return [tuple(m.id for m in task.team) for task in result.tasks]


@pytest.mark.usefixtures("helpers_always")
def test_groups_in_helper_processes_give_the_same_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs, plan = by_industry(200, 60, 20)

    def not_here(groups: object) -> None:
        raise AssertionError("a helper's share was staffed in this process")

    monkeypatch.setattr(staffing, "solve_in_turn", not_here)
    parallel = compute_draw(inputs, plan, "s", staff=staff_in_parallel)
    whole = compute_draw(inputs, plan, "s")
    assert members(parallel) == members(whole)
    assert parallel == whole
    assert len({task.enterprise.industry for task in whole.tasks}) == 5


@pytest.mark.usefixtures("helpers_always")
def test_an_infeasible_group_in_a_helper_fails_with_the_whole_solves_message() -> None:
    inputs, plan = by_industry(200, 60, 6)
    with pytest.raises(DrawError) as whole:
        compute_draw(inputs, plan, "s")
    with pytest.raises(DrawError) as parallel:
        compute_draw(inputs, plan, "s", staff=staff_in_parallel)
    assert (parallel.value.message, parallel.value.hint) == (whole.value.message, whole.value.hint)


@pytest.mark.usefixtures("helpers_always")
def test_a_helper_that_dies_is_replaced_by_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    inputs, plan = by_industry(100, 60, 20)
    monkeypatch.setattr(staffing.sys, "executable", "/bin/false")
    assert compute_draw(inputs, plan, "s", staff=staff_in_parallel) == compute_draw(inputs, plan, "s")


def test_shares_deal_the_largest_groups_first_to_the_lightest_share() -> None:
    assert shares([10, 3, 8, 2, 1], 2) == [[0, 3], [1, 2, 4]]  # 10+2 against 8+3+1
    assert shares([5], 3) == [[0]]
    assert sorted(g for share in shares(list(range(1, 30)), 4) for g in share) == list(range(29))
