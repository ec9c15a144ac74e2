"""The ledger in use: one draw per plan unless a disclosed redraw, failures kept, crash safety, history."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.io import writers
from shuangsuiji.io.ledger import Ledger
from shuangsuiji.pipeline import InputOptions, run_draw
from tests.builders import SAMPLE, SAMPLE_PLAN, ledger_at

runner = CliRunner()


def draw(out: Path, *extra: str, plan: Path = SAMPLE_PLAN) -> object:
    ledger_at(Path("台账.sqlite"))
    return runner.invoke(
        app,
        ["draw", "--plan", str(plan), "--seed", "s", "--out", str(out), "--ledger", "台账.sqlite", *extra],
    )


def test_a_plan_is_drawn_once_unless_a_disclosed_redraw(tmp_path: Path) -> None:
    assert draw(tmp_path / "first").exit_code == 0  # type: ignore[attr-defined]
    again = draw(tmp_path / "second")
    assert again.exit_code == 2  # type: ignore[attr-defined]
    assert "已于" in again.output and "抽取台账第 1 条" in again.output and "--redraw" in again.output  # type: ignore[attr-defined]
    assert not (tmp_path / "second").exists()

    no_reason = draw(tmp_path / "second", "--redraw")
    assert no_reason.exit_code == 2 and "原因" in no_reason.output  # type: ignore[attr-defined]

    redone = draw(tmp_path / "second", "--redraw", "--reason", "名录导出有误，经局务会同意重抽")
    assert redone.exit_code == 0, redone.output  # type: ignore[attr-defined]
    record = json.loads((tmp_path / "second" / "draw-record.json").read_text(encoding="utf-8"))
    assert record["redraw"] == {"reason": "名录导出有误，经局务会同意重抽", "replaces": [1]}
    notes = list(
        openpyxl.load_workbook(tmp_path / "second" / "disclosure.xlsx")["抽取说明"].iter_rows(
            values_only=True
        )
    )
    assert ("备注", "重新抽取（原因：名录导出有误，经局务会同意重抽；取代抽取台账第 1 条）") in notes
    with Ledger(Path("台账.sqlite"), create=False) as book:
        entries = book.entries()
    assert [(e.id, e.redraw) for e in entries] == [(1, False), (2, True)]
    assert entries[1].reason == "名录导出有误，经局务会同意重抽"
    # The redraw verifies: its workbooks are recomputed with the redraw note the record keeps.
    checked = runner.invoke(app, ["verify", str(tmp_path / "second"), "--ledger", "台账.sqlite", "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["identical"] is True


def test_ledger_commands(tmp_path: Path) -> None:
    assert draw(tmp_path / "first").exit_code == 0  # type: ignore[attr-defined]
    listed = runner.invoke(app, ["ledger", "list", "--ledger", "台账.sqlite"])
    assert listed.exit_code == 0 and "GY-SJ-2026-12" in listed.output
    shown = runner.invoke(app, ["ledger", "show", "1", "--ledger", "台账.sqlite"])
    assert shown.exit_code == 0 and "抽取成功" in shown.output
    assert runner.invoke(app, ["ledger", "show", "9", "--ledger", "台账.sqlite"]).exit_code == 2
    assert runner.invoke(app, ["ledger", "check", "--ledger", "台账.sqlite"]).exit_code == 0
    with sqlite3.connect("台账.sqlite") as raw:
        raw.execute("UPDATE entries SET seed = 'another' WHERE id = 1")
    checked = runner.invoke(app, ["ledger", "check", "--ledger", "台账.sqlite"])
    assert checked.exit_code == 1 and "1" in checked.output
    assert runner.invoke(app, ["ledger", "list", "--ledger", "nope.sqlite"]).exit_code == 2


def test_an_interrupted_draw_leaves_no_folder_and_a_consistent_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[Path] = []
    real = writers.write_workbook

    def interrupted(path: Path, *args: object, **kwargs: object) -> None:
        if written:
            raise KeyboardInterrupt  # Ctrl-C between writing the first and the second workbook
        real(path, *args, **kwargs)  # type: ignore[arg-type]
        written.append(path)

    monkeypatch.setattr(writers, "write_workbook", interrupted)
    ledger = ledger_at(tmp_path / "台账.sqlite")
    with pytest.raises(KeyboardInterrupt):
        run_draw(InputOptions(SAMPLE_PLAN), "s", tmp_path / "out", ledger=ledger)
    assert written and written[0].name == "assignments.xlsx"
    assert (
        sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(("台账.sqlite", "台账.head")))
        == []
    )
    with Ledger(ledger, create=False) as book:
        assert book.entries() == [] and book.check() == []


def test_ledger_check_removes_what_a_killed_draw_left(tmp_path: Path) -> None:
    from shuangsuiji.io.staging import registry_dir
    from tests.killed import kill, staging_process

    assert draw(tmp_path / "first").exit_code == 0  # type: ignore[attr-defined]
    with staging_process(tmp_path / "elsewhere" / "out") as (child, abandoned):
        kill(child)
        assert (abandoned / "inputs" / "enterprises.csv").exists()
        checked = runner.invoke(app, ["ledger", "check", "--ledger", "台账.sqlite"])
    assert checked.exit_code == 0, checked.output
    assert not abandoned.exists()
    assert list(registry_dir().glob("*.entry")) == []


def test_earlier_draws_count_as_inspections(tmp_path: Path) -> None:
    first = run_draw(
        InputOptions(SAMPLE_PLAN), "s", tmp_path / "december", ledger=ledger_at(tmp_path / "l.sqlite")
    )
    later = tmp_path / "plan.toml"
    text = SAMPLE_PLAN.read_text(encoding="utf-8").replace('"../sample_data/', f'"{SAMPLE}/')
    text = text.replace('id = "GY-SJ-2026-12"', 'id = "GY-SJ-2027-01"').replace(
        "start = 2026-12-01", "start = 2027-01-01"
    )
    later.write_text(text.replace("end = 2026-12-31", "end = 2027-01-31"), encoding="utf-8")
    second = run_draw(InputOptions(later), "s", tmp_path / "january", ledger=tmp_path / "l.sqlite")
    drawn_before = {t.enterprise.key for t in first.result.tasks}
    excluded = {e.enterprise_key: e.reason for e in second.result.selection.exclusions}
    assert drawn_before <= set(excluded)
    assert all("2026-12-01" in excluded[k] for k in drawn_before if k in excluded)
    assert not drawn_before & {t.enterprise.key for t in second.result.tasks}


def test_a_draw_entered_meanwhile_stops_this_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shuangsuiji import pipeline
    from shuangsuiji.io.ledger import LedgerError

    ledger = ledger_at(tmp_path / "台账.sqlite")
    real = pipeline.compute_draw

    def with_a_rival(*args: object, **kwargs: object) -> object:
        with Ledger(ledger) as other:  # another operator's draw of the same plan lands first
            other.append(
                created_at="2026-12-01T00:00:00Z",
                plan_id="GY-SJ-2026-12",
                plan_start="2026-12-01",
                status="drawn",
                seed="rival",
                result_digest="0" * 64,
                record_sha256="0" * 64,
            )
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "compute_draw", with_a_rival)
    with pytest.raises(LedgerError, match="别的抽取"):
        run_draw(InputOptions(SAMPLE_PLAN), "s", tmp_path / "out", ledger=ledger)
    assert not (tmp_path / "out").exists()
    with Ledger(ledger, create=False) as book:
        assert [e.seed for e in book.entries()] == ["rival"] and book.check() == []
