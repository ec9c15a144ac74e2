"""The disclosure guard, the workbook helpers and the archived inputs (staging: test_staging.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.core.errors import OutputError
from shuangsuiji.core.privacy import personal_data
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


def test_an_all_digit_uscc_is_published() -> None:
    # Real, published codes (python-stdnum's test data) of the very shape of a resident ID.
    rows = [row(key=key) for key in ("911522010783710635", "913101127033980359", "121200004013590816")]
    check_public([*rows, row("某某公司（911522010783710635）")], DISCLOSURE_COLUMNS)


def test_a_resident_id_in_a_name_is_refused_masked() -> None:
    with pytest.raises(OutputError) as caught:
        check_public([row(), row(), row("王兵小吃店（店主 52010219900101123X）")], DISCLOSURE_COLUMNS)
    message = str(caught.value)
    assert "第 4 行" in message and "“市场主体名称”列" in message
    assert "疑似身份证号“5201**********123X”" in message
    assert "52010219900101123X" not in message


def test_the_first_row_with_a_finding_is_named() -> None:
    rows = [row(), row(), row("某店 138 0013 8000"), row(), row("张三 13812345678")]
    with pytest.raises(OutputError, match=r"第 4 行.*疑似手机号“138\*\*\*\*8000”"):
        check_public(rows, DISCLOSURE_COLUMNS)


@pytest.mark.parametrize("column", ["市场主体名称", "登记机关", "备注"])
@pytest.mark.parametrize(
    "phone",
    ["138 0013 8000", "138-0013-8000", "138 00138000", "1380013-8000", "＋８６　１３８－００１３－８０００"],
)
def test_a_written_out_mobile_is_refused_in_any_text_column(column: str, phone: str) -> None:
    values = row()
    values[DISCLOSURE_COLUMNS.index(column)] = f"联系电话：{phone}"
    with pytest.raises(OutputError, match=f"第 3 行“{column}”列含有疑似手机号“138\\*\\*\\*\\*8000”"):
        check_public([row(), values], DISCLOSURE_COLUMNS)


def test_a_valid_key_is_published_even_when_it_reads_as_an_id() -> None:
    # 520102199001011096 is a valid USCC and a valid resident ID: as the key it stays, in a name it goes.
    check_public([row(key="520102199001011096")], DISCLOSURE_COLUMNS)
    with pytest.raises(OutputError, match="“市场主体名称”列"):
        check_public([row(name="某店520102199001011096")], DISCLOSURE_COLUMNS)


def test_an_invalid_key_that_is_an_id_is_refused() -> None:
    with pytest.raises(OutputError, match="第 2 行“统一社会信用代码/注册号”列含有疑似身份证号"):
        check_public([row(key="52010219900101123X")], DISCLOSURE_COLUMNS)


NUMBERISH = st.text(alphabet=st.sampled_from("0123456789 -+Xx１３８０－　＋贵（"), max_size=24)
FINDABLE = st.sampled_from(
    [
        "",
        "13800138000",
        "+86 139-1234-5678",
        "８６１５０１２３４５６７８",
        "138 00138000",
        "1380013-8000",
        "52010219900101123X",
    ]
)


@given(NUMBERISH, FINDABLE, NUMBERISH)
def test_the_column_prefilter_misses_nothing(before: str, middle: str, after: str) -> None:
    # check_public clears whole columns at once: it must refuse exactly what personal_data finds.
    text = before + middle + after
    values = row()
    values[DISCLOSURE_COLUMNS.index("登记机关")] = text
    if personal_data(text) is None:
        check_public([row(), values], DISCLOSURE_COLUMNS)
    else:
        with pytest.raises(OutputError, match="第 3 行“登记机关”列"):
            check_public([row(), values], DISCLOSURE_COLUMNS)


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


def test_a_helper_that_reports_no_digest_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys
    from typing import Any

    from shuangsuiji.io import helper as helper_module
    from shuangsuiji.io.xlsx import Sheet

    real = subprocess.Popen

    def silent(args: object, **kwargs: Any) -> Any:
        # exits 0, as if it had written the workbook, but prints nothing
        return real([sys.executable, "-c", "import sys; sys.stdin.buffer.read()"], **kwargs)

    monkeypatch.setattr(helper_module.subprocess, "Popen", silent)
    helper = helper_module.WorkbookHelper()
    helper.begin(tmp_path / "a.xlsx", 1, "t")
    helper.add(0, Sheet("表", ["甲"], [["1"]]))
    with pytest.raises(OutputError, match="没有报告内容摘要"):
        helper.wait()


def test_a_helper_writes_sheets_in_the_order_they_come(tmp_path: Path) -> None:
    import openpyxl

    from shuangsuiji.io.helper import WorkbookHelper
    from shuangsuiji.io.xlsx import Sheet, content_digest, write_workbook

    sheets = [Sheet("甲", ["a"], [["1"], ["2"]]), Sheet("乙", ["b"], []), Sheet("丙", ["c"], [[3]])]
    helper = WorkbookHelper()
    helper.begin(tmp_path / "helper.xlsx", 3, "t")
    for index in (2, 0, 1):
        helper.add(index, sheets[index])
    reported = helper.wait()
    here = write_workbook(tmp_path / "here.xlsx", sheets, title="t", order=(2, 0, 1))
    assert (tmp_path / "helper.xlsx").read_bytes() == (tmp_path / "here.xlsx").read_bytes()
    assert reported == here == content_digest(tmp_path / "helper.xlsx")
    book = openpyxl.load_workbook(tmp_path / "helper.xlsx")
    assert book.sheetnames == ["甲", "乙", "丙"]
    assert [[c.value for c in row] for row in book["甲"].iter_rows()] == [["a"], ["1"], ["2"]]
    assert book["丙"]["A2"].value == 3


def test_inputs_are_archived_byte_for_byte_and_a_changed_one_is_refused(tmp_path: Path) -> None:
    import hashlib

    from shuangsuiji.core.model import InputFile
    from shuangsuiji.io.writers import archive_inputs

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
