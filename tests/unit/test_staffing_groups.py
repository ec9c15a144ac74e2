"""Teams staffed group by group (groups that share no inspector) are the whole solve's teams."""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import event, given, settings
from hypothesis import strategies as st

from shuangsuiji.core.assign import (
    GroupInputs,
    Staffing,
    assignment_order,
    solve_group,
    solve_in_groups,
    solve_in_turn,
)
from shuangsuiji.core.draw import compute_draw
from shuangsuiji.core.errors import DrawError
from shuangsuiji.core.model import Enterprise, Inputs, Inspector, Recusal
from shuangsuiji.core.plan import Plan
from tests.builders import enterprise, inspector, make_plan, roster

ALL = {"ratio": {"A": "100%", "B": "100%", "C": "100%", "D": "100%"}}
INDUSTRIES = ("餐饮服务", "食品销售", "食品生产", "药品零售", "特种设备")
DISTRICTS = ("云岩区", "南明区", "花溪区")


def backwards(groups: Sequence[GroupInputs]) -> list[list[int]]:
    """Solve the last group first: the order the groups are solved in must not matter."""
    return [solve_group(g) for g in reversed(groups)][::-1]


def instance(
    salt: int, size: int, cap: int, balance: bool, cross: bool
) -> tuple[Plan, list[Enterprise], list[Inspector], tuple[Recusal, ...]]:
    """Specialist-only teams: inspectors with one specialty (a few with two) form groups by industry."""
    rng = random.Random(salt)
    staff = []
    for n in range(rng.randint(4 * size, 40)):
        skills = rng.sample(INDUSTRIES, 2 if rng.random() < 0.1 else 1)
        staff.append(
            inspector(
                f"P{n:02d}",
                specialties=frozenset(skills),
                district=rng.choice(DISTRICTS),
                certificate="" if rng.random() < 0.1 else f"Z{n}",
                max_tasks=rng.choice([None, None, None, None, 1, 3]),
                status="休假" if rng.random() < 0.05 else "",
            )
        )
    rows = [
        enterprise(f"K{n:03d}", industry=rng.choice(INDUSTRIES[:4]), district=rng.choice(DISTRICTS))
        for n in range(rng.randint(1, 30))
    ]
    recusals = tuple(Recusal(p.id, e.key) for p in staff for e in rows if rng.random() < 0.04)
    teams = {
        "size": size,
        "certified": size,
        "specialist": size,
        "max_tasks": cap,
        "balance": balance,
        "cross_district": cross,
    }
    return make_plan(selection=ALL, teams=teams), rows, staff, recusals


def staffing_for(
    plan: Plan, rows: list[Enterprise], staff: list[Inspector], recusals: tuple[Recusal, ...]
) -> Staffing:
    by_key = {e.key: e for e in rows}
    order = assignment_order("s", by_key)
    return Staffing(plan, "s", [by_key[k] for k in order], staff, recusals)


def outcome(staffing: Staffing, split: bool) -> tuple[str, object]:
    """The choices, or the failure's message and hint."""
    try:
        if split:
            solve_in_groups(staffing, backwards)
        else:
            staffing.solve()
    except DrawError as error:
        return "failed", (error.message, error.hint)
    return "staffed", (list(staffing.choices), staffing.workloads())


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 3), st.integers(2, 9), st.booleans(), st.booleans(), st.integers(0, 10**6))
def test_split_solve_equals_whole_solve(size: int, cap: int, balance: bool, cross: bool, salt: int) -> None:
    plan, rows, staff, recusals = instance(salt, size, cap, balance, cross)
    whole = outcome(staffing_for(plan, rows, staff, recusals), split=False)
    split_staffing = staffing_for(plan, rows, staff, recusals)
    groups = split_staffing.groups()
    event(f"{min(len(groups), 4)} groups, {whole[0]}")
    assert outcome(split_staffing, split=True) == whole


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 3), st.booleans(), st.integers(0, 10**6))
def test_groups_are_independent_and_cover_every_task(size: int, cross: bool, salt: int) -> None:
    plan, rows, staff, recusals = instance(salt, size, 4, True, cross)
    staffing = staffing_for(plan, rows, staff, recusals)
    groups = staffing.groups()
    assert sorted(t for g in groups for t in g.tasks) == list(range(len(rows)))
    owner = {i: n for n, g in enumerate(groups) for i in g.people}
    assert len(owner) == sum(len(g.people) for g in groups)  # nobody in two groups
    for n, group in enumerate(groups):
        assert list(group.tasks) == sorted(group.tasks)  # staffing order kept within a group
        for t in group.tasks:
            for lid in staffing.places[t]:
                assert all(owner[i] == n for i in staffing.lists[lid])


