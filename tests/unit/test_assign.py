"""Teams: every hard rule holds, choices follow the tickets, infeasible tasks say why."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.assign import TeamBuilder, permutation
from shuangsuiji.draw import compute_draw
from shuangsuiji.errors import DrawError
from shuangsuiji.model import Enterprise, HistoryEntry, Inputs, Inspector, Recusal
from tests.builders import enterprise, inspector, make_plan, roster

END = date(2026, 12, 31)


def test_permutation_is_a_permutation_and_depends_on_the_key() -> None:
    pool = [inspector(f"P{i:03d}") for i in range(30)]
    first = list(permutation("s", "K1", pool))
    assert sorted(p.id for p in first) == [p.id for p in pool]
    assert [p.id for p in first] != [p.id for p in permutation("s", "K2", pool)]
    assert [p.id for p in first] == [p.id for p in permutation("s", "K1", pool)]


def test_each_inspector_is_equally_likely_first() -> None:
    pool = [inspector(f"P{i}") for i in range(5)]
    firsts = Counter(next(permutation("s", f"K{n}", pool)).id for n in range(5000))
    assert min(firsts.values()) > 900 and max(firsts.values()) < 1100


def check_team(team: tuple[Inspector, ...], e: Enterprise, plan_rules: dict[str, object],
               recused: set[tuple[str, str]]) -> None:
    """Assert every hard rule for one team."""
    assert len(team) == plan_rules["size"]
    assert len({m.id for m in team}) == len(team)
    assert sum(m.certified_through(END) for m in team) >= plan_rules["certified"]  # type: ignore[operator]
    assert sum(e.industry in m.specialties for m in team) >= plan_rules["specialist"]  # type: ignore[operator]
    assert all(m.on_duty for m in team)
    assert all((m.id, e.key) not in recused for m in team)
    if plan_rules.get("cross_district"):
        assert all(m.district != e.district for m in team)
    if any(m.certified_through(END) for m in team):
        assert team[0].certified_through(END), "the leader is a certified member"


people = st.builds(
    Inspector,
    id=st.sampled_from([f"P{i:02d}" for i in range(40)]),
    name=st.just("某人"),
    department=st.sampled_from(["食品科", "执法队"]),
    certificate=st.sampled_from(["", "Z1"]),
    certificate_expiry=st.none() | st.sampled_from([date(2026, 12, 15), date(2027, 6, 30)]),
    specialties=st.sets(st.sampled_from(["餐饮服务", "食品销售"]), max_size=2).map(frozenset),
    district=st.sampled_from(["云岩区", "南明区"]),
    status=st.sampled_from(["在岗", "在岗", "", "休假"]),
    max_tasks=st.none() | st.integers(0, 3),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(people, max_size=14, unique_by=lambda p: p.id),
    st.integers(1, 8),
    st.fixed_dictionaries({
        "size": st.integers(1, 3), "certified": st.integers(0, 2), "specialist": st.integers(0, 1),
        "cross_district": st.booleans(),
    }),
    st.integers(0, 10**6),
)
def test_every_team_is_valid_or_the_draw_says_why(
    staff: list[Inspector], tasks: int, rules: dict[str, object], salt: int
) -> None:
    rng = random.Random(salt)
    rules["certified"] = min(rules["certified"], rules["size"])  # type: ignore[type-var]
    rules["specialist"] = min(rules["specialist"], rules["size"])  # type: ignore[type-var]
    rows = [enterprise(f"K{i}", district=rng.choice(["云岩区", "南明区"]),
                       industry=rng.choice(["餐饮服务", "食品销售"])) for i in range(tasks)]
    recusals = tuple(Recusal(p.id, r.key) for p in staff for r in rows if rng.random() < 0.15)
    plan = make_plan(selection={"ratio": {"B": "100%"}}, teams={**rules, "max_tasks": 3})
    inputs = Inputs(roster(rows), tuple(staff), recusals)
    try:
        result = compute_draw(inputs, plan, f"seed{salt}")
    except DrawError as error:
        assert "无法为" in str(error) and "可派人员共" in str(error)
        return
    recused = {(r.inspector_id, r.enterprise_key) for r in recusals}
    load = Counter(m.id for t in result.tasks for m in t.team)
    for task in result.tasks:
        check_team(task.team, task.enterprise, rules, recused)
    caps = {p.id: p.max_tasks if p.max_tasks is not None else 3 for p in staff}
    assert all(load[i] <= caps[i] for i in load)
    assert dict(load) == result.workloads


def test_rotation_window_keeps_an_inspector_away() -> None:
    staff = [inspector("P1"), inspector("P2"), inspector("P3")]
    e = enterprise("K1")
    history = [HistoryEntry("K1", date(2026, 6, 1), "P1")]
    plan = make_plan(teams={"size": 2, "certified": 2, "rotation_days": 365})
    for seed in ("a", "b", "c", "d", "e", "f"):
        team = TeamBuilder(plan, seed, staff, history=history).build(e)
        assert "P1" not in {m.id for m in team}


def test_specialist_and_department_rules() -> None:
    staff = [
        inspector("P1", department="食品科"),
        inspector("P2", department="食品科", specialties=frozenset({"餐饮服务"})),
        inspector("P3", department="执法队"),
        inspector("P4", department="执法队", certificate=""),
    ]
    plan = make_plan(teams={"size": 2, "certified": 2, "specialist": 1, "departments": ["食品科", "执法队"]})
    for seed in map(str, range(20)):
        team = TeamBuilder(plan, seed, staff).build(enterprise("K1"))
        assert {m.id for m in team} == {"P2", "P3"}


def test_expired_certificate_does_not_count() -> None:
    staff = [inspector("P1"), inspector("P2", certificate_expiry=date(2026, 12, 30))]
    plan = make_plan(teams={"size": 2, "certified": 2})
    with pytest.raises(DrawError) as caught:
        TeamBuilder(plan, "s", staff).build(enterprise("K1"))
    assert "持有效执法证 2 人（可派 1 人）" in str(caught.value)


def test_caps_are_respected_and_exhaustion_is_explained() -> None:
    staff = [inspector("P1", max_tasks=1), inspector("P2", max_tasks=1), inspector("P3", max_tasks=1)]
    plan = make_plan(teams={"size": 2, "certified": 2})
    builder = TeamBuilder(plan, "s", staff)
    builder.build(enterprise("K1"))
    with pytest.raises(DrawError):
        builder.build(enterprise("K2"))


def test_teams_do_not_depend_on_roster_order() -> None:
    staff = [inspector(f"P{i:02d}", specialties=frozenset({"餐饮服务"}) if i % 3 else frozenset()) for i in range(20)]
    rows = [enterprise(f"K{i:02d}") for i in range(12)]
    plan = make_plan(selection={"ratio": {"B": "50%"}}, teams={"size": 2, "certified": 2, "specialist": 1})
    first = compute_draw(Inputs(roster(rows), tuple(staff)), plan, "s")
    second = compute_draw(Inputs(roster(rows[::-1]), tuple(staff[::-1])), plan, "s")
    assert [(t.task_id, t.enterprise.key, [m.id for m in t.team]) for t in first.tasks] == [
        (t.task_id, t.enterprise.key, [m.id for m in t.team]) for t in second.tasks
    ]
