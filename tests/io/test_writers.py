"""The disclosure guard and the atomic output folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from shuangsuiji.errors import OutputError, UsageError
from shuangsuiji.io.writers import DISCLOSURE_COLUMNS, check_public, ensure_new_output_dir, staged_output


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


def test_staged_output_appears_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), staged_output(target) as folder:
        (folder / "a.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    with staged_output(target) as folder:
        (folder / "a.txt").write_text("whole", encoding="utf-8")
    assert (target / "a.txt").read_text(encoding="utf-8") == "whole"


def test_an_existing_folder_with_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("earlier draw", encoding="utf-8")
    with pytest.raises(UsageError):
        ensure_new_output_dir(tmp_path)
    ensure_new_output_dir(tmp_path / "new")  # a new or empty folder is fine


def test_output_folder_gets_ordinary_permissions(tmp_path: Path) -> None:
    import os

    with staged_output(tmp_path / "out"):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask


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


def test_folders_of_killed_draws_are_removed_but_live_ones_kept(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead = tmp_path / f".out.{finished.stdout.strip()}.abc.partial"
    alive = tmp_path / f".out.{os.getppid()}.def.partial"
    other = tmp_path / ".other.1.xyz.partial"
    for folder in (dead, alive, other):
        folder.mkdir()
    with staged_output(tmp_path / "out"):
        pass
    assert not dead.exists()
    assert alive.exists() and other.exists()