def test_industries_served_by_disjoint_specialists_make_separate_groups() -> None:
    staff = [inspector(f"P{n}", specialties=frozenset({INDUSTRIES[n % 2]})) for n in range(8)]
    rows = [enterprise(f"K{n:02d}", industry=INDUSTRIES[n % 2]) for n in range(10)]
    plan = make_plan(selection=ALL, teams={"size": 2, "certified": 2, "specialist": 2, "max_tasks": 4})
    staffing = staffing_for(plan, rows, staff, ())
    groups = staffing.groups()
    assert len(groups) == 2
    for group in groups:
        industries = {staffing.tasks[t].industry for t in group.tasks}
        skills = {s for i in group.people for s in staffing.pool[i].specialties}
        assert industries == skills and len(industries) == 1
    # One inspector with both specialties joins them.
    both = [*staff, inspector("P9", specialties=frozenset(INDUSTRIES[:2]))]
    assert len(staffing_for(plan, rows, both, ()).groups()) == 1


def test_a_group_that_differs_from_the_whole_solve_is_caught() -> None:
    """The comparison above is not vacuous: a group staffed under another seed changes the teams."""
    staff = [inspector(f"P{n}", specialties=frozenset({INDUSTRIES[n % 2]})) for n in range(8)]
    rows = [enterprise(f"K{n:02d}", industry=INDUSTRIES[n % 2]) for n in range(10)]
    plan = make_plan(selection=ALL, teams={"size": 2, "certified": 2, "specialist": 2, "max_tasks": 4})

    def wrong_seed(groups: Sequence[GroupInputs]) -> list[list[int]]:
        return [
            solve_group(g._replace(seed="other")) if n == 1 else solve_group(g) for n, g in enumerate(groups)
        ]

    whole = staffing_for(plan, rows, staff, ())
    whole.solve()
    right, wrong = staffing_for(plan, rows, staff, ()), staffing_for(plan, rows, staff, ())
    solve_in_groups(right, solve_in_turn)
    solve_in_groups(wrong, wrong_seed)
    assert right.choices == whole.choices
    assert wrong.choices != whole.choices


def test_compute_draw_with_a_group_solver_gives_the_same_draw() -> None:
    staff = [inspector(f"P{n}", specialties=frozenset({INDUSTRIES[n % 3]})) for n in range(15)]
    rows = [enterprise(f"K{n:02d}", industry=INDUSTRIES[n % 3]) for n in range(24)]
    plan = make_plan(selection=ALL, teams={"size": 2, "certified": 2, "specialist": 2, "max_tasks": 4})
    inputs = Inputs(roster(rows), tuple(staff))
    split = compute_draw(inputs, plan, "s", staff=lambda s: solve_in_groups(s, backwards))
    assert len(staffing_for(plan, rows, staff, ()).groups()) == 3
    assert split == compute_draw(inputs, plan, "s")


def test_an_infeasible_group_fails_with_the_whole_solves_message() -> None:
    staff = [inspector(f"P{n}", specialties=frozenset({INDUSTRIES[n % 2]})) for n in range(6)]
    rows = [enterprise(f"K{n:02d}", industry=INDUSTRIES[n % 2]) for n in range(20)]
    plan = make_plan(selection=ALL, teams={"size": 2, "certified": 2, "specialist": 2, "max_tasks": 2})
    inputs = Inputs(roster(rows), tuple(staff))
    try:
        compute_draw(inputs, plan, "s")
    except DrawError as error:
        expected = (error.message, error.hint)
    else:
        raise AssertionError("the plan leaves tasks without a team")
    try:
        compute_draw(inputs, plan, "s", staff=lambda s: solve_in_groups(s, backwards))
    except DrawError as error:
        assert (error.message, error.hint) == expected
        assert "无法为全部企业组成检查组" in error.message
    else:
        raise AssertionError("the split solve staffed an infeasible draw")
