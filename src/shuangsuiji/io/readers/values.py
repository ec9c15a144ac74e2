"""Cell values: credit classes, yes/no flags, dates, task limits, specialties; and the low-cardinality
columns converted once per distinct value."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ...core.errors import Severity
from ...core.ids import clean_text, compact
from ...core.privacy import personal_data
from .arrow import Column, np_ints, np_valid
from .header import BRACKETS
from .problems import Invalid

T = TypeVar("T")
_EXCEL_EPOCH = date(1899, 12, 30)
_EARLIEST = date(1950, 1, 1)  # dates (and Excel serial numbers) outside these bounds are typos
_LATEST = date(2199, 12, 31)

# 国市监信发〔2022〕6号 names the four classes 信用风险低 (A), 一般 (B), 较高 (C), 高 (D); classification
# exports write them as A类, 低风险, 风险低, 信用风险低（A类）, A（低风险） and the like.
CREDIT_WORDS = {"低": "A", "一般": "B", "较高": "C", "高": "D"}
_CLASS_LETTER = re.compile(r"([ABCD])(?:类|级)?(?:企业)?")
_CLASS_AFFIXES = (("信用风险等级", "信用风险", "风险等级", "风险"), ("企业", "类", "级", "风险"))
_WITH_NOTE = re.compile(r"(.+?)\((.+)\)")
_FLAGS = {
    "是": True,
    "Y": True,
    "YES": True,
    "1": True,
    "TRUE": True,
    "否": False,
    "N": False,
    "NO": False,
    "0": False,
    "FALSE": False,
    "": False,
}
_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"(\d{1,6})(?:\.\d+)?")
_SPECIALTY_SEPARATORS = re.compile(r"[、,，;；\s]+")


Parsed = tuple[T, Invalid | None]  # (value, why the text is invalid or None)


def _credit_part(text: str) -> str | None:
    """One way of writing a class: a letter (A, A类, A级企业) or a word (低, 低风险, 信用风险低,
    较高风险企业)."""
    if match := _CLASS_LETTER.fullmatch(text.upper()):
        return match.group(1)
    prefixes, suffixes = _CLASS_AFFIXES
    word = next((text.removeprefix(p) for p in prefixes if text.startswith(p)), text)
    while stripped := next((word.removesuffix(x) for x in suffixes if word.endswith(x) and word != x), None):
        word = stripped
    return CREDIT_WORDS.get(word)


def parse_credit_class(text: str) -> Parsed[str]:
    """The credit class A–D from its letter, its word, or both (信用风险低（A类）: both must agree)."""
    if not text:
        return "", Invalid("empty-credit-class", "信用风险等级为空")
    compacted = compact(text).translate(BRACKETS)
    parts = list(match.groups()) if (match := _WITH_NOTE.fullmatch(compacted)) else [compacted]
    classes = {_credit_part(part) for part in parts}
    if None in classes:
        return "", Invalid("unknown-credit-class", f"信用风险等级“{text}”无法识别", {"value": text})
    if len(classes) > 1:
        return "", Invalid(
            "inconsistent-credit-class",
            f"信用风险等级“{text}”前后不一致（{'与'.join(sorted(map(str, classes)))}）",
            {"value": text},
        )
    return classes.pop() or "", None


def parse_flag(text: str) -> Parsed[bool]:
    """是/否, Y/N, 1/0, true/false; empty = 否."""
    flag = _FLAGS.get(text.upper())
    if flag is None:
        return False, Invalid("bad-flag", f"“{text}”不是“是”或“否”", {"value": text})
    return flag, None


def parse_date(text: str) -> Parsed[date | None]:
    """An Excel date (as fastexcel renders it), a serial number or a written date → date; "" → None."""
    if not text:
        return None, None
    try:
        if match := _YMD.fullmatch(text) or _CHINESE_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
            value = date(year, month, day)
        elif match := _SERIAL.fullmatch(text):
            value = _EXCEL_EPOCH + timedelta(days=int(match.group(1)))
        else:
            return None, Invalid("bad-date", f"无法识别的日期“{text}”", {"value": text})
    except ValueError:
        return None, Invalid("impossible-date", f"“{text}”不是有效日期", {"value": text})
    if not _EARLIEST <= value <= _LATEST:
        return None, Invalid(
            "date-out-of-range",
            f"日期“{text}”超出合理范围（{_EARLIEST.year}–{_LATEST.year} 年）",
            {"value": text},
        )
    return value, None


def parse_task_limit(text: str) -> Parsed[int | None]:
    """A non-negative whole number (8 or 8.0), or "" for none."""
    if not text:
        return None, None
    whole = text.removesuffix(".0")
    if whole.isascii() and whole.isdigit():
        return int(whole), None
    return None, Invalid("bad-task-limit", f"任务上限“{text}”不是非负整数", {"value": text})


def split_specialties(text: str) -> frozenset[str]:
    """专业领域 split on 、 , ， ； ; and white space."""
    return frozenset(part for part in _SPECIALTY_SEPARATORS.split(text) if part)


DATE_HINT = "请填写日期，例如 2026-01-05、2026/1/5、2026年1月5日，或使用 Excel 日期格式"
FUTURE_HINT = (
    "检查日期不可能晚于今天：请核对是否录错了年份，或这台电脑的日期是否设对；"
    "这样的企业会被当作近期检查过而不参加抽取"
)
FUTURE_GRACE = timedelta(days=31)
today: Callable[[], date] = date.today  # a seam for tests


def future_date(value: date | None) -> Invalid | None:
    """A warning for an inspection date more than FUTURE_GRACE after today, else None.

    A warning, not an error: the readers do not know the plan, and the computer's clock may be
    wrong, so the draw is not blocked on the clock's word; the warning says what the date does
    (the enterprise counts as recently inspected and is excluded from the draw). The grace keeps
    clock skew and rosters prepared for an upcoming plan quiet (the sample data, made for a plan
    starting 2026-12-01, carries dates up to 2026-11-30), while a mistyped year (2062 for 2026),
    the usual cause, is still caught.
    """
    if value is not None and value > today() + FUTURE_GRACE:
        return Invalid(
            "future-date",
            f"检查日期“{value.isoformat()}”晚于今天（{today().isoformat()}）",
            {"value": value.isoformat(), "today": today().isoformat()},
        )
    return None


def coded(array: Column) -> tuple[list[str | None], npt.NDArray[np.int64]]:
    """Distinct raw values (None for empty cells) and each row's index into them."""
    encoded = cast("pa.DictionaryArray[Any, Any]", pc.dictionary_encode(array))
    distinct = cast(list[str | None], encoded.dictionary.to_pylist())
    indices = cast(Column, encoded.indices)
    codes = np_ints(indices)
    if indices.null_count:
        codes = np.where(np_valid(indices), codes, len(distinct))
        distinct.append(None)
    return distinct, codes


