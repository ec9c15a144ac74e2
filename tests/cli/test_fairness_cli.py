"""Fairness evidence: the sample plan is uniform, a biased draw is caught, the files are readable."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.core.draw import compute_draw
from shuangsuiji.core.fairness import chi_square_sf, simulation_seed, wilson
from shuangsuiji.core.model import DrawResult, EnterpriseRoster, Inputs
from shuangsuiji.core.plan import Plan
from shuangsuiji.io.plan_file import load_plan
from shuangsuiji.pipeline import InputOptions, run_fairness
from tests.builders import SAMPLE_PLAN

runner = CliRunner()


def test_chi_square_tail_matches_tables() -> None:
    assert chi_square_sf(3.841, 1) == pytest.approx(0.05, abs=2e-4)
    assert chi_square_sf(18.307, 10) == pytest.approx(0.05, abs=2e-4)
    assert chi_square_sf(100.425, 70) == pytest.approx(0.01, abs=2e-4)
    assert chi_square_sf(0.0, 5) == 1.0
    assert chi_square_sf(1e6, 10) < 1e-300 or chi_square_sf(1e6, 10) == 0.0


def test_wilson_interval_contains_the_proportion() -> None:
    low, high = wilson(30, 1000)
    assert low < 0.03 < high and high - low < 0.04


def test_simulation_seeds_are_labelled() -> None:
    assert simulation_seed(load_plan(SAMPLE_PLAN), 7) == "模拟-GY-SJ-2026-12-00007"


def test_the_sample_plan_is_uniform_and_the_files_are_readable(tmp_path: Path) -> None:
    out = tmp_path / "fair"
    result = runner.invoke(app, ["fairness", "--plan", str(SAMPLE_PLAN), "--runs", "300", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "均等" in result.output and "模拟-GY-SJ-2026-12-00000" in result.output
    book = openpyxl.load_workbook(out / "fairness.xlsx")
    assert book.sheetnames == ["分层", "企业", "执法人员", "说明"]
    header = [c.value for c in book["分层"][1]]
    assert header[:4] == ["分层", "符合条件户数", "应抽户数", "精确入选概率"]
    rows = list(book["分层"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["A", "B", "C", "D"]
    for row in rows:
        probability, low, high, verdict = row[3], row[6], row[7], row[11]
        assert low <= probability <= high and verdict == "均等"
    assert book["企业"].max_row > 1500
    for name in ("rates.png", "workloads.png", "enterprise-counts.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def low_rows_only(inputs: Inputs, plan: Plan, seed: str) -> DrawResult:
    """A biased draw: it only ever looks at the first half of the roster (the low row numbers)."""
    roster = inputs.enterprises
    half = EnterpriseRoster.from_records([roster.get(i) for i in range(len(roster) // 2)])
    return compute_draw(replace(inputs, enterprises=half), plan, seed)


def test_a_draw_that_prefers_low_row_numbers_is_flagged(tmp_path: Path) -> None:
    outcome = run_fairness(InputOptions(SAMPLE_PLAN), 200, tmp_path / "biased", draw=low_rows_only)
    flagged = {s.key for s in outcome.report.flagged}
    assert flagged == {("A",), ("B",), ("C",), ("D",)}
    assert all(s.p_value < 1e-6 for s in outcome.report.strata)


def test_too_few_runs_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["fairness", "--plan", str(SAMPLE_PLAN), "--runs", "3", "--out", str(tmp_path / "f")]
    )
    assert result.exit_code == 2 and "太少" in result.output


def test_charts_fall_back_to_english_labels_without_a_chinese_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuangsuiji.io import fairness_out

    monkeypatch.setattr(fairness_out, "_cjk_font", lambda: None)
    outcome = run_fairness(InputOptions(SAMPLE_PLAN), 20, tmp_path / "f")
    for name in outcome.files[1:]:
        assert (tmp_path / "f" / name).read_bytes()[:4] == b"\x89PNG"
