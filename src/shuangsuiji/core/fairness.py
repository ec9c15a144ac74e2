"""Fairness evidence: repeat a plan's draw under simulation seeds and test what came out.

Pure: the draws come from the caller (`compute_draw`, or a test double); nothing here reads
files or clocks. In a fair draw each run takes a uniformly random n of a stratum's N enterprises,
so over R runs every enterprise's count is Binomial(R, p) with the exact p = n/N. The share of
the stratum drawn is n/N in every run by construction and proves nothing; what can fail is how
the counts are spread over the enterprises. Three tests per stratum, all against Binomial(R, p):

- dispersion: Σ (c − Rp)² / (Rp(1 − p)), times (N − 1)/N because each run draws exactly n without
  replacement (the counts are negatively correlated, −1/(N − 1)); about χ² with N − 1 degrees of
  freedom. Catches groups of enterprises that are favoured or neglected.
- histogram: the number of enterprises drawn k times against N·P(X = k), bins pooled so every
  expected count is at least 5; χ² with (bins − 1) degrees of freedom (slightly conservative: the
  stratum's total count is fixed). Catches a wrong shape of the spread.
- extremes: the least and the most drawn enterprise; by the union bound P(some count ≤ min) ≤
  N·P(X ≤ min), likewise for the max, both tails doubled. Catches a single enterprise that is never
  (or always) drawn, which the two sums above dilute.

Must-inspect (重点检查) enterprises are drawn every run by design and are not tested. All tests of
all strata form one family of m tests; Bonferroni's correction (reject when p ≤ FAMILY_ALPHA / m)
holds the family-wise error rate at FAMILY_ALPHA.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Literal

from .model import DrawResult, Inputs, Selection
from .plan import Plan
from .select import select

SIMULATION_LABEL = "模拟"
FAMILY_ALPHA = 0.001  # family-wise error rate over every test of every stratum (Bonferroni)
MIN_EXPECTED = 5  # pooled histogram bins expect at least this many enterprises

CheckKind = Literal["dispersion", "histogram", "extremes", "certain"]
CHECK_LABELS: dict[CheckKind, str] = {
    "dispersion": "离散度卡方",
    "histogram": "次数分布卡方",
    "extremes": "最少/最多次数",
    "certain": "必然结果",
}


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


def binomial_weights(runs: int, p: Fraction) -> Iterator[int]:
    """C(R, k)·a^k·(b − a)^(R − k) for k = 0 … R, where p = a/b: the Binomial(R, p) probabilities
    as exact integers over the common denominator b^R."""
    a, b = p.numerator, p.denominator
    rest = b - a
    weight = rest**runs
    yield weight
    for k in range(runs):
        # Exact: the next weight is an integer, so the floor division loses nothing.
        weight = weight * (runs - k) * a // ((k + 1) * rest)
        yield weight


@dataclass(frozen=True)
class CountBin:
    """Enterprises drawn `low` … `high` times: how many were, and how many a fair draw expects."""

    low: int
    high: int
    observed: int
    expected: float


@dataclass(frozen=True)
class Check:
    """One test of one stratum; `adjusted` is its Bonferroni-adjusted p-value in the whole family."""

    kind: CheckKind
    statistic: float
    df: int
    p_value: float
    adjusted: float = 1.0

    @property
    def label(self) -> str:
        """The test's Chinese name."""
        return CHECK_LABELS[self.kind]

    @property
    def rejected(self) -> bool:
        """Equal chances rejected at the family-wise level."""
        return self.adjusted <= FAMILY_ALPHA


@dataclass(frozen=True)
class StratumFairness:
    """One stratum over the completed runs: the exact probability, the counts and the tests."""

    key: tuple[str, ...]
    eligible: int  # enterprises that take part in the draw (must-inspect ones not included)
    quota: int
    must_inspect: int  # set aside: drawn every run by design, not tested
    probability: Fraction
    runs: int
    min_count: int
    max_count: int
    bins: tuple[CountBin, ...]  # the pooled histogram the χ² test compares
    expected_from: int  # expected[i] is N·P(X = expected_from + i)
    expected: tuple[float, ...]
    observed: tuple[int, ...]  # observed[k]: enterprises drawn exactly k times (k = 0 … R)
    checks: tuple[Check, ...]

    @property
    def mean(self) -> float:
        """Rp: how often each enterprise is expected to be drawn."""
        return self.runs * float(self.probability)

    @property
    def flagged(self) -> bool:
        """Some test rejected equal chances."""
        return any(c.rejected for c in self.checks)

    def check(self, kind: CheckKind) -> Check | None:
        """The test of that kind, if the stratum has it."""
        return next((c for c in self.checks if c.kind == kind), None)


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
    alpha: float = FAMILY_ALPHA

    @property
    def completed(self) -> int:
        """Runs that produced a draw (the counts are over these)."""
        return self.runs - self.failed_runs

    @property
    def family_size(self) -> int:
        """How many tests share the family-wise error rate."""
        return sum(len(s.checks) for s in self.strata)

    @property
    def threshold(self) -> float:
        """The p-value at or below which a single test rejects: alpha / m."""
        return self.alpha / self.family_size if self.family_size else self.alpha

    @property
    def must_inspect(self) -> int:
        """Must-inspect enterprises left out of the tests."""
        return sum(s.must_inspect for s in self.strata)

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
    members = stratum_members(inputs, plan, base)
    in_scope = {key for keys in members.values() for key in keys}
    tally = _repeat(inputs, plan, runs, draw, in_scope, progress)
    completed = runs - tally.failed
    strata = bonferroni(
        [
            stratum_fairness(
                s.key, s.quota, s.must_inspect, [tally.counts[k] for k in members[s.key]], completed
            )
            for s in base.strata
        ]
    )
    expected = {k: s.mean for s in strata for k in members[s.key]}
    stratum_of = {k: s.key for s in strata for k in members[s.key]}
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


