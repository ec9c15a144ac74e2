"""The sample data with the demo seed gives a fixed result; it changes only with an algorithm bump.

Regenerate deliberately with `pytest tests/test_golden.py --update-golden` (and say why in the commit).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shuangsuiji.cli import DEMO_SEED
from shuangsuiji.pipeline import InputOptions, run_draw
from tests.builders import SAMPLE_PLAN

GOLDEN = Path(__file__).parent / "golden" / "sample_draw.json"


def test_sample_draw_matches_the_golden_result(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    outcome = run_draw(
        InputOptions(SAMPLE_PLAN), DEMO_SEED, tmp_path / "out", clock=lambda: "2026-12-01T00:00:00Z"
    )
    record = outcome.record
    summary = {
        "algorithm": record["algorithm"],
        "seed": record["seed"],
        "strata": record["strata"],
        "population": record["population"],
        "tasks": [[t["task_id"], t["enterprise_id"], t["rank"], t["team"]] for t in record["tasks"]],
        "result_digest": record["result_digest"],
    }
    if request.config.getoption("--update-golden"):
        GOLDEN.write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert summary == json.loads(GOLDEN.read_text(encoding="utf-8"))
