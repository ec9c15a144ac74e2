"""Readers: write real files (our xlsx writer, openpyxl for odd layouts, plain CSV), read them back."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core.errors import InputError, Problem
from shuangsuiji.core.ids import (
    USCC_ALPHABET,
    clean_text,
    key_problem,
    normalize_key,
    tidy_text,
    uscc_check_char,
)
from shuangsuiji.io.readers import enterprises as enterprises_module
from shuangsuiji.io.readers import (
    file_sha256,
    header,
    read_enterprises,
    read_history,
    read_inspectors,
    read_recusals,
)
from shuangsuiji.io.readers import keys as keys_module
from shuangsuiji.io.readers import problems as problems_module
from shuangsuiji.io.readers import text as text_module
from shuangsuiji.io.xlsx import Cell, Sheet, write_workbook
from tests.builders import roster_sheet

HEADER = ["统一社会信用代码", "企业名称", "信用风险等级", "所属区域", "行业类别", "登记机关", "经营状态",
          "最近检查日期", "重点检查", "地址", "法定代表人", "联系电话"]  # fmt: skip
INSPECTOR_HEADER = ["人员编号", "姓名", "所属部门", "执法证号", "执法证有效期至", "专业领域", "所属区域",
                    "在岗状态", "任务上限", "身份证号", "手机号"]  # fmt: skip


def uscc(number: int, prefix: str = "91520102") -> str:
    """A valid USCC: 17 characters made from `number`, plus the check character."""
    body = f"{prefix}{number:09d}"[:17]
    return body + uscc_check_char(body)


def row(key: Cell, name: Cell = "某某商贸有限公司", cls: Cell = "A", **extra: Cell) -> list[Cell]:
    """One enterprise row in HEADER order; extra columns by their header."""
    values: dict[str, Cell] = {"统一社会信用代码": key, "企业名称": name, "信用风险等级": cls, **extra}
    return [values.get(h) for h in HEADER]


def workbook(
    path: Path, rows: Sequence[Sequence[Cell]], header: Sequence[str] = HEADER, sheet: str = "名录"
) -> Path:
    write_workbook(path, [Sheet(sheet, header, rows)])
    return path


def raised(call: Any) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        call()
    return caught.value.problems


# ---------------------------------------------------------------------------------------------- values


def test_reads_a_clean_roster_with_every_column(tmp_path: Path) -> None:
    path = workbook(tmp_path / "e.xlsx", [
        row(uscc(1), "贵阳甲餐饮店", "A", 所属区域="云岩区", 行业类别="餐饮服务", 登记机关="云岩区局",
            经营状态="存续", 最近检查日期=date(2025, 3, 1), 重点检查="是", 地址="中华北路1号",
            法定代表人="张三", 联系电话="13800000000"),
        row(uscc(2), "贵阳乙超市", "D"),
    ])  # fmt: skip
    roster, file, problems = read_enterprises(path)
    assert problems == []
    assert list(roster.key) == [uscc(1), uscc(2)]
    assert roster.get(0)._asdict() == {
        "key": uscc(1), "name": "贵阳甲餐饮店", "credit_class": "A", "district": "云岩区",
        "industry": "餐饮服务", "authority": "云岩区局", "status": "存续", "last_inspected": date(2025, 3, 1),
        "must_inspect": True, "row": 2, "address": "中华北路1号", "legal_rep": "张三", "phone": "13800000000",
    }  # fmt: skip
    assert roster.get(1)[1:] == ("贵阳乙超市", "D", "", "", "", "", None, False, 3, "", "", "")
    assert file.kind == "enterprises" and file.path == str(path) and file.rows == 2 and file.sheet == "名录"
    assert file.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == file_sha256(path)


def test_leading_zeros_are_kept(tmp_path: Path) -> None:
    path = workbook(tmp_path / "e.xlsx", [row("052010200012345"), row(uscc(7, prefix="00520102"))])
    roster, _, problems = read_enterprises(path)
    assert problems == []
    assert list(roster.key) == ["052010200012345", uscc(7, prefix="00520102")]
    inspectors = workbook(
        tmp_path / "i.xlsx", [["000123", "李四", "食品科", *[None] * 8]], header=INSPECTOR_HEADER
    )
    assert read_inspectors(inspectors)[0][0].id == "000123"


@pytest.mark.parametrize("cell", [520102000123456, 520102000123456.0])
def test_a_15_digit_number_cell_is_read_as_text_without_point_zero(tmp_path: Path, cell: Cell) -> None:
    roster, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", [row(cell)]))
    assert problems == []
    assert list(roster.key) == ["520102000123456"]


def test_an_18_digit_code_mangled_by_a_number_cell_is_an_error_with_a_hint(tmp_path: Path) -> None:
    _, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", [row(9.13e17)]))
    [problem] = problems
    assert problem.row == 2 and "913000000000000000" in problem.message
    assert "数字格式" in problem.hint and "文本" in problem.hint


def test_full_width_and_invisible_characters_are_cleaned(tmp_path: Path) -> None:
    key = uscc(3)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in key.lower())  # full-width, lower case
    path = workbook(tmp_path / "e.xlsx", [
        row(f"\u200b {wide}\u3000", "贵阳（测试）\ufeff有限公司 ", "ａ", 所属区域="\u200b云岩区 ",
            联系电话="１３８"),
        row(uscc(4), "  贵阳市\u00a0某店\u200d", "b", 所属区域="云岩区", 地址="\t中华北路\n"),
    ])  # fmt: skip
    roster, _, problems = read_enterprises(path)
    assert problems == []
    assert list(roster.key) == [key, uscc(4)]
    # Names are published as registered: full-width brackets stay, only invisible characters and
    # outer white space go (tidy_text); codes, classes and districts are normalised (NFKC).
    assert list(roster.name) == ["贵阳（测试）有限公司", "贵阳市\u00a0某店"]
    assert list(roster.credit_class) == ["A", "B"]
    assert list(roster.district) == ["云岩区", "云岩区"]
    assert roster.district[0] is roster.district[1]  # low-cardinality columns share one string object
    assert list(roster.phone) == ["１３８", ""]
    assert list(roster.address) == ["", "中华北路"]


def test_credit_classes_map_to_letters_and_a_bad_one_is_reported_with_row_and_column(tmp_path: Path) -> None:
    given_ = ["A", "b", "Ｃ", "d", "低风险", "一般风险", "信用风险较高", "高风险", "低", "B类", "中风险", ""]
    header = ["信用代码", "企业名称", "风险等级"]
    rows = [[uscc(i), f"企业{i}", cls] for i, cls in enumerate(given_)]
    roster, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", rows, header=header))
    assert list(roster.credit_class)[:10] == ["A", "B", "C", "D", "A", "B", "C", "D", "A", "B"]
    assert [(p.row, p.column, p.severity) for p in problems] == [
        (12, "风险等级", "error"),
        (13, "风险等级", "error"),
    ]
    assert "中风险" in problems[0].message and "A、B、C、D" in problems[0].hint
    assert "为空" in problems[1].message


@pytest.mark.parametrize("cell", [
    date(2026, 1, 5), 46027, 46027.75, "46027", "2026-01-05", "2026/1/5", "2026.1.5", "2026年1月5日",
    "20260105", "2026-01-05 13:45:00", "２０２６－０１－０５",
])  # fmt: skip
def test_every_date_format_is_read(tmp_path: Path, cell: Cell) -> None:
    roster, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", [row(uscc(1), 最近检查日期=cell)]))
    assert problems == []
    assert roster.last_inspected[0] == date(2026, 1, 5)


def test_bad_dates_are_reported(tmp_path: Path) -> None:
    cells: list[Cell] = ["2026-13-01", "明年三月", "2026", "", None]
    rows = [row(uscc(i), 最近检查日期=c) for i, c in enumerate(cells)]
    roster, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", rows))
    assert [(p.row, p.column) for p in problems] == [
        (2, "最近检查日期"),
        (3, "最近检查日期"),
        (4, "最近检查日期"),
    ]
    assert all(p.severity == "error" for p in problems)
    assert "2026-13-01" in problems[0].message and "明年三月" in problems[1].message
    assert list(roster.last_inspected) == [None] * 5


def test_must_inspect_flags(tmp_path: Path) -> None:
    cells: list[Cell] = ["是", "否", "Y", "n", "1", "0", "TRUE", "false", "", "也许"]
    rows = [row(uscc(i), 重点检查=c) for i, c in enumerate(cells)]
    roster, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", rows))
    assert list(roster.must_inspect) == [True, False, True, False, True, False, True, False, False, False]
    assert [(p.row, p.column) for p in problems] == [(11, "重点检查")]


# ---------------------------------------------------------------------------------------------- keys


def test_a_duplicate_key_names_both_rows(tmp_path: Path) -> None:
    path = workbook(tmp_path / "e.xlsx", [row(uscc(1)), row(uscc(2)), row(uscc(1).lower() + " ")])
    roster, _, problems = read_enterprises(path)
    [problem] = problems
    assert problem.row == 4 and problem.column == "统一社会信用代码" and problem.severity == "error"
    assert "第 2 行" in problem.message and "第 2 行" in problem.hint and "第 4 行" in problem.hint
    assert len(roster) == 3


def test_a_duplicate_15_digit_registration_number_is_found(tmp_path: Path) -> None:
    _, _, problems = read_enterprises(
        workbook(tmp_path / "e.xlsx", [row(520102000123456), row("520102000123456")])
    )
    assert [(p.row, "第 2 行" in p.message) for p in problems] == [(3, True)]


def test_bad_keys_are_reported(tmp_path: Path) -> None:
    good = uscc(5)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    cells: list[Cell] = [
        bad_check,
        "91520102MA6ABCDEI" + "0",
        "1234",
        "",
        "9152|0102000000001",
        "52010200012345X",
    ]
    rows = [row(c) for c in cells]
    _, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", rows))
    assert [p.row for p in problems] == [2, 3, 4, 5, 6, 7]
    assert all(p.column == "统一社会信用代码" and p.severity == "error" for p in problems)
    assert f"校验位应为“{good[17]}”" in problems[0].message
    assert "不允许的字符" in problems[1].message
    assert "长度为 4 位" in problems[2].message
    assert "为空" in problems[3].message
    assert "竖线" in problems[4].message
    assert "全部为数字" in problems[5].message


def test_an_empty_name_is_an_error(tmp_path: Path) -> None:
    _, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", [row(uscc(1), "  "), row(uscc(2), None)]))
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "企业名称", "企业名称为空"),
        (3, "企业名称", "企业名称为空"),
    ]


alphabet = st.sampled_from(USCC_ALPHABET + "IOSVZabc0 ９|\u200b")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.builds(lambda n: uscc(n), st.integers(0, 10**9 - 1)),
    st.builds(lambda n: f"{n:015d}", st.integers(0, 10**15 - 1)),
    st.text(alphabet, min_size=14, max_size=19),
    st.none(),
), max_size=40))  # fmt: skip
def test_vectorised_key_scan_agrees_with_key_problem(keys: list[str | None]) -> None:
    array = pa.array(keys, type=pa.string())
    ok, fingerprints = keys_module.scan_keys(array)
    for key, passed in zip(keys, ok.tolist(), strict=True):
        expected = key is not None and key == normalize_key(key) and key_problem(key) is None
        assert passed == expected, key
    valid = [k for k, passed in zip(keys, ok.tolist(), strict=True) if passed and k is not None]
    assert sorted(fingerprints.tolist()) == sorted(keys_module.key_fingerprint(k) for k in valid)


# ---------------------------------------------------------------------------------------------- text


def test_every_character_the_clean_byte_rule_passes_is_left_alone_by_clean_text() -> None:
    passed = [
        chr(code) for code in range(0x10000)
        if not 0xD800 <= code < 0xE000 and all(text_module.CLEAN_BYTE[b] for b in chr(code).encode("utf-8"))
    ]  # fmt: skip
    assert len(passed) > 20_000  # printable ASCII and U+4000–U+9FFF
    assert [c for c in passed if clean_text(f"x{c}x") != f"x{c}x"] == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(), st.text(st.sampled_from(" aZ9-（）()、贵阳\u3000\u200b\ufeff\t\xa0ＡＢ·"), max_size=8)
        )
    )
)
def test_values_judged_already_clean_are_clean(values: list[str | None]) -> None:
    mask = text_module.already_clean(pa.array(values, type=pa.string()))
    for value, clean in zip(values, mask.tolist(), strict=True):
        if clean:
            assert value is not None and clean_text(value) == value, repr(value)


def test_arrow_cleaning_agrees_with_clean_text_on_every_safe_character() -> None:
    chars = [chr(c) for lo, hi in text_module.NFKC_SAFE_RANGES for c in range(lo, hi + 1)]
    values = [v for c in chars for v in (c, f" {c} ", f"x{c}x", f"{c}{c}", f"\u3000{c}")]
    cleaned = text_module.nfkc_trimmed(pa.array(values, type=pa.string())).to_pylist()
    assert [(v, got) for v, got in zip(values, cleaned, strict=True) if got != clean_text(v)] == []


def test_many_messy_values_clean_exactly_as_clean_text(tmp_path: Path) -> None:
    """Over 64 dirty keys switch normalising to Arrow; it must give normalize_key's answers. Names
    are tidied (tidy_text), never NFKC'd."""
    pick = random.Random(7)
    wide = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    keys: list[Cell] = []
    names: list[Cell] = []
    for i in range(300):
        key = uscc(i) if i % 7 else f"{i:015d}"
        key = pick.choice(
            [key, key.lower(), f" {key} ", key.translate(wide), f"\u3000{key}", f"{key}\u200b", key + "0"]
        )
        keys.append(key)
        names.append(
            pick.choice(
                ["贵阳", " 南明 ", "（个体工商户）", "A&B", "\u200b云岩", "《商店》", "ｓｈｏｐ", "Café"]
            )
            + str(i)
        )
    rows = [row(k, n) for k, n in zip(keys, names, strict=True)]
    roster, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", rows))
    assert list(roster.key) == [normalize_key(str(k)) for k in keys]
    assert list(roster.name) == [tidy_text(str(n)) for n in names]
    bad = [i + 2 for i, k in enumerate(keys) if key_problem(normalize_key(str(k)))]
    assert len(bad) > 10 and [p.row for p in problems] == bad


