"""Reading one value of a plan: typed and bounded, every problem collected with its setting's name.

Generous for any real plan, small enough that nothing downstream can hang or overflow: a ratio of
"1e999999999", a start date with a time of day or a megabyte string is one Chinese sentence, at once.
"""

from __future__ import annotations

import contextlib
import difflib
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from .errors import Problem
from .ids import clean_text, compact, tidy_text
from .privacy import personal_data

# Bounds of every number and text a plan may hold: generous for any real plan, small enough that
# nothing downstream can hang or overflow (a date minus 10**12 days raises; 10**999999999 never ends).
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)
MAX_DAYS = 3660  # exclusion and rotation windows: ten years
MAX_TEXT = 200  # plan name, items, authority, district and department names
MAX_ID = 64  # 抽查计划编号
MAX_LIST = 1000
MAX_COUNT = 10_000_000  # total, minimum: more than any roster a workbook or a province holds
MAX_TEAM = 10
MAX_TASKS = 100_000
MAX_FRACTION_TEXT = 40
MAX_WEIGHT = 1_000_000


class Collector:
    """Gathers every problem of a plan file so the user sees them all at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, code: str, key: str, message: str, hint: str = "") -> None:
        """A problem of the plan file: its code (errors.Problem), the setting, what is wrong."""
        self.problems.append(
            Problem(f"{key}：{message}", file=self.file, hint=hint, code=code, params={"key": key})
        )


def closest(word: str, choices: tuple[str, ...]) -> str:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"，是否想写“{match[0]}”？" if match else ""


def describe(value: Any) -> str:
    """A value as the message shows it: repr, cut short (a plan may hold a megabyte string)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def key_name(key: Any) -> str:
    """A key as the message shows it (TOML keys are text; a long one is cut short)."""
    text = str(key)
    return text if len(text) <= 60 else text[:57] + "…"


def text_value(
    c: Collector,
    data: dict[str, Any],
    section: str,
    key: str,
    default: str | None = None,
    limit: int = MAX_TEXT,
    public: bool = False,
) -> str:
    value = data.get(key, default)
    if value is None:
        c.add("plan-missing", f"{section}.{key}", "缺少此项", "请在计划文件中补上")
        return ""
    if not isinstance(value, str) or not clean_text(value):
        c.add("plan-not-text", f"{section}.{key}", f"应为非空文字，实际为 {describe(value)}")
        return ""
    text = tidy_text(value) if public else clean_text(value)  # public texts are published as written
    if len(text) > limit:
        c.add("plan-too-long", f"{section}.{key}", f"文字长度为 {len(text)} 个字符，超过上限 {limit}")
        return ""
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in text):
        c.add("plan-control-characters", f"{section}.{key}", "含有换行符或控制字符", "请写在一行之内")
        return ""
    if public and (finding := personal_data(text)):
        c.add(
            "personal-data",
            f"{section}.{key}",
            f"含有{finding}",
            "这一项会写入公示表，不得含有手机号、身份证号等个人信息",
        )
        return ""
    return text


def date_value(c: Collector, data: dict[str, Any], key: str) -> date | None:
    value = data.get(key)
    where = f"plan.{key}"
    if isinstance(value, datetime | time):  # datetime is a date too: it must be caught first
        c.add("plan-not-a-date", where, f"应为日期（如 2026-12-01），不要带时间，实际为 {describe(value)}")
        return None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = date.fromisoformat(value.strip())
    if not isinstance(value, date):
        c.add(
            "plan-not-a-date" if value is not None else "plan-missing",
            where,
            f"应为日期（如 2026-12-01），实际为 {describe(value)}" if value is not None else "缺少此项",
        )
        return None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        c.add(
            "plan-out-of-range",
            where,
            f"日期 {value} 超出合理范围（{EARLIEST_DATE.year}–{LATEST_DATE.year} 年）",
            "请核对年份",
        )
        return None
    return value


def int_value(
    c: Collector,
    data: dict[str, Any],
    section: str,
    key: str,
    default: int,
    low: int = 0,
    high: int = MAX_COUNT,
) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        c.add(
            "plan-out-of-range",
            f"{section}.{key}",
            f"应为 {low} 到 {high} 之间的整数，实际为 {describe(value)}",
        )
        return default
    return value


def text_list(
    c: Collector,
    data: dict[str, Any],
    section: str,
    key: str,
    limit: int = MAX_TEXT,
    public: bool = False,
    names: bool = False,
) -> tuple[str, ...]:
    """A list of short texts, cleaned like the rosters' cells (NFKC, trimmed) so that both compare
    equal; `names` of districts, industries, departments are compacted as the readers compact them."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and clean_text(v) for v in value):
        c.add(
            "plan-not-a-list", f"{section}.{key}", f'应为文字列表（如 ["云岩区"]），实际为 {describe(value)}'
        )
        return ()
    if len(value) > MAX_LIST:
        c.add("plan-too-long", f"{section}.{key}", f"列表有 {len(value)} 项，超过上限 {MAX_LIST}")
        return ()
    texts = tuple((compact if names else tidy_text if public else clean_text)(v) for v in value)
    if any(len(t) > limit for t in texts):
        c.add("plan-too-long", f"{section}.{key}", f"其中有超过 {limit} 个字符的项")
        return ()
    if public and (finding := next(filter(None, map(personal_data, texts)), None)):
        c.add(
            "personal-data",
            f"{section}.{key}",
            f"含有{finding}",
            "这一项会写入公示表，不得含有手机号、身份证号等个人信息",
        )
        return ()
    return texts


def parse_fraction(value: Any) -> Fraction:
    """Read a ratio or weight exactly: "3%", "0.05", 0.05 (read as Decimal), 1, "1/20".

    Bounded: at most MAX_FRACTION_TEXT characters and a decimal exponent within ±30, so that a
    value such as "1e999999999" is refused at once instead of building a billion-digit number.
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        if abs(value) > 10**30:
            raise ValueError(value)
        return Fraction(value)
    if isinstance(value, Decimal | str):
        text = str(value).strip().replace("％", "%")
        if len(text) > MAX_FRACTION_TEXT:
            raise ValueError(value)
        try:
            if "/" in text:
                return Fraction(text)
            number = Decimal(text.removesuffix("%").strip())
            if not number.is_finite() or not -30 <= number.adjusted() <= 30:
                raise ValueError(value)
            return Fraction(number) / (100 if text.endswith("%") else 1)
        except (InvalidOperation, ValueError, ZeroDivisionError):
            pass
    raise ValueError(value)


def bool_value(c: Collector, data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        c.add("plan-not-a-boolean", f"teams.{key}", f"应为 true 或 false，实际为 {describe(value)}")
        return default
    return value
