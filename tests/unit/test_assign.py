"""Teams: valid, found whenever they exist (checked against brute force), even, random, explained."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import replace
from datetime import date
from functools import cache

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from shuangsuiji.core.assign import Staffing, assignment_order, shuffled
from shuangsuiji.core.draw import compute_draw
from shuangsuiji.core.errors import DrawError
from shuangsuiji.core.fairness import chi_square_sf
from shuangsuiji.core.model import DrawResult, Enterprise, HistoryEntry, Inputs, Inspector, Recusal
from shuangsuiji.core.plan import Plan
from tests.builders import enterprise, inspector, make_plan, roster
from tests.flow_reference import OpenTask, staffable

END = date(2026, 12, 31)
ALL = {"ratio": {"A": "100%", "B": "100%", "C": "100%", "D": "100%"}}


def draw(
    staff: list[Inspector],
    rows: list[Enterprise],
    seed: str = "s",
    recusals: tuple[Recusal, ...] = (),
    history: tuple[HistoryEntry, ...] = (),
    **teams: object,
) -> DrawResult:
    """Every enterprise drawn, teams under the given rules."""
    plan = make_plan(selection=ALL, teams=teams)
    return compute_draw(Inputs(roster(rows), tuple(staff), recusals, history), plan, seed)


def ids(result: DrawResult) -> dict[str, list[str]]:
    return {t.enterprise.key: [m.id for m in t.team] for t in result.tasks}


# --- the shuffle ---


def test_shuffle_is_a_permutation_that_depends_on_key_and_role() -> None:
    items = list(range(30))
    first = list(shuffled("s", "K1", ("0",), items))
    assert sorted(first) == items
    assert first == list(shuffled("s", "K1", ("0",), items))
    assert first != list(shuffled("s", "K2", ("0",), items))
    assert first != list(shuffled("s", "K1", ("1",), items))
    assert first != list(shuffled("s", "K1", ("0", "0"), items))


def test_each_item_is_equally_likely_first() -> None:
    firsts = Counter(next(shuffled("s", f"K{n}", ("0",), range(5))) for n in range(5000))
    assert min(firsts.values()) > 900 and max(firsts.values()) < 1100


def test_tasks_are_staffed_in_ticket_order() -> None:
    keys = [f"K{i}" for i in range(20)]
    assert assignment_order("s", keys) == assignment_order("s", keys[::-1])
    assert assignment_order("s", keys) != assignment_order("t", keys)


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 40), st.integers(1, 30), st.integers(1, 4), st.booleans(), st.integers(0, 10**6))
def test_the_quick_pick_is_the_first_of_the_ranking(
    people: int, tasks: int, cap: int, balance: bool, salt: int
) -> None:
    """`best` (one ticket, kept floors) and `ranked` (built from scratch) agree at every place."""
    rng = random.Random(salt)
    staff = [
        inspector(
            f"P{i:02d}",
            specialties=frozenset({"餐饮服务"}) if rng.random() < 0.3 else frozenset(),
            max_tasks=rng.choice([None, cap, cap + 1]),
        )
        for i in range(people)
    ]
    rows = [enterprise(f"K{i:02d}") for i in range(tasks)]
    recusals = [Recusal(p.id, e.key) for p in staff for e in rows if rng.random() < 0.1]
    plan = make_plan(
        selection=ALL,
        teams={"size": 2, "certified": 2, "specialist": 1, "max_tasks": cap, "balance": balance},
    )
    staffing = Staffing(plan, f"s{salt}", rows, staff, recusals)
    staffing.reset()
    for n in range(tasks * 2):
        quick = staffing.best(n)
        assert quick == next(staffing.ranked(n), None)
        if quick is None:
            break
        staffing._fill(quick)


# --- brute force: a valid assignment exists exactly when the tool finds one ---

DEPARTMENTS = ("食品科", "执法队")
INDUSTRIES = ("餐饮服务", "食品销售")
DISTRICTS = ("云岩区", "南明区")
COUNT_FORMS = [  # (size, certified, specialist, departments) the count form can express exactly
    (1, 1, 0, ()),
    (2, 2, 0, ()),
    (2, 2, 1, ()),
    (2, 1, 0, ()),
    (3, 3, 1, ()),
    (3, 2, 0, ()),
    (2, 2, 2, ()),
    (2, 1, 2, ()),
    (2, 2, 0, DEPARTMENTS),
    (3, 3, 0, DEPARTMENTS),
    (2, 2, 2, DEPARTMENTS),
]


def count_valid(
    team: tuple[Inspector, ...], e: Enterprise, rules: tuple[int, int, int, tuple[str, ...]]
) -> bool:
    """The count form read literally: at least so many certified, specialists, each department."""
    size, certified, specialist, departments = rules
    return (
        len(team) == size
        and sum(m.certified_through(END) for m in team) >= certified
        and sum(e.industry in m.specialties for m in team) >= specialist
        and all(any(m.department == d for m in team) for d in departments)
    )


def roles_valid(team: tuple[Inspector, ...], e: Enterprise, roles: list[dict[str, object]]) -> bool:
    """Some ordering of the members fills the listed roles one to one."""

    def fits(m: Inspector, r: dict[str, object]) -> bool:
        return (
            (not r.get("certified") or m.certified_through(END))
            and (not r.get("specialist") or e.industry in m.specialties)
            and (not r.get("department") or m.department == r["department"])
        )

    return len(team) == len(roles) and any(
        all(fits(m, r) for m, r in zip(order, roles, strict=True)) for order in itertools.permutations(team)
    )


def exists(
    staff: list[Inspector],
    rows: list[Enterprise],
    valid: object,
    size: int,
    cap: int,
    blocked: set[tuple[str, str]],
    cross_district: bool,
) -> bool:
    """Brute force over every combination of teams, remembering (task, workloads) already ruled out."""
    people = [p for p in staff if p.on_duty]
    caps = tuple(p.max_tasks if p.max_tasks is not None else cap for p in people)

    @cache
    def solvable(task: int, load: tuple[int, ...]) -> bool:
        if task == len(rows):
            return True
        e = rows[task]
        allowed = [
            n
            for n, p in enumerate(people)
            if load[n] < caps[n]
            and (p.id, e.key) not in blocked
            and not (cross_district and p.district == e.district)
        ]
        return any(
            valid(tuple(people[n] for n in team), e)  # type: ignore[operator]
            and solvable(task + 1, tuple(k + (n in team) for n, k in enumerate(load)))
            for team in itertools.combinations(allowed, size)
        )

    return solvable(0, tuple(0 for _ in people))


person = st.builds(
    Inspector,
    id=st.just(""),
    name=st.just("某人"),
    department=st.sampled_from(DEPARTMENTS),
    certificate=st.sampled_from(["", "Z1", "Z1", "Z1"]),
    certificate_expiry=st.sampled_from([None, None, None, date(2026, 12, 15), date(2027, 6, 30)]),
    specialties=st.sets(st.sampled_from(INDUSTRIES), max_size=2).map(frozenset),
    district=st.sampled_from(DISTRICTS),
    status=st.sampled_from(["在岗"] * 5 + ["休假"]),
    max_tasks=st.sampled_from([None, None, None, 0, 1, 2]),
)
listed_role = st.fixed_dictionaries(
    {},
    optional={
        "certified": st.booleans(),
        "specialist": st.booleans(),
        "department": st.sampled_from(DEPARTMENTS),
    },
)


@settings(max_examples=2500, deadline=None)
@given(
    st.lists(person, min_size=3, max_size=7).map(
        lambda ps: [replace(p, id=f"P{n}") for n, p in enumerate(ps)]
    ),
    st.lists(st.tuples(st.sampled_from(DISTRICTS), st.sampled_from(INDUSTRIES)), min_size=1, max_size=4),
    st.sampled_from(COUNT_FORMS) | st.lists(listed_role, min_size=1, max_size=3),
    st.integers(1, 3),
    st.sampled_from([False, False, False, True]),
    st.booleans(),
    st.integers(0, 10**6),
)
def test_a_team_plan_is_found_exactly_when_one_exists(
    staff: list[Inspector],
    places: list[tuple[str, str]],
    form: object,
    cap: int,
    cross_district: bool,
    balance: bool,
    salt: int,
) -> None:
    rng = random.Random(salt)
    rows = [enterprise(f"K{n}", district=d, industry=i) for n, (d, i) in enumerate(places)]
    recusals = tuple(Recusal(p.id, e.key) for p in staff for e in rows if rng.random() < 0.1)
    history = tuple(
        HistoryEntry(e.key, date(2026, 3, 1), p.id) for p in staff for e in rows if rng.random() < 0.1
    )
    blocked = {(r.inspector_id, r.enterprise_key) for r in recusals} | {
        (h.inspector_id, h.enterprise_key) for h in history
    }
    common = {"max_tasks": cap, "cross_district": cross_district, "balance": balance}
    if isinstance(form, tuple):
        size, certified, specialist, departments = form
        teams = {
            "size": size,
            "certified": certified,
            "specialist": specialist,
            "departments": list(departments),
        }

        def valid(team: tuple[Inspector, ...], e: Enterprise) -> bool:
            return count_valid(team, e, form)  # type: ignore[arg-type]
    else:
        roles = list(form)  # type: ignore[call-overload]
        roles[0] = {**roles[0], "certified": True}  # a leader's place
        size, teams = len(roles), {"roles": roles}

        def valid(team: tuple[Inspector, ...], e: Enterprise) -> bool:
            return roles_valid(team, e, roles)

    try:
        result = draw(staff, rows, f"seed{salt}", recusals, history, **teams, **common)
    except DrawError as error:
        assert not exists(staff, rows, valid, size, cap, blocked, cross_district), "a valid assignment exists"
        assert "缺" in error.message and "人次" in error.message
        event("no valid assignment")
        return
    event("solved")
    load = Counter(m.id for t in result.tasks for m in t.team)
    for task in result.tasks:
        e, team = task.enterprise, task.team
        assert valid(team, e) and len({m.id for m in team}) == size
        assert all(m.on_duty and (m.id, e.key) not in blocked for m in team)
        assert not cross_district or all(m.district != e.district for m in team)
        assert team[0].certified_through(END), "the leader holds a certificate"
    assert all(load[p.id] <= (p.max_tasks if p.max_tasks is not None else cap) for p in staff)
    assert dict(load) == result.workloads


@settings(max_examples=400, deadline=None)
@given(
    st.lists(person, min_size=10, max_size=24).map(
        lambda ps: [replace(p, id=f"P{n:02d}") for n, p in enumerate(ps)]
    ),
    st.lists(st.tuples(st.sampled_from(DISTRICTS), st.sampled_from(INDUSTRIES)), min_size=5, max_size=30),
    st.sampled_from(COUNT_FORMS),
    st.integers(3, 9),
    st.booleans(),
    st.integers(0, 10**6),
)
def test_larger_instances_agree_with_an_independent_max_flow(
    staff: list[Inspector],
    places: list[tuple[str, str]],
    form: tuple[int, int, int, tuple[str, ...]],
    cap: int,
    balance: bool,
    salt: int,
) -> None:
    """Too big for brute force: an independent compressed max-flow says whether teams exist."""
    rng = random.Random(salt)
    rows = [enterprise(f"K{n:02d}", district=d, industry=i) for n, (d, i) in enumerate(places)]
    recusals = tuple(Recusal(p.id, e.key) for p in staff for e in rows if rng.random() < 0.05)
    size, certified, specialist, departments = form
    teams = {
        "size": size,
        "certified": certified,
        "specialist": specialist,
        "departments": list(departments),
        "max_tasks": cap,
        "balance": balance,
    }
    staffing = Staffing(make_plan(selection=ALL, teams=teams), "s", rows, staff, recusals)
    open_tasks = [OpenTask(t, staffing.places[t], staffing.excluded[t]) for t in range(len(rows))]
    feasible = staffable(open_tasks, staffing.lists, staffing.cap)
    try:
        result = draw(staff, rows, f"seed{salt}", recusals, **teams)
    except DrawError:
        assert not feasible, "the max-flow found teams for every task"
        event("no valid assignment")
        return
    assert feasible
    blocked = {(r.inspector_id, r.enterprise_key) for r in recusals}
    for task in result.tasks:
        assert count_valid(task.team, task.enterprise, form)
        assert all((m.id, task.enterprise.key) not in blocked for m in task.team)
    assert all(
        k <= (p.max_tasks if p.max_tasks is not None else cap)
        for p in staff
        for k in [result.workloads.get(p.id, 0)]
    )
    event("solved")


# --- tight instances a plain greedy gets wrong ---


def planted(
    form: tuple[int, int, int, tuple[str, ...]],
    spare: int,
    tasks: int,
    salt: int,
) -> tuple[list[Inspector], list[Enterprise], tuple[Recusal, ...]]:
    """A tight instance with a planted valid assignment: caps are exactly its workloads, recusals avoid it."""
    size, certified, specialist, _ = form
    rng = random.Random(salt)
    rows = [enterprise(f"K{n}", industry=rng.choice(INDUSTRIES)) for n in range(tasks)]
    headcount = size + spare
    qualified = [rng.random() < 0.5 for _ in range(headcount)]
    skills: list[set[str]] = [set(rng.sample(INDUSTRIES, rng.randint(0, 1))) for _ in range(headcount)]
    load = [0] * headcount
    teams = []
    for e in rows:
        team = rng.sample(range(headcount), size)
        teams.append(team)
        for place, n in enumerate(team):
            load[n] += 1
            qualified[n] |= place < certified
            if place < specialist:
                skills[n].add(e.industry)
    staff = [
        inspector(
            f"P{n}",
            certificate="Z" if qualified[n] else "",
            specialties=frozenset(skills[n]),
            max_tasks=load[n],
        )
        for n in range(headcount)
    ]
    recusals = tuple(
        Recusal(f"P{n}", e.key)
        for e, team in zip(rows, teams, strict=True)
        for n in range(headcount)
        if n not in team and rng.random() < 0.2
    )
    return staff, rows, recusals


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from([f for f in COUNT_FORMS if not f[3]]),
    st.integers(0, 5),
    st.integers(1, 7),
    st.booleans(),
    st.integers(0, 10**6),
)
def test_planted_tight_instances_are_always_solved(
    form: tuple[int, int, int, tuple[str, ...]],
    spare: int,
    tasks: int,
    balance: bool,
    salt: int,
) -> None:
    """Plant a valid assignment, give everyone exactly the capacity it uses, hide it among spare people."""
    size, certified, specialist, _ = form
    staff, rows, recusals = planted(form, spare, tasks, salt)
    teams = {"size": size, "certified": certified, "specialist": specialist, "balance": balance}
    result = draw(staff, rows, f"seed{salt}", recusals, **teams)
    blocked = {(r.inspector_id, r.enterprise_key) for r in recusals}
    for task in result.tasks:
        assert count_valid(task.team, task.enterprise, form)
        assert all((m.id, task.enterprise.key) not in blocked for m in task.team)
    assert all(result.workloads.get(p.id, 0) <= (p.max_tasks or 0) for p in staff)
    plain = Staffing(
        make_plan(selection=ALL, teams=teams),
        f"seed{salt}",
        [e for k in assignment_order(f"seed{salt}", [r.key for r in rows]) for e in rows if e.key == k],
        staff,
        recusals,
    )
    plain.reset()
    event("the plain greedy got stuck" if plain.greedy() is not None else "the plain greedy sufficed")


def tight() -> tuple[list[Inspector], list[Enterprise]]:
    """Two specialists with one task each; everyone else cannot fill a specialist's place."""
    staff = [
        inspector("S1", specialties=frozenset({"餐饮服务"}), max_tasks=1),
        inspector("S2", specialties=frozenset({"餐饮服务"}), max_tasks=1),
        inspector("N1", max_tasks=2),
    ]
    return staff, [enterprise("K1"), enterprise("K2")]


