"""Fairness evidence end to end: the sample plan passes, a biased draw is caught, the files are
readable, the charts are in Chinese when a CJK font exists, and the terminal stays free of
library warnings."""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.core.draw import compute_draw
from shuangsuiji.core.fairness import simulation_seed
from shuangsuiji.core.model import DrawResult, EnterpriseRoster, Inputs
from shuangsuiji.core.plan import Plan
from shuangsuiji.io import fairness_out
from shuangsuiji.io.plan_file import load_plan
from shuangsuiji.pipeline import InputOptions, run_fairness
from tests.builders import SAMPLE_PLAN

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"
CHARTS = ("draw-counts.png", "p-values.png", "workloads.png")
NOISE = ("Warning", "warning", "Glyph", "findfont", "font cache", "Traceback")
NOTO_CJK = sorted(Path("/usr/share/fonts/opentype/noto").glob("NotoSansCJK*.ttc"))
needs_cjk_font = pytest.mark.skipif(not NOTO_CJK, reason="fonts-noto-cjk is not installed here")


def test_simulation_seeds_are_labelled() -> None:
    assert simulation_seed(load_plan(SAMPLE_PLAN), 7) == "模拟-GY-SJ-2026-12-00007"


def test_the_sample_plan_is_uniform_and_the_files_are_readable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "fair"
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")  # anything the command let through would be recorded here
        result = runner.invoke(
            app, ["fairness", "--plan", str(SAMPLE_PLAN), "--runs", "300", "--out", str(out)]
        )
    assert result.exit_code == 0, result.output
    assert [str(w.message) for w in caught] == []
    assert [r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")] == []
    assert not any(word in result.output for word in NOISE)
    assert "结论：均等" in result.output and "模拟-GY-SJ-2026-12-00000" in result.output
    assert "族错误率 0.001" in result.output and "12 项检验" in result.output
    assert "重点检查企业 9 户每次必抽" in result.output

    book = openpyxl.load_workbook(out / "fairness.xlsx")
    assert book.sheetnames == ["分层", "检验", "次数分布", "企业", "执法人员", "说明"]
    strata = list(book["分层"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in strata] == ["A", "B", "C", "D"]
    assert all(r[-1] == "均等" for r in strata)
    assert [r[4] for r in strata] == [3, 3, 3, 0]  # the must-inspect enterprises, by stratum
    tests = list(book["检验"].iter_rows(min_row=2, values_only=True))
    assert len(tests) == 12 and {r[1] for r in tests} == {"离散度卡方", "次数分布卡方", "最少/最多次数"}
    assert all(r[-1] == "未拒绝" and r[5] > 0.001 for r in tests)
    bins = list(book["次数分布"].iter_rows(min_row=2, values_only=True))
    assert all(r[4] >= 5 for r in bins)  # every pooled bin expects at least five enterprises
    assert sum(r[3] for r in bins if r[0] == "A") == strata[0][2]  # every enterprise in one bin
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert "二项分布" in notes["检验方法"] and "重点检查企业每次必抽" in notes["检验方法"]
    assert book["企业"].max_row > 1500
    for name in CHARTS:
        data = (out / name).read_bytes()
        assert data[:8] == PNG and len(data) > 10_000


def low_rows_only(inputs: Inputs, plan: Plan, seed: str) -> DrawResult:
    """A biased draw: it only ever looks at the first half of the roster (the low row numbers)."""
    roster = inputs.enterprises
    half = EnterpriseRoster.from_records([roster.get(i) for i in range(len(roster) // 2)])
    return compute_draw(replace(inputs, enterprises=half), plan, seed)


def test_a_draw_that_prefers_low_row_numbers_is_flagged(tmp_path: Path) -> None:
    outcome = run_fairness(InputOptions(SAMPLE_PLAN), 100, tmp_path / "biased", draw=low_rows_only)
    report = outcome.report
    assert {s.key for s in report.flagged} == {("A",), ("B",), ("C",), ("D",)}
    assert all(min(c.adjusted for c in s.checks) < 1e-12 for s in report.strata)
    book = openpyxl.load_workbook(tmp_path / "biased" / "fairness.xlsx")
    assert all(r[-1] == "不均等" for r in book["分层"].iter_rows(min_row=2, values_only=True))


def test_too_few_runs_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["fairness", "--plan", str(SAMPLE_PLAN), "--runs", "3", "--out", str(tmp_path / "f")]
    )
    assert result.exit_code == 2 and "太少" in result.output


@pytest.fixture(scope="module")
def small_report(tmp_path_factory: pytest.TempPathFactory) -> fairness_out.FairnessReport:
    return run_fairness(InputOptions(SAMPLE_PLAN), 20, tmp_path_factory.mktemp("f") / "out").report


def test_charts_fall_back_to_english_labels_without_a_chinese_font(
    tmp_path: Path, small_report: fairness_out.FairnessReport
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fairness_out.draw_charts(tmp_path, small_report, None)
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []  # no Chinese drawn
    for name in CHARTS:
        assert (tmp_path / name).read_bytes()[:8] == PNG


@needs_cjk_font
def test_a_stale_font_cache_still_finds_the_noto_cjk_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    # matplotlib's cache as it was before fonts-noto-cjk was installed: no CJK face in it.
    stale = copy.copy(font_manager.fontManager)
    stale.ttflist = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager, "fontManager", stale)
    assert fairness_out.chinese_font("各层云岩区") == "Noto Sans CJK SC"


@needs_cjk_font
def test_every_chart_label_has_its_glyphs_in_the_chosen_font(
    tmp_path: Path, small_report: fairness_out.FairnessReport
) -> None:
    font = fairness_out.chinese_font(fairness_out._chart_text(small_report))
    assert font == "Noto Sans CJK SC"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # not quieted: a missing glyph would show up here
        fairness_out.draw_charts(tmp_path, small_report, font)
    assert [str(w.message) for w in caught] == []


def test_a_name_no_installed_font_can_draw_means_english_labels() -> None:
    assert fairness_out.chinese_font("\U000f0000") is None  # a private-use code point: no font has it


def test_the_first_run_on_a_fresh_machine_prints_no_library_warnings(tmp_path: Path) -> None:
    # A new matplotlib config folder: the font cache is built during this very run, as on a
    # clerk's first day; matplotlib announces that on stderr unless it is kept quiet.
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"), "COLUMNS": "120"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shuangsuiji",
            "fairness",
            "--plan",
            str(SAMPLE_PLAN),
            "--runs",
            "10",
            "--out",
            "f",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "结论：均等" in result.stderr
    assert not any(word in result.stderr + result.stdout for word in NOISE), result.stderr


def test_what_matplotlib_would_say_stays_off_the_terminal(
    tmp_path: Path, small_report: fairness_out.FairnessReport, caplog: pytest.LogCaptureFixture
) -> None:
    from matplotlib import font_manager

    # Chinese labels in a font without Chinese glyphs (the old bug), and an unknown family: each
    # makes matplotlib warn (checked first, so that this test cannot pass by saying nothing)...
    with warnings.catch_warnings(record=True) as loud, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        fairness_out.draw_charts(tmp_path, small_report, "DejaVu Sans")
        font_manager.findfont("没有这种字体")
    assert any("Glyph" in str(w.message) for w in loud)
    assert any("findfont" in r.getMessage() for r in caplog.records)
    caplog.clear()
    font_manager.fontManager._findfont_cached.cache_clear()
    # ...and inside quiet_matplotlib none of it comes out.
    with warnings.catch_warnings(record=True) as quiet, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        with fairness_out.quiet_matplotlib():
            fairness_out.draw_charts(tmp_path, small_report, "DejaVu Sans")
            font_manager.findfont("没有这种字体")
    assert [str(w.message) for w in quiet] == []
    assert [r.getMessage() for r in caplog.records] == []
