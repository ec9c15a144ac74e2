"""Plans beyond the demo, end to end: count mode, strata by district, a 定向 scope, CSV rosters."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from shuangsuiji.cli import app
from tests.builders import SAMPLE, SAMPLE_PLAN, ledger_at, roster_sheet

runner = CliRunner()


def plan_with(tmp_path: Path, replace: dict[str, str]) -> Path:
    text = SAMPLE_PLAN.read_text(encoding="utf-8").replace('"../sample_data/', f'"{SAMPLE}/')
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def record_of(args: list[str]) -> dict:  # type: ignore[type-arg]
    ledger = ledger_at(
        Path(args[args.index("--out") + 1]).with_suffix(".ledger.sqlite")
    )  # one draw per ledger
    result = runner.invoke(app, [*args, "--ledger", str(ledger)])
    assert result.exit_code == 0, result.output
    out = Path(args[args.index("--out") + 1])
    return json.loads((out / "draw-record.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_count_mode_draws_exactly_the_total(tmp_path: Path) -> None:
    plan = plan_with(
        tmp_path,
        {
            'ratio = { A = "3%", B = "5%", C = "10%", D = "20%" }': (
                "total = 60\nweights = { A = 1, B = 2, C = 4, D = 8 }"
            ),
            "minimum = { D = 1 }": "",
        },
    )
    record = record_of(["draw", "--plan", str(plan), "--seed", "s", "--out", str(tmp_path / "o")])
    assert sum(s["quota"] for s in record["strata"]) == 60
    assert [s["weight"] for s in record["strata"]] == ["1/1", "2/1", "4/1", "8/1"]
    rates = [s["quota"] / s["eligible"] for s in record["strata"]]
    assert rates == sorted(rates), "a riskier class is drawn at a higher rate"


def test_strata_by_class_and_district(tmp_path: Path) -> None:
    plan = plan_with(tmp_path, {'strata = ["信用风险等级"]': 'strata = ["信用风险等级", "所属区域"]'})
    record = record_of(["draw", "--plan", str(plan), "--seed", "s", "--out", str(tmp_path / "o")])
    keys = [(s["key"]["信用风险等级"], s["key"]["所属区域"]) for s in record["strata"]]
    assert len(keys) > 20 and keys == sorted(keys, key=lambda k: ("ABCD".index(k[0]), k[1]))
    for task in record["tasks"]:
        assert set(task["stratum"]) == {"信用风险等级", "所属区域"}


def test_directed_scope_draws_only_inside_it(tmp_path: Path) -> None:
    plan = plan_with(
        tmp_path,
        {
            "districts = []": 'districts = ["南明区"]',
            'type = "不定向"': 'type = "定向"',
            "industries = []": 'industries = ["餐饮服务"]',
        },
    )
    out = tmp_path / "o"
    record = record_of(["draw", "--plan", str(plan), "--seed", "s", "--out", str(out)])
    assert record["population"]["out_of_scope"] > 1500
    sheet = openpyxl.load_workbook(out / "assignments.xlsx")["分派表"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert {r[header.index("所属区域")] for r in rows[1:]} == {"南明区"}
    assert {r[header.index("行业类别")] for r in rows[1:]} == {"餐饮服务"}
    public = openpyxl.load_workbook(out / "disclosure.xlsx")["公示表"]
    assert {r[5] for r in list(public.iter_rows(values_only=True))[1:]} == {"定向"}


def test_csv_rosters_in_gb18030_give_the_same_draw(tmp_path: Path) -> None:
    for name in ("enterprises", "inspectors", "conflicts", "history"):
        sheet = roster_sheet(SAMPLE / f"{name}.xlsx")
        with (tmp_path / f"{name}.csv").open("w", encoding="gb18030", newline="") as handle:
            writer = csv.writer(handle)
            for row in sheet.iter_rows(values_only=True):
                writer.writerow(
                    ["" if v is None else v.date().isoformat() if hasattr(v, "date") else v for v in row]
                )
    options = [
        f"--{n}={tmp_path / f'{n}.csv'}" for n in ("enterprises", "inspectors", "conflicts", "history")
    ]
    from_csv = record_of(
        ["draw", "--plan", str(SAMPLE_PLAN), "--seed", "s", "--out", str(tmp_path / "a"), *options]
    )
    from_xlsx = record_of(["draw", "--plan", str(SAMPLE_PLAN), "--seed", "s", "--out", str(tmp_path / "b")])
    assert from_csv["result_digest"] == from_xlsx["result_digest"]
    assert from_csv["inputs"][0]["path"].endswith("enterprises.csv")


def test_team_counts_that_do_not_fix_the_roles_are_refused_with_the_syntax_to_use(tmp_path: Path) -> None:
    plan = plan_with(tmp_path, {"size = 2 ": "size = 3 ", "certified = 2 ": "certified = 1 "})
    result = runner.invoke(app, ["draw", "--plan", str(plan), "--seed", "[s]", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "请改用 [[teams.roles]] 逐个写明" in result.output  # brackets shown, not read as markup
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_listed_roles_draw_teams_that_fill_them(tmp_path: Path) -> None:
    roles = "\n".join(["[[teams.roles]]\ncertified = true"] * 2 + ["[[teams.roles]]\nspecialist = true"])
    plan = plan_with(
        tmp_path, {"size = 2 ": "#", "certified = 2 ": "#", "specialist = 1 ": "#", "departments = []": "#"}
    )
    plan.write_text(plan.read_text(encoding="utf-8") + roles + "\n", encoding="utf-8")
    record = record_of(["draw", "--plan", str(plan), "--seed", "s", "--out", str(tmp_path / "o")])
    assert [r["certified"] for r in record["plan"]["teams"]["roles"]] == [True, True, False]
    assert all(len(t["team"]) == 3 for t in record["tasks"])
