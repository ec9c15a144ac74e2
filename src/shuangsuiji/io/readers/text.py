"""Cleaning a text column: the rule is ids.clean_text (NFKC, invisible characters, outer spaces)
or, for text published as written, ids.tidy_text; the fast paths below only decide which values
those functions would leave alone, or apply them in Arrow where that is provably the same.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import Any, cast, overload

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ...core.ids import clean_text, tidy_text
from .arrow import (
    Column,
    arrow_indices,
    arrow_mask,
    buffer,
    data_bytes,
    edge_bytes,
    matches,
    np_offsets,
    np_true,
    np_valid,
    python_values,
)

# Bytes of a UTF-8 value that clean_text certainly leaves alone: printable ASCII (space only inside
# the value), and the lead bytes E4–E9 with their continuation bytes, i.e. U+4000–U+9FFF (CJK
# ideographs, NFKC-stable). A value made only of these is already clean; any other value (full-width
# forms, CJK punctuation, invisible characters, outer spaces) is cleaned by clean_text itself.
CLEAN_BYTE = np.zeros(256, dtype=np.bool_)
CLEAN_BYTE[0x20:0x7F] = True
CLEAN_BYTE[0x80:0xC0] = True
CLEAN_BYTE[0xE4:0xEA] = True
# Values made only of these characters are cleaned the same way by Arrow (utf8proc NFKC, then
# trimming spaces) as by clean_text: every one was assigned long before Python's Unicode version
# (NFKC of an assigned character never changes), none is invisible, and NFKC turns none of them
# into white space other than the ASCII space. Full-width forms and 、。《》 are common in names.
NFKC_SAFE_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0xAC),
    (0xAE, 0xFF),
    (0x2010, 0x2027),
    (0x3000, 0x303F),
    (0x4E00, 0x9FFF),
    (0xFF01, 0xFF5E),
    (0xFFE0, 0xFFE6),
)
NFKC_SAFE = "^[" + "".join(f"\\x{{{lo:x}}}-\\x{{{hi:x}}}" for lo, hi in NFKC_SAFE_RANGES) + "]*$"
KEY_NFKC_SAFE = r"^[\x{20}-\x{7e}\x{3000}\x{ff01}-\x{ff5e}]*$"  # becomes ASCII: upper() agrees too


def already_clean(strings: Column) -> npt.NDArray[np.bool_]:
    """True where clean_text would return the value unchanged (by the CLEAN_BYTE rule); null → False."""
    offsets = np_offsets(strings)
    data = np.frombuffer(buffer(strings, 2), dtype=np.uint8)[offsets[0] : offsets[-1]]
    offsets -= offsets[0]
    dirty = ~np_valid(strings)
    bad = np.flatnonzero(~CLEAN_BYTE[data])
    if len(bad):
        dirty[np.searchsorted(offsets, bad, side="right") - 1] = True
    filled = np.flatnonzero(offsets[1:] > offsets[:-1])
    dirty[filled] |= (data[offsets[filled]] == 0x20) | (data[offsets[filled + 1] - 1] == 0x20)
    return ~dirty


def nfkc_trimmed(strings: Column) -> Column:
    """clean_text in Arrow, exact for values made of NFKC_SAFE_RANGES characters only."""
    normalized = pc.utf8_normalize(strings, "NFKC")  # type: ignore[attr-defined]  # missing from pyarrow-stubs
    return cast(Column, pc.utf8_trim(normalized, " "))


def clean_in_arrow(strings: Column, dirty: npt.NDArray[np.int64], values: list[Any]) -> npt.NDArray[np.int64]:
    """Clean, in `values`, the dirty positions Arrow can clean exactly; return the others."""
    subset = strings.take(arrow_indices(dirty))
    safe = matches(subset, NFKC_SAFE)
    if safe.any():
        cleaned = python_values(nfkc_trimmed(subset.filter(arrow_mask(safe))))
        for i, value in zip(dirty[safe].tolist(), cleaned, strict=True):
            values[i] = value
    return dirty[~safe]


def clean_texts(strings: Column, values: list[Any]) -> list[str]:
    """A text column (`values` is its to_pylist): values that are not already clean are cleaned in
    Arrow when that is exact (full-width brackets and the like), in Python otherwise."""
    dirty = np.flatnonzero(~already_clean(strings))
    if len(dirty) > 64:
        dirty = clean_in_arrow(strings, dirty, values)
    for i in dirty.tolist():
        value = values[i]
        values[i] = clean_text(value) if value else ""
    return cast(list[str], values)


# Values tidy_text may change: an invisible character anywhere (ids._INVISIBLE), or white space as
# str.strip() sees it (str.isspace) at either end. Every other value is returned as it is.
_SPACE = (
    r"\x{9}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
)
TIDY_MAY_CHANGE = rf"^[{_SPACE}]|[{_SPACE}]$|[\x{{ad}}\x{{200b}}-\x{{200d}}\x{{2060}}\x{{feff}}]"


# White space at an end is the only thing tidy_text changes in an ASCII value (the invisible
# characters are all beyond ASCII): these are the ASCII characters of TIDY_MAY_CHANGE's classes.
ASCII_SPACE = np.zeros(256, dtype=np.bool_)
ASCII_SPACE[0x09:0x0E] = True
ASCII_SPACE[0x1C:0x21] = True


# Beyond ASCII, tidy_text changes a value only for an invisible character (C2 AD, E2 80 8B–8D,
# E2 81 A0, EF BB BF in UTF-8) anywhere, or white space at an end: C2 85, C2 A0, E1 9A 80,
# E2 80 80–8A, E2 80 A8/A9/AF, E2 81 9F, E3 80 80. These tables hold the bytes such a character
# can have at each place; a value passing none of the tests below cannot change.
_SPACE_FIRST = np.zeros(256, dtype=np.bool_)
_SPACE_FIRST[[0xC2, 0xE1, 0xE2, 0xE3]] = True
_SPACE_SECOND = np.zeros(256, dtype=np.bool_)
_SPACE_SECOND[[0x85, 0xA0, 0x9A, 0x80, 0x81]] = True
_SPACE_LAST = np.zeros(256, dtype=np.bool_)
_SPACE_LAST[[0x85, 0xA0, 0xA8, 0xA9, 0xAF, 0x9F, *range(0x80, 0x8B)]] = True
_SPACE_BEFORE_LAST = np.zeros(256, dtype=np.bool_)
_SPACE_BEFORE_LAST[[0xC2, 0x9A, 0x80, 0x81]] = True


def _invisible_at(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Where an invisible character starts in `data` (UTF-8)."""
    padded = np.concatenate([data, np.zeros(2, dtype=np.uint8)])
    lead = np.flatnonzero((data == 0xC2) | (data == 0xE2) | (data == 0xEF))
    first, second, third = padded[lead], padded[lead + 1], padded[lead + 2]
    found = (
        ((first == 0xC2) & (second == 0xAD))
        | ((first == 0xE2) & (second == 0x80) & (third >= 0x8B) & (third <= 0x8D))
        | ((first == 0xE2) & (second == 0x81) & (third == 0xA0))
        | ((first == 0xEF) & (second == 0xBB) & (third == 0xBF))
    )
    return cast(npt.NDArray[np.int64], lead[found])


