"""Enterprise keys (统一社会信用代码, or a 15-digit 注册号 from its own column) and 人员编号: normalised
and checked alike in every file. The enterprise roster's keys are checked column-wise: numpy over
the Arrow buffers finds the keys that are already valid USCCs or 注册号 (about 0.1 s a million),
and only the rest go through normalize_key and key_problem in Python.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pyarrow.compute as pc

from ...core.errors import Severity
from ...core.fields import KEY, PERSON_ID, REGISTRATION_NO
from ...core.ids import (
    USCC_ALPHABET,
    USCC_WEIGHTS,
    clean_text,
    key_problem,
    normalize_key,
    normalize_person_id,
)
from .arrow import (
    NOT_BLANK,
    Column,
    arrow_indices,
    arrow_mask,
    buffer,
    matches,
    np_offsets,
    np_valid,
    python_values,
)
from .header import Located
from .problems import Invalid, Problems
from .text import KEY_NFKC_SAFE, clean_texts, nfkc_trimmed

_USCC_VALUES = np.full(256, 255, dtype=np.uint8)
for _value, _char in enumerate(USCC_ALPHABET):
    _USCC_VALUES[ord(_char)] = _value
_USCC_WEIGHTS = np.array(USCC_WEIGHTS, dtype=np.int64)
_DIGIT = np.zeros(256, dtype=np.bool_)
_DIGIT[ord("0") : ord("9") + 1] = True
_USCC_MAX = np.array([30, 30, 9, 9, 9, 9, 9, 9] + [30] * 10, dtype=np.uint8)  # positions 3–8 are digits
# Duplicate keys are found by sorting 64-bit fingerprints (the key read as a base-31 or decimal
# number, mod 2^64); equal fingerprints are then confirmed on the strings, so a collision costs
# time, never correctness.
_WRAP = 1 << 64
_NP_TENS = np.array([10 ** (14 - i) for i in range(15)], dtype=np.uint64)
_REGISTRATION_MARK = 1 << 63


def key_fingerprint(key: str) -> int:
    """The 64-bit fingerprint of a valid key, exactly as scan_keys computes it for a whole column."""
    if len(key) == 15:
        return (int(key) + _REGISTRATION_MARK) % _WRAP
    number = 0
    for char in key[:17]:
        number = number * 31 + USCC_ALPHABET.index(char)
    return number % _WRAP


def _fixed_width(keys: Column, where: npt.NDArray[np.int64], width: int) -> npt.NDArray[np.uint8]:
    """The bytes of keys[where] (all `width` bytes long) as a (len(where), width) matrix."""
    subset = keys.take(arrow_indices(where))  # contiguous, unlike a numpy gather over the original
    offsets = np_offsets(subset)
    data = np.frombuffer(buffer(subset, 2), dtype=np.uint8)
    return data[offsets[0] : offsets[-1]].reshape(-1, width)


def _scan_uscc(chars: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint64]]:
    # Position by position over a transposed copy (Horner for the fingerprint): twice as fast as a
    # row-wise integer matmul and .all(axis=1) (measured: 0.15 s against 0.30 s a million keys).
    values = np.ascontiguousarray(_USCC_VALUES[chars].T)  # 255 = not in the alphabet
    bad = values[17] > _USCC_MAX[17]
    total = np.zeros(values.shape[1], dtype=np.int64)
    number = np.zeros(values.shape[1], dtype=np.uint64)
    for position in range(17):
        value = values[position]
        bad |= value > _USCC_MAX[position]
        total += value * _USCC_WEIGHTS[position]
        number *= np.uint64(31)
        number += value
    good = ~bad & ((31 - total % 31) % 31 == values[17])
    return good, number[good]


def _scan_registration(chars: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint64]]:
    good = cast(npt.NDArray[np.bool_], _DIGIT[chars].all(axis=1))
    digits = (chars[good] - ord("0")).astype(np.uint64)
    found: npt.NDArray[np.uint64] = digits @ _NP_TENS + np.uint64(_REGISTRATION_MARK)
    return good, found


def key_fingerprints(keys: Column) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint64]]:
    """Where a raw key is already a normalised, valid USCC or 15-digit 注册号, and each row's
    fingerprint (0 where not).

    Vectorised over the Arrow buffers, in blocks so that no temporary grows large (about 0.1 s per
    million keys).
    """
    ok = np.zeros(len(keys), dtype=np.bool_)
    fingerprints = np.zeros(len(keys), dtype=np.uint64)
    lengths = np.diff(np_offsets(keys))
    valid = np_valid(keys)
    with np.errstate(over="ignore"):
        for width, scan in ((18, _scan_uscc), (15, _scan_registration)):
            every = np.flatnonzero(valid & (lengths == width))
            for start in range(0, len(every), 1 << 16):
                where = every[start : start + (1 << 16)]
                good, found = scan(_fixed_width(keys, where, width))
                ok[where[good]] = True
                fingerprints[where[good]] = found
    return ok, fingerprints


def scan_keys(keys: Column) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint64]]:
    """Where a raw key is already a normalised, valid USCC or 15-digit 注册号, and their fingerprints
    (key_fingerprints). A False says nothing by itself: those keys go through normalize_key and
    key_problem in Python."""
    ok, fingerprints = key_fingerprints(keys)
    return ok, fingerprints[ok]


def valid_key_mask(keys: Column) -> npt.NDArray[np.bool_]:
    """True where a raw key is already a normalised, valid USCC or 15-digit 注册号."""
    return scan_keys(keys)[0]


def key_message(raw: str, key: str, *, with_registration: bool = False) -> tuple[Invalid, str] | None:
    """(why, hint) for a key that is not usable, else None."""
    if not key:
        if with_registration:
            return (
                Invalid("empty-key", "统一社会信用代码和注册号都为空"),
                "每一行都要填写统一社会信用代码，没有代码的旧个体工商户填写 15 位注册号",
            )
        return Invalid(
            "empty-key", "统一社会信用代码为空"
        ), "每一行都要填写统一社会信用代码（旧个体工商户可填 15 位注册号）"
    if "|" in key:
        return Invalid(
            "pipe-in-key", f"代码“{raw}”中含有竖线“|”", {"value": raw}
        ), "竖线是随机码计算中的分隔符，代码中不能出现"
    why = key_problem(key)
    if why is None:
        return None
    hint = "请对照营业执照核对后改正"
    if key.isdigit() and len(key) < 15:
        # Neither a 注册号 nor a USCC starts with 0 (both begin with a region or authority code), so
        # a number column cannot have lost leading zeros: the code itself is incomplete.
        hint = "代码不以 0 开头，不是以数字存储时丢失了开头的 0，而是代码本身不完整；请对照营业执照核对"
    if key.isdigit() and len(key) > 15:
        hint = (
            "这一列可能被设成了数字格式，超过 15 位的数字末尾会变成 0；请把单元格设为文本格式后重新填写代码"
        )
    return Invalid(why.code, f"统一社会信用代码“{key}”有误：{why.reason}", {"value": key}), hint


def normalise_keys_in_arrow(
    keys: Column, dirty: npt.NDArray[np.int64], values: list[Any] | MutableMapping[int, Any]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """normalize_key in Arrow for dirty keys where that is exact (spaces, lower case, full width) and
    the result is valid; patch `values`; return the positions left and the new fingerprints."""
    subset = keys.take(arrow_indices(dirty))
    safe = matches(subset, KEY_NFKC_SAFE)
    if not safe.any():
        return dirty, np.zeros(0, dtype=np.uint64)
    normalized = pc.utf8_upper(nfkc_trimmed(subset.filter(arrow_mask(safe))))
    valid, fingerprints = scan_keys(normalized)
    accepted = dirty[safe][valid]
    for i, key in zip(accepted.tolist(), python_values(normalized.filter(arrow_mask(valid))), strict=True):
        values[i] = key
    left = np.ones(len(dirty), dtype=np.bool_)
    left[np.flatnonzero(safe)[valid]] = False
    return dirty[left], fingerprints


@dataclass(frozen=True)
class KeyColumn:
    """The enterprise key as a file gives it: the 统一社会信用代码 column, or, on rows where that is
    blank, the 注册号 column beside it (old 个体工商户 have no USCC)."""

    raw: Column
    key_header: str
    registration_header: str = ""  # "" when the file has no 注册号 column
    from_registration: npt.NDArray[np.bool_] | None = None  # rows whose key is the 注册号

    def header(self, index: int) -> str:
        """The header of the column row `index` took its key from."""
        used = self.from_registration is not None and self.from_registration[index]
        return self.registration_header if used else self.key_header

    def message(self, raw: str, key: str) -> tuple[Invalid, str] | None:
        return key_message(raw, key, with_registration=bool(self.registration_header))


def key_column(table: Located) -> KeyColumn:
    key, registration = table.data.get(KEY), table.data.get(REGISTRATION_NO)
    if registration is None:
        assert key is not None  # locate made sure one of the two is there
        return KeyColumn(key, table.header(KEY))
    if key is None:
        return KeyColumn(
            registration, table.header(KEY), table.header(REGISTRATION_NO), np.ones(len(table), np.bool_)
        )
    # Only rows that have something in the 注册号 column can take their key from it (a few percent):
    # the blank test runs on those alone (measured: 0.13 s for both whole columns at a million rows).
    given = np.flatnonzero(np_valid(registration) & (np.diff(np_offsets(registration)) > 0))
    picked = arrow_indices(given)
    use = np.zeros(len(table), dtype=np.bool_)
    use[given] = ~matches(key.take(picked), NOT_BLANK) & matches(registration.take(picked), NOT_BLANK)
    raw = cast(Column, pc.if_else(arrow_mask(use), registration.cast(key.type), key)) if use.any() else key
    return KeyColumn(raw, table.header(KEY), table.header(REGISTRATION_NO), use)


@dataclass
class KeyCheck:
    """Per-row key checks, and what the duplicate check needs at the end."""

    source: KeyColumn
    problems: Problems
    fingerprints: npt.NDArray[np.uint64]
    slow: list[int] = field(default_factory=list)
    invalid: set[str] = field(default_factory=set)
    invalid_repeats: bool = False

    def check(
        self,
        keys: list[str | None] | MutableMapping[int, Any],
        dirty: npt.NDArray[np.int64],
        rows: npt.NDArray[np.int64],
    ) -> list[str]:
        """Normalise and check, in place, the keys at `dirty` (those no vectorised scan vouched for)."""
        for i in dirty.tolist():
            raw = clean_text(keys[i] or "")
            key = keys[i] = raw.upper()
            found = self.source.message(raw, key)
            if found is None:
                self.slow.append(key_fingerprint(key))
                continue
            self.problems.add(found[0], row=int(rows[i]), column=self.source.header(i), hint=found[1])
            if key:
                self.invalid_repeats |= key in self.invalid
                self.invalid.add(key)
        return cast(list[str], keys)

    def may_repeat(self) -> bool:
        """False only when no key can occur twice (sorted fingerprints all differ)."""
        if self.invalid_repeats:
            return True
        every = np.concatenate([self.fingerprints, np.array(self.slow, dtype=np.uint64)])
        every.sort()
        return bool((every[1:] == every[:-1]).any())


def report_duplicates(
    keys: Sequence[str], rows: npt.NDArray[np.int64], source: KeyColumn, problems: Problems
) -> None:
    """Every repeat of a non-empty key, naming the row where it first appeared."""
    first: dict[str, int] = {}
    for index, (key, row) in enumerate(zip(keys, rows.tolist(), strict=True)):
        if not key:
            continue
        if key in first:
            problems.add(
                Invalid(
                    "duplicate-key",
                    f"{source.header(index)}“{key}”与第 {first[key]} 行重复",
                    {"value": key, "first_row": first[key]},
                ),
                row=row,
                column=source.header(index),
                hint=f"同一市场主体只能出现一次，请删除或合并第 {first[key]} 行和第 {row} 行",
            )
        else:
            first[key] = row


def person_ids(table: Located, problems: Problems, *, unique: bool, required: bool = True) -> list[str]:
    """人员编号, normalised alike in every file (width, case, spaces, invisible characters)."""
    ids = [normalize_person_id(text) for text in table.texts(PERSON_ID)]
    header = table.header(PERSON_ID)
    seen: dict[str, int] = {}
    for person, row in zip(ids, table.rows.tolist(), strict=True):
        if not person:
            if required:
                problems.add(
                    Invalid("empty-person-id", "人员编号为空"),
                    row=row,
                    column=header,
                    hint="每一行都要填写人员编号",
                )
        elif "|" in person:
            problems.add(
                Invalid("pipe-in-person-id", f"人员编号“{person}”中含有竖线“|”", {"value": person}),
                row=row,
                column=header,
                hint="竖线是随机码计算中的分隔符，编号中不能出现",
            )
        elif unique and person in seen:
            problems.add(
                Invalid(
                    "duplicate-person-id",
                    f"人员编号“{person}”与第 {seen[person]} 行重复",
                    {"value": person, "first_row": seen[person]},
                ),
                row=row,
                column=header,
                hint=f"每人只能出现一次（编号不分大小写、全角半角），请核对第 {seen[person]} 行和第 {row} 行",
            )
        else:
            seen.setdefault(person, row)
    return ids


def enterprise_keys(table: Located, problems: Problems, *, severity: Severity) -> list[str]:
    source = key_column(table)
    keys = clean_texts(source.raw, python_values(source.raw))
    # Keys that are already valid and normalised (nearly all) skip the per-value Python checks.
    unchecked = np.flatnonzero(~scan_keys(source.raw)[0])
    rows = table.rows
    for i in unchecked.tolist():
        raw = keys[i]
        keys[i] = normalize_key(raw)
        if found := source.message(raw, keys[i]):
            problems.add(
                found[0],
                row=int(rows[i]),
                column=source.header(i),
                hint=found[1],
                severity="error" if not keys[i] else severity,
            )
    return keys
