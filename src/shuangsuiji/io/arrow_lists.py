"""A selection's long lists kept in Arrow, from the engine to the record and the workbooks.

A province draw excludes millions of enterprises (8.5M of 50M rows). As Python objects they cost
about 300 bytes a row, again as the record's dicts and again as their JSON bytes: 13.4 GB at the
peak of a 50M draw. Here they stay Arrow columns: `ArrowExclusions` is the core's `Exclusions` read
off an Arrow table, and it encodes the record's items a million rows at a time with Arrow's string
kernels, never holding one Python object per row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.model import Exclusions
from ..core.record import ColumnList
from .readers.arrow import ArrowValues, arrow_indices

if TYPE_CHECKING:
    Column = pa.Array[Any]
else:
    Column = pa.Array

CHUNK_ROWS = 1 << 20  # rows encoded at once: ~100 MB of item text, whatever the list's length
_CONTROL = r"[\x00-\x1f]"  # what JSON escapes besides quote and backslash


def _single(column: pa.ChunkedArray[Any] | Column) -> Column:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


class ArrowExclusions(Exclusions):
    """Exclusions read off an Arrow table with columns positions, enterprise_key, code, reason, name."""

    table: pa.Table

    def __init__(self, table: pa.Table) -> None:
        # Chunks as DuckDB gave them: combining them copied every column (0.3 s at 10M rows).
        columns = {name: ArrowValues[Any](table.column(name)) for name in _FIELDS}
        super().__init__(**columns)
        object.__setattr__(self, "table", table)

    def take(self, positions: Sequence[int]) -> ArrowExclusions:
        indices = arrow_indices(np.asarray(positions, dtype=np.int64))
        return ArrowExclusions(self.table.take(indices))

    def canonical_items(self, keys: Mapping[str, str]) -> CanonicalItems:
        """Each row as the canonical JSON of the flat object {key: the row's `keys[key]` column}
        (text values): what record.canonical_json gives for each, without a Python object per row."""
        return CanonicalItems({key: self.table.column(column) for key, column in keys.items()})


_FIELDS = tuple(f.name for f in fields(Exclusions))  # the columns, as the core declares them


class CanonicalItems:
    """Rows of text columns as canonical JSON objects (keys sorted, no spaces, UTF-8 as is),
    encoded a chunk at a time whenever they are joined: a list is hashed and written more than once
    but never held whole."""

    def __init__(self, columns: Mapping[str, Column | pa.ChunkedArray[Any]]) -> None:
        self.columns = dict(sorted(columns.items()))
        self.rows = len(next(iter(self.columns.values()))) if self.columns else 0

    def __len__(self) -> int:
        return self.rows

    def _chunk(self, start: int) -> Column:
        # The pieces between values: {"a":"  ","b":"  "}  (keys are canonical JSON strings too)
        parts: list[Any] = []
        for number, (key, column) in enumerate(self.columns.items()):
            prefix = ("{" if number == 0 else '",') + json.dumps(key, ensure_ascii=False) + ':"'
            parts += [pa.scalar(prefix), _json_text(_single(column.slice(start, CHUNK_ROWS)))]
        parts += [pa.scalar('"}'), pa.scalar("")]  # the last argument is the separator
        items: Column = pc.binary_join_element_wise(*parts)
        return items

    def joined(self, separator: bytes) -> Iterator[bytes]:
        """The items joined by `separator`, in pieces of up to CHUNK_ROWS items."""
        text = separator.decode("utf-8")
        for number, start in enumerate(range(0, self.rows, CHUNK_ROWS)):
            items = self._chunk(start)
            whole = pa.ListArray.from_arrays(pa.array([0, len(items)], pa.int32()), items)
            piece: Any = pc.binary_join(whole, pa.scalar(text))
            if number:
                yield separator  # apart: gluing it on would copy the ~100 MB piece
            yield piece[0].as_buffer().to_pybytes()


def _json_text(values: Column) -> Column:
    """Each value escaped as inside a JSON string (json's encode_basestring, less the quotes)."""
    if values.null_count:
        raise ValueError("a record list's text column has nulls")
    if pa.types.is_dictionary(values.type):  # the few distinct values escaped once
        coded = cast("pa.DictionaryArray[Any, Any]", values)
        return _json_text(coded.dictionary).take(coded.indices)
    if pc.any(pc.match_substring_regex(values, _CONTROL)).as_py():  # rare: let json do it
        return pa.array([json.dumps(v, ensure_ascii=False)[1:-1] for v in values.to_pylist()], pa.string())
    escaped = pc.replace_substring(values, "\\", "\\\\")
    return pc.replace_substring(escaped, '"', '\\"')


def column_list(table: pa.Table) -> ColumnList:
    """A table of text columns as a record list of flat objects (a split record's `excluded` file)."""
    arrays = {name: table.column(name) for name in table.column_names}
    return ColumnList(
        {name: ArrowValues[str](a) for name, a in arrays.items()}, lambda: CanonicalItems(arrays)
    )
