"""Selection of inspection targets, exactly as algorithm v1 specifies (docs/algorithm.md).

Eligibility → strata → quotas (exact rationals) → rank by (ticket("select", key), key) → take n.
Nothing here depends on row order, floats, dict order or any library random generator.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction

from .model import (
    CREDIT_CLASSES,
    INACTIVE_STATUSES,
    EnterpriseRoster,
    Exclusion,
    HistoryEntry,
    Pick,
    Selection,
    Stratum,
)
from .plan import Plan, Rounding, SelectionRules
from .tickets import tickets_for

StratumKey = tuple[str, ...]


def stratum_order(key: StratumKey, strata: Sequence[str]) -> tuple[object, ...]:
    """Canonical stratum order: credit class A, B, C, D first, then the other columns by code point."""
    class_pos = strata.index("信用风险等级")
    others = tuple(value for i, value in enumerate(key) if i != class_pos)
    return (CREDIT_CLASSES.index(key[class_pos]), others)


def round_quota(value: Fraction, rounding: Rounding) -> int:
    """R(x) of the spec, exact: ceil, floor or half-up of a non-negative rational."""
    if rounding == "ceil":
        return math.ceil(value)
    if rounding == "floor":
        return math.floor(value)
    return math.floor(value + Fraction(1, 2))


def ratio_quota(size: int, ratio: Fraction | None, minimum: int, rounding: Rounding) -> int:
    """n = min(N, max(m, R(N × r))); a class without a ratio is not drawn."""
    if ratio is None:
        return 0
    return min(size, max(minimum, round_quota(size * ratio, rounding)))


def count_quotas(
    sizes: Mapping[StratumKey, int], weights: Mapping[StratumKey, Fraction], total: int,
    order: Sequence[StratumKey],
) -> dict[StratumKey, int]:
    """Count mode: share T'·w·N/Σw·N, closing full strata, then largest remainders (ties in `order`)."""
    quotas = dict.fromkeys(order, 0)
    open_keys = [k for k in order if sizes[k] > 0 and weights.get(k, Fraction(0)) > 0]
    seats = total
    while True:
        denominator = sum(weights[k] * sizes[k] for k in open_keys)
        if not open_keys or denominator == 0 or seats <= 0:
            return quotas
        shares = {k: seats * weights[k] * sizes[k] / denominator for k in open_keys}
        full = [k for k in open_keys if shares[k] >= sizes[k]]
        if not full:
            break
        for k in full:
            quotas[k] = sizes[k]
            seats -= sizes[k]
        open_keys = [k for k in open_keys if k not in full]
    for k in open_keys:
        quotas[k] = math.floor(shares[k])
    left = seats - sum(quotas[k] for k in open_keys)
    rank = {k: i for i, k in enumerate(order)}
    by_remainder = sorted(open_keys, key=lambda k: (-(shares[k] - quotas[k]), rank[k]))
    for k in by_remainder[:left]:
        quotas[k] += 1
    return quotas


def last_inspections(history: Iterable[HistoryEntry]) -> dict[str, date]:
    """The latest known inspection date per enterprise key, from history entries only."""
    latest: dict[str, date] = {}
    for entry in history:
        known = latest.get(entry.enterprise_key)
        if known is None or entry.inspected_on > known:
            latest[entry.enterprise_key] = entry.inspected_on
    return latest


def _quotas(
    rules: SelectionRules, sizes: dict[StratumKey, int], order: list[StratumKey], class_pos: int
) -> dict[StratumKey, int]:
    if rules.count_mode:
        weights = {k: rules.weights.get(k[class_pos], Fraction(0)) for k in order}
        return count_quotas(sizes, weights, rules.total or 0, order)
    return {
        k: ratio_quota(sizes[k], rules.ratio.get(k[class_pos]), rules.minimum.get(k[class_pos], 0), rules.rounding)
        for k in order
    }


def _ranked(seed: str, roster: EnterpriseRoster, rows: list[int]) -> list[tuple[str, str, int]]:
    """(ticket, key, row index) sorted: the ranking order of the spec."""
    keys = [roster.key[i] for i in rows]
    return sorted(zip(tickets_for(seed, "select", keys), keys, rows, strict=True))


def select(
    roster: EnterpriseRoster,
    plan: Plan,
    seed: str,
    history: Iterable[HistoryEntry] = (),
) -> Selection:
    """Run the v1 selection: who is eligible, each stratum's quota, and who is drawn."""
    rules = plan.selection
    columns = [roster.column(header) for header in rules.strata]
    class_pos = rules.strata.index("信用风险等级")
    districts, industries = set(plan.districts), set(plan.industries)
    window = plan.inspected_within_days
    start = plan.info.start
    latest = last_inspections(history)

    members: dict[StratumKey, list[int]] = defaultdict(list)
    must: dict[StratumKey, list[int]] = defaultdict(list)
    exclusions: list[Exclusion] = []
    out_of_scope = 0
    inactive = frozenset(INACTIVE_STATUSES)
    for i, key in enumerate(roster.key):
        if (districts and roster.district[i] not in districts) or (
            industries and roster.industry[i] not in industries
        ):
            out_of_scope += 1
            continue
        status = roster.status[i]
        if status in inactive:
            exclusions.append(Exclusion(i, key, "status", f"经营状态为“{status}”"))
            continue
        if window:
            last = roster.last_inspected[i]
            recorded = latest.get(key)
            if recorded is not None and (last is None or recorded > last):
                last = recorded
            if last is not None and (start - last).days < window:
                days = (start - last).days
                exclusions.append(
                    Exclusion(i, key, "window", f"最近检查日期 {last.isoformat()}，距计划开始 {days} 天，不足 {window} 天")
                )
                continue
        stratum = tuple(column[i] for column in columns)
        (must if roster.must_inspect[i] else members)[stratum].append(i)

    order = sorted(set(members) | set(must), key=lambda k: stratum_order(k, rules.strata))
    sizes = {k: len(members.get(k, ())) for k in order}
    quotas = _quotas(rules, sizes, order, class_pos)

    strata: list[Stratum] = []
    picks: list[Pick] = []
    for stratum_key in order:
        cls = stratum_key[class_pos]
        ranked = _ranked(seed, roster, members.get(stratum_key, []))
        n = quotas[stratum_key]
        picks.extend(
            Pick(i, key, ticket, stratum_key, None, must_inspect=True)
            for ticket, key, i in _ranked(seed, roster, must.get(stratum_key, []))
        )
        picks.extend(
            Pick(i, key, ticket, stratum_key, rank) for rank, (ticket, key, i) in enumerate(ranked[:n], start=1)
        )
        strata.append(
            Stratum(
                key=stratum_key,
                credit_class=cls,
                eligible=len(ranked),
                quota=n,
                must_inspect=len(must.get(stratum_key, ())),
                ratio=None if rules.count_mode else rules.ratio.get(cls),
                weight=rules.weights.get(cls) if rules.count_mode else None,
                cutoff_ticket=ranked[n - 1][0] if n else "",
            )
        )
    exclusions.sort(key=lambda e: e.enterprise_key)  # canonical order: the roster's row order must not show
    return Selection(tuple(strata), tuple(picks), tuple(exclusions), len(roster), out_of_scope)
