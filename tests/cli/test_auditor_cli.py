"""The auditor's side (issue "Real rosters and real auditors", points 9–15): the output folder alone
verifies on another machine, the ledger cannot be left behind or started afresh, the commitment
leaves its trace, nothing private is published, no plan value hangs the tool."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.io.ledger import Ledger
from tests.exports import REAL_USCC, enterprises, plan_file, workbook

runner = CliRunner()
ROWS = [(code, f"企业{n}", "ABCD"[n % 4], "在业") for n, code in enumerate(REAL_USCC[:200])]


def invoke(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def draw(plan: Path, out: Path, *extra: str) -> Any:
    return invoke("draw", "--plan", str(plan), "--seed", "2026120188", "--out", str(out), *extra)


def verify(folder: Path, *extra: str) -> tuple[int, list[dict[str, Any]]]:
    result = invoke("verify", str(folder), "--json", *extra)
    return result.exit_code, json.loads(result.stdout)["findings"] if result.stdout.strip() else []


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A bureau's folder: ledger, roster, plan."""
    folder = tmp_path / "市局双随机"
    folder.mkdir()
    plan_file(folder, enterprises(folder / "名录.xlsx", ROWS), ratio="30%", max_tasks=30)
    return folder


# 9 ------------------------------------------------------------------------------------------------


