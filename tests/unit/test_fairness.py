"""The fairness tests themselves: the statistics against known values, a biased draw that must be
caught, an honest one that must pass, and honest p-values that are not systematically small."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from shuangsuiji.core.fairness import (
    MIN_EXPECTED,
    Draw,
    FairnessReport,
    _inspector_fairness,
    binomial_weights,
    bonferroni,
    chi_square_sf,
    describe,
    simulate,
    stratum_fairness,
    stratum_members,
)
from shuangsuiji.core.model import DrawResult, EnterpriseRoster, Inputs, Pick, Task
from shuangsuiji.core.plan import Plan
from shuangsuiji.core.select import select
from shuangsuiji.core.tickets import ticket
from tests.builders import enterprise, inspector, make_plan, roster

# ---------------------------------------------------------------------------------------------
# The χ² tail and the binomial weights against closed forms


def _even_df_tail(statistic: float, df: int) -> float:
    """Q(k, x) for whole k = df/2: e^(−x) Σ_{j<k} x^j / j!  (a closed form, independent of ours)."""
    x = statistic / 2
    return math.exp(-x) * sum(x**j / math.factorial(j) for j in range(df // 2))


@pytest.mark.parametrize("df", [2, 4, 10, 50, 120])
@pytest.mark.parametrize("ratio", [0.1, 0.5, 0.9, 1.0, 1.3, 2.0, 3.0])
def test_chi_square_tail_matches_the_closed_form_for_even_degrees_of_freedom(df: int, ratio: float) -> None:
    statistic = df * ratio  # both sides of df: the series branch and the continued fraction
    assert chi_square_sf(statistic, df) == pytest.approx(_even_df_tail(statistic, df), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("statistic", [0.001, 0.5, 1.0, 2.706, 3.841, 6.635, 10.828, 30.0])
def test_chi_square_tail_with_one_degree_of_freedom_is_erfc(statistic: float) -> None:
    assert chi_square_sf(statistic, 1) == pytest.approx(math.erfc(math.sqrt(statistic / 2)), rel=1e-9)


def test_chi_square_tail_matches_printed_tables() -> None:
    assert chi_square_sf(18.307, 10) == pytest.approx(0.05, abs=2e-5)
    assert chi_square_sf(100.425, 70) == pytest.approx(0.01, abs=2e-5)
    assert chi_square_sf(0.0, 5) == 1.0
    assert chi_square_sf(5.0, 0) == 1.0
    assert chi_square_sf(1e6, 10) == 0.0


def test_binomial_weights_are_the_exact_probabilities() -> None:
    p = Fraction(3, 7)
    runs = 25
    weights = list(binomial_weights(runs, p))
    assert len(weights) == runs + 1
    assert weights == [math.comb(runs, k) * 3**k * 4 ** (runs - k) for k in range(runs + 1)]
    assert sum(weights) == 7**runs


# ---------------------------------------------------------------------------------------------
# One stratum, by hand


def test_even_counts_pass_and_the_statistics_are_as_defined() -> None:
    # 4 enterprises, 2 drawn per run, 10 runs: Rp = 5, Rp(1 − p) = 2.5.
    s = stratum_fairness(("B",), 2, 0, [6, 4, 7, 3], 10)
    dispersion = s.check("dispersion")
    assert dispersion is not None
    assert dispersion.statistic == pytest.approx((1 + 1 + 4 + 4) / 2.5 * 3 / 4)
    assert dispersion.df == 3
    assert (s.min_count, s.max_count, s.mean) == (3, 7, 5.0)
    extremes = s.check("extremes")
    assert extremes is not None
    lower = sum(math.comb(10, k) for k in range(4)) / 2**10  # P(X ≤ 3) = P(X ≥ 7)
    assert extremes.p_value == pytest.approx(min(1.0, 2 * 4 * lower))


def test_pooled_bins_cover_every_count_and_expect_at_least_five() -> None:
    counts = [3, 5, 9, 12, 4, 6, 6, 7, 2, 8] * 12
    s = stratum_fairness(("A",), 12, 0, counts, 60)
    assert s.bins[0].low == 0 and s.bins[-1].high == 60
    assert all(a.high + 1 == b.low for a, b in zip(s.bins, s.bins[1:], strict=False))
    assert all(b.expected >= MIN_EXPECTED for b in s.bins)
    assert sum(b.observed for b in s.bins) == len(counts)
    assert sum(b.expected for b in s.bins) == pytest.approx(len(counts))
    histogram = s.check("histogram")
    assert histogram is not None and histogram.df == len(s.bins) - 1
    assert histogram.statistic == pytest.approx(
        sum((b.observed - b.expected) ** 2 / b.expected for b in s.bins)
    )


def test_an_enterprise_never_drawn_is_caught_by_the_extremes() -> None:
    # 50 enterprises, 10 drawn per run (p = 1/5), 100 runs: P(X = 0) = 0.8^100 ≈ 2e-10.
    counts = [20] * 49 + [0]
    s = stratum_fairness(("D",), 10, 0, counts, 100)
    extremes = s.check("extremes")
    assert extremes is not None
    assert extremes.p_value == pytest.approx(2 * 50 * 0.8**100, rel=1e-9)
    assert bonferroni([s])[0].flagged


def test_a_certain_stratum_fails_only_when_an_enterprise_is_missed() -> None:
    everyone = stratum_fairness(("D",), 3, 0, [40, 40, 40], 40)
    assert [c.kind for c in everyone.checks] == ["certain"]
    assert not bonferroni([everyone])[0].flagged
    one_missed = stratum_fairness(("D",), 3, 0, [40, 39, 40], 40)
    assert bonferroni([one_missed])[0].flagged


def test_bonferroni_multiplies_by_the_family_size() -> None:
    strata = bonferroni(
        [stratum_fairness(("A",), 2, 0, [6, 4, 7, 3], 10), stratum_fairness(("B",), 1, 0, [5, 5], 10)]
    )
    checks = [c for s in strata for c in s.checks]
    assert all(c.adjusted == pytest.approx(min(1.0, len(checks) * c.p_value)) for c in checks)


# ---------------------------------------------------------------------------------------------
# Whole simulations: honest draws pass, biased ones are caught


def _inputs(sizes: dict[str, int], must_inspect: int = 0) -> Inputs:
    """A roster with `sizes[class]` enterprises per class (keys in a fixed order) and, in class D,
    `must_inspect` enterprises marked 重点检查; a few inspectors (the selection needs none)."""
    records = []
    number = 0
    for cls, size in sizes.items():
        for _ in range(size):
            number += 1
            records.append(enterprise(f"91520100{number:010d}", cls))
    records.extend(
        enterprise(f"91520199{extra:010d}", "D", must_inspect=True) for extra in range(must_inspect)
    )
    return Inputs(roster(records), (inspector("01"), inspector("02")))


def selection_only(inputs: Inputs, plan: Plan, seed: str) -> DrawResult:
    """The honest v1 selection, without teams (teams do not enter these tests and cost time)."""
    selection = select(inputs.enterprises, plan, seed, inputs.history)
    tasks = tuple(
        Task(f"T-{n}", inputs.enterprises.get(pick.index), pick, ()) for n, pick in enumerate(selection.picks)
    )
    return DrawResult(seed, selection, tasks)


def favours_low_keys(inputs: Inputs, plan: Plan, seed: str) -> DrawResult:
    """A rigged ticket: in each stratum the enterprises in the lower half of the keys have their
    SHA-256 ticket halved, so they come first about twice as often as the others."""
    selection = select(inputs.enterprises, plan, seed, inputs.history)
    members = stratum_members(inputs, plan, selection)
    row = {key: i for i, key in enumerate(inputs.enterprises.key)}
    tasks = []
    for stratum in selection.strata:
        keys = members[stratum.key]
        middle = sorted(keys)[len(keys) // 2]

        def rigged(key: str, middle: str = middle) -> int:
            value = int(ticket(seed, "select", key), 16)
            return value // 2 if key < middle else value

        for rank, key in enumerate(sorted(keys, key=rigged)[: stratum.quota], start=1):
            pick = Pick(row[key], key, "", stratum.key, rank)
            tasks.append(Task(f"T-{len(tasks)}", inputs.enterprises.get(row[key]), pick, ()))
    return DrawResult(seed, selection, tuple(tasks))


def never_draws(left_out: str) -> Draw:
    """A draw that silently loses one enterprise (an off-by-one on the last row, say)."""

    def draw(inputs: Inputs, plan: Plan, seed: str) -> DrawResult:
        kept = [inputs.enterprises.get(i) for i, key in enumerate(inputs.enterprises.key) if key != left_out]
        return selection_only(replace(inputs, enterprises=EnterpriseRoster.from_records(kept)), plan, seed)

    return draw


SIZES = {"A": 300, "B": 200, "C": 100, "D": 40}
RUNS = 200


@pytest.fixture(scope="module")
def honest() -> FairnessReport:
    return simulate(_inputs(SIZES, must_inspect=2), make_plan(), RUNS, selection_only)


def test_an_honest_draw_passes(honest: FairnessReport) -> None:
    assert honest.flagged == []
    assert honest.family_size == 12
    assert describe(honest).startswith("结论：均等。")
    # Far from the line, not just under it: the smallest p-value of the twelve is well above α/m.
    assert min(c.p_value for s in honest.strata for c in s.checks) > 100 * honest.threshold


def test_must_inspect_enterprises_are_left_out_of_the_tests(honest: FairnessReport) -> None:
    # Drawn in every run by design: counted in the report, but not as members of their stratum.
    assert honest.must_inspect == 2
    assert not any(key.startswith("91520199") for key in honest.enterprise_counts)
    d = next(s for s in honest.strata if s.key == ("D",))
    assert (d.eligible, d.must_inspect, d.quota) == (40, 2, 8)


def test_a_ticket_that_favours_low_keys_is_caught() -> None:
    report = simulate(_inputs(SIZES), make_plan(), RUNS, favours_low_keys)
    assert {s.key for s in report.flagged} == {("A",), ("B",), ("C",), ("D",)}
    # A huge margin: in every stratum some test is below the family-wise line by 6+ orders of magnitude.
    for s in report.strata:
        assert min(c.adjusted for c in s.checks) < 1e-9, s.key
    assert describe(report).startswith("结论：不均等。")


def test_a_draw_that_loses_one_enterprise_is_caught() -> None:
    inputs = _inputs(SIZES)
    lost = next(
        key
        for key, cls in zip(inputs.enterprises.key, inputs.enterprises.credit_class, strict=True)
        if cls == "D"
    )
    report = simulate(inputs, make_plan(), RUNS, never_draws(lost))
    assert [s.key for s in report.flagged] == [("D",)]
    assert report.enterprise_counts[lost] == 0
    d = report.strata[-1]
    extremes = d.check("extremes")
    assert extremes is not None and extremes.adjusted < 1e-15
    assert "最少/最多次数" in describe(report)


def test_honest_p_values_are_not_systematically_small() -> None:
    """Thirty independent honest simulations (different seeds through the draw): their p-values
    must look like draws from a uniform distribution (or larger: the tests are conservative), and
    none of the thirty reports may be flagged."""
    inputs = _inputs({"A": 120, "B": 80, "C": 40, "D": 25})
    plan = make_plan()
    p_values: dict[str, list[float]] = {"dispersion": [], "histogram": [], "extremes": []}
    flagged = 0
    for salt in range(30):

        def salted(inputs: Inputs, plan: Plan, seed: str, salt: int = salt) -> DrawResult:
            return selection_only(inputs, plan, f"{seed}-{salt}")

        report = simulate(inputs, plan, 60, salted)
        flagged += bool(report.flagged)
        for s in report.strata:
            for c in s.checks:
                p_values[c.kind].append(c.p_value)
    assert flagged == 0
    for kind, values in p_values.items():
        assert len(values) == 120
        small = sum(v < 0.05 for v in values) / len(values)
        assert small <= 0.12, (kind, small)  # about 0.05 expected; far more means a broken test
    # The two χ² tests are not dead either: their p-values spread over (0, 1).
    for kind in ("dispersion", "histogram"):
        values = sorted(p_values[kind])
        assert 0.25 < values[len(values) // 2] < 0.8, kind


# ---------------------------------------------------------------------------------------------
# Who the fairness report counts as able to serve: the same rule assign uses (plan.Role.admits)


def test_only_people_some_team_place_admits_are_counted() -> None:
    plan = make_plan(teams={"roles": [{"certified": True, "department": "食品科"}, {"department": "食品科"}]})
    staff = (
        inspector("01"),
        inspector("02", certificate=""),  # the second place needs no certificate
        inspector("03", department="药品科"),  # no place is open to this department
        inspector("04", status="休假"),
        inspector("05", certificate_expiry=date(2026, 12, 30)),  # expires before the plan ends: second place
    )
    eligible, _, df = _inspector_fairness(Inputs(roster([enterprise("1" * 18)]), staff), plan, Counter())
    assert eligible == ["01", "02", "05"]
    assert df == 2


def test_workloads_against_an_even_share() -> None:
    plan = make_plan()
    staff = (inspector("01"), inspector("02"), inspector("03", certificate=""))
    eligible, statistic, df = _inspector_fairness(
        Inputs(roster([]), staff), plan, Counter({"01": 6, "02": 2})
    )
    assert eligible == ["01", "02"]  # every place needs a certificate
    assert statistic == (6 - 4) ** 2 / 4 + (2 - 4) ** 2 / 4
    assert df == 1


def test_an_enterprise_drawn_twice_in_a_run_is_caught() -> None:
    # More than R draws in R runs: impossible for a fair draw, whatever the rest looks like.
    s = bonferroni([stratum_fairness(("C",), 2, 0, [12, 2, 2, 2, 2], 10)])[0]
    extremes = s.check("extremes")
    assert extremes is not None and extremes.p_value == 0.0
    assert s.flagged and s.max_count == 12
    assert sum(b.observed for b in s.bins) == 5
