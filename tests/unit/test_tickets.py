"""The v1 ticket function and seed rules, against fixed vectors (docs/algorithm.md)."""

from __future__ import annotations

import hashlib

import pytest

from shuangsuiji.core.errors import SeedError
from shuangsuiji.core.tickets import normalize_seed, ticket, tickets_for, uniform_index

# Vectors published in docs/algorithm.md (computed there with `printf '%s' ... | sha256sum`).
VECTORS = [
    (
        "2026120188",
        "select",
        ("91520102MA6DR7UX8D",),
        "17912ce9b094ae8788b1e4b8848670db3a866dc5159a55fa3689e90cf3d2c6a3",
    ),
    (
        "福彩3D 2026-12-01 开奖号 385",
        "select",
        ("92520103MA6E0Q1K7K",),
        "e6b3438be03c828c66bd0456724c4d73080a4b13a2ae3422ff8d40fbdadd7d44",
    ),
    (
        "2026120188",
        "assign",
        ("91520102MA6DR7UX8D",),
        "8e1f8d689535312bd16d7c91f5a6ab0371b4da5eff3a533aaf623662dbc5057a",
    ),
    (
        "2026120188",
        "assign",
        ("91520102MA6DR7UX8D", "0"),
        "397e9dfb2a460759dc5475c74db6fc0225c26202f89eb694def4a5e1b178244c",
    ),
]


@pytest.mark.parametrize(("seed", "purpose", "parts", "expected"), VECTORS)
def test_documented_vectors(seed: str, purpose: str, parts: tuple[str, ...], expected: str) -> None:
    assert ticket(seed, purpose, *parts) == expected


def test_ticket_is_sha256_of_the_documented_string() -> None:
    expected = hashlib.sha256("shuangsuiji:v1|种子|select|91520102MA6DR7UX8L".encode()).hexdigest()
    assert ticket("种子", "select", "91520102MA6DR7UX8L") == expected


def test_ticket_joins_several_parts_with_bars() -> None:
    expected = hashlib.sha256(b"shuangsuiji:v1|s|assign|K|3").hexdigest()
    assert ticket("s", "assign", "K", "3") == expected


def test_bulk_tickets_equal_single_tickets() -> None:
    keys = ["A1", "B2", "中文", ""]
    assert tickets_for("seed", "select", keys) == [ticket("seed", "select", k) for k in keys]


def test_purpose_separates_tickets() -> None:
    assert ticket("s", "select", "K") != ticket("s", "assign", "K")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  2026120188 ", "2026120188"),
        ("e\u0301", "\u00e9"),
        ("福彩3D 2026-12-01 开奖 385", "福彩3D 2026-12-01 开奖 385"),
    ],
)
def test_seed_normalisation(raw: str, expected: str) -> None:
    assert normalize_seed(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "a|b", "x" * 257, "a\x00b", "a\u200bb"])
def test_bad_seeds_are_refused_with_a_chinese_message(raw: str) -> None:
    with pytest.raises(SeedError) as caught:
        normalize_seed(raw)
    assert "种子" in str(caught.value)


def test_seed_of_256_characters_is_accepted() -> None:
    assert normalize_seed("字" * 256) == "字" * 256


def test_uniform_index_is_in_range_and_deterministic() -> None:
    values = [uniform_index("s", "assign", ("K", str(i)), 7) for i in range(200)]
    assert all(0 <= v < 7 for v in values)
    assert values == [uniform_index("s", "assign", ("K", str(i)), 7) for i in range(200)]
    assert set(values) == set(range(7))


def test_uniform_index_matches_the_modulo_of_the_ticket() -> None:
    # Rejection happens with probability < n/2^256, so in practice U = int(ticket) mod n.
    value = int(ticket("s", "assign", "K", "0"), 16)
    assert uniform_index("s", "assign", ("K", "0"), 1000) == value % 1000
