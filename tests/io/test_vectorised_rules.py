"""The vectorised shortcuts of the columnar readers are the scalar rules they stand for: each one is
compared with its rule (the regex, core/ids.py, key_problem) on random and adversarial values, and
exhaustively over the characters its byte tables claim."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core.ids import USCC_ALPHABET, key_problem, normalize_key, uscc_check_char
from shuangsuiji.io.readers import arrow as arrow_module
from shuangsuiji.io.readers import columnar, problems
from shuangsuiji.io.readers import keys as keys_module
from shuangsuiji.io.readers import text as text_module
from shuangsuiji.io.readers.arrow import NOT_BLANK, matches, not_blank
from shuangsuiji.io.readers.columnar import normalise_roster
from shuangsuiji.io.readers.text import TIDY_MAY_CHANGE, tidy_may_change

# Every character str.isspace() knows, the invisible ones, full-width forms, CJK, ASCII.
SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
TRICKY = SPACES + INVISIBLE + "aZ9-|（）()、《》贵阳ＡＢ１·\x00\x7f\x85é\u4000\u9fff\U00020000"
values = st.lists(st.one_of(st.none(), st.text(st.sampled_from(TRICKY), max_size=6)), max_size=30)


def strings(items: list[str | None], large: bool = False) -> Any:
    return pa.array(items, pa.large_string() if large else pa.string())


@settings(max_examples=400, deadline=None)
@given(values, st.booleans(), st.integers(0, 3))
def test_not_blank_is_the_regex(items: list[str | None], large: bool, offset: int) -> None:
    array = strings(items, large).slice(min(offset, len(items)))  # a slice: offsets not from 0
    assert not_blank(array).tolist() == matches(array, NOT_BLANK).tolist()


def test_every_character_with_a_surely_not_blank_first_byte_is_not_blank() -> None:
    chars = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if not 0xD800 <= c < 0xE000 and arrow_module._SURELY_NOT_BLANK[chr(c).encode()[0]]
    ]
    assert len(chars) > 20_000  # printable ASCII and U+4000–U+9FFF
    found = matches(pa.array(chars, pa.string()), NOT_BLANK)
    assert [c for c, ok in zip(chars, found.tolist(), strict=True) if not ok] == []


@settings(max_examples=400, deadline=None)
@given(values, st.booleans(), st.integers(0, 3))
def test_tidy_may_change_is_the_regex(items: list[str | None], large: bool, offset: int) -> None:
    array = strings(items, large).slice(min(offset, len(items)))
    assert tidy_may_change(array).tolist() == matches(array, TIDY_MAY_CHANGE).tolist()


def test_tidy_may_change_is_the_regex_for_every_ascii_character_at_each_place() -> None:
    items = [v for c in map(chr, range(128)) for v in (c, f"a{c}", f"{c}a", f"a{c}a", f"{c}{c}")]
    array = pa.array(items, pa.string())
    assert text_module.ASCII_SPACE.sum() == len([c for c in map(chr, range(128)) if c.isspace()])
    assert tidy_may_change(array).tolist() == matches(array, TIDY_MAY_CHANGE).tolist()


def test_tidy_may_change_is_the_regex_for_every_character_at_each_place() -> None:
    """Every code point alone, at either end and inside, beside ASCII and beside CJK: the byte tables
    of tidy_may_change miss no value the regex flags."""
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    for forms in ("{}", "a{}", "{}a", "中{}", "{}中", "中{}中"):
        array = pa.array([forms.format(c) for c in chars], pa.string())
        expected = matches(array, TIDY_MAY_CHANGE)
        assert expected.sum() > 20 if forms != "中{}中" else expected.sum() == len(INVISIBLE)
        assert (tidy_may_change(array) == expected).all(), forms


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(st.sampled_from(TRICKY), max_size=4)), min_size=1, max_size=8),
    st.lists(st.one_of(st.none(), st.integers(0, 20)), max_size=30),
)
def test_matches_on_a_dictionary_is_matches_on_its_values(
    dictionary: list[str | None], picks: list[int | None]
) -> None:
    """Duplicate, unused and null dictionary entries, and null indices."""
    indices = pa.array([None if p is None else p % len(dictionary) for p in picks], pa.int32())
    coded = pa.DictionaryArray.from_arrays(indices, pa.array(dictionary, pa.string()))
    for pattern in (NOT_BLANK, TIDY_MAY_CHANGE):
        assert matches(coded, pattern).tolist() == matches(coded.cast(pa.string()), pattern).tolist()


def _typed_columns(seed: int) -> list[Any]:
    """Columns of each type a Parquet roster may hold for a coded field."""
    import random

    pick = random.Random(seed)
    days = [
        None if pick.random() < 0.2 else dt.date(1990, 1, 1) + dt.timedelta(pick.randrange(20000))
        for _ in range(50)
    ]
    stamps = [
        None if d is None else dt.datetime(d.year, d.month, d.day, pick.randrange(24), tzinfo=dt.UTC)
        for d in days
    ]
    words = [pick.choice([None, "", " A ", "低风险", "是", "\u3000"]) for _ in range(50)]  # fmt: skip
    return [
        pa.array(days, pa.date32()),
        pa.array(stamps, pa.timestamp("s", tz="Asia/Shanghai")),
        pa.array(stamps, pa.timestamp("ms")),
        pa.array([None if d is None else d.day % 2 == 0 for d in days], pa.bool_()),
        pa.array([None if d is None else d.toordinal() for d in days], pa.int64()),
        pa.array(words, pa.string()),
        pa.array(words, pa.large_string()),
        pa.array(words, pa.string()).dictionary_encode(),
    ]


@pytest.mark.parametrize("seed", range(3))
def test_a_coded_column_converts_per_distinct_value_as_it_does_per_row(seed: int) -> None:
    for column in _typed_columns(seed):
        once = columnar._coded_as_text(Path("x.parquet"), "最近检查日期", column)
        assert pa.types.is_dictionary(once.type)
        per_row = columnar._as_text(Path("x.parquet"), "最近检查日期", column)
        assert once.cast(pa.string()).to_pylist() == per_row.to_pylist(), column.type


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1, 9), min_size=1, max_size=8),
    st.lists(st.integers(1, 12), min_size=1, max_size=10),
    st.data(),
)
def test_rebatched_dictionaries_hand_out_exactly_the_rows_asked_for(
    groups: list[int], asks: list[int], data: st.DataObject
) -> None:
    rows = sum(groups)
    words = [data.draw(st.sampled_from(["甲", "乙", None, ""])) for _ in range(rows)]
    table = pa.table({"w": pa.array(words, pa.string())})
    path = Path(data.draw(st.just("/tmp"))) / f"rebatched-{id(groups)}.parquet"
    writer = pq.ParquetWriter(path, table.schema)
    start = 0
    for size in groups:  # one row group per entry of `groups`
        writer.write_table(table.slice(start, size))
        start += size
    writer.close()
    try:
        source = columnar._Rebatched(pq.ParquetFile(path, read_dictionary=["w"]), ["w"])
        start = 0
        for ask in asks:
            ask = min(ask, rows - start)
            if ask == 0:
                break
            got = source.take(ask)["w"]
            assert pa.types.is_dictionary(got.type)
            assert got.cast(pa.string()).to_pylist() == words[start : start + ask]
            start += ask
    finally:
        path.unlink()


def _wide(text: str) -> str:
    return text.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            # 17 characters of every kind a key may hold, then the right check character: the shape
            # rules (no I O S V Z, digits at positions 3–8) alone decide.
            st.text(st.sampled_from(USCC_ALPHABET + "IOSVZ"), min_size=17, max_size=17).map(
                lambda first: first + uscc_check_char(first.translate(str.maketrans("IOSVZ", "10587")))
            ),
            st.text(st.sampled_from(USCC_ALPHABET), min_size=17, max_size=17).map(
                lambda first: first + uscc_check_char(first)
            ),
            st.text(st.sampled_from("0123456789"), min_size=15, max_size=15),
            st.text(st.sampled_from(USCC_ALPHABET + "a９ |\u3000"), min_size=15, max_size=18),
        ).flatmap(lambda key: st.sampled_from([key, key.lower(), _wide(key), f" {key}"])),
        max_size=40,
    )
)
def test_the_key_scan_is_key_problem_on_adversarial_keys(keys: list[str]) -> None:
    ok, fingerprints = keys_module.scan_keys(pa.array(keys, pa.string()))
    expected = [key == normalize_key(key) and key_problem(key) is None for key in keys]
    assert ok.tolist() == expected
    valid = [k for k, passed in zip(keys, expected, strict=True) if passed]
    assert fingerprints.tolist() == [keys_module.key_fingerprint(k) for k in valid]


def test_batches_across_row_groups_list_the_problems_of_batch_rows_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coded columns come as Parquet dictionaries, a row group at a time; batches must still be
    BATCH_ROWS rows, or the per-column limit would list other rows' problems. Row groups of 7 rows
    give what row groups of BATCH_ROWS rows give (there the two readers' batches coincide)."""
    monkeypatch.setattr(columnar, "BATCH_ROWS", 10)
    monkeypatch.setattr(problems, "PROBLEMS_PER_COLUMN", 6)
    good = [f"91520100{i:09d}" for i in range(70)]
    keys = [k + uscc_check_char(k) for k in good]
    rows = {
        "统一社会信用代码": [k.lower() if i % 9 == 0 else k for i, k in enumerate(keys)],
        # blank names and names with a mobile number, both counted against the name column's limit
        "企业名称": [
            "" if i % 4 == 0 else f"店13800138{i:03d}" if i % 5 == 0 else f"店{i}" for i in range(70)
        ],
        "信用风险等级": [["A", "低风险", "E", " B ", None, "未知"][i % 6] for i in range(70)],
        "所属区域": [["西湖区", "西 湖 区", None][i % 3] for i in range(70)],
        "经营状态": [["在业", "注销", ""][i % 3] for i in range(70)],
        "最近检查日期": [["2025-01-02", "abc", "", "2025-02-30"][i % 4] for i in range(70)],
        "重点检查": [["是", "x", None][i % 3] for i in range(70)],
    }
    table = pa.table({name: pa.array(column, pa.string()) for name, column in rows.items()})
    found = []
    for group in (10, 7, 70):
        pq.write_table(table, tmp_path / f"{group}.parquet", row_group_size=group)
        found.append(normalise_roster(tmp_path / f"{group}.parquet"))
    assert found[0].table is not None
    listed = [(p.code, p.row, p.column, p.message) for p in found[0].problems]
    for other in found[1:]:
        assert other.table is not None and other.table.equals(found[0].table)
        assert [(p.code, p.row, p.column, p.message) for p in other.problems] == listed
    assert ("personal-data", 7, "企业名称") in [(c, r, col) for c, r, col, _ in listed]
    assert any(code == "more-in-column" for code, *_ in listed)
    assert pc.sum(pc.equal(found[0].table.column("credit_class"), "A")).as_py() > 0