def open_after(staffing: Staffing, choices: list[int]) -> list[OpenTask]:
    """The places still open after `choices`, for the independent max-flow."""
    size = staffing.rules.size
    done, filled = divmod(len(choices), size)
    tasks = []
    if filled:
        current = frozenset(choices[-filled:])
        tasks.append(OpenTask(done, staffing.places[done][filled:], staffing.excluded[done] | current))
        done += 1
    return tasks + [
        OpenTask(t, staffing.places[t], staffing.excluded[t]) for t in range(done, len(staffing.tasks))
    ]


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from([f for f in COUNT_FORMS if not f[3]]),
    st.integers(0, 4),
    st.integers(2, 6),
    st.booleans(),
    st.integers(0, 10**6),
)
def test_every_place_goes_to_the_best_ranked_safe_candidate(
    form: tuple[int, int, int, tuple[str, ...]],
    spare: int,
    tasks: int,
    balance: bool,
    salt: int,
) -> None:
    """Replays the tool's choices on tight instances and checks each against the ranking and an
    independent max-flow: the first candidate whose choice leaves the rest staffable is the one taken."""
    size, certified, specialist, _ = form
    staff, rows, recusals = planted(form, spare, tasks, salt)
    teams = {"size": size, "certified": certified, "specialist": specialist, "balance": balance}
    staffing = Staffing(make_plan(selection=ALL, teams=teams), f"seed{salt}", rows, staff, recusals)
    capacity = list(staffing.cap)
    choices = list(staffing.solve())
    staffing.reset()
    event("the plain greedy got stuck" if staffing.greedy() is not None else "the plain greedy sufficed")
    staffing.reset()
    for n, chosen in enumerate(choices):
        for candidate in staffing.ranked(n):
            left = list(capacity)
            for i in [*choices[:n], candidate]:
                left[i] -= 1
            if staffable(open_after(staffing, [*choices[:n], candidate]), staffing.lists, left):
                assert candidate == chosen, f"place {n}"
                break
        staffing._fill(chosen)


