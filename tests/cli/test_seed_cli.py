"""The seed ceremony: commit before the seed exists, combine public contributions, fresh seeds."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from shuangsuiji.cli import app
from shuangsuiji.core.ceremony import combine_seeds
from shuangsuiji.core.errors import SeedError
from shuangsuiji.io.ledger import LEDGER_FILE
from tests.builders import SAMPLE, SAMPLE_PLAN, ledger_at

runner = CliRunner()


def test_combining_is_order_independent_and_documented() -> None:
    one = combine_seeds(["福彩3D 2026-12-01 385", " 4271", "6093"])
    assert one == combine_seeds(["6093", "4271", "福彩3D 2026-12-01 385"])
    text = json.dumps(
        ["shuangsuiji:v1:seed-combine", sorted(["福彩3D 2026-12-01 385", "4271", "6093"])],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    assert one == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert one != combine_seeds(["6093", "4271", "福彩3D 2026-12-01 386"])


def test_empty_contribution_is_refused() -> None:
    with pytest.raises(SeedError):
        combine_seeds(["385", "  "])


def test_seed_new_gives_a_fresh_valid_seed_each_time() -> None:
    first = runner.invoke(app, ["seed", "new"]).stdout.strip()
    second = runner.invoke(app, ["seed", "new"]).stdout.strip()
    assert len(first) == 32 and first != second
    assert int(first, 16) >= 0


def plan_copy(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    plan = tmp_path / "plan.toml"
    plan.write_text(
        SAMPLE_PLAN.read_text(encoding="utf-8").replace('"../sample_data/', f'"{data}/'), encoding="utf-8"
    )
    return plan, data


def draw_committed(plan: Path, out: Path, promise: Path) -> Result:
    """Draw `plan` with seed "s" into `out`, held to the commitment in `promise`."""
    return runner.invoke(
        app, ["draw", "--plan", str(plan), "--seed", "s", "--out", str(out), "--commitment", str(promise)]
    )


def test_commitment_then_draw_and_refusal_when_an_input_changed(tmp_path: Path) -> None:
    plan, data = plan_copy(tmp_path)
    promise = tmp_path / "承诺.json"
    result = runner.invoke(
        app,
        ["seed", "commit", "--plan", str(plan), "--out", str(promise), "--source", "福利彩票3D 2026-12-01"],
    )
    assert result.exit_code == 0, result.output
    made = json.loads(promise.read_text(encoding="utf-8"))
    assert made["seed_sources"] == ["福利彩票3D 2026-12-01"]
    assert set(made["inputs"]) == {"enterprises", "inspectors", "conflicts", "history"}

    ledger_at(tmp_path / LEDGER_FILE)  # the plan's workspace
    ok = draw_committed(plan, tmp_path / "a", promise)
    assert ok.exit_code == 0, ok.output

    (data / "history.xlsx").write_bytes((data / "history.xlsx").read_bytes() + b"\0")
    refused = draw_committed(plan, tmp_path / "b", promise)
    assert refused.exit_code == 2
    assert "history.xlsx" in refused.output and "与承诺时不同" in refused.output
    assert not (tmp_path / "b").exists()


def test_a_changed_plan_is_refused_and_the_section_named(tmp_path: Path) -> None:
    plan, _ = plan_copy(tmp_path)
    promise = tmp_path / "承诺.json"
    assert runner.invoke(app, ["seed", "commit", "--plan", str(plan), "--out", str(promise)]).exit_code == 0
    ledger_at(tmp_path / LEDGER_FILE)
    plan.write_text(plan.read_text(encoding="utf-8").replace('D = "20%"', 'D = "25%"'), encoding="utf-8")
    refused = draw_committed(plan, tmp_path / "b", promise)
    assert refused.exit_code == 2
    assert "抽查计划与承诺时不同" in refused.output and "selection" in refused.output


def test_a_commitment_is_never_overwritten(tmp_path: Path) -> None:
    promise = tmp_path / "承诺.json"
    promise.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["seed", "commit", "--plan", str(SAMPLE_PLAN), "--out", str(promise)])
    assert result.exit_code == 2
    assert promise.read_text(encoding="utf-8") == "{}"