def test_typical_clean_values_take_the_fast_path() -> None:
    values = ["贵阳市云岩区某某餐饮店", "ABC 123", "13800000000", "", "0851-8888888"]
    assert text_module.already_clean(pa.array(values, type=pa.string())).tolist() == [True] * 5


# ---------------------------------------------------------------------------------------------- layout


def test_aliases_and_header_spelling_variants_are_recognised(tmp_path: Path) -> None:
    header = ["TYXYDM", "企业（单位） 名称", "信用风险类别", "所属辖区", "所属行业", "登记机关", "登记状态",
              "上次检查日期", "是否重点检查", "住所", "法定代表人（负责人）", "联系方式", "备注"]  # fmt: skip
    cells: list[Cell] = [
        uscc(1),
        "甲",
        "C",
        "南明区",
        "食品销售",
        "南明区局",
        "在业",
        "2025-01-02",
        "否",
        "路1号",
        "王五",
        "139",
        "x",
    ]
    roster, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", [cells], header=header))
    assert problems == []
    assert roster.get(0)[:10] == (
        uscc(1),
        "甲",
        "C",
        "南明区",
        "食品销售",
        "南明区局",
        "在业",
        date(2025, 1, 2),
        False,
        2,
    )
    assert (roster.address[0], roster.legal_rep[0], roster.phone[0]) == ("路1号", "王五", "139")


