"""Selection of inspection targets, exactly as algorithm v1 specifies (docs/algorithm.md).

Eligibility → strata → quotas (exact rationals) → rank by (ticket("select", key), key) → take n.
Nothing here depends on row order, floats, dict order or any library random generator.
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from fractions import Fraction
from functools import reduce
from itertools import compress, pairwise
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from .fields import CREDIT_CLASS
from .model import (
    CREDIT_CLASSES,
    EnterpriseRoster,
    Exclusion,
    Exclusions,
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
    class_pos = strata.index(CREDIT_CLASS)
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
    sizes: Mapping[StratumKey, int],
    weights: Mapping[StratumKey, Fraction],
    total: int,
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
        k: ratio_quota(
            sizes[k], rules.ratio.get(k[class_pos]), rules.minimum.get(k[class_pos], 0), rules.rounding
        )
        for k in order
    }


def _take(column: Sequence[str], rows: list[int]) -> list[str]:
    """column[i] for every i in rows (itemgetter returns a bare value for a single index)."""
    if len(rows) < 2:
        return [column[i] for i in rows]
    return list(itemgetter(*rows)(column))


# A sorted sample of every SAMPLE_STEP-th ticket estimates where the n-th smallest ticket lies.
SAMPLE_STEP = 64


def _candidates(tickets: list[str], n: int) -> Iterable[int]:
    """Positions that include the n + 1 smallest tickets (ties included), and few more.

    Tickets are uniform, so a cut a few standard deviations above the sample's n-th quantile keeps
    slightly more than n of them, and only those need sorting. Should the sample misjudge (n or
    fewer kept: the (n + 1)-th is needed to check for a tie at the cut), every position is
    returned: slower, never wrong.
    """
    size = len(tickets)
    sample = sorted(tickets[::SAMPLE_STEP])
    place = n // SAMPLE_STEP + 4 * math.isqrt(n // SAMPLE_STEP) + 8
    if n <= 0 or place >= len(sample):
        return range(size if n > 0 else 0)
    kept = list(compress(range(size), map(sample[place].__ge__, tickets)))
    return kept if len(kept) > n else range(size)


def _first(seed: str, roster: EnterpriseRoster, rows: list[int], n: int) -> list[tuple[str, str, int]]:
    """The first n of `rows` in the spec's order (ticket, key), as (ticket, key, row index)."""
    keys = _take(roster.key, rows)
    tickets = tickets_for(seed, "select", keys)
    candidates = _candidates(tickets, n)
    # Sorting positions by ticket alone is 3x faster than sorting tuples; it is the spec's
    # (ticket, key) order unless two of the first n + 1 tickets are equal, which we check.
    order = sorted(candidates, key=tickets.__getitem__)[: n + 1]
    if any(tickets[a] == tickets[b] for a, b in pairwise(order)):
        order = sorted(candidates, key=lambda j: (tickets[j], keys[j]))
    return [(tickets[j], keys[j], rows[j]) for j in order[:n]]


def _per_value(column: Sequence[Any], test: Callable[[Any], bool]) -> Iterator[bool]:
    """test(value) for every row, computed once per distinct value (these columns repeat a few values)."""
    known = {value: test(value) for value in set(column)}
    return map(known.__getitem__, column)


def select(
    roster: EnterpriseRoster,
    plan: Plan,
    seed: str,
    history: Iterable[HistoryEntry] = (),
) -> Selection:
    """Run the v1 selection: who is eligible, each stratum's quota, and who is drawn."""
    eligible = _eligibility(roster, plan, history)
    order, quotas = _strata_and_quotas(plan.selection, eligible)
    strata, picks = _rank_and_take(seed, roster, plan.selection, order, quotas, eligible)
    # Canonical order: the roster's row order must not show.
    exclusions = Exclusions.of(sorted(eligible.exclusions, key=attrgetter("enterprise_key")))
    return Selection(tuple(strata), tuple(picks), exclusions, len(roster), eligible.out_of_scope)


class _Eligibility(NamedTuple):
    """Who takes part, by stratum, and who does not."""

    members: dict[StratumKey, list[int]]  # rows drawn from, by stratum
    must: dict[StratumKey, list[int]]  # rows that must be inspected (set aside, not drawn), by stratum
    exclusions: list[Exclusion]  # in roster order
    out_of_scope: int  # rows outside the plan's districts or industries


