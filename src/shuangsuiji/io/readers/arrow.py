"""numpy ↔ Arrow without pandas: the buffers of an Arrow column handed to numpy and back.

`Array.to_numpy()`, `pa.array(numpy)` and compute calls given a Python scalar all import pandas
(about half a second); only raw buffers cross here. Nothing from Arrow or numpy leaves the readers
package, but for the free-text columns kept behind `text.TextColumn`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    Column: TypeAlias = pa.Array[Any]  # a column as read: text, null for an empty cell
else:
    Column = pa.Array

# A character that is not white space or invisible: a cell without one is blank.
NOT_BLANK = (
    r"[^\s\x{b}\x{1c}-\x{1f}\x{85}\x{a0}\x{ad}\x{1680}\x{2000}-\x{200d}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{2060}\x{3000}\x{feff}]"
)


# First bytes of a value that NOT_BLANK surely matches: printable ASCII but the space, and the lead
# bytes E4–E9 (U+4000–U+9FFF, CJK ideographs). Nearly every filled cell starts with one.
_SURELY_NOT_BLANK = np.zeros(256, dtype=np.bool_)
_SURELY_NOT_BLANK[0x21:0x7F] = True
_SURELY_NOT_BLANK[0xE4:0xEA] = True


def buffer(array: Column, index: int) -> memoryview:
    """One of the array's buffers (0 validity, 1 values or offsets, 2 string data) as bytes."""
    found = array.buffers()[index]
    assert found is not None
    return memoryview(found)


def bits(array: Column, index: int) -> npt.NDArray[np.bool_]:
    bits = np.unpackbits(np.frombuffer(buffer(array, index), dtype=np.uint8), bitorder="little")
    return bits[array.offset : array.offset + len(array)].astype(np.bool_)


def np_valid(array: Column) -> npt.NDArray[np.bool_]:
    """True where the array holds a value."""
    return bits(array, 0) if array.null_count else np.ones(len(array), dtype=np.bool_)


def np_true(mask: Column) -> npt.NDArray[np.bool_]:
    """A boolean Arrow array as numpy, null counted as False."""
    values = bits(mask, 1)
    return values & np_valid(mask) if mask.null_count else values


def np_ints(array: Column) -> npt.NDArray[np.int64]:
    """An int32/int64 Arrow array as numpy int64 (null slots hold arbitrary values)."""
    dtype = np.dtype(np.int32) if array.type == pa.int32() else np.dtype(np.int64)
    values = np.frombuffer(
        buffer(array, 1), dtype=dtype, count=len(array), offset=array.offset * dtype.itemsize
    )
    return values.astype(np.int64)


def np_offsets(strings: Column) -> npt.NDArray[np.int64]:
    """The len+1 offsets of a string array into its data buffer."""
    dtype = np.dtype(np.int32) if strings.type == pa.string() else np.dtype(np.int64)
    offsets = np.frombuffer(
        buffer(strings, 1), dtype=dtype, count=len(strings) + 1, offset=strings.offset * dtype.itemsize
    )
    return offsets.astype(np.int64)


def from_numpy(kind: pa.DataType, length: int, *buffers: npt.NDArray[Any] | bytes) -> Column:
    data = [pa.py_buffer(b if isinstance(b, bytes) else b.data) for b in buffers]
    return pa.Array.from_buffers(kind, length, [None, *data])


def arrow_mask(mask: npt.NDArray[np.bool_]) -> Column:
    return from_numpy(pa.bool_(), len(mask), np.packbits(mask, bitorder="little"))


def arrow_indices(indices: npt.NDArray[np.int64]) -> Column:
    return from_numpy(pa.int64(), len(indices), np.ascontiguousarray(indices, dtype=np.int64))


def arrow_strings(values: Sequence[str]) -> Column:
    """A string array from Python strings (empty strings for empty cells)."""
    encoded = [value.encode("utf-8") for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
    return from_numpy(pa.large_string(), len(encoded), offsets, b"".join(encoded))


def python_values(array: Column | pa.ChunkedArray[Any]) -> list[Any]:
    return cast(list[Any], array.to_pylist())


def dictionary_codes(array: Column) -> npt.NDArray[np.int64]:
    """A dictionary array's indices as numpy int64, 0 in null slots (which hold arbitrary values)."""
    indices = cast(Column, array.indices)  # type: ignore[attr-defined]
    if indices.type not in (pa.int32(), pa.int64()):
        indices = indices.cast(pa.int32())
    codes = np_ints(indices)
    if indices.null_count:
        codes[~np_valid(indices)] = 0
    return codes


def data_bytes(strings: Column) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    """A string array's value bytes and its len+1 offsets into them (starting at 0)."""
    offsets = np_offsets(strings)
    found = strings.buffers()[2]
    data = (
        np.frombuffer(memoryview(found), dtype=np.uint8) if found is not None else np.zeros(0, dtype=np.uint8)
    )
    return data[offsets[0] : offsets[-1]], offsets - offsets[0]


def edge_bytes(strings: Column) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """Each value's first and last byte (0 for an empty or null value), and where it has bytes."""
    data, offsets = data_bytes(strings)
    filled = (offsets[1:] > offsets[:-1]) & np_valid(strings)
    first = np.zeros(len(strings), dtype=np.uint8)
    last = np.zeros(len(strings), dtype=np.uint8)
    first[filled] = data[offsets[:-1][filled]]
    last[filled] = data[offsets[1:][filled] - 1]
    return first, last, filled


def not_blank(array: Column) -> npt.NDArray[np.bool_]:
    """matches(array, NOT_BLANK), with the regex run only where the first byte leaves it open."""
    if array.type not in (pa.string(), pa.large_string()) or not len(array):
        return matches(array, NOT_BLANK)
    first, _, filled = edge_bytes(array)
    found = filled & _SURELY_NOT_BLANK[first]
    open_ = np.flatnonzero(~found)
    if len(open_):
        found[open_] = matches(array.take(arrow_indices(open_)), NOT_BLANK)
    return found


def matches(array: Column, pattern: str) -> npt.NDArray[np.bool_]:
    """Where the text contains a match of the RE2 pattern (empty cells: False). A dictionary array
    is matched once per distinct value."""
    if pa.types.is_dictionary(array.type):
        found = matches(cast(Column, array.dictionary), pattern)  # type: ignore[attr-defined]
        if not len(found):
            return np.zeros(len(array), dtype=np.bool_)
        return found[dictionary_codes(array)] & np_valid(cast(Column, array.indices))  # type: ignore[attr-defined]
    return np_true(cast(Column, pc.match_substring_regex(array, pattern)))


T = TypeVar("T")


class ArrowValues(Sequence[T]):
    """An Arrow array read as a Python sequence: an item, a slice or a stretch at a time (a column
    of millions is never turned into Python objects all at once)."""

    def __init__(self, array: Column | pa.ChunkedArray[Any]) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            positions = np.arange(len(self.array), dtype=np.int64)[index]
            return cast(list[T], python_values(self.array.take(arrow_indices(positions))))
        if index < 0:
            index += len(self.array)
        if not 0 <= index < len(self.array):
            raise IndexError(index)
        value: T = self.array[index].as_py()
        return value

    def __iter__(self) -> Iterator[T]:
        for start in range(0, len(self.array), _ITER_ROWS):
            yield from cast(list[T], python_values(self.array.slice(start, _ITER_ROWS)))


_ITER_ROWS = 1 << 16
