"""The record's canonical form and digest, as docs/record.md tells auditors to check them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.cli import DEMO_SEED
from shuangsuiji.core.record import canonical_bytes, canonical_json, encode_lists
from shuangsuiji.pipeline import InputOptions, run_draw
from tests.builders import SAMPLE_PLAN

scalars = st.none() | st.booleans() | st.integers() | st.text()
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4)
)


@given(st.dictionaries(st.text(), values, max_size=6))
def test_assembled_canonical_bytes_equal_plain_canonical_json(record: dict[str, Any]) -> None:
    assert canonical_bytes(record, encode_lists(record)) == canonical_json(record)


def test_auditor_recipe_reproduces_the_digest(tmp_path: Path) -> None:
    run_draw(InputOptions(SAMPLE_PLAN), DEMO_SEED, tmp_path / "out")
    # The recipe of docs/record.md, verbatim.
    r = json.load(open(tmp_path / "out" / "draw-record.json", encoding="utf-8"))  # noqa: SIM115
    body = {k: r[k] for k in ("algorithm", "team_algorithm", "seed", "plan", "strata", "tasks", "excluded")}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == r["result_digest"]


def test_output_hashes_in_the_record_match_the_files(tmp_path: Path) -> None:
    outcome = run_draw(InputOptions(SAMPLE_PLAN), DEMO_SEED, tmp_path / "out")
    for name, expected in outcome.record["outputs"].items():
        assert hashlib.sha256((tmp_path / "out" / name).read_bytes()).hexdigest() == expected
