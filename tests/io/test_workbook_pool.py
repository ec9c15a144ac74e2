"""A pool of helper processes writing many workbooks (io/helper.py's WorkbookPool), as a split draw
does: the same files as written in this process, a bounded number waiting, failures reported."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from shuangsuiji.core.errors import OutputError
from shuangsuiji.io.helper import WorkbookPool
from shuangsuiji.io.xlsx import Columns, Sheet, write_workbook


def _sheets(number: int) -> list[Sheet]:
    rows = Columns([f"某某局{number}-{i}" for i in range(50 * number)], list(range(50 * number)))
    return [
        Sheet("分派表", ["名称", "序号"], rows, widths=[30, 8]),
        Sheet("说明", ["项目"], [[f"第{number}册"]]),
    ]


def test_a_pool_writes_what_this_process_writes_and_keeps_few_waiting(tmp_path: Path) -> None:
    pool = WorkbookPool(2, depth=1)
    try:
        for number in range(1, 7):
            pool.write(tmp_path / f"pool-{number}.xlsx", _sheets(number), title=f"册{number}")
            waiting = [len(helper.begun) for helper in pool._helpers]
            assert max(waiting) <= 1 and sum(waiting) <= 2  # never more than size × depth
        digests = pool.finish()
    except BaseException:
        pool.abandon()
        raise
    for number in range(1, 7):
        here = write_workbook(tmp_path / f"here-{number}.xlsx", _sheets(number), title=f"册{number}")
        assert (tmp_path / f"pool-{number}.xlsx").read_bytes() == (
            tmp_path / f"here-{number}.xlsx"
        ).read_bytes()
        file = hashlib.sha256((tmp_path / f"pool-{number}.xlsx").read_bytes()).hexdigest()
        assert digests[tmp_path / f"pool-{number}.xlsx"] == (here, file)
    assert all(helper.process.returncode == 0 for helper in pool._helpers)


def test_a_failed_workbook_is_named_and_the_pool_stops(tmp_path: Path) -> None:
    pool = WorkbookPool(2, depth=1)
    with pytest.raises(OutputError, match="“b\\.xlsx”"):
        try:
            pool.write(tmp_path / "a.xlsx", _sheets(1))
            pool.write(tmp_path / "missing" / "b.xlsx", _sheets(2))
            for number in range(3, 9):  # a full pool waits for the failed helper and hears of it
                pool.write(tmp_path / f"{number}.xlsx", _sheets(number))
            pool.finish()
        except BaseException:
            pool.abandon()
            raise
    assert all(helper.process.returncode is not None for helper in pool._helpers)


def test_a_bad_sheet_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    pool = WorkbookPool(1)
    try:
        with pytest.raises(ValueError, match="重复"):
            pool.write(tmp_path / "a.xlsx", [Sheet("表", ["甲"], []), Sheet("表", ["乙"], [])])
        assert not pool._helpers[0].begun and pool.finish() == {}
    finally:
        pool.abandon()
    assert not (tmp_path / "a.xlsx").exists()