def test_tight_instances_are_solved_where_the_plain_greedy_gets_stuck() -> None:
    staff, rows = tight()
    plan = make_plan(selection=ALL, teams={"size": 2, "certified": 2, "specialist": 1, "max_tasks": 2})
    stuck = 0
    for seed in map(str, range(60)):
        plain = Staffing(plan, seed, rows, staff)
        plain.reset()
        stuck += plain.greedy() is not None
        teams = ids(draw(staff, rows, seed, size=2, certified=2, specialist=1, max_tasks=2))
        assert sorted(teams.values()) == [["S1", "N1"], ["S2", "N1"]]
    assert stuck > 10, "the instance should defeat the plain greedy for many seeds"


def test_joint_inspection_with_a_specialist_in_a_named_department() -> None:
    staff = [
        inspector("P1", department="食品科"),
        inspector("P2", department="食品科", specialties=frozenset({"餐饮服务"})),
        inspector("P3", department="执法队"),
        inspector("P4", department="执法队", certificate=""),
    ]
    roles = [
        {"certified": True, "specialist": True, "department": "食品科"},
        {"certified": True, "department": "执法队"},
    ]
    for seed in map(str, range(20)):
        assert ids(draw(staff, [enterprise("K1")], seed, roles=roles))["K1"] == ["P2", "P3"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["甲局", "乙局", "丙局"]), min_size=1, max_size=12), st.text(max_size=3))
