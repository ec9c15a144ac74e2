"""The engine's exclusions kept in Arrow give the record exactly what the Python objects give."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.core.model import Exclusion, Exclusions
from shuangsuiji.core.record import (
    canonical_json,
    encode_lists,
    excluded_entries,
    join_items,
    list_items_digest,
)
from shuangsuiji.io import arrow_lists
from shuangsuiji.io.arrow_lists import ArrowExclusions

# Text a roster can hold, and what JSON must escape: quotes, backslashes, control characters,
# and characters it must not escape (non-ASCII, U+2028, DEL).
TEXT = st.text(
    alphabet=st.sampled_from(['"', "\\", "\n", "\t", "\x00", "\x1f", "\x7f", "\u2028", "a", "9", "企", "（"]),
    max_size=8,
) | st.text(max_size=12)
ROWS = st.lists(
    st.tuples(st.integers(0, 10**9), TEXT, st.sampled_from(["status", "window"]), TEXT, TEXT), max_size=40
)


def _both(
    rows: list[tuple[int, str, str, str, str]], coded: bool = False
) -> tuple[Exclusions, ArrowExclusions]:
    """The rows as the Python path's Exclusions and as the engine's (codes and reasons
    dictionary-encoded when `coded`, as the engine gives them)."""
    items = [Exclusion(*row) for row in rows]  # type: ignore[arg-type]
    columns = {
        name: pa.array([row[n] for row in rows], pa.int64() if n == 0 else pa.string())
        for n, name in enumerate(("positions", "enterprise_key", "code", "reason", "name"))
    }
    if coded:
        columns = {k: v.dictionary_encode() if k in ("code", "reason") else v for k, v in columns.items()}
    table = pa.table(columns)
    if len(rows) > 2:  # in chunks, as DuckDB hands a result over
        table = pa.concat_tables([table.slice(0, len(rows) // 3), table.slice(len(rows) // 3)])
        assert table.column("enterprise_key").num_chunks == 2
    return Exclusions.of(items), ArrowExclusions(table)


@settings(max_examples=200, deadline=None)
@given(rows=ROWS, chunk=st.sampled_from([1, 3, 1 << 20]), coded=st.booleans())
def test_arrow_exclusions_encode_as_the_objects_do(
    rows: list[tuple[int, str, str, str, str]], chunk: int, coded: bool
) -> None:
    plain, arrow = _both(rows, coded)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arrow_lists, "CHUNK_ROWS", chunk)  # chunk boundaries inside the list
        _encodes_as_the_objects_do(plain, arrow)


def _encodes_as_the_objects_do(plain: Exclusions, arrow: ArrowExclusions) -> None:
    assert arrow == plain and list(arrow) == list(plain)
    reference = [canonical_json(e) for e in excluded_entries(plain)]
    encoded = encode_lists({"excluded": excluded_entries(arrow)})["excluded"]
    assert not isinstance(encoded, list)  # the Arrow path, not a bytes object per item
    assert len(encoded) == len(reference)
    for separator in (b",", b",\n    "):
        assert b"".join(join_items(encoded, separator)) == separator.join(reference)
    assert list_items_digest(encoded) == list_items_digest(reference)


@given(ROWS, st.lists(st.integers(0, 39), max_size=10))
def test_taking_a_subset_keeps_items_and_order(
    rows: list[tuple[int, str, str, str, str]], picks: list[int]
) -> None:
    plain, arrow = _both(rows)
    positions = [p for p in picks if p < len(rows)]
    assert arrow.take(positions) == [plain[p] for p in positions]
    assert isinstance(arrow.take(positions), ArrowExclusions)
    assert arrow[1:] == plain[1:] and arrow[::-1] == list(reversed(plain))


def test_an_edited_item_is_not_equal() -> None:
    rows = [(1, "91330100MA2XXXXX1A", "status", "经营状态为“注销”", "甲公司")] * 2
    plain, arrow = _both(rows)
    edited = [*plain[:1], Exclusion(1, "91330100MA2XXXXX1A", "window", "经营状态为“注销”", "甲公司")]
    assert arrow == plain and arrow != edited and arrow != plain[:1]
    entries = excluded_entries(arrow)
    assert entries == [{"enterprise_id": r[1], "reason_code": r[2], "reason": r[3]} for r in rows]
    assert entries != [{"enterprise_id": r[1], "reason_code": "window", "reason": r[3]} for r in rows]


def test_a_null_in_a_list_column_is_refused() -> None:
    table = pa.table(
        {
            "positions": pa.array([0], pa.int64()),
            "enterprise_key": pa.array([None], pa.string()),
            **{name: pa.array(["x"], pa.string()) for name in ("code", "reason", "name")},
        }
    )
    with pytest.raises(ValueError, match="nulls"):
        list(
            join_items(encode_lists({"excluded": excluded_entries(ArrowExclusions(table))})["excluded"], b",")
        )