def convert_distinct(
    distinct: list[str | None],
    codes: npt.NDArray[np.int64],
    convert: Callable[[str], Parsed[Any]],
    warn: Callable[[Any], Invalid | None] | None = None,
    clean: Callable[[str], str] = clean_text,
) -> tuple[npt.NDArray[Any], list[tuple[int, Invalid, Severity]]]:
    """Each distinct value converted once (an object array, equal results sharing one object); and
    (position, why, severity) of every row whose value did not convert (error) or that `warn`
    objects to (warning)."""
    shared: dict[Any, Any] = {}
    table = np.empty(len(distinct), dtype=object)
    messages: dict[int, tuple[Invalid, Severity]] = {}
    for index, raw in enumerate(distinct):
        value, why = convert(clean(raw) if raw else "")
        table[index] = shared.setdefault(value, value)
        if why is not None:
            messages[index] = (why, "error")
        elif warn is not None and (caution := warn(value)) is not None:
            messages[index] = (caution, "warning")
    failed: list[tuple[int, Invalid, Severity]] = []
    if messages:
        where = np.flatnonzero(np.isin(codes, np.array(list(messages), dtype=np.int64)))
        failed = [(i, *messages[int(codes[i])]) for i in where.tolist()]
    return table, failed


def convert_coded(
    distinct: list[str | None],
    codes: npt.NDArray[np.int64],
    convert: Callable[[str], Parsed[Any]],
    warn: Callable[[Any], Invalid | None] | None = None,
    clean: Callable[[str], str] = clean_text,
) -> tuple[list[Any], list[tuple[int, Invalid, Severity]]]:
    """A low-cardinality column converted once per distinct value (convert_distinct), row by row."""
    table, failed = convert_distinct(distinct, codes, convert, warn, clean)
    return cast(list[Any], table[codes].tolist()), failed


def as_text(text: str) -> Parsed[str]:
    return text, None


def as_public_text(text: str) -> Parsed[str]:
    """A column the disclosure publishes (登记机关): no mobile or ID number in it."""
    finding = personal_data(text)
    return text, Invalid("personal-data", f"含有{finding}，公示表不得含有个人信息") if finding else None


def as_word(text: str) -> Parsed[str]:
    """A name compared with names in other files or the plan (区域, 行业): no white space inside."""
    return compact(text), None
