"""An independent implementation of algorithm-v1 selection, straight from the spec text.

It shares no code with shuangsuiji: its own file reading (openpyxl), key normalisation, class
mapping, date handling, quotas and ranking. Tests compare its answer with the tool's.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl

CLASS_WORDS = {"低": "A", "一般": "B", "较高": "C", "高": "D"}
# The plan's default excluded 经营状态 words, restated (compared without spaces, after NFKC).
EXCLUDED = {
    "注销",
    "已注销",
    "注销企业",
    "吊销",
    "已吊销",
    "吊销企业",
    "吊销,未注销",
    "吊销未注销",
    "吊销,已注销",
    "吊销已注销",
    "撤销",
    "已撤销",
    "撤销登记",
    "迁出",
    "已迁出",
    "迁移异地",
}


@dataclass
class Row:
    key: str
    cls: str
    status: str
    last: date | None
    must: bool


def norm_key(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().upper()


def norm_class(value: Any) -> str:
    """A, A类, 低风险, 信用风险低（A类）... → the letter."""
    text = "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()
    if letter := re.search(r"[ABCD]", text):
        return letter.group()
    word = re.sub(r"^(信用风险|风险)|(风险|类|企业)+$", "", text)
    return CLASS_WORDS[word]


def norm_status(value: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split())


def as_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip().replace("/", "-"))


def sheet_rows(path: Path) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = next(s for s in book.worksheets if s.sheet_state == "visible")
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v not in (None, "") for v in r)]


def read_roster(path: Path) -> list[Row]:
    return [
        Row(
            norm_key(r["统一社会信用代码"] or r.get("注册号")),
            norm_class(r["信用风险等级"]),
            norm_status(r.get("经营状态")),
            as_date(r.get("最近检查日期")),
            str(r.get("重点检查") or "").strip() == "是",
        )
        for r in sheet_rows(path)
    ]


def read_history(path: Path) -> dict[str, date]:
    latest: dict[str, date] = {}
    for r in sheet_rows(path):
        key, day = norm_key(r["统一社会信用代码"]), as_date(r["检查日期"])
        if day is not None:
            latest[key] = max(latest.get(key, day), day)
    return latest


def select_keys(
    rows: list[Row],
    history: dict[str, date],
    *,
    seed: str,
    start: date,
    window: int,
    ratio: dict[str, Fraction],
    minimum: dict[str, int],
    rounding: str = "ceil",
) -> set[str]:
    """Ratio mode, strata by credit class only."""
    chosen: set[str] = set()
    strata: dict[str, list[str]] = {}
    for r in rows:
        if r.status in EXCLUDED:
            continue
        dates = [d for d in (r.last, history.get(r.key)) if d is not None]
        if dates and (start - max(dates)).days < window:
            continue
        if r.must:
            chosen.add(r.key)
        else:
            strata.setdefault(r.cls, []).append(r.key)
    for cls, keys in strata.items():
        if cls not in ratio:
            continue
        exact = len(keys) * ratio[cls]
        rounded = {
            "ceil": math.ceil(exact),
            "floor": math.floor(exact),
            "half_up": math.floor(exact + Fraction(1, 2)),
        }[rounding]
        n = min(len(keys), max(minimum.get(cls, 0), rounded))

        def ticket(key: str) -> str:
            return hashlib.sha256(f"shuangsuiji:v1|{seed}|select|{key}".encode()).hexdigest()

        chosen.update(sorted(keys, key=lambda k: (ticket(k), k))[:n])
    return chosen
