"""Selection against algorithm-v1.md: quotas, eligibility, ranking, and an independent re-implementation."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core.ids import USCC_ALPHABET, uscc_check_char
from shuangsuiji.core.model import Enterprise, HistoryEntry
from shuangsuiji.core.plan import Plan
from shuangsuiji.core.select import count_quotas, ratio_quota, select
from tests import reference
from tests.builders import enterprise, make_plan, roster

START = date(2026, 12, 1)


def usccs(count: int, rng: random.Random) -> list[str]:
    """Distinct valid USCCs."""
    keys: set[str] = set()
    while len(keys) < count:
        body = "91520102" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        keys.add(body + uscc_check_char(body))
    return sorted(keys)


def reference_select(rows: list[Enterprise], plan: Plan, seed: str, history: list[HistoryEntry]) -> set[str]:
    """The independent implementation in tests/reference.py, fed the same rows."""
    latest: dict[str, date] = {}
    for h in history:
        latest[h.enterprise_key] = max(latest.get(h.enterprise_key, h.inspected_on), h.inspected_on)
    plain = [reference.Row(e.key, e.credit_class, e.status, e.last_inspected, e.must_inspect) for e in rows]
    sel = plan.selection
    return reference.select_keys(
        plain,
        latest,
        seed=seed,
        start=START,
        window=plan.inspected_within_days,
        ratio=sel.ratio,
        minimum=sel.minimum,
        rounding=sel.rounding,
    )


def test_ratio_quota_examples() -> None:
    assert ratio_quota(100, Fraction(3, 100), 0, "ceil") == 3
    assert ratio_quota(101, Fraction(3, 100), 0, "ceil") == 4
    assert ratio_quota(101, Fraction(3, 100), 0, "floor") == 3
    assert ratio_quota(150, Fraction(3, 100), 0, "half_up") == 5  # 4.5 rounds up
    assert ratio_quota(149, Fraction(3, 100), 0, "half_up") == 4  # 4.47
    assert ratio_quota(3, Fraction(1, 5), 1, "floor") == 1  # the minimum lifts 0 to 1
    assert ratio_quota(2, Fraction(1, 5), 5, "ceil") == 2  # never more than N
    assert ratio_quota(50, None, 3, "ceil") == 0  # a class without a ratio is not drawn


def test_count_quotas_close_full_strata_and_use_largest_remainders() -> None:
    a, b, c, d = ("A",), ("B",), ("C",), ("D",)
    sizes = {a: 100, b: 50, c: 10, d: 2}
    weights = {a: Fraction(1), b: Fraction(2), c: Fraction(4), d: Fraction(8)}
    # Σw·N = 100 + 100 + 40 + 16 = 256; D's share 20·16/256 = 1.25 < 2, nobody closes in round 1.
    quotas = count_quotas(sizes, weights, 20, [a, b, c, d])
    # Shares: A 7.8125, B 7.8125, C 3.125, D 1.25 → floors 7, 7, 3, 1 = 18; remainders .8125 tie A, B.
    assert quotas == {a: 8, b: 8, c: 3, d: 1}
    # A large total closes D and C first (share ≥ N), then splits the rest.
    quotas = count_quotas(sizes, weights, 120, [a, b, c, d])
    assert quotas[d] == 2 and quotas[c] == 10
    assert sum(quotas.values()) == 120
    assert count_quotas(sizes, weights, 1000, [a, b, c, d]) == sizes


def test_eligibility_rules() -> None:
    rows = [
        enterprise("K1", status="注销"),
        enterprise("K2", last_inspected=START - timedelta(days=364)),
        enterprise("K3", last_inspected=START - timedelta(days=365)),
        enterprise("K4", must_inspect=True),
        enterprise("K5"),
        enterprise("K6", district="南明区"),
    ]
    plan = make_plan(
        exclusion={"inspected_within_days": 365},
        scope={"districts": ["云岩区"]},
        selection={"ratio": {"B": "100%"}},
    )
    history = [HistoryEntry("K5", START - timedelta(days=10))]
    result = select(roster(rows), plan, "s", history)
    assert {e.enterprise_key: e.code for e in result.exclusions} == {
        "K1": "status",
        "K2": "window",
        "K5": "window",
    }
    assert result.out_of_scope == 1
    assert {p.enterprise_key for p in result.picks} == {"K3", "K4"}
    assert [p.must_inspect for p in result.picks if p.enterprise_key == "K4"] == [True]
    assert result.strata[0].eligible == 1  # K4 is set aside, not counted in N


def test_ranking_is_by_ticket_then_key() -> None:
    rng = random.Random(1)
    keys = usccs(50, rng)
    rows = [enterprise(k, "A") for k in keys]
    plan = make_plan(selection={"ratio": {"A": "10%"}})
    result = select(roster(rows), plan, "seed-1")
    tickets = {k: hashlib.sha256(f"shuangsuiji:v1|seed-1|select|{k}".encode()).hexdigest() for k in keys}
    expected = sorted(keys, key=lambda k: tickets[k])[:5]
    assert [p.enterprise_key for p in result.picks] == expected
    assert [p.rank for p in result.picks] == [1, 2, 3, 4, 5]
    assert result.strata[0].cutoff_ticket == tickets[expected[-1]]
    assert result.strata[0].probability == Fraction(5, 50)


def test_strata_by_class_and_district_are_ordered_canonically() -> None:
    rows = [
        enterprise(f"K{i}", cls, district=d)
        for i, (cls, d) in enumerate([("B", "南明区"), ("A", "云岩区"), ("B", "云岩区"), ("A", "南明区")])
    ]
    plan = make_plan(selection={"strata": ["所属区域", "信用风险等级"]})
    keys = [s.key for s in select(roster(rows), plan, "s").strata]
    assert keys == sorted(keys, key=lambda k: ("ABCD".index(k[1]), k[0]))
    assert keys[0][1] == "A" and keys[-1][1] == "B"


classes = st.sampled_from("ABCD")


@st.composite
def rosters(draw: st.DrawFn) -> tuple[list[Enterprise], list[HistoryEntry]]:
    size = draw(st.integers(0, 60))
    keys = usccs(size, random.Random(draw(st.integers(0, 10**6))))
    rows = [
        enterprise(
            k,
            draw(classes),
            status=draw(st.sampled_from(["存续", "在业", "注销", "吊销", ""])),
            last_inspected=draw(st.none() | st.dates(date(2023, 1, 1), date(2026, 11, 30))),
            must_inspect=draw(st.booleans().map(lambda b: b and draw(st.integers(0, 9)) == 0)),
        )
        for k in keys
    ]
    history = [
        HistoryEntry(k, draw(st.dates(date(2024, 1, 1), date(2026, 11, 30))))
        for k in keys
        if draw(st.integers(0, 7)) == 0
    ]
    return rows, history


ratios = st.dictionaries(
    classes, st.sampled_from(["0%", "3%", "5%", "12.5%", "1/3", "0.5", "100%"]), min_size=1
)


@settings(max_examples=200, deadline=None)
@given(
    rosters(),
    ratios,
    st.sampled_from(["ceil", "floor", "half_up"]),
    st.dictionaries(classes, st.integers(0, 3)),
    st.text(min_size=1, max_size=8).filter(str.strip),
)
def test_selection_equals_independent_implementation(
    data: tuple[list[Enterprise], list[HistoryEntry]],
    ratio: dict[str, str],
    rounding: str,
    minimum: dict[str, int],
    seed: str,
) -> None:
    rows, history = data
    seed = seed.strip()
    if "|" in seed:
        return
    plan = make_plan(
        selection={"ratio": ratio, "rounding": rounding, "minimum": minimum},
        exclusion={"inspected_within_days": 365},
    )
    result = select(roster(rows), plan, seed, history)
    assert {p.enterprise_key for p in result.picks} == reference_select(rows, plan, seed, history)


@settings(max_examples=100, deadline=None)
@given(rosters(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(
    data: tuple[list[Enterprise], list[HistoryEntry]], rng: random.Random
) -> None:
    rows, history = data
    plan = make_plan(exclusion={"inspected_within_days": 365})
    shuffled = rows[:]
    rng.shuffle(shuffled)
    first = select(roster(rows), plan, "s", history)
    second = select(roster(shuffled), plan, "s", history[::-1])
    assert [(p.enterprise_key, p.ticket, p.rank) for p in first.picks] == [
        (p.enterprise_key, p.ticket, p.rank) for p in second.picks
    ]
    assert first.strata == second.strata
    assert [(e.enterprise_key, e.reason) for e in first.exclusions] == [
        (e.enterprise_key, e.reason) for e in second.exclusions
    ]


def test_removing_an_undrawn_enterprise_changes_nothing_else_in_count_mode() -> None:
    rows = [enterprise(k, "C") for k in usccs(40, random.Random(7))]
    plan = make_plan(selection={"ratio": {}, "total": 6, "weights": {"C": 1}})
    before = select(roster(rows), plan, "s")
    drawn = {p.enterprise_key for p in before.picks}
    remaining = [r for r in rows if r.key != next(r.key for r in rows if r.key not in drawn)]
    after = select(roster(remaining), plan, "s")
    assert {p.enterprise_key for p in after.picks} == drawn


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 400), st.integers(0, 10**6))
def test_ticket_prefilter_keeps_the_first_n_plus_one(size: int, n: int, salt: int) -> None:
    """The sampled cut before sorting never drops one of the n + 1 smallest tickets."""
    from shuangsuiji.core.select import _candidates

    rng = random.Random(salt)
    tickets = [f"{rng.getrandbits(256):064x}" for _ in range(size)]
    n = min(n, size)
    kept = set(_candidates(tickets, n))
    smallest = sorted(range(size), key=tickets.__getitem__)[: n + 1] if n else []
    assert set(smallest) <= kept