def test_the_output_folder_alone_verifies_elsewhere_with_history_from_the_ledger(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster = workspace / "名录.xlsx"
    november = plan_file(
        workspace,
        roster,
        name="11月.toml",
        plan_id="GY-SJ-2026-11",
        start="2026-11-01",
        end="2026-11-30",
        ratio="30%",
        max_tasks=30,
    )
    assert draw(november, workspace / "11月").exit_code == 0
    assert draw(workspace / "plan.toml", workspace / "12月").exit_code == 0
    record = json.loads((workspace / "12月" / "draw-record.json").read_text(encoding="utf-8"))
    earlier = json.loads((workspace / "11月" / "draw-record.json").read_text(encoding="utf-8"))
    drawn_in_november = {t["enterprise_id"] for t in earlier["tasks"]}
    assert drawn_in_november <= {e["enterprise_id"] for e in record["excluded"]}  # the ledger counted
    assert [e["role"] for e in record["inputs"]] == ["enterprises", "inspectors", "ledger_history"]
    # The auditor gets the folder only: another place, no ledger, the bureau's files gone.
    audit = tmp_path / "审计" / "12月"
    shutil.copytree(workspace / "12月", audit)
    shutil.rmtree(workspace)
    monkeypatch.chdir(audit.parent)
    code, findings = verify(audit)
    assert code == 0, findings
    [ledger] = [f for f in findings if f["area"] == "抽取台账"]
    assert ledger["checked"] is False and "--ledger" in ledger["detail"]
    assert all(f["same"] for f in findings)
    assert any("使用输出文件夹中保存的副本" in f["detail"] for f in findings if f["area"] == "输入文件")


def test_a_changed_live_roster_is_mentioned_but_the_kept_copy_decides(workspace: Path) -> None:
    assert draw(workspace / "plan.toml", workspace / "out").exit_code == 0
    enterprises(workspace / "名录.xlsx", [*ROWS[:-1], (ROWS[-1][0], "改了名的企业", "A", "在业")])
    code, findings = verify(workspace / "out", "--ledger", str(workspace / "shuangsuiji-ledger.sqlite"))
    assert code == 0
    [roster] = [f for f in findings if f["area"] == "输入文件" and f["item"] == "名录.xlsx"]
    assert "改了名的企业" in roster["detail"] and "不影响复核" in roster["detail"]
    assert [f["checked"] for f in findings if f["area"] == "抽取台账"] == [True, True]


# 10 -----------------------------------------------------------------------------------------------


def test_outputs_are_compared_by_content_not_by_compressed_bytes(workspace: Path) -> None:
    out = workspace / "out"
    assert draw(workspace / "plan.toml", out).exit_code == 0
    book = out / "disclosure.xlsx"
    members = {}
    with zipfile.ZipFile(book) as source:  # what another zlib build writes: other bytes, same parts
        members = {info.filename: source.read(info) for info in source.infolist()}
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as again:
        for name in sorted(members, reverse=True):
            again.writestr(name, members[name])
    code, findings = verify(out)
    assert code == 0
    [disclosure] = [f for f in findings if f["item"] == "disclosure.xlsx"]
    assert disclosure["same"] and "压缩后的字节与记录不同" in disclosure["detail"]
    edited = openpyxl.load_workbook(book)
    edited["公示表"]["K2"] = "别的企业"
    edited.save(book)
    code, findings = verify(out)
    assert code == 1
    [disclosure] = [f for f in findings if f["item"] == "disclosure.xlsx"]
    assert "单元格 K2" in disclosure["detail"] and "别的企业" in disclosure["detail"]


def test_a_record_of_version_0_2_is_refused_with_a_clear_message(workspace: Path) -> None:
    out = workspace / "out"
    assert draw(workspace / "plan.toml", out).exit_code == 0
    record = json.loads((out / "draw-record.json").read_text(encoding="utf-8"))
    record["record_version"] = 1
    record["tool"]["version"] = "0.2.0"
    (out / "draw-record.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = invoke("verify", str(out))
    assert result.exit_code == 2
    assert "格式版本为 1" in result.output and "0.2.0" in result.output


# 11 -----------------------------------------------------------------------------------------------


def test_the_same_plan_meets_the_same_ledger_from_any_folder(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = workspace / "plan.toml"
    assert draw(plan, workspace / "first").exit_code == 0
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    again = draw(plan, elsewhere / "second")
    assert again.exit_code == 2 and "已于" in again.output and "抽取台账第 1 条" in again.output
    assert list(elsewhere.iterdir()) == []  # no new ledger in the working folder, no output
    listed = invoke("ledger", "list", "--ledger", str(workspace / "shuangsuiji-ledger.sqlite"))
    assert listed.exit_code == 0 and "GY-SJ-2026-12" in listed.output


def test_no_draw_starts_a_ledger_of_its_own(tmp_path: Path) -> None:
    plan = plan_file(tmp_path, enterprises(tmp_path / "名录.xlsx", ROWS), ledger=False)
    result = draw(plan, tmp_path / "out")
    assert result.exit_code == 2 and "找不到抽取台账" in result.output and "ledger init" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.toml", "名录.xlsx"]
    made = invoke("ledger", "init", str(tmp_path))
    assert made.exit_code == 0
    assert draw(plan, tmp_path / "out").exit_code == 0
    assert invoke("ledger", "init", str(tmp_path)).exit_code == 2  # one workspace, one ledger


@pytest.mark.parametrize("damage", ["emptied", "truncated", "replaced", "rolled back", "deleted"])
def test_a_damaged_ledger_is_an_error_never_a_fresh_start(
    workspace: Path, tmp_path: Path, damage: str
) -> None:
    ledger = workspace / "shuangsuiji-ledger.sqlite"
    plan = workspace / "plan.toml"
    assert draw(plan, workspace / "first").exit_code == 0
    backup = tmp_path / "backup.sqlite"
    with Ledger(ledger, create=False) as book:  # a consistent copy of the ledger as it is now
        book._db.execute(f"VACUUM INTO '{backup}'")
    later = plan_file(
        workspace,
        workspace / "名录.xlsx",
        name="1月.toml",
        plan_id="GY-SJ-2027-01",
        start="2027-01-01",
        end="2027-01-31",
        ratio="30%",
        max_tasks=30,
    )
    assert draw(later, workspace / "january").exit_code == 0
    for suffix in ("-wal", "-shm"):
        ledger.with_name(ledger.name + suffix).unlink(missing_ok=True)
    if damage == "emptied":
        ledger.write_bytes(b"")
    elif damage == "truncated":
        ledger.write_bytes(ledger.read_bytes()[: 4096 * 2])
    elif damage == "replaced":  # a fresh, empty ledger copied over it
        fresh = tmp_path / "fresh.sqlite"
        Ledger(fresh, create=True).close()
        shutil.copyfile(fresh, ledger)
    elif damage == "rolled back":  # an older copy put back
        shutil.copyfile(backup, ledger)
    else:
        ledger.unlink()
    result = draw(plan, workspace / "second", "--redraw", "--reason", "试图重新开始")
    assert result.exit_code == 2, result.output
    assert not (workspace / "second").exists()
    checked = invoke("ledger", "check", "--ledger", str(ledger))
    assert checked.exit_code == (2 if damage == "deleted" else 1), checked.output
    assert ledger.exists() == (damage != "deleted")


# 12 -----------------------------------------------------------------------------------------------


def test_the_commitment_leaves_its_trace_and_verify_checks_it(workspace: Path, tmp_path: Path) -> None:
    plan = workspace / "plan.toml"
    promise = tmp_path / "承诺.json"
    made = invoke(
        "seed", "commit", "--plan", str(plan), "--out", str(promise), "--source", "福彩3D 2026-12-01"
    )
    assert made.exit_code == 0, made.output
    committed = json.loads(promise.read_text(encoding="utf-8"))
    assert draw(plan, workspace / "out", "--commitment", str(promise)).exit_code == 0
    record = json.loads((workspace / "out" / "draw-record.json").read_text(encoding="utf-8"))
    assert record["commitment"]["commitment_sha256"] == committed["commitment_sha256"]
    assert record["commitment"]["seed_sources"] == ["福彩3D 2026-12-01"]
    assert json.loads((workspace / "out" / "commitment.json").read_text(encoding="utf-8")) == committed
    code, findings = verify(workspace / "out", "--commitment", str(promise))
    assert code == 0 and [f["same"] for f in findings if f["area"] == "承诺"] == [True]
    code, findings = verify(workspace / "out")  # the kept copy is checked too
    assert code == 0 and [f["same"] for f in findings if f["area"] == "承诺"] == [True]
    other = tmp_path / "另一份承诺.json"
    assert (
        invoke("seed", "commit", "--plan", str(plan), "--out", str(other), "--source", "别的来源").exit_code
        == 0
    )
    code, findings = verify(workspace / "out", "--commitment", str(other))
    assert code == 1
    [trace] = [f for f in findings if f["area"] == "承诺"]
    assert "不是这次抽取所用的承诺" in trace["detail"]


def test_seed_commit_refuses_inputs_that_validate_refuses(workspace: Path, tmp_path: Path) -> None:
    enterprises(workspace / "名录.xlsx", [*ROWS, (ROWS[0][0], "重复的企业", "A", "在业")])
    promise = tmp_path / "承诺.json"
    result = invoke("seed", "commit", "--plan", str(workspace / "plan.toml"), "--out", str(promise))
    assert result.exit_code == 2 and "重复" in result.output
    assert not promise.exists()


# 13 -----------------------------------------------------------------------------------------------


def test_typed_text_that_reaches_the_disclosure_is_guarded(workspace: Path) -> None:
    plan = workspace / "plan.toml"
    assert draw(plan, workspace / "first").exit_code == 0
    phone = draw(plan, workspace / "second", "--redraw", "--reason", "企业负责人来电 138 0013 8000 要求重抽")
    assert phone.exit_code == 2 and "重新抽取的原因中含有疑似手机号" in phone.output
    assert not (workspace / "second").exists()
    with Ledger(workspace / "shuangsuiji-ledger.sqlite", create=False) as book:
        assert len(book.entries()) == 1  # refused before anything was drawn
    seeded = invoke(
        "draw",
        "--plan",
        str(plan),
        "--seed",
        "13800138000",
        "--out",
        str(workspace / "third"),
        "--redraw",
        "--reason",
        "测试",
    )
    assert seeded.exit_code == 2 and "种子中含有疑似手机号" in seeded.output
    text = plan.read_text(encoding="utf-8").replace(
        "贵阳市市场监督管理局", "贵阳市市场监督管理局（联系人 13800138000）"
    )
    plan.write_text(text, encoding="utf-8")
    named = invoke("validate", "--plan", str(plan))
    assert named.exit_code == 2 and "plan.authority" in named.output and "138****8000" in named.output


def test_every_public_sheet_passes_the_guard(workspace: Path) -> None:
    from shuangsuiji.core.errors import OutputError
    from shuangsuiji.io.writers import check_public

    with pytest.raises(OutputError, match="抽取说明第 3 行“内容”列"):
        check_public([("随机种子", "abc"), ("备注", "联系 13800138000")], ("项目", "内容"), "抽取说明")


# 14 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('A = "100%"', 'A = "1e999999999"', "selection.ratio.A"),
        ('A = "100%"', "A = 1e999999999", "selection.ratio.A"),
        ("start = 2026-12-01", "start = 2026-12-01T08:00:00", "不要带时间"),
        ("start = 2026-12-01", "start = 08:00:00", "plan.start"),
        (
            "inspected_within_days = 365",
            "inspected_within_days = 10000000000000",
            "exclusion.inspected_within_days",
        ),
        ("max_tasks = 50", "max_tasks = 99999999999999999999", "teams.max_tasks"),
        ("size = 2", "size = 100000", "teams.size"),
    ],
)
def test_plan_values_are_bounded_and_typed(tmp_path: Path, old: str, new: str, named: str) -> None:
    plan = plan_file(tmp_path, enterprises(tmp_path / "名录.xlsx", ROWS[:20]), ratio="100%")
    text = plan.read_text(encoding="utf-8")
    assert old in text
    plan.write_text(text.replace(old, new, 1), encoding="utf-8")
    # A separate process with a deadline: a value that hangs the tool must fail this test, not CI.
    done = subprocess.run(
        [sys.executable, "-m", "shuangsuiji", "validate", "--plan", str(plan), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        encoding="utf-8",
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "内部错误" not in done.stderr
    [problem] = json.loads(done.stdout)["problems"]
    assert named in problem["message"]


def test_a_header_only_hidden_or_mapped_roster_still_archives_what_it_read(workspace: Path) -> None:
    """What the draw read is what the folder keeps, whatever sheet or mapping was used."""
    book = workbook(
        workspace / "名录2.xlsx",
        [
            ("旧", ("统一社会信用代码",), [("x",)]),
            ("新", ("TYXYDM", "MC", "FXDJ"), [(c, n, k) for c, n, k, _ in ROWS]),
        ],
        hidden=["旧"],
    )
    table = f'''[inputs.enterprises]
path = "{book.as_posix()}"
columns = {{ MC = "企业名称", FXDJ = "信用风险等级" }}
'''
    plan = plan_file(workspace, table, name="mapped.toml", ratio="30%", max_tasks=30)
    assert draw(plan, workspace / "out").exit_code == 0
    shutil.move(book, workspace / "别处.xlsx")
    code, findings = verify(workspace / "out")
    assert code == 0, findings


def test_validate_checks_that_the_seed_can_be_published(workspace: Path) -> None:
    result = invoke("validate", "--plan", str(workspace / "plan.toml"), "--seed", "13800138000", "--json")
    assert result.exit_code == 2
    [problem] = [p for p in json.loads(result.stdout)["problems"] if p["severity"] == "error"]
    assert problem["code"] == "bad-seed" and "种子无效：种子中含有疑似手机号" in problem["message"]


def test_the_seed_can_be_traced_to_its_public_sources(workspace: Path) -> None:
    plan = workspace / "plan.toml"
    values = ("福彩3D 2026-12-01 385", "4271", "6093")
    both = invoke(
        "draw", "--plan", str(plan), "--seed", "x", "--seed-value", "1", "--out", str(workspace / "o")
    )
    assert both.exit_code == 2 and "二者只用其一" in both.output
    drawn = invoke(
        "draw",
        "--plan",
        str(plan),
        *(a for v in values for a in ("--seed-value", v)),
        "--out",
        str(workspace / "out"),
    )
    assert drawn.exit_code == 0, drawn.output
    record_path = workspace / "out" / "draw-record.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    combined = invoke("seed", "combine", *values).stdout.strip()
    assert record["seed"] == combined and record["seed_values"] == list(values)
    code, findings = verify(workspace / "out")
    assert code == 0 and [f["same"] for f in findings if f["item"] == "由公开来源合成"] == [True]
    record["seed_values"] = ["福彩3D 2026-12-01 386", "4271", "6093"]  # a source "remembered" otherwise
    record_path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    code, findings = verify(workspace / "out")
    assert code == 1 and [f["same"] for f in findings if f["item"] == "由公开来源合成"] == [False]


def test_a_mistyped_commitment_path_is_a_usage_error_not_a_difference(workspace: Path) -> None:
    assert draw(workspace / "plan.toml", workspace / "out").exit_code == 0
    result = invoke("verify", str(workspace / "out"), "--commitment", str(workspace / "没有这个文件.json"))
    assert result.exit_code == 2 and "承诺文件" in result.output and "不存在" in result.output
