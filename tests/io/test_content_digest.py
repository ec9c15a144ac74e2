"""The content digest of a workbook: what it says, whatever compressed it (io/xlsx.py's docstring)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from shuangsuiji.io import xlsx
from shuangsuiji.io.xlsx import Sheet, Workbook, content_digest, write_workbook


def sheets(name: str = "贵阳市某某餐饮有限公司") -> list[Sheet]:
    rows = [[f"{name}{i}", i, "云岩区"] for i in range(50)]
    return [
        Sheet("分派表", ["名称", "序号", "区域"], rows, widths=[30, 8, 10]),
        Sheet("说明", ["项目"], [["x"]]),
    ]


def by_definition(path: Path) -> str:
    """The documented definition, written out independently of the code under test."""
    with zipfile.ZipFile(path) as archive:
        members = sorted(
            [i.filename, hashlib.sha256(archive.read(i)).hexdigest()] for i in archive.infolist()
        )
    text = json.dumps(members, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rezip(source: Path, target: Path, compression: int, level: int | None) -> None:
    """The same members, in reverse order, with other timestamps and compression."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in reversed(old.infolist()):
            copy = zipfile.ZipInfo(info.filename, date_time=(2031, 7, 9, 12, 30, 4))
            new.writestr(copy, old.read(info), compress_type=compression, compresslevel=level)


def test_the_documented_test_vector(tmp_path: Path) -> None:
    path = tmp_path / "v.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("b.xml", b"B")
        archive.writestr("a.xml", b"A")
    assert content_digest(path) == "944203d8e8ed4f1f8c4017a405ad49e3b7a5b2770cdccc2856107d38fc59659a"


def test_the_writer_hashes_what_it_writes(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    written = write_workbook(path, sheets(), title="标题", order=(1, 0))
    assert written == content_digest(path) == by_definition(path)
    assert len(zipfile.ZipFile(path).infolist()) == 8  # every member counted: 6 fixed parts and 2 sheets


def test_no_digest_before_the_workbook_is_complete(tmp_path: Path) -> None:
    book = Workbook(tmp_path / "t.xlsx", 1)
    with pytest.raises(RuntimeError):
        book.content_digest()
    book.add(0, sheets()[0])
    book.close()
    assert book.content_digest() == content_digest(tmp_path / "t.xlsx")


@pytest.mark.parametrize(("compression", "level"), [(zipfile.ZIP_STORED, None), (zipfile.ZIP_DEFLATED, 9)])
def test_compression_timestamps_and_member_order_do_not_count(
    tmp_path: Path, compression: int, level: int | None
) -> None:
    original, other = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    written = write_workbook(original, sheets())
    rezip(original, other, compression, level)
    assert original.read_bytes() != other.read_bytes()
    assert [i.filename for i in zipfile.ZipFile(other).infolist()] != [
        i.filename for i in zipfile.ZipFile(original).infolist()
    ]
    assert content_digest(other) == content_digest(original) == written


def test_one_changed_cell_changes_the_digest(tmp_path: Path) -> None:
    changed = sheets()
    rows = [list(row) for row in changed[0].rows]
    rows[37][2] = "南明区"
    changed[0] = Sheet(changed[0].name, changed[0].header, rows, changed[0].widths)
    first = write_workbook(tmp_path / "a.xlsx", sheets())
    second = write_workbook(tmp_path / "b.xlsx", changed)
    assert first != second
    assert content_digest(tmp_path / "b.xlsx") == second


def test_what_is_not_a_sound_zip_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "not.xlsx"
    text.write_text("序号,名称\n1,某公司\n", encoding="utf-8")
    with pytest.raises(ValueError, match="不是完好的 xlsx 工作簿"):
        content_digest(text)

    good = tmp_path / "good.xlsx"
    write_workbook(good, sheets())
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[:-100])
    with pytest.raises(ValueError, match="不是完好的 xlsx 工作簿"):
        content_digest(truncated)

    stored = tmp_path / "stored.xlsx"
    rezip(good, stored, zipfile.ZIP_STORED, None)
    data = bytearray(stored.read_bytes())
    spot = data.index(b"\xe8\xb4\xb5\xe9\x98\xb3")  # 贵阳, inside the first sheet's uncompressed bytes
    data[spot] ^= 1
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="不是完好的 xlsx 工作簿"):  # its CRC no longer matches
        content_digest(damaged)


def test_duplicate_members_and_bombs_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    twice = tmp_path / "twice.zip"
    with zipfile.ZipFile(twice, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        archive.writestr("a.xml", b"A")
        archive.writestr("a.xml", b"B")
    with pytest.raises(ValueError, match="同名"):
        content_digest(twice)

    path = tmp_path / "t.xlsx"
    write_workbook(path, sheets())
    monkeypatch.setattr(xlsx, "MAX_INFLATED", 1000)
    with pytest.raises(ValueError, match="压缩炸弹"):
        content_digest(path)
