"""A Parquet/CSV roster for the engine path: the normalised roster table (in memory, or in a Parquet
file in a private scratch folder) seen as an EnterpriseRoster without a Python object per row.

The engine reads the table itself; the rest of the draw needs the drawn rows (fetched in one pass:
`records`), whole-column passes for the checks (validate.py: status words, scope values, recusal
keys) and the 登记机关 of excluded rows (split outputs). So the low-cardinality columns are kept as
their distinct values plus one small integer code per row (1–4 bytes), the row numbers as one
int64 array, and the free-text columns (key, name, address, ...) stay in the table, read batch by
batch when iterated.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from ...core.errors import Problem
from ...core.model import Enterprise, EnterpriseRoster, InputFile
from ...core.progress import Reporter
from .arrow import Column, np_ints, np_true
from .columnar import normalise_roster, sheet_ignored
from .values import coded

T = TypeVar("T")
ITER_ROWS = 1 << 20  # rows turned into Python values at a time when a column is iterated
# A roster whose files hold this many bytes (about 6M rows of Parquet, 1.7M rows of CSV) is
# normalised into a scratch Parquet file: measured at 10M rows (bench/bench_province.py), the
# table in memory gave a peak of 5.9 GB, the scratch file 3.4 GB for 7% more time (58 s, 54 s).
SCRATCH_BYTES = 256 << 20
_CODED = ("credit_class", "district", "industry", "authority", "status", "last_inspected")
_STRINGS = ("key", "name", "address", "legal_rep", "phone")


@dataclass(frozen=True)
class RosterSource:
    """The normalised roster table: in memory (`table`) or in the Parquet file `parquet`."""

    table: pa.Table | None
    parquet: Path | None

    def batches(self, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        """The rows in order, a batch at a time, with only `columns`."""
        if self.table is not None:
            yield from self.table.select(list(columns)).to_batches(max_chunksize=ITER_ROWS)
            return
        assert self.parquet is not None
        yield from pq.ParquetFile(self.parquet).iter_batches(batch_size=ITER_ROWS, columns=list(columns))

    def take(self, indices: npt.NDArray[np.int64], columns: Sequence[str]) -> pa.Table:
        """The rows at `indices` (in that order), with only `columns`: from Parquet, one pass over
        the row groups that hold any of them (never the whole file in memory)."""
        if self.table is not None:
            return self.table.select(list(columns)).take(pa.array(indices, pa.int64()))
        assert self.parquet is not None
        source = pq.ParquetFile(self.parquet)
        sizes = [source.metadata.row_group(g).num_rows for g in range(source.num_row_groups)]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        order = np.argsort(indices, kind="stable")
        ordered = indices[order]
        parts = []
        for group in range(len(sizes)):
            low, high = np.searchsorted(ordered, starts[group : group + 2])
            if high > low:
                chunk = source.read_row_group(group, columns=list(columns))
                parts.append(chunk.take(pa.array(ordered[low:high] - starts[group], pa.int64())))
        if not parts:
            return pa.table({c: pa.array([], source.schema_arrow.field(c).type) for c in columns})
        taken = pa.concat_tables(parts)
        back = np.empty_like(order)
        back[order] = np.arange(len(order))
        return taken.take(pa.array(back, pa.int64()))

    def engine_input(self) -> pa.Table | list[Path]:
        """What io/engine.select_in_duckdb reads."""
        if self.table is not None:
            return self.table
        assert self.parquet is not None
        return [self.parquet]


class CodedColumn(Sequence[T], Generic[T]):
    """A low-cardinality column: its distinct values, and each row's code into them."""

    def __init__(self, values: list[T], codes: npt.NDArray[Any]) -> None:
        self._values = values
        self._objects = np.empty(len(values), dtype=object)
        self._objects[:] = values
        self._where: dict[Any, int] = {v: i for i, v in enumerate(values)}
        self._codes = codes

    def __len__(self) -> int:
        return len(self._codes)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return cast(list[T], self._objects[self._codes[index]].tolist())
        return self._values[int(self._codes[index])]

    def __iter__(self) -> Iterator[T]:
        for start in range(0, len(self._codes), ITER_ROWS):
            yield from self[start : start + ITER_ROWS]

    def __contains__(self, value: object) -> bool:
        code = self._where.get(value)
        return code is not None and bool((self._codes == code).any())

    def count(self, value: Any) -> int:
        code = self._where.get(value)
        return 0 if code is None else int(np.count_nonzero(self._codes == code))

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        code = self._where.get(value)
        found = np.flatnonzero(self._codes[start:stop] == code)
        if code is None or not len(found):
            raise ValueError(f"{value!r} is not in the column")
        return start + int(found[0])


def _smallest_code_type(distinct: int) -> type[np.unsignedinteger[Any]]:
    return np.uint8 if distinct <= 1 << 8 else np.uint16 if distinct <= 1 << 16 else np.uint32


class _Coder:
    """Builds a CodedColumn batch by batch, the distinct values unified across batches. Each batch's
    codes are kept in the smallest type that holds them: six columns of int64 codes were 2.4 GB at
    50M rows, most of a province draw's peak before the selection."""

    def __init__(self) -> None:
        self.where: dict[Any, int] = {}
        self.parts: list[npt.NDArray[Any]] = []

    def add(self, chunk: Column) -> None:
        distinct, codes = coded(chunk)
        remap = np.array([self.where.setdefault(v, len(self.where)) for v in distinct], dtype=np.int64)
        small = _smallest_code_type(len(self.where))
        self.parts.append(remap.astype(small)[codes] if len(codes) else codes.astype(small))

    def column(self) -> CodedColumn[Any]:
        codes = np.empty(sum(len(part) for part in self.parts), dtype=_smallest_code_type(len(self.where)))
        start = 0
        for part in self.parts:  # filled in place: no second copy of the whole column
            codes[start : start + len(part)] = part
            start += len(part)
        self.parts.clear()
        return CodedColumn(list(self.where), codes)


