"""The shipped sample data is what scripts/generate_rosters.py makes, cell for cell (hidden sheet too)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shuangsuiji.verify import cell_differences
from tests.builders import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "scripts"))

from generate_rosters import main


def test_the_generator_makes_the_sample_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path), "--old-sheet"]) == 0
    made = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert made == sorted(p.name for p in SAMPLE.glob("*.xlsx"))
    for name in made:
        assert cell_differences(SAMPLE / name, tmp_path / name) == [], name