def test_own_authority_staffs_each_enterprise_from_its_own_bureau(authorities: list[str], seed: str) -> None:
    """谁登记、谁监管: every member's 所属部门 is the enterprise's 登记机关."""
    staff = [inspector(f"{b}{i}", department=b) for b in ("甲局", "乙局", "丙局") for i in range(6)]
    rows = [enterprise(f"K{n:02d}", authority=a) for n, a in enumerate(authorities)]
    result = draw(staff, rows, seed, own_authority=True, max_tasks=12)
    department = {p.id: p.department for p in staff}
    for task in result.tasks:
        assert {department[m.id] for m in task.team} == {task.enterprise.authority}


def test_own_authority_is_off_by_default_and_kept_out_of_the_canonical_plan() -> None:
    staff = [inspector("甲1", department="甲局"), inspector("乙1", department="乙局")]
    teams = {t.enterprise.key: {m.department for m in t.team} for t in draw(staff, [enterprise("K1")]).tasks}
    assert teams["K1"] == {"甲局", "乙局"}  # anyone, as before
    assert "own_authority" not in make_plan().canonical()["teams"]  # earlier plans' digests unchanged
    assert make_plan(teams={"own_authority": True}).canonical()["teams"]["own_authority"] is True


def test_own_authority_shortage_names_the_bureau() -> None:
    staff = [
        inspector("甲1", department="甲局"),
        inspector("乙1", department="乙局"),
        inspector("乙2", department="乙局"),
    ]
    with pytest.raises(DrawError) as caught:
        draw(staff, [enterprise("K1", authority="甲局")], own_authority=True)
    assert "甲局 1 个" in caught.value.message and "own_authority = false" in (caught.value.hint or "")