class IntColumn(Sequence[int]):
    """An integer column (the source row numbers) as one numpy array."""

    def __init__(self, values: npt.NDArray[np.integer[Any]]) -> None:
        self._values = values

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return cast(list[int], self._values[index].tolist())
        return int(self._values[index])


class StringColumn(Sequence[str]):
    """A free-text column left in the table: iterated a batch at a time; a single value is read
    on demand (from Parquet: its row group, the last one kept for the next access)."""

    def __init__(self, source: RosterSource, name: str, length: int) -> None:
        self._source = source
        self._name = name
        self._length = length
        self._cached: tuple[int, int, list[str]] | None = None  # (start, stop, values)

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            wanted = np.arange(*index.indices(self._length), dtype=np.int64)
            return cast(list[str], self._source.take(wanted, [self._name]).column(0).to_pylist())
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("StringColumn index out of range")
        if self._source.table is not None:
            return cast(str, self._source.table.column(self._name)[index].as_py())
        if self._cached is None or not self._cached[0] <= index < self._cached[1]:
            self._cached = self._row_group(index)
        return self._cached[2][index - self._cached[0]]

    def _row_group(self, index: int) -> tuple[int, int, list[str]]:
        assert self._source.parquet is not None
        source = pq.ParquetFile(self._source.parquet)
        start = 0
        for group in range(source.num_row_groups):
            stop = start + source.metadata.row_group(group).num_rows
            if index < stop:
                values = source.read_row_group(group, columns=[self._name]).column(0).to_pylist()
                return start, stop, cast(list[str], values)
            start = stop
        raise IndexError("StringColumn index out of range")

    def __iter__(self) -> Iterator[str]:
        for batch in self._source.batches([self._name]):
            yield from cast(list[str], batch.column(0).to_pylist())


@dataclass(frozen=True)
class TableRoster(EnterpriseRoster):
    """An EnterpriseRoster over the normalised roster table; `source` is what the engine reads."""

    source: RosterSource

    def records(self, indices: Sequence[int]) -> list[Enterprise]:
        """The drawn rows in one pass over the table (a row-by-row get would read it again and
        again from Parquet)."""
        fields = Enterprise._fields
        table = self.source.take(np.asarray(indices, dtype=np.int64), fields)
        columns: list[Any] = [table.column(name).to_pylist() for name in fields]
        return list(itertools.starmap(Enterprise, zip(*columns, strict=True)))


def _row_numbers(numbers: npt.NDArray[np.int64]) -> npt.NDArray[np.integer[Any]]:
    """Row numbers in four bytes where they fit (a file of over four billion rows is not a roster):
    0.8 GB less for a 200M-row roster."""
    return numbers.astype(np.uint32) if not len(numbers) or numbers.max() < 1 << 32 else numbers


def table_roster(source: RosterSource, rows: int) -> TableRoster:
    """The roster over `source` (`rows` rows): one pass builds the coded columns and row numbers."""
    coders = {name: _Coder() for name in _CODED}
    flags: list[npt.NDArray[np.bool_]] = []
    numbers: list[npt.NDArray[np.integer[Any]]] = []
    for batch in source.batches([*_CODED, "must_inspect", "row"]):
        for name, coder in coders.items():
            coder.add(batch.column(name))
        flags.append(np_true(batch.column("must_inspect")))
        numbers.append(_row_numbers(np_ints(batch.column("row"))))
    fields: dict[str, Any] = {name: coder.column() for name, coder in coders.items()}
    empty = np.zeros(0, dtype=np.int64)
    fields["must_inspect"] = CodedColumn([False, True], np.concatenate([empty, *flags]).astype(np.uint8))
    fields["row"] = IntColumn(np.concatenate(numbers) if numbers else np.zeros(0, dtype=np.uint32))
    for name in _STRINGS:
        fields[name] = StringColumn(source, name, rows)
    return TableRoster(**fields, source=source)


def scratch_wanted(path: Path) -> bool:
    """Whether the roster at `path` is normalised into a Parquet file rather than kept in memory."""
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return sum(f.stat().st_size for f in files if f.is_file()) >= SCRATCH_BYTES


def read_table_enterprises(
    path: Path,
    *,
    sheet: str | None,
    columns: Mapping[str, str],
    reporter: Reporter,
    scratch: Path | None = None,
) -> tuple[TableRoster, InputFile, list[Problem]]:
    """read_enterprises for the engine path: the roster normalised into memory, or (with
    `scratch`, a private folder: the table holds phone numbers) into a Parquet file there."""
    normalised = normalise_roster(
        path,
        columns=columns,
        reporter=reporter,
        out=scratch / "roster.parquet" if scratch is not None else None,
    )
    problems = [*sheet_ignored(path, sheet), *normalised.problems]
    reporter.stage("整理名录各列", total=None)  # a pass over the table: seconds at 10M rows
    roster = table_roster(RosterSource(normalised.table, normalised.parquet), normalised.rows)
    return roster, normalised.input, problems
