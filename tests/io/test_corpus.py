"""The corpus of broken and hostile inputs (tests/corpus/cases.toml) run through the command line.

Every case: `validate --json` exits as the manifest says, with the message (and where given the
row, column and hint) in its problems, and never a traceback. Cases that must be read correctly are
also read with the reader itself to check a fact (row count, a value). Cases marked `draw` are also
given to `draw`, which must exit 2 and leave no output folder. The zip bombs are made at test time
and must be refused quickly and without much memory (measured in a child process).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.io.readers import read_enterprises, read_history, read_inspectors, read_recusals
from tests.builders import ledger_at

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
PLAN = ROOT / "config" / "plan.toml"
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
READERS: dict[str, Any] = {
    "enterprises": read_enterprises,
    "inspectors": read_inspectors,
    "conflicts": read_recusals,
    "history": read_history,
}

sys.path.insert(0, str(CORPUS))
import make_corpus  # type: ignore[import-not-found]  # noqa: E402  (a script next to the corpus)


def _case_id(case: dict[str, Any]) -> str:
    expect = case.get("expect")
    return f"{case['file']}:{expect[0]}" if expect else case["file"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cases whose size is the point, made once for the module."""
    folder = tmp_path_factory.mktemp("generated")
    for case in CASES:
        if name := case.get("generate"):
            getattr(make_corpus, name)(folder / case["file"])
    return folder


def _path(case: dict[str, Any], generated: Path) -> Path:
    return (generated if case.get("generate") else CORPUS / "files") / str(case["file"])


def _validate(role: str, path: Path) -> tuple[int, str, dict[str, Any] | None]:
    result = CliRunner().invoke(app, ["validate", "--plan", str(PLAN), f"--{role}", str(path), "--json"])
    try:
        parsed = json.loads(result.stdout)
    except ValueError:
        parsed = None
    return result.exit_code, result.output, parsed


def test_manifest_covers_the_corpus() -> None:
    named = {case["file"] for case in CASES if not case.get("generate")}
    present = {p.name for p in (CORPUS / "files").iterdir()}
    assert present <= named, f"corpus files without a case: {sorted(present - named)}"
    assert len({c["file"] for c in CASES}) >= 40
    for case in CASES:
        assert case["role"] in READERS and case["exit"] in (0, 2)
        assert "code" in case or case["exit"] == 0
        assert "rows" in case or case["exit"] == 2


def test_committed_files_are_small_and_the_script_deterministic() -> None:
    """The script makes the committed set of files, each small, the same bytes every time. (The bytes
    are not compared with the committed files: they depend on our xlsx writer and openpyxl, which
    may change; the committed files are what the cases are about.)"""
    made = make_corpus.corpus()
    assert set(made) == {p.name for p in (CORPUS / "files").iterdir()}
    assert all(len(data) < 50_000 for data in made.values())
    assert make_corpus.corpus() == made


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_case(case: dict[str, Any], generated: Path) -> None:
    path = _path(case, generated)
    code, output, report = _validate(case["role"], path)
    assert "Traceback" not in output
    assert code == case["exit"], output
    assert report is not None, output
    problems = report["problems"]
    if case["exit"] == 0:
        assert not [p for p in problems if p["severity"] == "error"], problems
    assert all(p["code"] and p["message"] for p in problems), (
        problems
    )  # every finding has a code and a sentence
    if code := case.get("code"):
        hits = [p for p in problems if p["code"] == code]
        assert hits, f"no problem has the code {code}: {[(p['code'], p['message']) for p in problems]}"
        if case["exit"] == 0:
            assert all(p["severity"] == "warning" for p in hits)
        for key in ("row", "column"):
            if key in case:
                assert any(p[key] == case[key] for p in hits), (key, hits)
        if params := case.get("params"):
            assert any(params.items() <= p["params"].items() for p in hits), (params, hits)
        if hint := case.get("hint"):
            assert any(hint in p["hint"] for p in hits), hits
        assert all(p["file"] for p in hits)
    if "rows" in case:
        records, info, _ = READERS[case["role"]](path)
        assert len(records) == case["rows"] == info.rows
        if expect := case.get("expect"):
            field, index, value = expect
            got = (
                getattr(records, field)[index]
                if case["role"] == "enterprises"
                else getattr(records[index], field)
            )
            assert str(got) == value


DRAW_CASES = [case for case in CASES if case.get("draw")]


@pytest.mark.parametrize("case", DRAW_CASES, ids=_case_id)
def test_draw_leaves_no_output_folder(case: dict[str, Any], generated: Path, tmp_path: Path) -> None:
    out = tmp_path / "抽取结果"
    result = CliRunner().invoke(
        app,
        [
            "draw",
            "--plan",
            str(PLAN),
            "--seed",
            "corpus-2026",
            "--out",
            str(out),
            "--quiet",
            f"--{case['role']}",
            str(_path(case, generated)),
            "--ledger",
            str(ledger_at(tmp_path / "ledger.sqlite")),
        ],
    )
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    _, _, report = _validate(case["role"], _path(case, generated))
    assert report is not None
    [reason, *_] = [p["message"] for p in report["problems"] if p["code"] == case["code"]]
    assert reason[:12] in result.output.replace("\n", "")  # refused for its own reason
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == []


_MEASURE = """
import resource, sys, time
from pathlib import Path
from shuangsuiji.core.errors import InputError
from shuangsuiji.io.readers import read_enterprises
start = time.perf_counter()
try:
    read_enterprises(Path(sys.argv[1]))
    outcome = "read"
except InputError as error:
    outcome = error.problems[0].message
print(outcome)
print(time.perf_counter() - start)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.fixture(scope="module")
def small_file_peak_kb() -> int:
    """Peak memory of a child process that reads a small good file (imports dominate it)."""
    outcome, _, peak = _measure(ROOT / "sample_data" / "enterprises.xlsx")
    assert outcome == "read"  # the child really reads a good file, so a refusal below is a refusal
    return peak


@pytest.mark.parametrize(
    "name",
    [
        "zip_bomb.xlsx",
        "lying_zip_bomb.xlsx",
        "e_billion_laughs.xlsx",
        "e_shared_strings_laughs.xlsx",
        "e_far_cell.xlsx",
        "e_far_cell_wide.xlsx",
    ],
)
def test_hostile_files_are_refused_in_bounded_time_and_memory(
    name: str, generated: Path, small_file_peak_kb: int
) -> None:
    path = generated / name if (generated / name).exists() else CORPUS / "files" / name
    outcome, seconds, peak_kb = _measure(path)
    assert outcome != "read"
    assert seconds < 3.0  # measured: milliseconds; fastexcel alone: 3.3 s and 1.1 GB, or an abort
    assert peak_kb < small_file_peak_kb + 100 * 1024


def _measure(path: Path) -> tuple[str, float, int]:
    """(first problem or "read", seconds, peak RSS in KB) of read_enterprises in a child process."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    outcome, seconds, peak = done.stdout.strip().splitlines()[-3:]
    return outcome, float(seconds), int(peak)