def stratum_members(inputs: Inputs, plan: Plan, base: Selection) -> dict[tuple[str, ...], list[str]]:
    """The enterprises each stratum draws from: in scope, not excluded, not set aside as
    must-inspect; by stratum key, in roster order."""
    must = {p.enterprise_key for p in base.picks if p.must_inspect}
    members: dict[tuple[str, ...], list[str]] = {s.key: [] for s in base.strata}
    columns = [inputs.enterprises.column(h) for h in plan.selection.strata]
    excluded = {e.enterprise_key for e in base.exclusions}
    scoped = plan.districts or plan.industries
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
    return members


def stratum_fairness(
    key: tuple[str, ...], quota: int, must_inspect: int, counts: Sequence[int], runs: int
) -> StratumFairness:
    """The tests of one stratum whose `len(counts)` enterprises were drawn `counts` times in
    `runs` runs that each took `quota` of them (the family's correction comes later, over all strata)."""
    size = len(counts)
    p = Fraction(quota, size) if size else Fraction(0)
    # A broken draw may take one enterprise twice in a run: room for counts above R, which the
    # extremes test then rejects outright (P(X > R) = 0).
    observed = [0] * (max(runs, *counts, 0) + 1)
    for c in counts:
        observed[c] += 1
    low, high = (min(counts), max(counts)) if counts else (0, 0)
    if size == 0:
        checks: tuple[Check, ...] = ()
        expected: list[float] = []
        bins: list[CountBin] = []
        start = 0
    elif p in (0, 1):
        # Every enterprise is drawn never, or every time: any other count is a certain failure.
        certain = runs * int(p)
        wrong = sum(1 for c in counts if c != certain)
        checks = (Check("certain", wrong, 0, 0.0 if wrong else 1.0),)
        start, expected = certain, [float(size)]
        bins = [CountBin(certain, certain, size - wrong, float(size))]
    else:
        distribution = _binomial_evidence(observed, runs, p, low, high)
        start, expected, bins = distribution.start, distribution.expected, distribution.bins
        checks = (
            _dispersion(counts, runs, p),
            _histogram(bins),
            Check("extremes", float(low), 0, min(1.0, 2 * size * min(distribution.tails))),
        )
        checks = tuple(c for c in checks if c.kind != "histogram" or c.df > 0)
    return StratumFairness(
        key=key,
        eligible=size,
        quota=quota,
        must_inspect=must_inspect,
        probability=p,
        runs=runs,
        min_count=low,
        max_count=high,
        bins=tuple(bins),
        expected_from=start,
        expected=tuple(expected),
        observed=tuple(observed),
        checks=checks,
    )


@dataclass(frozen=True)
class _Distribution:
    """Binomial(R, p) as the tests need it: N·P(X = k) where not negligible (for the chart), the
    pooled bins, and the two tail probabilities P(X ≤ min), P(X ≥ max)."""

    start: int
    expected: list[float]
    bins: list[CountBin]
    tails: tuple[float, float]


