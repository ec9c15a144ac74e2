"""Outputs are safe to publish: formula-like names stay text, private data never reaches the disclosure."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner, Result

from shuangsuiji.cli import app
from shuangsuiji.io.xlsx import Sheet, write_workbook
from tests.builders import SAMPLE, SAMPLE_PLAN, ledger_at, roster_sheet

runner = CliRunner()
HOSTILE = [
    '=HYPERLINK("http://example.invalid","点击领奖")',
    "+86贵阳某店",
    "-1+1餐饮店",
    "@SUM(A1)小吃",
    "=1+1餐馆",
]
# (A leading tab or CR is outer white space: the reader trims it, as it trims every value;
# tests/io/test_xlsx.py checks that the writer keeps such text as text.)


def roster_with_names(tmp_path: Path, names: list[str]) -> tuple[Path, list[str]]:
    """The sample roster with the first rows renamed; returns the file and the renamed keys."""
    sheet = roster_sheet(SAMPLE / "enterprises.xlsx")
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    at = {
        header: rows[0].index(header)
        for header in ("统一社会信用代码", "企业名称", "重点检查", "经营状态", "最近检查日期")
    }
    must = [
        r
        for r in rows[1:]
        if r[at["重点检查"]] == "是"
        and r[at["统一社会信用代码"]]
        and r[at["经营状态"]] in ("存续（在营、开业、在册）", "在业")
        and r[at["最近检查日期"]] is None
    ][: len(names)]
    for row, name in zip(must, names, strict=True):
        row[at["企业名称"]] = name
    path = tmp_path / "enterprises.xlsx"
    write_workbook(path, [Sheet(sheet.title, [str(h) for h in rows[0]], rows[1:])])
    return path, [str(r[0]) for r in must]


def draw_with(roster: Path, out: Path, tmp_path: Path) -> Result:
    """The sample plan drawn from `roster` into `out`, with a ledger of its own."""
    ledger = ledger_at(tmp_path / "l.sqlite")
    argv = ["draw", "--plan", str(SAMPLE_PLAN), "--seed", "s", "--enterprises", str(roster)]
    return runner.invoke(app, [*argv, "--out", str(out), "--ledger", str(ledger)])


def test_formula_like_names_are_written_as_text_cells(tmp_path: Path) -> None:
    roster, keys = roster_with_names(tmp_path, HOSTILE)
    out = tmp_path / "out"
    result = draw_with(roster, out, tmp_path)
    assert result.exit_code == 0, result.output
    drawn = {
        t["enterprise_id"]
        for t in json.loads((out / "draw-record.json").read_text(encoding="utf-8"))["tasks"]
    }
    assert set(keys) <= drawn  # must-inspect rows: all of them are in the outputs
    for name in ("assignments.xlsx", "disclosure.xlsx"):
        cells = [
            c for ws in openpyxl.load_workbook(out / name).worksheets for row in ws.iter_rows() for c in row
        ]
        found = [c for c in cells if c.value in HOSTILE]
        assert {c.value for c in found} == set(HOSTILE), name
        assert all(c.data_type == "s" for c in found), name


def test_a_name_carrying_a_phone_number_stops_the_disclosure(tmp_path: Path) -> None:
    roster, _ = roster_with_names(tmp_path, ["张三13812345678小吃店"])
    out = tmp_path / "out"
    result = draw_with(roster, out, tmp_path)
    assert result.exit_code == 2
    assert "公示表" in result.output and "手机号" in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_validate_checks_a_seed_too() -> None:
    result = runner.invoke(app, ["validate", "--plan", str(SAMPLE_PLAN), "--seed", "a|b", "--json"])
    assert result.exit_code == 2
    assert any("竖线" in p["message"] for p in json.loads(result.stdout)["problems"])
