"""An independent implementation of algorithm-v1 selection, straight from the spec text.

It shares no code with shuangsuiji: its own file reading (openpyxl), key normalisation, class
mapping, date handling, quotas and ranking. Tests compare its answer with the tool's.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl

CLASS_WORDS = {"低": "A", "一般": "B", "较高": "C", "高": "D"}


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
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    text = text.removeprefix("信用风险").removesuffix("风险")
    return CLASS_WORDS.get(text, text)


def as_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip().replace("/", "-"))


def sheet_rows(path: Path) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v not in (None, "") for v in r)]


def read_roster(path: Path) -> list[Row]:
    return [
        Row(norm_key(r["统一社会信用代码"]), norm_class(r["信用风险等级"]), str(r.get("经营状态") or "").strip(),
            as_date(r.get("最近检查日期")), str(r.get("重点检查") or "").strip() == "是")
        for r in sheet_rows(path)
    ]


def read_history(path: Path) -> dict[str, date]:
    latest: dict[str, date] = {}
    for r in sheet_rows(path):
        key, day = norm_key(r["统一社会信用代码"]), as_date(r["检查日期"])
        if day is not None:
            latest[key] = max(latest.get(key, day), day)
    return latest


def select_keys(rows: list[Row], history: dict[str, date], *, seed: str, start: date, window: int,
                ratio: dict[str, Fraction], minimum: dict[str, int], rounding: str = "ceil") -> set[str]:
    """Ratio mode, strata by credit class only."""
    chosen: set[str] = set()
    strata: dict[str, list[str]] = {}
    for r in rows:
        if r.status in ("注销", "吊销", "撤销", "迁出"):
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
        rounded = {"ceil": math.ceil(exact), "floor": math.floor(exact),
                   "half_up": math.floor(exact + Fraction(1, 2))}[rounding]
        n = min(len(keys), max(minimum.get(cls, 0), rounded))

        def ticket(key: str) -> str:
            return hashlib.sha256(f"shuangsuiji:v1|{seed}|select|{key}".encode()).hexdigest()

        chosen.update(sorted(keys, key=lambda k: (ticket(k), k))[:n])
    return chosen