def _binomial_evidence(observed: list[int], runs: int, p: Fraction, low: int, high: int) -> _Distribution:
    """One pass over the exact Binomial(R, p) weights (measured: R = 1,000 takes 3 ms, R = 10,000
    0.2 s per stratum; both far below the simulated runs themselves)."""
    size = sum(observed)
    denominator = p.denominator**runs
    shares: list[float] = []
    pooled: list[tuple[int, int, int, int]] = []  # (low, high, enterprises, exact weight)
    pending_from, pending_weight, pending_count = 0, 0, 0
    lower_tail = upper_tail = 0
    for k, weight in enumerate(binomial_weights(runs, p)):
        if k <= low:
            lower_tail += weight
        if k >= high:
            upper_tail += weight
        shares.append(size * weight / denominator)
        pending_weight += weight
        pending_count += observed[k] + (sum(observed[runs + 1 :]) if k == runs else 0)
        # Close a bin once it expects MIN_EXPECTED enterprises (compared exactly, in integers).
        if size * pending_weight >= MIN_EXPECTED * denominator:
            pooled.append((pending_from, k, pending_count, pending_weight))
            pending_from, pending_weight, pending_count = k + 1, 0, 0
    if pending_from <= runs:  # the upper tail that never reached MIN_EXPECTED joins the last bin
        if pooled:
            first, _, count, weight = pooled.pop()
            pending_from, pending_count, pending_weight = (
                first,
                pending_count + count,
                pending_weight + weight,
            )
        pooled.append((pending_from, runs, pending_count, pending_weight))
    bins = [CountBin(a, b, count, size * weight / denominator) for a, b, count, weight in pooled]
    # For the chart: the counts where a fair draw expects anything, and wherever something was seen.
    visible = [k for k, share in enumerate(shares) if share >= 1e-3] or [low]
    start, stop = min(visible[0], low), max(visible[-1], high)
    tails = (lower_tail / denominator, upper_tail / denominator)
    return _Distribution(start, shares[start : stop + 1], bins, tails)


def _dispersion(counts: Sequence[int], runs: int, p: Fraction) -> Check:
    """Σ (c − Rp)² / (Rp(1 − p)) with the without-replacement correction (N − 1)/N."""
    size = len(counts)
    mean = runs * p
    # Exact and cheap: Σ(c − Rp)² = Σc² − 2Rp·Σc + N(Rp)², integer sums and one fraction.
    squares = sum(c * c for c in counts) - 2 * mean * sum(counts) + size * mean * mean
    total = squares / (mean * (1 - p)) * Fraction(size - 1, size)
    statistic = float(total)
    return Check("dispersion", statistic, size - 1, chi_square_sf(statistic, size - 1))


def _histogram(bins: Sequence[CountBin]) -> Check:
    """Pearson's χ² of the pooled histogram against its binomial expectation."""
    statistic = sum((b.observed - b.expected) ** 2 / b.expected for b in bins)
    df = len(bins) - 1
    return Check("histogram", statistic, df, chi_square_sf(statistic, df))


def bonferroni(strata: Sequence[StratumFairness]) -> list[StratumFairness]:
    """Every test of every stratum with its adjusted p-value min(1, m·p), m the family's size.

    Bonferroni rather than Holm: one threshold, FAMILY_ALPHA / m, that an auditor checks by hand
    and a chart draws as one line. Holm would reject more only near that threshold; the biased
    draws the report exists to catch land orders of magnitude below it.
    """
    size = sum(len(s.checks) for s in strata)
    return [
        replace(s, checks=tuple(replace(c, adjusted=min(1.0, size * c.p_value)) for c in s.checks))
        for s in strata
    ]


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


def stratum_name(key: tuple[str, ...]) -> str:
    """A stratum as shown: its values joined by “/”."""
    return "/".join(key)


def method(report: FairnessReport) -> str:
    """What was tested, in one paragraph (Chinese)."""
    return (
        f"每层内参加抽取的每户企业在 {report.completed} 次模拟中被抽中的次数，应服从二项分布 B(R, p)，"
        "p = 应抽户数 n / 参加抽取户数 N（精确分数）。每层三项检验："
        "① 离散度卡方 Σ(c−Rp)²/(Rp(1−p))×(N−1)/N，自由度 N−1（各户次数是否过于分散或集中）；"
        f"② 次数分布卡方：抽中 k 次的户数与 N·P(X=k) 比较，期望不足 {MIN_EXPECTED} 户的相邻次数合并，"
        "自由度为组数−1；③ 最少/最多次数：任何一户少到（多到）这个程度的概率上限 2N·P(X≤最少或X≥最多)。"
        f"重点检查企业每次必抽，不参加抽取，不在检验之内（共 {report.must_inspect} 户）。"
        f"{family_level(report)}。"
    )


def family_level(report: FairnessReport) -> str:
    """The family-wise level and the threshold it sets for each test (Chinese)."""
    return (
        f"族错误率 {report.alpha:g}（Bonferroni 校正：{report.family_size} 项检验，"
        f"每项 p ≤ {report.alpha:g}/{report.family_size} ≈ {report.threshold:.2g} 判为不均等）"
    )


def describe(report: FairnessReport) -> str:
    """The verdict in one sentence (Chinese)."""
    level = f"在族错误率 {report.alpha:g} 下（{report.family_size} 项检验，Bonferroni 校正）"
    flagged = report.flagged
    if not flagged:
        return f"结论：均等。{level}，各层每户被抽中的次数都与二项分布相符，没有被偏向或冷落的企业。"
    names = "；".join(
        f"{stratum_name(s.key)}（{'、'.join(c.label for c in s.checks if c.rejected)}）" for s in flagged
    )
    return f"结论：不均等。{level}，以下分层的抽取与均等机会不符：{names}"
