"""verify: 0 on an untouched draw, 1 with the difference named after any single change, 2 when it cannot
run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.io.xlsx import Sheet, write_workbook
from tests.builders import SAMPLE, SAMPLE_PLAN, ledger_at, roster_sheet

runner = CliRunner()


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("verify") / "draw"
    ledger = ledger_at(out.parent / "ledger.sqlite")
    result = runner.invoke(
        app,
        [
            "draw",
            "--plan",
            str(SAMPLE_PLAN),
            "--seed",
            "2026120188",
            "--out",
            str(out),
            "--ledger",
            str(ledger),
        ],
    )
    assert result.exit_code == 0, result.output
    LEDGERS["drawn"] = ledger
    return out


def copy_of(drawn: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(drawn, target)
    return target


LEDGERS: dict[str, Path] = {}


def verify(folder: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    ledger = ["--ledger", str(LEDGERS["drawn"])] if "drawn" in LEDGERS else []
    result = runner.invoke(app, ["verify", str(folder), "--json", *ledger, *extra])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}


def different(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if not f["same"]]


def test_untouched_draw_is_identical(drawn: Path) -> None:
    code, report = verify(drawn)
    assert code == 0
    assert report["identical"] and not different(report)
    assert {f["area"] for f in report["findings"]} >= {
        "输入文件",
        "抽取结果",
        "检查组",
        "输出文件",
        "结果摘要",
    }


@pytest.mark.parametrize(
    ("name", "sheet", "cell"), [("disclosure.xlsx", "公示表", "K3"), ("assignments.xlsx", "分派表", "O2")]
)
def test_a_single_edited_cell_is_named(drawn: Path, tmp_path: Path, name: str, sheet: str, cell: str) -> None:
    folder = copy_of(drawn, tmp_path)
    book = openpyxl.load_workbook(folder / name)
    old = book[sheet][cell].value
    book[sheet][cell] = "被改过的值"
    book.save(folder / name)
    code, report = verify(folder)
    assert code == 1
    [finding] = different(report)
    assert finding["item"] == name
    assert f"工作表“{sheet}”单元格 {cell}" in finding["detail"] and "被改过的值" in finding["detail"]
    assert str(old) in finding["detail"]


def test_a_changed_roster_row_is_found(drawn: Path, tmp_path: Path) -> None:
    sheet = roster_sheet(SAMPLE / "enterprises.xlsx")
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    record = json.loads((drawn / "draw-record.json").read_text(encoding="utf-8"))
    drawn_key = record["tasks"][-1]["enterprise_id"]
    key, status = rows[0].index("统一社会信用代码"), rows[0].index("经营状态")
    for row in rows[1:]:
        if row[key] == drawn_key:
            row[status] = "注销"  # 经营状态: this enterprise can no longer be drawn
    write_workbook(tmp_path / "enterprises.xlsx", [Sheet(sheet.title, [str(h) for h in rows[0]], rows[1:])])
    code, report = verify(drawn, "--enterprises", str(tmp_path / "enterprises.xlsx"))
    assert code == 1
    areas = {f["area"]: f for f in different(report)}
    assert areas["输入文件"]["item"] == "enterprises.xlsx"
    row = next(i for i, r in enumerate(rows, start=1) if r[key] == drawn_key)
    assert f"改动 {drawn_key}（第 {row} 行）：经营状态" in areas["输入文件"]["detail"]
    assert "→“注销”" in areas["输入文件"]["detail"]
    assert drawn_key in areas["抽取结果"]["detail"]


def test_the_archived_inputs_stand_in_for_missing_ones(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    plan = tmp_path / "plan.toml"
    plan.write_text(
        SAMPLE_PLAN.read_text(encoding="utf-8").replace('"../sample_data/', f'"{data}/'), encoding="utf-8"
    )
    out, ledger = tmp_path / "out", ledger_at(tmp_path / "ledger.sqlite")
    assert (
        runner.invoke(
            app, ["draw", "--plan", str(plan), "--seed", "s", "--out", str(out), "--ledger", str(ledger)]
        ).exit_code
        == 0
    )
    shutil.rmtree(data)  # the rosters have moved on; the draw kept its copies
    result = runner.invoke(app, ["verify", str(out), "--json", "--ledger", str(ledger)])
    report = json.loads(result.stdout)
    assert result.exit_code == 0, different(report)
    notes = [f["detail"] for f in report["findings"] if f["area"] == "输入文件"]
    assert len(notes) == 4 and all("副本" in n for n in notes)


def test_a_different_seed_in_the_record_is_caught(drawn: Path, tmp_path: Path) -> None:
    folder = copy_of(drawn, tmp_path)
    path = folder / "draw-record.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"seed": "2026120188"', '"seed": "2026120189"'),
        encoding="utf-8",
    )
    code, report = verify(folder)
    assert code == 1
    assert any(f["area"] == "抽取记录" and "改动" in f["detail"] for f in different(report))


def test_a_different_plan_value_is_named(drawn: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    text = SAMPLE_PLAN.read_text(encoding="utf-8").replace('B = "5%"', 'B = "6%"')
    plan.write_text(text.replace('"../sample_data/', f'"{SAMPLE}/'), encoding="utf-8")
    code, report = verify(drawn, "--plan", str(plan))
    assert code == 1
    [finding] = different(report)
    assert finding["area"] == "抽查计划" and "selection" in finding["detail"]


def test_no_record_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["verify", str(tmp_path)])
    assert result.exit_code == 2
    assert "没有抽取记录" in result.output


def test_verify_never_writes_into_the_folder(drawn: Path) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in drawn.iterdir()}
    verify(drawn)
    assert {p.name: p.stat().st_mtime_ns for p in drawn.iterdir()} == before


def test_verify_recomputes_in_a_registered_scratch_folder_that_it_removes(
    drawn: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuangsuiji import verify as verifying
    from shuangsuiji.io.staging import registry_dir

    seen: list[tuple[Path, set[Path]]] = []
    real = verifying.run_draw

    def spy(options: Any, seed: str, out: Path, **kwargs: Any) -> Any:
        seen.append(
            (out.parent, {Path(e.read_text(encoding="utf-8")) for e in registry_dir().glob("*.entry")})
        )
        return real(options, seed, out, **kwargs)

    monkeypatch.setattr(verifying, "run_draw", spy)
    assert verify(drawn)[0] == 0
    [(scratch, live)] = seen
    assert scratch.name.startswith("shuangsuiji-verify-") and live == {scratch.absolute()}
    assert not scratch.exists()
    assert list(registry_dir().glob("*.entry")) == []


RESTYLED = "<!-- another version's styles -->"


def restyle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbooks this run writes differ from the draw's in their styles only, as those of
    another version of the writer would."""
    import shuangsuiji.io.xlsx as xlsx

    styles = xlsx._styles
    monkeypatch.setattr(
        xlsx, "_styles", lambda extended: styles(extended).replace("<styleSheet", RESTYLED + "<styleSheet", 1)
    )


def test_workbooks_written_by_another_version_verify_when_every_cell_agrees(
    drawn: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shuangsuiji.verify as verifying

    restyle(monkeypatch)
    monkeypatch.setattr(verifying, "__version__", "9.9.9")
    code, report = verify(drawn)
    assert code == 0, different(report)
    notes = [f["detail"] for f in report["findings"] if f["area"] == "输出文件"]
    assert len(notes) == 2 and all("本程序（9.9.9）写出的格式不同" in n for n in notes)


def test_the_same_version_writing_other_workbooks_is_a_difference(
    drawn: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    restyle(monkeypatch)
    code, report = verify(drawn)
    assert code == 1
    assert {f["detail"] for f in different(report)} == {"文件与记录一致，但复算得到的工作簿不同"}
