"""The command line end to end on the shipped sample data: outputs, determinism, exit codes."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import DEMO_SEED, app
from shuangsuiji.io.writers import DISCLOSURE_COLUMNS
from shuangsuiji.io.xlsx import Sheet, write_workbook
from shuangsuiji.verify import cell_differences
from tests.builders import SAMPLE, SAMPLE_PLAN, ledger_at, roster_sheet

runner = CliRunner()


def draw(out: Path, *extra: str, seed: str = DEMO_SEED) -> Any:
    """A draw of the sample plan with a ledger of its own (the plan may be drawn only once per ledger)."""
    ledger = ledger_at(out.parent / f"{out.name}.ledger.sqlite")
    return runner.invoke(
        app,
        [
            "draw",
            "--plan",
            str(SAMPLE_PLAN),
            "--seed",
            seed,
            "--out",
            str(out),
            "--ledger",
            str(ledger),
            *extra,
        ],
    )


def cells(path: Path) -> dict[str, list[list[Any]]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


@pytest.fixture(scope="module")
def first_draw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("draws") / "first"
    result = draw(out)
    assert result.exit_code == 0, result.output
    return out


def test_draw_writes_the_three_outputs(first_draw: Path) -> None:
    assert sorted(p.name for p in first_draw.iterdir()) == [
        "assignments.xlsx",
        "disclosure.xlsx",
        "draw-record.json",
        "inputs",
    ]
    archived = sorted(p.name for p in (first_draw / "inputs").iterdir())
    assert archived == ["conflicts.xlsx", "enterprises.xlsx", "history.xlsx", "inspectors.xlsx"]
    assert (first_draw / "inputs" / "enterprises.xlsx").read_bytes() == (
        SAMPLE / "enterprises.xlsx"
    ).read_bytes()
    record = json.loads((first_draw / "draw-record.json").read_text(encoding="utf-8"))
    assert record["algorithm"] == "shuangsuiji:v1"
    assert record["seed"] == DEMO_SEED
    assert {i["role"] for i in record["inputs"]} == {"enterprises", "inspectors", "conflicts", "history"}
    assert all(len(i["sha256"]) == 64 and i["rows"] > 0 for i in record["inputs"])
    assert len(record["tasks"]) > 50
    for task in record["tasks"]:
        assert set(task) >= {"task_id", "enterprise_id", "credit_class", "ticket", "team"}
        assert len(task["team"]) == 2 and all(isinstance(m, str) for m in task["team"])
    assert sum(s["drawn"] + s["must_inspect"] for s in record["strata"]) == len(record["tasks"])
    assert {e["reason_code"] for e in record["excluded"]} == {"status", "window"}
    assert set(record["outputs"]) == {"assignments.xlsx", "disclosure.xlsx"}


def test_disclosure_has_the_public_columns_and_no_private_data(first_draw: Path) -> None:
    sheets = cells(first_draw / "disclosure.xlsx")
    public = sheets["公示表"]
    assert tuple(public[0]) == DISCLOSURE_COLUMNS
    record = json.loads((first_draw / "draw-record.json").read_text(encoding="utf-8"))
    assert len(public) - 1 == len(record["tasks"])
    # Numbers and addresses must not appear even inside a cell; person names must not be a cell of their
    # own (a 个体工商户 may be registered under its owner's name, e.g. 王兵小吃店, and that is public).
    numbers: set[str] = set()
    names: set[str] = set()
    people = roster_sheet(SAMPLE / "inspectors.xlsx")
    header = [c.value for c in people[1]]
    for row in people.iter_rows(min_row=2, values_only=True):
        values = dict(zip(header, row, strict=True))
        numbers.update(str(values[k]) for k in ("人员编号", "身份证号", "手机号", "执法证号") if values[k])
        names.add(str(values["姓名"]))
    firms = roster_sheet(SAMPLE / "enterprises.xlsx")
    header = [c.value for c in firms[1]]
    for row in firms.iter_rows(min_row=2, values_only=True):
        values = dict(zip(header, row, strict=True))
        numbers.update(str(values[k]) for k in ("联系电话", "地址") if values[k])
        names.add(str(values["法定代表人"]))
    texts = {str(v) for sheet in sheets.values() for row in sheet for v in row if v is not None}
    assert not {n for n in numbers if any(n in t for t in texts)}
    assert not names & texts


def test_assignment_sheet_names_each_team(first_draw: Path) -> None:
    sheets = cells(first_draw / "assignments.xlsx")
    assert list(sheets) == ["分派表", "分层汇总", "人员工作量", "未参加抽取", "抽取说明", "抽取过程记录"]
    header = sheets["分派表"][0]
    leader = header.index("组长人员编号")
    record = json.loads((first_draw / "draw-record.json").read_text(encoding="utf-8"))
    assert [row[leader] for row in sheets["分派表"][1:]] == [t["team"][0] for t in record["tasks"]]
    book = openpyxl.load_workbook(first_draw / "assignments.xlsx")
    assert book["分派表"].freeze_panes == "A2"
    assert book["分派表"]["A1"].font.b


def test_same_seed_same_draw_byte_for_byte(first_draw: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert draw(again).exit_code == 0
    one = json.loads((first_draw / "draw-record.json").read_text(encoding="utf-8"))
    two = json.loads((again / "draw-record.json").read_text(encoding="utf-8"))
    for record in (one, two):  # the draw's time, and the internal workbook that states it
        record.pop("created_at")
        record["outputs"].pop("assignments.xlsx")
        record["output_content"].pop("assignments.xlsx")
    assert one == two
    assert (first_draw / "disclosure.xlsx").read_bytes() == (again / "disclosure.xlsx").read_bytes()
    # The internal workbook's 抽取过程记录 states when the draw was made; nothing else differs.
    differences = cell_differences(first_draw / "assignments.xlsx", again / "assignments.xlsx")
    assert all(d.startswith("工作表“抽取过程记录”单元格 B5：") for d in differences), differences


def test_another_seed_gives_another_draw(first_draw: Path, tmp_path: Path) -> None:
    assert draw(tmp_path / "other", seed="另一个种子").exit_code == 0
    one = json.loads((first_draw / "draw-record.json").read_text(encoding="utf-8"))
    two = json.loads((tmp_path / "other" / "draw-record.json").read_text(encoding="utf-8"))
    assert {t["enterprise_id"] for t in one["tasks"]} != {t["enterprise_id"] for t in two["tasks"]}


def shuffled_copy(source: Path, target: Path, rng: random.Random) -> None:
    """Rewrite a roster with its data rows in another order (same cells)."""
    sheet = roster_sheet(source)
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    body = rows[1:]
    rng.shuffle(body)
    write_workbook(target, [Sheet(sheet.title, [str(h) for h in rows[0]], body)])


def test_shuffled_rosters_give_the_same_draw(first_draw: Path, tmp_path: Path) -> None:
    rng = random.Random(5)
    for name in ("enterprises", "inspectors", "conflicts", "history"):
        shuffled_copy(SAMPLE / f"{name}.xlsx", tmp_path / f"{name}.xlsx", rng)
    result = draw(
        tmp_path / "out",
        *(f"--{n}={tmp_path / f'{n}.xlsx'}" for n in ("enterprises", "inspectors", "conflicts", "history")),
    )
    assert result.exit_code == 0, result.output
    one = json.loads((first_draw / "draw-record.json").read_text(encoding="utf-8"))
    two = json.loads((tmp_path / "out" / "draw-record.json").read_text(encoding="utf-8"))
    assert one["tasks"] == two["tasks"]
    assert one["result_digest"] == two["result_digest"]
    assert cells(first_draw / "disclosure.xlsx") == cells(tmp_path / "out" / "disclosure.xlsx")


def test_an_existing_output_folder_is_never_overwritten(first_draw: Path) -> None:
    before = {p: p.read_bytes() for p in first_draw.rglob("*") if p.is_file()}
    result = draw(first_draw, seed="别的种子")
    assert result.exit_code == 2
    assert "已存在且不为空" in result.output
    assert {p: p.read_bytes() for p in first_draw.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(("seed", "message"), [("a|b", "竖线"), ("  ", "不能为空"), ("x\u200by", "不可见")])
def test_bad_seed_exits_2_with_a_message_and_writes_nothing(tmp_path: Path, seed: str, message: str) -> None:
    result = draw(tmp_path / "out", seed=seed)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_unstaffable_plan_exits_1_and_explains(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    text = SAMPLE_PLAN.read_text(encoding="utf-8").replace("max_tasks = 8", "max_tasks = 1")
    plan.write_text(text.replace('"../sample_data/', f'"{SAMPLE}/'), encoding="utf-8")
    assert runner.invoke(app, ["ledger", "init", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["draw", "--plan", str(plan), "--seed", "s", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "无法为" in result.output and "组成检查组" in result.output
    assert re.search(r"最多只能承担 \d+ 人次，缺 \d+ 人次", result.output.replace("\n", ""))
    assert "任务上限" in result.output  # what would help
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "plan.toml",
        "shuangsuiji-ledger.head",
        "shuangsuiji-ledger.sqlite",
    ]
    from shuangsuiji.io.ledger import Ledger

    with Ledger(tmp_path / "shuangsuiji-ledger.sqlite", create=False) as book:
        [entry] = book.entries()
    assert entry.status == "failed" and "无法为" in entry.reason and entry.seed == "s"


def test_missing_plan_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["draw", "--plan", str(tmp_path / "nope.toml"), "--seed", "s", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "计划文件不存在" in result.output


def test_bad_plan_values_are_all_reported(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    text = SAMPLE_PLAN.read_text(encoding="utf-8")
    text = text.replace('B = "5%"', 'B = "150%"').replace("max_tasks = 8", "max_tasks = 8\nmax_task = 3")
    plan.write_text(text.replace('"../sample_data/', f'"{SAMPLE}/'), encoding="utf-8")
    result = runner.invoke(app, ["validate", "--plan", str(plan), "--json"])
    assert result.exit_code == 2
    messages = [p["message"] for p in json.loads(result.stdout)["problems"]]
    assert any("selection.ratio.B" in m and "超出" in m for m in messages)
    assert any("teams.max_task" in m and "max_tasks" in m for m in messages)


def test_validate_passes_on_the_sample() -> None:
    result = runner.invoke(app, ["validate", "--plan", str(SAMPLE_PLAN)])
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output


def test_demo_uses_the_fixed_seed(tmp_path: Path, first_draw: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    demo = json.loads((tmp_path / "demo" / "draw-record.json").read_text(encoding="utf-8"))
    real = json.loads((first_draw / "draw-record.json").read_text(encoding="utf-8"))
    assert demo["result_digest"] == real["result_digest"]


def test_debug_shows_the_traceback_for_our_errors(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["--debug", "draw", "--plan", str(SAMPLE_PLAN), "--seed", "a|b", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code != 0
    assert result.exception is not None and type(result.exception).__name__ == "SeedError"


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "shuangsuiji", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "draw" in done.stdout and "demo" in done.stdout
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["draw"], "缺少选项 --plan"),
        (["draw", "--plan", "x", "--sed", "1"], "没有 --sed 这个选项，是否想写"),
        (["bogus"], "没有 bogus 这个命令"),
        (["demo", "--out"], "选项 --out 后面需要给出文件夹"),
    ],
)
def test_usage_errors_are_explained_in_chinese(args: list[str], message: str) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "shuangsuiji", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_helper_process_writes_the_same_bytes_and_content_digests(
    first_draw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuangsuiji import pipeline
    from shuangsuiji.io import writers
    from shuangsuiji.io.xlsx import content_digest

    reported: list[dict[str, str]] = []  # the content digests write_outputs returned, draw by draw

    def recording(folder: Path, *args: Any, **kwargs: Any) -> tuple[dict[str, str], dict[str, str], str]:
        returned = writers.write_outputs(folder, *args, **kwargs)
        reported.append(returned[1])
        return returned

    monkeypatch.setattr(pipeline, "write_outputs", recording)
    monkeypatch.setattr(pipeline, "utc_now", lambda: "2026-12-01T00:00:00Z")  # both draws at one time
    assert draw(tmp_path / "here").exit_code == 0
    monkeypatch.setattr(writers, "PARALLEL_ROWS", 0)  # the sample is small: force the large-draw path
    assert draw(tmp_path / "helper").exit_code == 0
    here, helper = reported
    assert sorted(helper) == ["assignments.xlsx", "disclosure.xlsx"]
    assert helper == here
    for name in ("assignments.xlsx", "disclosure.xlsx"):
        assert (tmp_path / "helper" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
        assert helper[name] == content_digest(tmp_path / "helper" / name)


def test_the_summary_numbers_add_up(tmp_path: Path) -> None:
    # Every row of the roster is in one group, and every task was drawn at random or is a
    # must-inspect enterprise: the screen says so, in numbers that add up.
    result = draw(tmp_path / "out")
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "draw-record.json").read_text(encoding="utf-8"))
    counts = record["population"]
    text = re.sub(r"\s+", "", result.output)  # wrapped at the terminal's width
    assert (
        f"名录{counts['roster_rows']}户=范围外{counts['out_of_scope']}户+未参加抽取{counts['excluded']}户"
        f"+重点检查{counts['must_inspect']}户+参加随机抽取{counts['eligible']}户"
    ) in text
    assert counts["roster_rows"] == (
        counts["out_of_scope"] + counts["excluded"] + counts["must_inspect"] + counts["eligible"]
    )
    random_drawn = sum(s["drawn"] for s in record["strata"])
    assert random_drawn + counts["must_inspect"] == counts["drawn"]
    assert (
        f"共抽取{counts['drawn']}户（随机抽取{random_drawn}户，重点检查{counts['must_inspect']}户）" in text
    )
    assert f"合计│{counts['eligible']}││{random_drawn}│{random_drawn}│{counts['must_inspect']}│" in text
