"""Fairness evidence: repeat a plan's draw under simulation seeds and test what came out.

Pure: the draws come from the caller (`compute_draw`, or a test double); nothing here reads
files or clocks. The statistics are the standard ones, written out so an auditor can check them:
each enterprise's count over R runs is Binomial(R, n/N) inside its stratum, so per stratum
Σ (c − Rp)² / (Rp(1 − p)) is about χ² with N − 1 degrees of freedom when every enterprise had
the same chance.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from .model import DrawResult, Inputs, Selection
from .plan import Plan
from .select import select

SIMULATION_LABEL = "模拟"
Z_99 = 2.5758293035489  # two-sided 99% normal quantile
ALPHA = 0.001  # a stratum is flagged when uniformity is rejected at this level


def simulation_seed(plan: Plan, run: int) -> str:
    """The seed of simulation run `run`: labelled so that it can never pass for a real seed."""
    return f"{SIMULATION_LABEL}-{plan.info.id}-{run:05d}"


def chi_square_sf(statistic: float, df: int) -> float:
    """P(χ²_df ≥ statistic): the regularized upper incomplete gamma Q(df/2, statistic/2)."""
    if df <= 0:
        return 1.0
    a, x = df / 2, statistic / 2
    if x <= 0:
        return 1.0
    if x < a + 1:  # series for the lower part, then complement
        term = total = 1 / a
        k = a
        while abs(term) > abs(total) * 1e-15:
            k += 1
            term *= x / k
            total += term
        return max(0.0, 1 - total * math.exp(-x + a * math.log(x) - math.lgamma(a)))
    # Continued fraction for the upper part (modified Lentz).
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < 1e-15:
            break
    return min(1.0, math.exp(-x + a * math.log(x) - math.lgamma(a)) * h)


def wilson(successes: int, trials: int, z: float = Z_99) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion."""
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class StratumFairness:
    """One stratum over all runs: exact probability, observed rate, and the uniformity test."""

    key: tuple[str, ...]
    eligible: int
    quota: int
    probability: Fraction
    observed: float
    interval: tuple[float, float]
    chi_square: float
    df: int
    p_value: float

    @property
    def flagged(self) -> bool:
        """Uniformity rejected, or the observed rate outside its 99% interval."""
        low, high = self.interval
        return self.p_value < ALPHA or not low <= float(self.probability) <= high


@dataclass(frozen=True)
class FairnessReport:
    """Everything measured over the simulated runs."""

    runs: int
    seeds: tuple[str, str]
    strata: tuple[StratumFairness, ...]
    enterprise_counts: dict[str, int]
    enterprise_expected: dict[str, float]
    enterprise_stratum: dict[str, tuple[str, ...]]
    inspector_counts: dict[str, int]
    inspector_chi_square: float
    inspector_df: int
    inspector_p_value: float
    top_pair: tuple[str, str, int]
    pair_expected: float
    failed_runs: int

    @property
    def flagged(self) -> list[StratumFairness]:
        """The strata where the draw does not look uniform."""
        return [s for s in self.strata if s.flagged]


Draw = Callable[[Inputs, Plan, str], DrawResult]


def simulate(
    inputs: Inputs, plan: Plan, runs: int, draw: Draw, progress: Callable[[int], None] | None = None
) -> FairnessReport:
    """Repeat the draw `runs` times under simulation seeds and measure it."""
    # Who is eligible, and each stratum's quota, do not depend on the seed: take them once.
    base = select(inputs.enterprises, plan, simulation_seed(plan, 0), inputs.history)
    members, in_scope = _drawn_from(inputs, plan, base)
    tally = _repeat(inputs, plan, runs, draw, in_scope, progress)
    strata, expected, stratum_of = _strata_fairness(base, members, tally.counts, runs - tally.failed)
    eligible_people, inspector_stat, inspector_df = _inspector_fairness(inputs, plan, tally.workloads)
    top_pair, pair_expected = _top_pair(tally.pairs)
    return FairnessReport(
        runs=runs,
        seeds=(simulation_seed(plan, 0), simulation_seed(plan, runs - 1)),
        strata=tuple(strata),
        enterprise_counts={k: tally.counts[k] for k in sorted(in_scope)},
        enterprise_expected=expected,
        enterprise_stratum=stratum_of,
        inspector_counts={i: tally.workloads[i] for i in eligible_people},
        inspector_chi_square=inspector_stat,
        inspector_df=inspector_df,
        inspector_p_value=chi_square_sf(inspector_stat, inspector_df),
        top_pair=top_pair,
        pair_expected=pair_expected,
        failed_runs=tally.failed,
    )