def test_two_columns_for_one_field_use_the_canonical_one_and_warn(tmp_path: Path) -> None:
    header = ["信用代码", "统一社会信用代码", "企业名称", "信用风险等级"]
    roster, _, problems = read_enterprises(
        workbook(tmp_path / "e.xlsx", [["x", uscc(1), "甲", "A"]], header=header)
    )
    assert list(roster.key) == [uscc(1)]
    assert [(p.severity, p.row, p.column) for p in problems] == [("warning", 1, "信用代码")]
    header = ["统一社会信用代码", "企业名称", "信用风险等级", "企业名称"]
    roster, _, problems = read_enterprises(
        workbook(tmp_path / "f.xlsx", [[uscc(1), "甲", "A", "乙"]], header=header)
    )
    assert list(roster.name) == ["甲"]
    assert [(p.severity, p.row, p.column) for p in problems] == [("warning", 1, "企业名称")]


def test_header_below_title_rows_keeps_excel_row_numbers(tmp_path: Path) -> None:
    title = ["贵阳市检查对象名录库", *[""] * (len(HEADER) - 1)]
    rows: list[list[Cell]] = [
        [None] * len(HEADER),  # row 2: empty
        list(HEADER),  # row 3: the header
        row(uscc(1)),  # row 4
        [None] * len(HEADER),  # row 5: blank, skipped
        row(uscc(2), cls="X"),  # row 6
    ]
    roster, file, problems = read_enterprises(workbook(tmp_path / "e.xlsx", rows, header=title))
    assert list(roster.row) == [4, 6] and file.rows == 2
    assert [(p.row, p.column) for p in problems] == [(6, "信用风险等级")]


