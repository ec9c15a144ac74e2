"""The sample draw's selected set equals an independent implementation reading the same files."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

from shuangsuiji.cli import DEMO_SEED
from shuangsuiji.pipeline import InputOptions, run_draw
from tests import reference
from tests.builders import SAMPLE, SAMPLE_PLAN


def test_sample_selection_matches_independent_implementation(tmp_path: Path) -> None:
    outcome = run_draw(InputOptions(SAMPLE_PLAN), DEMO_SEED, tmp_path / "out")
    expected = reference.select_keys(
        reference.read_roster(SAMPLE / "enterprises.xlsx"),
        reference.read_history(SAMPLE / "history.xlsx"),
        seed=DEMO_SEED,
        start=date(2026, 12, 1),
        window=365,
        ratio={"A": Fraction(3, 100), "B": Fraction(5, 100), "C": Fraction(10, 100), "D": Fraction(20, 100)},
        minimum={"D": 1},
    )
    assert {t["enterprise_id"] for t in outcome.record["tasks"]} == expected
    assert len(expected) == len(outcome.record["tasks"])