def tidy_may_change(strings: Column) -> npt.NDArray[np.bool_]:
    """matches(strings, TIDY_MAY_CHANGE), with the regex run only on the values that byte tests
    leave open: an ASCII value is judged by its first and last byte; any other value only when it
    holds an invisible character or its first or last character may be white space (measured on
    1M names: 0.04 s for the byte tests against 0.22 s for the regex over every value)."""
    ascii_only = np_true(cast(Column, pc.string_is_ascii(strings)))
    first, last, _ = edge_bytes(strings)
    found = ascii_only & (ASCII_SPACE[first] | ASCII_SPACE[last])
    rest = np.flatnonzero(~ascii_only & np_valid(strings))  # at least 2 bytes each
    if not len(rest):
        return found
    data, offsets = data_bytes(strings)
    starts, ends = offsets[rest], offsets[rest + 1]
    open_ = (_SPACE_FIRST[data[starts]] & _SPACE_SECOND[data[starts + 1]]) | (
        _SPACE_LAST[data[ends - 1]] & _SPACE_BEFORE_LAST[data[ends - 2]]
    )
    open_ |= ASCII_SPACE[data[starts]] | ASCII_SPACE[data[ends - 1]]
    invisible = _invisible_at(data)
    if len(invisible):
        holders = np.zeros(len(strings), dtype=np.bool_)
        holders[np.searchsorted(offsets, invisible, side="right") - 1] = True
        open_ |= holders[rest]
    looked = rest[open_]
    if len(looked):
        found[looked] = matches(strings.take(arrow_indices(looked)), TIDY_MAY_CHANGE)
    return found


def tidy_column(strings: Column) -> Column:
    """tidy_text over a whole column (an empty cell becomes ""), in Python only for the values that
    TIDY_MAY_CHANGE flags: full-width brackets, common in names, need no Python at all."""
    strings = strings.cast(pa.string())
    dirty = np.flatnonzero(~np_valid(strings) | tidy_may_change(strings))
    if not len(dirty):
        return strings
    cleaned = [tidy_text(v) if v else "" for v in python_values(strings.take(arrow_indices(dirty)))]
    mask = np.zeros(len(strings), dtype=np.bool_)
    mask[dirty] = True
    return cast(Column, pc.replace_with_mask(strings, arrow_mask(mask), pa.array(cleaned, pa.string())))


class TextColumn(Sequence[str]):
    """A free-text roster column (name, address, ...) as written (tidy_text: no NFKC, so a
    registered name keeps its full-width brackets), left in Arrow until read.

    The draw reads these columns only for the drawn rows (a few percent), so making a million
    Python strings of each up front is wasted (0.1 s a column). Values that tidy_text might change
    (every value the CLEAN_BYTE rule does not vouch for, and empty cells) are tidied now; the
    others are decoded when asked for.
    """

    def __init__(self, strings: Column) -> None:
        self._strings = strings
        dirty = np.flatnonzero(~already_clean(strings))
        subset = strings.take(arrow_indices(dirty))
        self._cleaned = {
            i: tidy_text(value) if value else ""
            for i, value in zip(dirty.tolist(), python_values(subset), strict=True)
        }
        self._offsets = array("q", np_offsets(strings).tobytes())
        data = strings.buffers()[2]
        self._data = memoryview(data) if data is not None else memoryview(b"")

    def __len__(self) -> int:
        return len(self._strings)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("TextColumn index out of range")
        cleaned = self._cleaned.get(index)
        if cleaned is not None:
            return cleaned
        return str(self._data[self._offsets[index] : self._offsets[index + 1]], "utf-8")

    def __iter__(self) -> Iterator[str]:
        values = python_values(self._strings)
        for index, cleaned in self._cleaned.items():
            values[index] = cleaned
        return iter(values)

    def blanks(self) -> list[int]:
        """Positions of the empty values, in order."""
        empty = np.flatnonzero(np.diff(np_offsets(self._strings)) == 0).tolist()
        return sorted(
            {*(i for i in empty if i not in self._cleaned), *(i for i, v in self._cleaned.items() if not v)}
        )