def test_rotation_window_keeps_an_inspector_away() -> None:
    staff = [inspector("P1"), inspector("P2"), inspector("P3")]
    history = (HistoryEntry("K1", date(2026, 6, 1), "P1"),)
    for seed in "abcdef":
        assert "P1" not in ids(draw(staff, [enterprise("K1")], seed, history=history))["K1"]
    old = (HistoryEntry("K1", date(2025, 6, 1), "P1"),)
    assert any("P1" in ids(draw(staff, [enterprise("K1")], seed, history=old))["K1"] for seed in "abcdef")


def test_leader_is_the_holder_of_the_first_certified_role() -> None:
    staff = [inspector(f"C{i}") for i in range(4)] + [inspector(f"U{i}", certificate="") for i in range(4)]
    roles = [{}, {"certified": True}]  # the first place takes anyone, the second a certified member
    teams = [ids(draw(staff, [enterprise("K1")], seed, roles=roles))["K1"] for seed in map(str, range(20))]
    assert all(team[0].startswith("C") for team in teams)
    assert any(team[1].startswith("U") for team in teams)


# --- when it is impossible: the bottleneck in the user's terms ---


def test_infeasible_draw_names_the_bottleneck_and_its_numbers() -> None:
    rows = [enterprise(f"K{i:02d}", district="南明区", industry="餐饮服务") for i in range(40)]
    rows += [enterprise(f"L{i:02d}", district="云岩区", industry="食品销售") for i in range(10)]
    staff = [inspector(f"S{i}", specialties=frozenset({"餐饮服务"})) for i in range(3)]
    staff += [inspector(f"N{i:02d}", specialties=frozenset({"食品销售"})) for i in range(60)]
    with pytest.raises(DrawError) as caught:
        draw(staff, rows, size=2, certified=2, specialist=1, max_tasks=8)
    message = str(caught.value)
    assert "40 个“餐饮服务”企业（南明区 40 个）" in message
    assert "持证且具“餐饮服务”专业的人员 40 人次" in message
    assert "可派的 3 人" in message and "最多只能承担 24 人次，缺 16 人次" in message
    assert "提高这 3 人的任务上限" in caught.value.hint