def _eligibility(roster: EnterpriseRoster, plan: Plan, history: Iterable[HistoryEntry]) -> _Eligibility:
    """The eligibility rules, in the spec's order: scope (district, industry), status, the window
    since the last inspection (the roster's date or the history's, whichever is later)."""
    rules = plan.selection
    columns = [roster.column(header) for header in rules.strata]
    districts, industries = set(plan.districts), set(plan.industries)
    window = plan.inspected_within_days
    start = plan.info.start
    latest = last_inspections(history)
    # "Within the window": fewer than `window` days before the start, i.e. strictly after `cutoff`.
    cutoff = start - timedelta(days=window)
    recent = {key for key, day in latest.items() if day > cutoff}

    grouped: dict[Any, list[int]] = defaultdict(list)
    grouped_must: dict[Any, list[int]] = defaultdict(list)
    exclusions: list[Exclusion] = []
    out_of_scope = 0
    inactive = {status for status in set(roster.status) if plan.statuses.excludes(status)}
    # One stratum column (the usual case) needs no per-row tuple; keys are wrapped once below.
    values: Sequence[Any] = columns[0] if len(columns) == 1 else list(zip(*columns, strict=True))
    flagged = _flagged(roster, districts, industries, inactive, window, cutoff, recent)
    if len(flagged) != len(roster) or len(values) != len(roster):
        raise ValueError("roster columns differ in length")
    reasons: dict[Any, str] = {}  # reason texts repeat: one per status or date
    for i in compress(range(len(roster)), flagged):
        key = roster.key[i]
        if (districts and roster.district[i] not in districts) or (
            industries and roster.industry[i] not in industries
        ):
            out_of_scope += 1
            continue
        status = roster.status[i]
        if status in inactive:
            reason = reasons.get(status) or reasons.setdefault(status, f"经营状态为“{status}”")
            exclusions.append(Exclusion(i, key, "status", reason, roster.name[i]))
            continue
        last = roster.last_inspected[i]
        if window and ((last is not None and last > cutoff) or key in recent):
            known = latest.get(key)
            if last is None or (known is not None and known > last):
                last = known
            assert last is not None  # the test above found a date
            reason = reasons.get(last) or reasons.setdefault(
                last,
                f"最近检查日期 {last.isoformat()}，距计划开始 {(start - last).days} 天，不足 {window} 天",
            )
            exclusions.append(Exclusion(i, key, "window", reason, roster.name[i]))
            continue
        (grouped_must if roster.must_inspect[i] else grouped)[values[i]].append(i)
    for i in compress(range(len(roster)), map(operator.not_, flagged)):
        grouped[values[i]].append(i)
    as_key: Callable[[Any], StratumKey] = (lambda v: (v,)) if len(columns) == 1 else tuple
    members = {as_key(k): v for k, v in grouped.items()}
    must = {as_key(k): v for k, v in grouped_must.items()}
    return _Eligibility(members, must, exclusions, out_of_scope)


def _flagged(
    roster: EnterpriseRoster,
    districts: set[str],
    industries: set[str],
    inactive: set[str],
    window: int,
    cutoff: date,
    recent: set[str],
) -> list[bool]:
    """Per row: may a rule apply to it? Most rows are plainly eligible. Flags computed once per
    distinct value (a pass at C speed) mark the others, and only those go through the rules one
    by one, in the spec's order."""
    flags: list[Iterable[Any]] = [roster.must_inspect, _per_value(roster.status, inactive.__contains__)]
    if districts:
        flags.append(_per_value(roster.district, lambda d: d not in districts))
    if industries:
        flags.append(_per_value(roster.industry, lambda d: d not in industries))
    if window:
        flags.append(_per_value(roster.last_inspected, lambda d: d is not None and d > cutoff))
        if recent:
            flags.append(map(recent.__contains__, roster.key))
    return list(reduce(lambda a, b: map(operator.or_, a, b), flags))


def order_and_quotas(
    rules: SelectionRules, sizes: Mapping[StratumKey, int]
) -> tuple[list[StratumKey], dict[StratumKey, int]]:
    """The strata in canonical order, and each one's quota from its size (rows drawn from; a
    stratum of must-inspect rows only has size 0). Also used by the SQL engine (selection_sql)."""
    order = sorted(sizes, key=lambda k: stratum_order(k, rules.strata))
    return order, _quotas(rules, dict(sizes), order, rules.strata.index(CREDIT_CLASS))


def make_stratum(
    rules: SelectionRules, key: StratumKey, eligible: int, quota: int, must_inspect: int, cutoff_ticket: str
) -> Stratum:
    """The stratum as recorded: sizes, the quota and the rule (ratio or weight) that gave it."""
    cls = key[rules.strata.index(CREDIT_CLASS)]
    return Stratum(
        key=key,
        credit_class=cls,
        eligible=eligible,
        quota=quota,
        must_inspect=must_inspect,
        ratio=None if rules.count_mode else rules.ratio.get(cls),
        weight=rules.weights.get(cls) if rules.count_mode else None,
        cutoff_ticket=cutoff_ticket,
    )


def _strata_and_quotas(
    rules: SelectionRules, eligible: _Eligibility
) -> tuple[list[StratumKey], dict[StratumKey, int]]:
    """The strata in canonical order, and each one's quota."""
    keys = set(eligible.members) | set(eligible.must)
    return order_and_quotas(rules, {k: len(eligible.members.get(k, ())) for k in keys})


def _rank_and_take(
    seed: str,
    roster: EnterpriseRoster,
    rules: SelectionRules,
    order: list[StratumKey],
    quotas: dict[StratumKey, int],
    eligible: _Eligibility,
) -> tuple[list[Stratum], list[Pick]]:
    """Per stratum, in order: the must-inspect enterprises (ranked, not drawn), then the first
    `quota` of the others by (ticket, key); and the stratum as recorded."""
    strata: list[Stratum] = []
    picks: list[Pick] = []
    for stratum_key in order:
        rows = eligible.members.get(stratum_key, [])
        n = quotas[stratum_key]
        drawn = _first(seed, roster, rows, n)
        set_aside = eligible.must.get(stratum_key, [])
        picks.extend(
            Pick(i, key, ticket, stratum_key, None, must_inspect=True)
            for ticket, key, i in _first(seed, roster, set_aside, len(set_aside))
        )
        picks.extend(
            Pick(i, key, ticket, stratum_key, rank) for rank, (ticket, key, i) in enumerate(drawn, start=1)
        )
        strata.append(
            make_stratum(rules, stratum_key, len(rows), n, len(set_aside), drawn[-1][0] if drawn else "")
        )
    return strata, picks
