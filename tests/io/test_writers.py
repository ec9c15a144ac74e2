"""The disclosure guard, the workbook helpers and the archived inputs (staging: test_staging.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shuangsuiji.errors import OutputError
from shuangsuiji.io.writers import DISCLOSURE_COLUMNS, check_public


def row(name: str = "贵阳某餐饮有限公司", key: str = "91520102MA6DR7UX8D") -> list[object]:
    values: list[object] = ["x"] * len(DISCLOSURE_COLUMNS)
    values[DISCLOSURE_COLUMNS.index("市场主体名称")] = name
    values[DISCLOSURE_COLUMNS.index("统一社会信用代码/注册号")] = key
    return values


def test_a_clean_disclosure_passes() -> None:
    check_public([row(), row("南明区王兵小吃店", "520102000123456")], DISCLOSURE_COLUMNS)


@pytest.mark.parametrize("name", ["张三 13812345678", "店主身份证520102199001011234", "52010219900101123X"])
def test_private_numbers_are_refused(name: str) -> None:
    with pytest.raises(OutputError) as caught:
        check_public([row(), row(name)], DISCLOSURE_COLUMNS)
    assert "第 3 行" in str(caught.value) and "市场主体名称" in str(caught.value)


def test_extra_columns_are_refused() -> None:
    with pytest.raises(OutputError):
        check_public([[*row(), "13812345678"]], (*DISCLOSURE_COLUMNS, "联系电话"))


def test_failed_helper_is_reported_and_an_abandoned_one_is_stopped(tmp_path: Path) -> None:
    from shuangsuiji.io.helper import WorkbookHelper
    from shuangsuiji.io.xlsx import Sheet

    missing = tmp_path / "no-such-folder" / "a.xlsx"
    helper = WorkbookHelper()
    helper.begin(missing, 2, "t")
    helper.add(0, Sheet("表", ["甲"], [["1"]]))
    helper.add(1, Sheet("说明", ["项目"], [["x"]]))
    with pytest.raises(OutputError) as caught:
        helper.wait()
    assert "a.xlsx" in str(caught.value)

    ok = tmp_path / "b.xlsx"
    helper = WorkbookHelper()
    helper.begin(ok, 2, "t")
    helper.add(1, Sheet("表", ["甲"], [["1"]]))
    helper.abandon()  # never sent the other sheet: must not hang
    assert helper.process.returncode is not None


def test_a_helper_writes_sheets_in_the_order_they_come(tmp_path: Path) -> None:
    import openpyxl

    from shuangsuiji.io.helper import WorkbookHelper
    from shuangsuiji.io.xlsx import Sheet, write_workbook

    sheets = [Sheet("甲", ["a"], [["1"], ["2"]]), Sheet("乙", ["b"], []), Sheet("丙", ["c"], [[3]])]
    helper = WorkbookHelper()
    helper.begin(tmp_path / "helper.xlsx", 3, "t")
    for index in (2, 0, 1):
        helper.add(index, sheets[index])
    helper.wait()
    write_workbook(tmp_path / "here.xlsx", sheets, title="t", order=(2, 0, 1))
    assert (tmp_path / "helper.xlsx").read_bytes() == (tmp_path / "here.xlsx").read_bytes()
    book = openpyxl.load_workbook(tmp_path / "helper.xlsx")
    assert book.sheetnames == ["甲", "乙", "丙"]
    assert [[c.value for c in row] for row in book["甲"].iter_rows()] == [["a"], ["1"], ["2"]]
    assert book["丙"]["A2"].value == 3


def test_inputs_are_archived_byte_for_byte_and_a_changed_one_is_refused(tmp_path: Path) -> None:
    import hashlib

    from shuangsuiji.io.writers import archive_inputs
    from shuangsuiji.model import InputFile

    source = tmp_path / "名录.xlsx"
    source.write_bytes(b"roster bytes")
    good = InputFile("enterprises", str(source), hashlib.sha256(b"roster bytes").hexdigest(), 1)
    (tmp_path / "a").mkdir()
    archive_inputs(tmp_path / "a", [good])
    assert (tmp_path / "a" / "inputs" / "enterprises.xlsx").read_bytes() == b"roster bytes"
    stale = InputFile("enterprises", str(source), hashlib.sha256(b"what was read earlier").hexdigest(), 1)
    (tmp_path / "b").mkdir()
    with pytest.raises(OutputError, match="被改动"):
        archive_inputs(tmp_path / "b", [stale])
