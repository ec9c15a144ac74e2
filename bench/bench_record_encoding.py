"""Canonical JSON of a large record's list items: the public JSONEncoder.encode against the C encoder
made once (json.encoder.c_make_encoder, CPython's private constructor), and what record.py uses.

The record is shaped like a 1M-roster draw's: 50,000 tasks and 150,000 exclusions (or the lists
of a real draw-record.json with --record), encoded item by item as `record.encode_lists` does.
Best of --repeats runs, each in this process.

    python bench/bench_record_encoding.py
    python bench/bench_record_encoding.py --record 抽取结果/draw-record.json
"""

from __future__ import annotations

import argparse
import json
import timeit
from pathlib import Path
from typing import Any

from shuangsuiji.core.record import canonical_json

TASKS = 50_000
EXCLUDED = 150_000
CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_lists() -> dict[str, list[dict[str, Any]]]:
    """The two long lists of a 50,000-task record (values in the record's format)."""
    tasks = [
        {"task_id": f"GY-SJ-2026-12-{n:05d}", "enterprise_id": f"91520102MA{n:07d}X",
         "enterprise_name": f"贵阳市某某餐饮有限公司{n}",
         "credit_class": "ABCD"[n % 4], "stratum": {"信用风险等级": "ABCD"[n % 4]}, "rank": n // 4 + 1,
         "must_inspect": False, "ticket": f"{n * 2654435761 % 2**64:016x}" * 4,
         "team": [f"P{n % 5000:05d}", f"P{(n * 7) % 5000:05d}"]}
        for n in range(TASKS)
    ]  # fmt: skip
    excluded = [
        {"enterprise_id": f"91520103MA{n:07d}Y", "reason_code": "window",
         "reason": "最近检查日期 2026-03-01，距计划开始 275 天，不足 365 天"}
        for n in range(EXCLUDED)
    ]  # fmt: skip
    return {"tasks": tasks, "excluded": excluded}


def public(value: Any) -> bytes:
    """JSONEncoder.encode: builds its C encoder anew on every call."""
    return CANONICAL.encode(value).encode("utf-8")


_make = getattr(json.encoder, "c_make_encoder", None)
_once = (
    _make(None, CANONICAL.default, json.encoder.encode_basestring, None, ":", ",", True, False, True)
    if _make
    else None
)


def made_once(value: Any) -> bytes:
    """The C encoder made once and reused (no check for circular references)."""
    assert _once is not None
    return "".join(_once(value, 0)).encode("utf-8")


def main() -> None:
    """Check that the encoders agree, then print the best time of each."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--record", type=Path, help="a draw-record.json whose list items to encode instead")
    args = parser.parse_args()
    if args.record:
        record = json.loads(args.record.read_text(encoding="utf-8"))
        lists = {key: value for key, value in record.items() if isinstance(value, list)}
    else:
        lists = record_lists()
    items = [item for values in lists.values() for item in values]
    candidates = {"JSONEncoder.encode": public, "record.canonical_json": canonical_json}
    if _once is not None:
        candidates["c_make_encoder once"] = made_once
    first = [public(item) for item in items]
    for name, encode in candidates.items():
        assert [encode(item) for item in items] == first, name
    shape = ", ".join(f"{len(values):,} {key}" for key, values in lists.items())
    print(f"{len(items):,} list items ({shape}); best of {args.repeats}")
    for name, encode in candidates.items():
        best = min(
            timeit.repeat(
                lambda encode=encode: [encode(item) for item in items], number=1, repeat=args.repeats
            )
        )
        print(f"  {name:<22} {best * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