def test_rows_are_numbered_from_the_real_first_row_when_the_top_rows_hold_nothing(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.merge_cells("B1:D1")  # a merged, styled but empty title area: no values in rows 1–2
    sheet["B1"].font = openpyxl.styles.Font(bold=True)
    for col, text in zip("BCD", ["统一社会信用代码", "企业名称", "信用风险等级"], strict=True):
        sheet[f"{col}3"] = text
    sheet["B4"], sheet["C4"], sheet["D4"] = uscc(1), "甲", "A"
    sheet["B6"], sheet["C6"], sheet["D6"] = uscc(2), "乙", "甲级"
    book.save(tmp_path / "e.xlsx")
    roster, _, problems = read_enterprises(tmp_path / "e.xlsx")
    assert list(roster.row) == [4, 6]
    assert [(p.row, p.column) for p in problems] == [(6, "信用风险等级")]


def test_blank_rows_are_skipped_silently(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [row(uscc(1)), [None] * len(HEADER), [" ", "\u3000", *[None] * 10], row(uscc(2))]
    roster, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", rows))
    assert problems == [] and list(roster.row) == [2, 5]


def test_a_row_with_only_an_unknown_column_filled_is_not_blank(tmp_path: Path) -> None:
    header = [*HEADER, "备注"]
    rows: list[list[Cell]] = [[*row(uscc(1)), None], [*[None] * len(HEADER), "见附件"]]
    _, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", rows, header=header))
    assert {p.message for p in problems} == {"统一社会信用代码为空", "企业名称为空", "信用风险等级为空"}
    assert {p.row for p in problems} == {3}


def test_a_missing_column_suggests_the_closest_header(tmp_path: Path) -> None:
    header = ["统一信用编码", "企业名称", "信用风险级别"]
    problems = raised(
        lambda: read_enterprises(workbook(tmp_path / "e.xlsx", [[uscc(1), "甲", "A"]], header=header))
    )
    assert [p.row for p in problems] == [1, 1]
    assert "缺少必填列“统一社会信用代码”" in problems[0].message and "“统一信用编码”" in problems[0].hint
    assert "缺少必填列“信用风险等级”" in problems[1].message and "“信用风险级别”" in problems[1].hint


def test_a_missing_column_without_a_lookalike_lists_the_accepted_names(tmp_path: Path) -> None:
    header = ["统一社会信用代码", "企业名称", "备注"]
    [problem] = raised(
        lambda: read_enterprises(workbook(tmp_path / "e.xlsx", [[uscc(1), "甲", ""]], header=header))
    )
    assert "信用风险等级" in problem.message and "风险等级" in problem.hint


def test_an_empty_roster_is_an_input_error(tmp_path: Path) -> None:
    [problem] = raised(lambda: read_enterprises(workbook(tmp_path / "e.xlsx", [[None] * len(HEADER)])))
    assert "没有数据行" in problem.message and problem.row == 1


def test_too_many_problems_in_one_column_are_summarised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(problems_module, "PROBLEMS_PER_COLUMN", 2)
    rows = [row(uscc(i), cls="?") for i in range(5)]
    _, _, problems = read_enterprises(workbook(tmp_path / "e.xlsx", rows))
    assert [p.row for p in problems] == [2, 3, None]
    assert "另有 3 行" in problems[2].message and problems[2].severity == "error"


def test_progress_is_reported_in_stages_that_add_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(enterprises_module, "CHUNK_ROWS", 2)
    calls: list[tuple[str, Any]] = []

    class Recorder:
        def stage(self, label: str, total: int | None = None) -> None:
            calls.append(("stage", (label, total)))

        def advance(self, amount: int = 1) -> None:
            calls.append(("advance", amount))

        def finish(self) -> None:
            calls.append(("finish", None))

    read_enterprises(workbook(tmp_path / "e.xlsx", [row(uscc(i)) for i in range(7)]), reporter=Recorder())
    assert calls[0] == ("stage", ("读取企业名录", None)) and calls[1] == ("stage", ("检查企业名录", 7))
    advances = [amount for kind, amount in calls[2:] if kind == "advance"]
    assert len(advances) > 3 and sum(advances) == 7 and all(a > 0 for a in advances)


# ---------------------------------------------------------------------------------------------- files


def test_an_xls_file_is_refused_with_advice_to_save_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "名录.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    [problem] = raised(lambda: read_enterprises(path))
    assert "旧版 Excel" in problem.message and "另存为" in problem.hint and ".xlsx" in problem.hint
    assert problem.file == "名录.xls"


def test_an_unsupported_extension_lists_the_supported_ones(tmp_path: Path) -> None:
    path = tmp_path / "名录.ods"
    path.write_bytes(b"x")
    [problem] = raised(lambda: read_inspectors(path))
    assert ".ods" in problem.message and all(s in problem.hint for s in (".xlsx", ".xlsm", ".csv"))


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    [problem] = raised(lambda: read_enterprises(tmp_path / "nowhere.xlsx"))
    assert "文件不存在" in problem.message and problem.file == "nowhere.xlsx"


@pytest.mark.parametrize(
    "content", [bytes(range(256)) * 8, b"PK\x03\x04" + b"\x00" * 500, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]
)
def test_a_file_that_is_not_a_workbook_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    [problem] = raised(lambda: read_enterprises(path))
    assert problem.file == "x.xlsx" and (
        "不是有效的 Excel 工作簿" in problem.message or "密码" in problem.message
    )
    assert "另存为" in problem.hint


def test_sheets_are_chosen_by_name_and_an_unknown_one_lists_the_sheets(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    write_workbook(
        path, [Sheet("说明", ["填表说明"], [["请勿修改表头"]]), Sheet("名录", HEADER, [row(uscc(1))])]
    )
    roster, file, _ = read_enterprises(path, sheet="名录")
    assert list(roster.key) == [uscc(1)] and file.sheet == "名录"
    # Without --sheet, the one visible sheet whose first rows hold the header is read, and said so.
    roster, file, problems = read_enterprises(path)
    assert list(roster.key) == [uscc(1)] and file.sheet == "名录"
    assert [p.severity for p in problems] == ["warning"] and "“名录”" in problems[0].message
    write_workbook(path, [Sheet("说明", ["填表说明"], [["请勿修改表头"]]), Sheet("附表", ["备注"], [["无"]])])
    first = raised(lambda: read_enterprises(path))  # no sheet has the header: the first visible one is named
    assert first[0].sheet == "说明" and "--sheet" in first[0].hint and "“附表”" in first[0].hint
    write_workbook(
        path, [Sheet("说明", ["填表说明"], [["请勿修改表头"]]), Sheet("名录", HEADER, [row(uscc(1))])]
    )
    [problem] = raised(lambda: read_enterprises(path, sheet="企业"))
    assert (
        "找不到工作表“企业”" in problem.message
        and "“说明”、“名录”" in problem.hint
        and "--sheet" in problem.hint
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(tmp_path: Path, encoding: str) -> None:
    text = (
        "统一社会信用代码,企业名称,信用风险等级,所属区域\r\n"
        f"{uscc(1)},贵阳（甲）店,低风险,云岩区\r\n"
        ",,,\r\n"
        f'052010200012345,"乙,丙公司",Z,南明区\r\n'
    )
    path = tmp_path / "e.csv"
    path.write_bytes(text.encode(encoding))
    roster, file, problems = read_enterprises(path)
    assert list(roster.key) == [uscc(1), "052010200012345"]
    assert list(roster.name) == ["贵阳（甲）店", "乙,丙公司"]
    assert list(roster.credit_class) == ["A", ""] and list(roster.row) == [2, 4]
    assert [(p.row, p.column, p.sheet) for p in problems] == [(4, "信用风险等级", "")]
    assert file.sheet == "" and file.rows == 2


def test_a_ragged_csv_still_reads_with_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        f"名录\n\n统一社会信用代码,企业名称,信用风险等级\n{uscc(1)},甲\n{uscc(2)},乙,B,多余\n",
        encoding="utf-8",
    )
    roster, _, problems = read_enterprises(path)
    assert list(roster.row) == [4, 5]
    assert [(p.row, p.message) for p in problems] == [(4, "信用风险等级为空")]


def test_reading_never_imports_pandas(tmp_path: Path) -> None:
    path = workbook(tmp_path / "e.xlsx", [row(uscc(1), 最近检查日期="2025-01-01"), row(uscc(1), "（乙）")])
    code = (
        "import sys; from pathlib import Path; from shuangsuiji.io.readers import read_enterprises; "
        f"r, f, p = read_enterprises(Path({str(path)!r})); assert len(r) == 2 and len(p) == 1; "
        "assert 'pandas' not in sys.modules, 'pandas was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------- small tables


def test_inspectors_are_read_and_checked(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        ["P001", "刘平", "食品科", "5201", date(2031, 8, 5), "餐饮服务、食品销售, 特种设备；药品", "云岩区",
         "在岗", 8, "52011119920720900x", "139"],
        ["P002", "王鹏", "", "", None, "", "", "休假", None, "", ""],
        ["P001", "重复", "食品科", "", "2030-01-01", "", "", "", "很多", "", ""],
        ["P|3", "", "食品科", "", "下个月", "", "", "", -1, "", ""],
    ]  # fmt: skip
    people, file, problems = read_inspectors(workbook(tmp_path / "i.xlsx", rows, header=INSPECTOR_HEADER))
    first = people[0]
    assert (first.id, first.name, first.department, first.certificate, first.certificate_expiry) == (
        "P001", "刘平", "食品科", "5201", date(2031, 8, 5))  # fmt: skip
    assert first.specialties == {"餐饮服务", "食品销售", "特种设备", "药品"}
    assert (first.max_tasks, first.row, first.on_duty, first.id_card, first.phone) == (
        8,
        2,
        True,
        "52011119920720900x",
        "139",
    )
    assert (people[1].on_duty, people[1].max_tasks, people[1].certificate_expiry) == (False, None, None)
    assert file.kind == "inspectors" and file.rows == 4
    found = [(p.row, p.column, p.severity) for p in problems]
    assert found == [
        (3, "所属部门", "warning"),
        (4, "人员编号", "error"), (4, "任务上限", "error"),
        (5, "人员编号", "error"), (5, "执法证有效期至", "error"), (5, "任务上限", "error"),
        (5, "姓名", "error"),
    ]  # fmt: skip
    assert "第 2 行" in problems[1].message and "竖线" in problems[3].message


def test_inspector_aliases(tmp_path: Path) -> None:
    header = [
        "工号",
        "执法人员姓名",
        "科室",
        "执法证件号",
        "证件有效期至",
        "专长",
        "执法区域",
        "岗位状态",
        "手机",
    ]
    rows: list[list[Cell]] = [["7", "赵六", "稽查局", "Z7", "2030/12/31", "广告", "花溪区", "在岗", "137"]]
    [person], _, problems = read_inspectors(workbook(tmp_path / "i.xlsx", rows, header=header))
    assert problems == []
    assert (person.id, person.name, person.department, person.certificate, person.certificate_expiry) == (
        "7", "赵六", "稽查局", "Z7", date(2030, 12, 31))  # fmt: skip
    assert (person.specialties, person.district, person.status, person.phone) == (
        {"广告"},
        "花溪区",
        "在岗",
        "137",
    )


def test_recusals_are_read_and_a_bad_code_is_an_error(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [["P001", uscc(1).lower(), "近亲属任职"], ["P002", "123", ""], ["", uscc(2), ""]]
    recusals, file, problems = read_recusals(
        workbook(tmp_path / "c.xlsx", rows, header=["编号", "信用代码", "原因"])
    )
    assert recusals[0].inspector_id == "P001" and recusals[0].enterprise_key == uscc(1)
    assert recusals[0].reason == "近亲属任职" and recusals[0].row == 2
    assert file.kind == "conflicts" and file.rows == 3
    assert [(p.row, p.column, p.severity) for p in problems] == [
        (3, "信用代码", "error"),
        (4, "编号", "error"),
    ]


def test_history_is_read_and_rows_without_a_date_are_dropped(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        [uscc(1), date(2025, 6, 1), "P001"],
        [uscc(2), "2025年7月1日", None],
        ["123", "2025-01-01", "P002"],
        [uscc(3), "", "P003"],
        [uscc(4), "昨天", ""],
    ]
    entries, file, problems = read_history(
        workbook(tmp_path / "h.xlsx", rows, header=["统一社会信用代码", "检查日期", "人员编号"])
    )
    assert [(e.enterprise_key, e.inspected_on, e.inspector_id, e.row) for e in entries] == [
        (uscc(1), date(2025, 6, 1), "P001", 2), (uscc(2), date(2025, 7, 1), "", 3),
        ("123", date(2025, 1, 1), "P002", 4),
    ]  # fmt: skip
    assert file.kind == "history" and file.rows == 5
    assert [(p.row, p.column, p.severity) for p in problems] == [
        (4, "统一社会信用代码", "warning"), (5, "检查日期", "error"), (6, "检查日期", "error"),
    ]  # fmt: skip


def test_sample_data_reads_without_problems_and_looks_like_real_exports() -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_data"
    roster, file, problems = read_enterprises(sample / "enterprises.xlsx")
    # The one note: last year's roster sits in a hidden first sheet, and is not read.
    assert [(p.severity, p.message) for p in problems] == [
        ("warning", "读取的是工作表“检查对象名录库”；隐藏的工作表“2025年名录（旧）”没有读取")
    ]
    assert file.sheet == "检查对象名录库" and len(roster) > 100 and set(roster.credit_class) <= set("ABCD")
    keys = list(roster.key)
    assert sum(key.isdigit() and len(key) == 18 for key in keys) > 20  # old-style, all-digit codes
    assert sum(len(key) == 15 for key in keys) > 20  # 注册号 from its own column
    statuses = set(roster.status)
    assert {"存续(在营、开业、在册)", "在业", "开业", "吊销,未注销"} <= statuses  # as cleaned (NFKC)
    raw = roster_sheet(sample / "enterprises.xlsx")
    typed = [str(row[0]) for row in raw.iter_rows(min_row=2, values_only=True) if row[0]]
    assert any(code != code.upper() for code in typed) and any(not code.isascii() for code in typed)
    people, _, problems = read_inspectors(sample / "inspectors.xlsx")
    assert problems == [] and len(people) > 10
    recusals, _, problems = read_recusals(sample / "conflicts.xlsx")
    assert (
        problems == [] and len(recusals) > 0 and {r.inspector_id for r in recusals} <= {p.id for p in people}
    )
    typed_ids = [
        str(row[0]) for row in roster_sheet(sample / "conflicts.xlsx").iter_rows(min_row=2, values_only=True)
    ]
    assert any(person != person.upper() for person in typed_ids)  # lower-case ids, matched all the same
    history, _, problems = read_history(sample / "history.xlsx")
    assert problems == [] and len(history) > 0


def test_header_tokens_ignore_spaces_brackets_and_marks() -> None:
    assert header.header_token(" 企业（单位）\n名称 ") == header.header_token("企业(单位)名称")
    assert header.header_token("*统一社会信用代码(必填)") == header.header_token("统一社会信用代码")
    assert header.header_token("tyxydm") == "TYXYDM"