def test_too_few_distinct_people_is_a_bottleneck_too() -> None:
    staff = [inspector("P1", max_tasks=9), inspector("P2", certificate="")]
    with pytest.raises(DrawError) as caught:
        draw(staff, [enterprise("K1")], size=2, certified=2)
    assert "缺 1 人次" in str(caught.value)


def test_a_bottleneck_across_many_industries_says_how_many() -> None:
    industries = ["餐饮服务", "食品销售", "食品生产", "农贸市场"]
    rows = [enterprise(f"K{i}", industry=industries[i % 4]) for i in range(8)]
    staff = [inspector("P1", max_tasks=9), inspector("P2", max_tasks=3)]
    with pytest.raises(DrawError) as caught:
        draw(staff, rows, size=2, certified=2)
    message = str(caught.value)
    assert "8 个企业（4 个行业；云岩区 8 个）共需持证执法人员 16 人次" in message
    assert "可派的 2 人" in message and "最多只能承担 11 人次，缺 5 人次" in message


# --- fairness and balance ---


def test_each_eligible_inspector_is_equally_likely_for_an_enterprise() -> None:
    """Over 600 fixed seeds, who staffs K00 is uniform over the 20 people (chi-square, p > 0.001)."""
    staff = [inspector(f"P{i:02d}") for i in range(20)]
    rows = [enterprise(f"K{i:02d}") for i in range(7)]
    counts: Counter[str] = Counter()
    for seed in range(600):
        counts.update(ids(draw(staff, rows, f"fair{seed}", max_tasks=5))["K00"])
    expected = 600 * 2 / 20
    statistic = sum((counts[p.id] - expected) ** 2 / expected for p in staff)
    assert chi_square_sf(statistic, 19) > 0.001, counts


