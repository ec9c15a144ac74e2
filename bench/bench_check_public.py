"""The disclosure guard on 50,000 rows: keys with letters only, and half of them all digits.

python bench/bench_check_public.py
"""

from __future__ import annotations

import datetime
import timeit

from shuangsuiji.core.ids import uscc_check_char
from shuangsuiji.io.writers import DISCLOSURE_COLUMNS, check_public

ROWS = 50_000


def key(number: int, all_digits: bool) -> str:
    """A valid USCC, all digits (the shape of a resident ID) or with letters."""
    body = f"915201{number:011d}" if all_digits else f"91520102MA{number:07d}"
    return body + uscc_check_char(body)


def rows(all_digit_share: int) -> list[tuple[object, ...]]:
    """A disclosure of ROWS tasks; every `all_digit_share`-th key is all digits (0: none)."""
    return [
        (n, "GY-SJ-2026-12", "2026年12月食品经营者双随机抽查", f"GY-SJ-2026-12-{n:05d}",
         "食品经营检查", "定向抽查", "食品经营许可情况、食品安全管理制度", "贵阳市市场监督管理局",
         datetime.date(2026, 12, 1), datetime.date(2026, 12, 31), f"贵阳市某某餐饮有限公司{n}",
         key(n, bool(all_digit_share) and n % all_digit_share == 0), "贵阳市云岩区市场监督管理局", "", "")
        for n in range(1, ROWS + 1)
    ]  # fmt: skip


def main() -> None:
    """Print the best of 20 runs for each kind of key."""
    for label, share in (("keys with letters", 0), ("half all-digit keys", 2)):
        table = rows(share)
        best = min(
            timeit.repeat(lambda table=table: check_public(table, DISCLOSURE_COLUMNS), number=1, repeat=20)
        )
        print(f"check_public, {ROWS:,} rows, {label}: {best * 1000:.0f} ms")


if __name__ == "__main__":
    main()