def _drawn_from(
    inputs: Inputs, plan: Plan, base: Selection
) -> tuple[dict[tuple[str, ...], list[str]], set[str]]:
    """The enterprises each stratum draws from (in scope, not excluded, not set aside as
    must-inspect), by stratum, and all of them."""
    must = {p.enterprise_key for p in base.picks if p.must_inspect}
    members: dict[tuple[str, ...], list[str]] = {s.key: [] for s in base.strata}
    columns = [inputs.enterprises.column(h) for h in plan.selection.strata]
    excluded = {e.enterprise_key for e in base.exclusions}
    scoped = plan.districts or plan.industries
    in_scope = set()
    for i, key in enumerate(inputs.enterprises.key):
        if key in excluded or key in must:
            continue
        if scoped and not (
            (not plan.districts or inputs.enterprises.district[i] in plan.districts)
            and (not plan.industries or inputs.enterprises.industry[i] in plan.industries)
        ):
            continue
        stratum = tuple(c[i] for c in columns)
        if stratum in members:
            members[stratum].append(key)
            in_scope.add(key)
    return members, in_scope


@dataclass
class _Tally:
    """What the simulated runs drew: per enterprise, per inspector, per (enterprise, inspector)."""

    counts: Counter[str] = field(default_factory=Counter)
    workloads: Counter[str] = field(default_factory=Counter)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    failed: int = 0


def _repeat(
    inputs: Inputs,
    plan: Plan,
    runs: int,
    draw: Draw,
    in_scope: set[str],
    progress: Callable[[int], None] | None,
) -> _Tally:
    """Draw `runs` times under the simulation seeds and count who was drawn, and who was sent where."""
    tally = _Tally()
    for run in range(runs):
        try:
            result = draw(inputs, plan, simulation_seed(plan, run))
        except Exception:  # an unstaffable run still counts as evidence of nothing; it is reported
            tally.failed += 1
            continue
        for task in result.tasks:
            key = task.enterprise.key
            if key in in_scope:
                tally.counts[key] += 1
            for member in task.team:
                tally.workloads[member.id] += 1
                tally.pairs[(key, member.id)] += 1
        if progress is not None:
            progress(run + 1)
    return tally


def _strata_fairness(
    base: Selection, members: dict[tuple[str, ...], list[str]], counts: Counter[str], done: int
) -> tuple[list[StratumFairness], dict[str, float], dict[str, tuple[str, ...]]]:
    """Per stratum, over the `done` runs that completed: the observed rate against the exact
    probability, and the χ² test of equal counts; with each enterprise's expected count and stratum."""
    strata = []
    expected: dict[str, float] = {}
    stratum_of: dict[str, tuple[str, ...]] = {}
    for s in base.strata:
        keys = members[s.key]
        p = s.probability
        mean = done * float(p)
        statistic = 0.0
        if 0 < p < 1 and keys:
            variance = mean * (1 - float(p))
            statistic = sum((counts[k] - mean) ** 2 for k in keys) / variance
        for k in keys:
            expected[k] = mean
            stratum_of[k] = s.key
        selected = sum(counts[k] for k in keys)
        trials = done * len(keys)
        df = len(keys) - 1 if 0 < p < 1 else 0
        strata.append(
            StratumFairness(
                s.key,
                s.eligible,
                s.quota,
                p,
                selected / trials if trials else 0.0,
                wilson(selected, trials),
                statistic,
                df,
                chi_square_sf(statistic, df),
            )
        )
    return strata, expected, stratum_of


def _inspector_fairness(inputs: Inputs, plan: Plan, workloads: Counter[str]) -> tuple[list[str], float, int]:
    """Who could serve at all (on duty, and admitted to some place of the team whatever the
    enterprise's industry), and the χ² statistic of their workloads against an even share, with
    its degrees of freedom."""
    eligible_people = sorted(
        p.id
        for p in inputs.inspectors
        if p.on_duty and any(role.admits(p, plan.info.end) for role in plan.teams.roles)
    )
    total = sum(workloads.values())
    share = total / len(eligible_people) if eligible_people else 0.0
    inspector_stat = sum((workloads[i] - share) ** 2 for i in eligible_people) / share if share else 0.0
    return eligible_people, inspector_stat, max(0, len(eligible_people) - 1)


def _top_pair(pairs: Counter[tuple[str, str]]) -> tuple[tuple[str, str, int], float]:
    """The most frequent (enterprise, inspector) pair and its count, and what that pair would get
    if the enterprise's team places were spread evenly over everyone who ever served it (a pair
    favoured beyond that would show up here)."""
    (top_key, top_id), top_count = pairs.most_common(1)[0] if pairs else (("", ""), 0)
    partners = [count for (key, _), count in pairs.items() if key == top_key]
    pair_expected = sum(partners) / len(partners) if partners else 0.0
    return (top_key, top_id, top_count), pair_expected


def describe(flagged: Sequence[StratumFairness]) -> str:
    """One sentence on the outcome."""
    if not flagged:
        return "各层内每户的抽中次数与均等机会相符（卡方检验未拒绝，观察比例均在 99% 区间内）"
    names = "、".join("/".join(s.key) for s in flagged)
    return f"以下分层的抽取看起来不均等：{names}"