def test_workloads_are_even_over_many_seeds() -> None:
    """Every inspector's share of all places, summed over seeds, is even (chi-square, p > 0.001)."""
    staff = [inspector(f"P{i:02d}") for i in range(12)]
    rows = [enterprise(f"K{i:02d}") for i in range(5)]
    totals: Counter[str] = Counter()
    for seed in range(300):
        totals.update(draw(staff, rows, f"even{seed}", max_tasks=8).workloads)
    expected = 300 * 10 / 12
    statistic = sum((totals[p.id] - expected) ** 2 / expected for p in staff)
    assert chi_square_sf(statistic, 11) > 0.001, totals


@pytest.mark.parametrize("seed", [f"b{n}" for n in range(25)])
def test_with_balance_on_workloads_within_a_pool_differ_by_at_most_one(seed: str) -> None:
    specialists = [inspector(f"S{i}", specialties=frozenset({"餐饮服务"})) for i in range(6)]
    others = [inspector(f"N{i:02d}") for i in range(15)]
    rows = [enterprise(f"K{i:02d}") for i in range(23)]
    result = draw(specialists + others, rows, seed, size=2, certified=2, specialist=1, max_tasks=8)
    load = Counter(result.workloads)
    for pool in (specialists, others):
        values = [load[p.id] for p in pool]
        assert max(values) - min(values) <= 1, values


def test_with_balance_off_workloads_may_spread() -> None:
    staff = [inspector(f"P{i:02d}") for i in range(12)]
    rows = [enterprise(f"K{i:02d}") for i in range(12)]
    spreads = []
    for seed in range(10):
        load = Counter(draw(staff, rows, f"off{seed}", max_tasks=8, balance=False).workloads)
        spreads.append(max(load[p.id] for p in staff) - min(load[p.id] for p in staff))
    assert max(spreads) > 1


def test_teams_do_not_depend_on_roster_order() -> None:
    staff = [
        inspector(f"P{i:02d}", specialties=frozenset({"餐饮服务"}) if i % 3 else frozenset())
        for i in range(20)
    ]
    rows = [enterprise(f"K{i:02d}") for i in range(12)]
    plan = make_plan(selection={"ratio": {"B": "50%"}}, teams={"size": 2, "certified": 2, "specialist": 1})
    first = compute_draw(Inputs(roster(rows), tuple(staff)), plan, "s")
    second = compute_draw(Inputs(roster(rows[::-1]), tuple(staff[::-1])), plan, "s")
    assert [(t.task_id, t.enterprise.key, [m.id for m in t.team]) for t in first.tasks] == [
        (t.task_id, t.enterprise.key, [m.id for m in t.team]) for t in second.tasks
    ]


def test_plan_rejects_counts_that_do_not_fix_each_role() -> None:
    from shuangsuiji.core.errors import PlanError

    with pytest.raises(PlanError) as caught:
        make_plan(teams={"size": 3, "certified": 2, "specialist": 1})
    assert "[[teams.roles]]" in str(caught.value.problems[0].hint)
    with pytest.raises(PlanError):
        make_plan(teams={"roles": [{"specialist": True}]})  # nobody can lead


def test_plan_roles_round_trip_through_the_record() -> None:
    from shuangsuiji.core.plan_parse import plan_from_record

    plan: Plan = make_plan(
        teams={"roles": [{"certified": True}, {"specialist": True, "department": "执法队"}], "balance": False}
    )
    again = plan_from_record(plan.canonical(), {})
    assert again.teams == plan.teams
