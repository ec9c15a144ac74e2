"""A Parquet roster drawn end to end through the DuckDB engine gives the identical record as the
same roster drawn through the Python path (the reference): through run_draw, through the CLI, and
verify agrees; without DuckDB the Python path runs and says so once."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import fastexcel
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.core.errors import UsageError
from shuangsuiji.core.model import EnterpriseRoster
from shuangsuiji.io.readers import read_enterprises
from shuangsuiji.io.readers import table_roster as table_roster_module
from shuangsuiji.io.readers.columnar import normalise_roster
from shuangsuiji.io.readers.table_roster import RosterSource, TableRoster, table_roster
from shuangsuiji.pipeline import DrawOutcome, InputOptions, run_draw
from shuangsuiji.verify import verify
from tests.builders import SAMPLE, SAMPLE_PLAN, ledger_at

pytest.importorskip("duckdb")

SEED = "2026120188"
FIELDS = list(EnterpriseRoster.__dataclass_fields__)
# The record's parts that do not depend on when or by whom the draw was made.
COMPARED = (
    "result_digest",
    "tasks",
    "strata",
    "excluded",
    "population",
    "workloads",
    "outputs",
    "output_content",
)


def sample_folder(folder: Path) -> Path:
    """The sample roster as a folder of three Parquet files, typed as a database exports it."""
    reader = fastexcel.read_excel(str(SAMPLE / "enterprises.xlsx"))
    table = pa.Table.from_batches([reader.load_sheet("检查对象名录库", dtypes="string", eager=True)])
    dates = [
        None if not v else dt.date.fromisoformat(v[:10]) for v in table.column("最近检查日期").to_pylist()
    ]
    where = table.schema.get_field_index("最近检查日期")
    table = table.set_column(where, "最近检查日期", pa.array(dates, pa.date32()))
    folder.mkdir()
    size = -(-table.num_rows // 3)
    for i in range(3):
        pq.write_table(table.slice(i * size, size), folder / f"part-{i}.parquet")
    return folder


def plan_file(folder: Path, name: str, **changes: str) -> Path:
    """The sample plan with absolute input paths and some lines replaced (key → new line)."""
    lines = []
    for line in (
        SAMPLE_PLAN.read_text(encoding="utf-8").replace("../sample_data", SAMPLE.as_posix()).splitlines()
    ):
        key = line.split("=")[0].strip()
        lines.append(changes.get(key, line))
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def roster_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_folder(tmp_path_factory.mktemp("engine-draw") / "名录")


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("plans")
    return {
        "sample": SAMPLE_PLAN,
        # Strata by district too (code-point order of Chinese names), half-up quotas, a scope.
        "districts": plan_file(
            folder,
            "districts",
            strata='strata = ["信用风险等级", "所属区域"]',
            rounding='rounding = "half_up"',
            districts='districts = ["南明区", "云岩区", "观山湖区", "花溪区", "白云区"]',
        ),
        # Count mode with weights; no exclusion window.
        "count": plan_file(
            folder,
            "count",
            ratio="total = 120\nweights = { A = 1, B = 2, C = 4, D = 8 }",
            minimum="",
            inspected_within_days="inspected_within_days = 0",
        ),
    }


def draw(plan: Path, roster: Path, out: Path, **options: Any) -> DrawOutcome:
    return run_draw(
        InputOptions(plan, enterprises=roster, **options), SEED, out, clock=lambda: "2026-11-30T08:00:00Z"
    )


def assert_same_record(engine: DrawOutcome, python: DrawOutcome) -> None:
    for key in COMPARED:
        assert engine.record[key] == python.record[key], key
    assert engine.record == python.record


@pytest.mark.parametrize("plan", ["sample", "districts", "count"])
@pytest.mark.parametrize("scratch", [True, False], ids=["parquet-scratch", "in-memory"])
def test_engine_and_python_path_give_the_identical_record(
    plan: str,
    scratch: bool,
    plans: dict[str, Path],
    roster_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(table_roster_module, "SCRATCH_BYTES", 0 if scratch else 1 << 62)
    engine = draw(plans[plan], roster_folder, tmp_path / "engine", engine="duckdb")
    python = draw(plans[plan], roster_folder, tmp_path / "python", engine="python")
    assert isinstance(engine.inputs.enterprises, TableRoster)
    assert (engine.inputs.enterprises.source.parquet is not None) is scratch
    assert not isinstance(python.inputs.enterprises, TableRoster)
    assert len(engine.record["tasks"]) > 50 and engine.record["excluded"]
    assert_same_record(engine, python)
    assert engine.result.tasks == python.result.tasks  # every enterprise field of every drawn row
    assert not any(w.code == "engine-not-installed" for w in engine.warnings)


def test_the_excel_roster_and_the_engine_drawn_parquet_agree(roster_folder: Path, tmp_path: Path) -> None:
    excel = draw(SAMPLE_PLAN, SAMPLE / "enterprises.xlsx", tmp_path / "xlsx")
    engine = draw(SAMPLE_PLAN, roster_folder, tmp_path / "engine")  # auto: DuckDB is installed
    assert isinstance(engine.inputs.enterprises, TableRoster)
    assert engine.record["result_digest"] == excel.record["result_digest"]
    assert engine.record["tasks"] == excel.record["tasks"]


def test_verify_recomputes_an_engine_drawn_folder(
    plans: dict[str, Path], roster_folder: Path, tmp_path: Path
) -> None:
    outcome = draw(plans["districts"], roster_folder, tmp_path / "drawn")
    assert isinstance(outcome.inputs.enterprises, TableRoster)
    verdict = verify(tmp_path / "drawn")
    assert verdict.identical, [f for f in verdict.findings if not f.same]
    # The recomputation really compared the draw: a changed record is caught.
    record = json.loads((tmp_path / "drawn" / "draw-record.json").read_text(encoding="utf-8"))
    record["tasks"][0]["ticket"] = "0" * 64
    (tmp_path / "drawn" / "draw-record.json").write_text(
        json.dumps(record, ensure_ascii=False), encoding="utf-8"
    )
    assert not verify(tmp_path / "drawn").identical


def test_without_duckdb_the_python_path_runs_and_says_so_once(roster_folder: Path, tmp_path: Path) -> None:
    reference = draw(SAMPLE_PLAN, roster_folder, tmp_path / "engine", engine="duckdb")
    fallback = draw(SAMPLE_PLAN, roster_folder, tmp_path / "python", duckdb_installed=False)
    assert not isinstance(fallback.inputs.enterprises, TableRoster)
    notes = [w for w in fallback.warnings if w.code == "engine-not-installed"]
    assert len(notes) == 1 and "Python" in notes[0].message and "shuangsuiji[province]" in notes[0].hint
    assert_same_record(reference, fallback)
    # Asked for DuckDB where there is none: a usage error, nothing drawn.
    with pytest.raises(UsageError, match="DuckDB"):
        draw(SAMPLE_PLAN, roster_folder, tmp_path / "none", engine="duckdb", duckdb_installed=False)
    assert not (tmp_path / "none").exists()
    # An Excel roster never needed DuckDB: no note.
    excel = draw(SAMPLE_PLAN, SAMPLE / "enterprises.xlsx", tmp_path / "xlsx", duckdb_installed=False)
    assert not any(w.code == "engine-not-installed" for w in excel.warnings)


def cli_draw(roster: Path, out: Path, *extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app,
        [
            "draw",
            "--plan",
            str(SAMPLE_PLAN),
            "--seed",
            SEED,
            "--enterprises",
            str(roster),
            "--out",
            str(out),
            "--ledger",
            str(ledger_at(out.parent / f"{out.name}.sqlite")),
            "--quiet",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    record: dict[str, Any] = json.loads((out / "draw-record.json").read_text(encoding="utf-8"))
    return record


def test_the_cli_draws_the_same_through_either_engine(roster_folder: Path, tmp_path: Path) -> None:
    engine = cli_draw(roster_folder, tmp_path / "engine", "--engine", "duckdb")
    python = cli_draw(roster_folder, tmp_path / "python", "--engine", "python")
    for key in ("result_digest", "tasks", "strata", "excluded"):
        assert engine[key] == python[key], key
    assert len(engine["tasks"]) > 50
    bad = CliRunner().invoke(
        app,
        [
            "draw",
            "--plan",
            str(SAMPLE_PLAN),
            "--seed",
            SEED,
            "--out",
            str(tmp_path / "x"),
            "--engine",
            "spark",
        ],
    )
    assert bad.exit_code == 2 and "抽取引擎" in bad.output


@pytest.mark.parametrize("scratch", [True, False], ids=["parquet-scratch", "in-memory"])
def test_the_table_roster_reads_as_the_python_roster(
    roster_folder: Path, tmp_path: Path, scratch: bool
) -> None:
    reference, _, _ = read_enterprises(roster_folder)
    normalised = normalise_roster(roster_folder, out=tmp_path / "roster.parquet" if scratch else None)
    roster = table_roster(RosterSource(normalised.table, normalised.parquet), normalised.rows)
    for name in FIELDS:
        assert list(getattr(roster, name)) == list(getattr(reference, name)), name
    picked = [1999, 0, 667, 1334, 5, 1000]
    assert roster.records(picked) == [reference.get(i) for i in picked]
    assert roster.records([]) == []
    assert [roster.key[i] for i in picked] == [reference.key[i] for i in picked]
    assert roster.name[-1] == reference.name[-1] and roster.row[1999] == reference.row[1999]
    assert roster.status[3:7] == list(reference.status[3:7]) and roster.key[3:5] == list(reference.key[3:5])
    assert roster.status.count("在业") == list(reference.status).count("在业") > 0
    assert roster.status.index("在业") == list(reference.status).index("在业")
    assert "在业" in roster.status and "不存在" not in roster.status and roster.status.count("不存在") == 0
    with pytest.raises(ValueError):
        roster.status.index("不存在")
    assert sum(roster.must_inspect) == sum(reference.must_inspect) > 0


def test_fairness_stays_on_the_python_path(roster_folder: Path, tmp_path: Path) -> None:
    from shuangsuiji.pipeline import run_fairness

    seen: list[EnterpriseRoster] = []

    def spy(inputs: Any, plan: Any, seed: str) -> Any:
        from shuangsuiji.core.draw import compute_draw

        seen.append(inputs.enterprises)
        return compute_draw(inputs, plan, seed)

    run_fairness(InputOptions(SAMPLE_PLAN, enterprises=roster_folder), 10, tmp_path / "fair", draw=spy)
    assert seen and not any(isinstance(r, TableRoster) for r in seen)


def test_an_unknown_engine_is_a_usage_error() -> None:
    from shuangsuiji.pipeline import with_engine

    options = InputOptions(SAMPLE_PLAN)
    assert with_engine(options, " DuckDB ") == replace(options, engine="duckdb")
    with pytest.raises(UsageError, match="spark"):
        with_engine(options, "spark")
