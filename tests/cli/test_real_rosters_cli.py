"""Rosters as bureaus export them (issue "Real rosters and real auditors", points 1–8), end to end
through the command line, where a clerk would meet each of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
from typer.testing import CliRunner

from shuangsuiji.cli import app
from tests.exports import (
    ALL_DIGIT_USCC,
    REAL_USCC,
    enterprises,
    plan_file,
    registration_no,
    resident_id,
    workbook,
)

runner = CliRunner()


def validate(plan: Path) -> tuple[int, list[dict[str, Any]]]:
    result = runner.invoke(app, ["validate", "--plan", str(plan), "--json"])
    assert "Traceback" not in result.output
    problems = json.loads(result.stdout)["problems"] if result.stdout.strip() else []
    # The sample's inspectors include people on leave, noticed in every validate (test_validate.py).
    return result.exit_code, [p for p in problems if p["code"] != "off-duty-status"]


def draw(plan: Path, out: Path, seed: str = "2026120188") -> Any:
    return runner.invoke(app, ["draw", "--plan", str(plan), "--seed", seed, "--out", str(out)])


def disclosed(out: Path) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(out / "disclosure.xlsx")["公示表"]
    return list(sheet.iter_rows(min_row=2, values_only=True))


KEY_COLUMN = 11  # 统一社会信用代码/注册号 in the disclosure


# 1 ------------------------------------------------------------------------------------------------


def test_real_published_codes_validate_and_draw_whatever_the_seed(tmp_path: Path) -> None:
    """All-digit codes (the old 组织机构代码 inside) are valid: every one is drawn and published."""
    assert len(REAL_USCC) > 300 and len(ALL_DIGIT_USCC) >= 15
    rows = [(code, f"测试企业{n}号", "D", "存续") for n, code in enumerate(REAL_USCC)]
    plan = plan_file(tmp_path, enterprises(tmp_path / "名录.xlsx", rows), max_tasks=20)
    assert validate(plan) == (0, [])
    for seed in ("2026120188", "福彩3D 2026-12-01 385"):  # the outcome may not depend on the seed
        out = tmp_path / f"out-{seed[:4]}"
        result = draw(plan, out, seed)
        assert result.exit_code == 0, result.output
        published = {row[KEY_COLUMN] for row in disclosed(out)}
        assert set(ALL_DIGIT_USCC) <= published and len(published) == len(REAL_USCC)
        plan.with_name("shuangsuiji-ledger.sqlite").unlink()  # a fresh workspace for the next seed
        plan.with_name("shuangsuiji-ledger.head").unlink()
        plan_file(tmp_path, tmp_path / "名录.xlsx", max_tasks=20)


def test_a_resident_id_in_a_name_is_found_by_validate_with_its_row(tmp_path: Path) -> None:
    rows = [
        (ALL_DIGIT_USCC[0], "张三小吃店", "A", "存续"),
        (REAL_USCC[1], f"李四（{resident_id()}）便利店", "A", "存续"),
    ]
    plan = plan_file(tmp_path, enterprises(tmp_path / "名录.xlsx", rows), ratio="3%")
    code, problems = validate(plan)
    assert code == 2
    [found] = [p for p in problems if "身份证号" in p["message"]]
    assert (found["row"], found["column"], found["severity"]) == (3, "企业名称", "error")
    assert resident_id() not in found["message"]  # masked
    assert not (tmp_path / "out").exists()
    assert draw(plan, tmp_path / "out").exit_code == 2 and not (tmp_path / "out").exists()


# 2 ------------------------------------------------------------------------------------------------

NATIONAL_WORDS = {
    "存续（在营、开业、在册）": True,
    "在业": True,
    "开业": True,
    "停业": True,
    "歇业": True,
    "清算": True,
    "吊销，未注销": False,
    "吊销，已注销": False,
    "已注销": False,
    "注销": False,
    "迁出": False,
    "撤销": False,
}


def test_national_status_words_exclude_revoked_and_cancelled_firms(tmp_path: Path) -> None:
    words = list(NATIONAL_WORDS)
    rows = [(code, f"企业{n}", "B", words[n % len(words)]) for n, code in enumerate(REAL_USCC[:120])]
    plan = plan_file(tmp_path, enterprises(tmp_path / "名录.xlsx", rows), max_tasks=20)
    assert validate(plan)[0] == 0
    assert draw(plan, tmp_path / "out").exit_code == 0
    record = json.loads((tmp_path / "out" / "draw-record.json").read_text(encoding="utf-8"))
    drawn = {t["enterprise_id"] for t in record["tasks"]}
    status = {code: words[n % len(words)] for n, code in enumerate(REAL_USCC[:120])}
    assert drawn == {code for code, word in status.items() if NATIONAL_WORDS[word]}
    reasons = {e["enterprise_id"]: e["reason"] for e in record["excluded"]}
    assert reasons[REAL_USCC[6]] == "经营状态为“吊销,未注销”"  # as cleaned (NFKC) like every cell


def test_an_unknown_status_word_is_listed_with_its_count_and_never_drawn_in_silence(tmp_path: Path) -> None:
    rows = [
        (code, f"企业{n}", "B", "营业中" if n % 3 == 0 else "在业") for n, code in enumerate(REAL_USCC[:30])
    ]
    roster = enterprises(tmp_path / "名录.xlsx", rows)
    plan = plan_file(tmp_path, roster)
    code, problems = validate(plan)
    assert code == 2
    [unknown] = [p for p in problems if "营业中" in p["message"]]
    assert (
        "10 行" in unknown["message"]
        and "首见第 2 行" in unknown["message"]
        and unknown["column"] == "经营状态"
    )
    assert "active_statuses" in unknown["hint"]
    assert draw(plan, tmp_path / "out").exit_code == 2
    # The plan says what the word means: now it is drawn like 在业.
    plan = plan_file(tmp_path, roster, name="plan2.toml", exclusion='active_statuses = ["在业", "营业中"]')
    assert validate(plan) == (0, [])


# 3 ------------------------------------------------------------------------------------------------


def test_old_sole_proprietors_are_drawn_by_their_registration_number(tmp_path: Path) -> None:
    header = ("企业名称", "统一社会信用代码", "注册号", "信用风险等级")
    rows = [(f"企业{n}", code, "", "C") for n, code in enumerate(REAL_USCC[:10])]
    rows += [(f"个体户{n}", "", registration_no(n), "C") for n in range(10)]
    rows += [("无代码户", "", "", "C")]
    plan = plan_file(tmp_path, enterprises(tmp_path / "名录.xlsx", rows, header=header))
    code, problems = validate(plan)
    assert code == 2
    [missing] = [p for p in problems if p["severity"] == "error"]
    assert (missing["row"], missing["column"]) == (22, "统一社会信用代码")
    assert "统一社会信用代码和注册号都为空" in missing["message"]
    plan = plan_file(tmp_path, enterprises(tmp_path / "名录.xlsx", rows[:-1], header=header))
    assert validate(plan) == (0, [])
    assert draw(plan, tmp_path / "out").exit_code == 0
    published = {row[KEY_COLUMN] for row in disclosed(tmp_path / "out")}
    assert {registration_no(n) for n in range(10)} <= published and len(published) == 20


# 4 ------------------------------------------------------------------------------------------------

PINYIN = ("QYMC", "TYXYDM", "ZCH", "FXDJ", "ZT", "LXDH")  # as in a bureau's export (Wanning, 2021)


def test_pinyin_headers_are_mapped_in_the_plan(tmp_path: Path) -> None:
    rows = [(f"企业{n}", code, "", "A", "在业", "0851-85551234") for n, code in enumerate(REAL_USCC[:20])]
    roster = enterprises(tmp_path / "名录.xlsx", rows, header=PINYIN)
    plan = plan_file(tmp_path, roster)
    code, problems = validate(plan)
    assert code == 2
    messages = [p["message"] for p in problems]
    assert any("缺少必填列“企业名称”" in m for m in messages)
    assert any("[inputs.enterprises.columns]" in p["hint"] for p in problems)
    table = f'''[inputs.enterprises]
path = "{roster.as_posix()}"
columns = {{ QYMC = "企业名称", ZCH = "注册号", FXDJ = "信用风险等级", ZT = "经营状态", LXDH = "联系电话" }}
'''
    mapped = plan_file(tmp_path, table, name="mapped.toml")
    assert validate(mapped) == (0, [])
    assert draw(mapped, tmp_path / "out").exit_code == 0
    wrong = plan_file(tmp_path, table.replace("QYMC =", "MC ="), name="wrong.toml")
    code, problems = validate(wrong)
    assert code == 2 and any("“MC”" in p["message"] and "企业名称" in p["message"] for p in problems)
    unknown = plan_file(tmp_path, table.replace('"企业名称"', '"单位名"'), name="unknown.toml")
    code, problems = validate(unknown)
    assert code == 2 and any("“单位名”不是检查对象名录的列" in p["message"] for p in problems)


# 5 ------------------------------------------------------------------------------------------------


def test_identifiers_match_whatever_their_case_width_and_spaces(tmp_path: Path) -> None:
    """A recusal written “ｐ0001 ” for staff P0001 takes effect: with two inspectors, no team is possible."""
    staff = workbook(
        tmp_path / "人员.xlsx",
        [
            (
                "人员",
                ("人员编号", "姓名", "所属部门", "执法证号"),
                [("P0001", "甲", "食品科", "Z1"), ("P0002", "乙", "食品科", "Z2")],
            )
        ],
    )
    code = ALL_DIGIT_USCC[0]
    roster = enterprises(tmp_path / "名录.xlsx", [(code, "企业甲", "D", "在业")])
    recusals = workbook(
        tmp_path / "回避.xlsx",
        [
            (
                "回避名单",
                ("人员编号", "统一社会信用代码", "回避原因"),
                [("ｐ0001 ", f" {code.lower()}", "近亲属在该企业任职")],
            )
        ],
    )
    plan = plan_file(tmp_path, roster, inspectors=staff, inputs=f'conflicts = "{recusals.as_posix()}"')
    assert validate(plan)[0] == 0
    result = draw(plan, tmp_path / "out")
    assert result.exit_code == 1, result.output  # P0001 may not go: no valid team of two
    assert "无法为" in result.output
    history = workbook(
        tmp_path / "记录.xlsx",
        [("检查记录", ("统一社会信用代码", "检查日期", "人员编号"), [(code, "2026-06-01", "p 0002")])],
    )
    plan = plan_file(
        tmp_path,
        roster,
        inspectors=staff,
        name="rotation.toml",
        plan_id="GY-SJ-2026-12B",
        inputs=f'history = "{history.as_posix()}"',
        window=30,
    )
    result = draw(plan, tmp_path / "out2")
    assert result.exit_code == 1, result.output  # P0002 inspected it half a year ago: rotation forbids


# 6 ------------------------------------------------------------------------------------------------


def test_optional_lists_with_only_a_header_row_are_empty_lists(tmp_path: Path) -> None:
    recusals = workbook(
        tmp_path / "回避.xlsx", [("回避名单", ("人员编号", "统一社会信用代码", "回避原因"), [])]
    )
    history = workbook(
        tmp_path / "记录.xlsx", [("检查记录", ("统一社会信用代码", "检查日期", "人员编号"), [])]
    )
    roster = enterprises(
        tmp_path / "名录.xlsx", [(c, f"企业{n}", "A", "在业") for n, c in enumerate(REAL_USCC[:5])]
    )
    plan = plan_file(
        tmp_path, roster, inputs=f'conflicts = "{recusals.as_posix()}"\nhistory = "{history.as_posix()}"'
    )
    code, problems = validate(plan)
    assert code == 0
    assert sorted(p["message"] for p in problems) == [
        "回避名单只有表头，没有记录（视为空的回避名单）",
        "检查记录只有表头，没有记录（视为空的检查记录）",
    ]
    result = draw(plan, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "回避名单只有表头" in result.output  # said in the draw's summary too
    record = json.loads((tmp_path / "out" / "draw-record.json").read_text(encoding="utf-8"))
    assert {e["role"]: e["rows"] for e in record["inputs"]}["conflicts"] == 0


# 7 ------------------------------------------------------------------------------------------------


def test_a_hidden_old_roster_is_never_read_silently(tmp_path: Path) -> None:
    old = [(c, f"旧企业{n}", "A", "在业") for n, c in enumerate(REAL_USCC[100:150])]
    new = [(c, f"企业{n}", "A", "在业") for n, c in enumerate(REAL_USCC[:10])]
    header = ("统一社会信用代码", "企业名称", "信用风险等级", "经营状态")
    book = workbook(
        tmp_path / "名录.xlsx",
        [("2025年名录（旧）", header, old), ("2026年名录", header, new)],
        hidden=["2025年名录（旧）"],
    )
    plan = plan_file(tmp_path, book)
    code, problems = validate(plan)
    assert code == 0
    assert any(
        "“2026年名录”" in p["message"] and "隐藏的工作表“2025年名录（旧）”没有读取" in p["message"]
        for p in problems
    )
    assert draw(plan, tmp_path / "out").exit_code == 0
    record = json.loads((tmp_path / "out" / "draw-record.json").read_text(encoding="utf-8"))
    assert record["inputs"][0]["sheet"] == "2026年名录" and record["inputs"][0]["rows"] == 10
    # Only a hidden sheet holds the roster: stop and name it.
    book = workbook(
        tmp_path / "名录2.xlsx",
        [("名录", header, new), ("说明", ("填表说明",), [("请勿修改",)])],
        hidden=["名录"],
    )
    code, problems = validate(plan_file(tmp_path, book, name="hidden.toml"))
    assert code == 2 and any("“名录”（隐藏）" in p["hint"] for p in problems)


# 8 ------------------------------------------------------------------------------------------------


def test_credit_class_words_of_classification_exports(tmp_path: Path) -> None:
    words = [
        "A类",
        "低风险",
        "信用风险低（A类）",
        "信用风险一般（B类）",
        "较高风险",
        "C类企业",
        "高风险",
        "D",
    ]
    rows = [(c, f"企业{n}", words[n % len(words)], "在业") for n, c in enumerate(REAL_USCC[:40])]
    plan = plan_file(tmp_path, enterprises(tmp_path / "名录.xlsx", rows))
    assert validate(plan) == (0, [])
    rows += [(c, f"中企业{n}", "中风险", "在业") for n, c in enumerate(REAL_USCC[40:52])]
    plan = plan_file(tmp_path, enterprises(tmp_path / "名录2.xlsx", rows), name="unknown.toml")
    code, problems = validate(plan)
    assert code == 2
    assert any("无法识别的写法：“中风险”（12 行）" in p["message"] for p in problems)


def test_names_are_published_exactly_as_registered(tmp_path: Path) -> None:
    names = ["贵阳市南明区老王小吃店（个体工商户）", "贵州某某餐饮管理有限公司（花果园分店）", "ＡＢＣ便利店"]
    rows = [
        (code, name, "D", "存续（在营、开业、在册）") for code, name in zip(REAL_USCC, names, strict=False)
    ]
    plan = plan_file(tmp_path, enterprises(tmp_path / "名录.xlsx", rows))
    assert draw(plan, tmp_path / "out").exit_code == 0
    assert sorted(row[10] for row in disclosed(tmp_path / "out")) == sorted(names)
