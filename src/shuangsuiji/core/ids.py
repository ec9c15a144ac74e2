"""Identifier rules: the enterprise key (统一社会信用代码 or 注册号) and its check character."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# GB 32100-2015: 31 characters (no I, O, S, V, Z) valued 0..30, weights 3^(i-1) mod 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {char: value for value, char in enumerate(USCC_ALPHABET)}
_USCC_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
_REGISTRATION_NO = re.compile(r"\d{15}")
# Characters that look like nothing but survive str.strip(): zero-width, BOM, word joiner.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def clean_text(value: str) -> str:
    """NFKC (full-width → half-width), invisible characters removed, outer white space trimmed."""
    text = unicodedata.normalize("NFKC", value)
    if any(char in text for char in _INVISIBLE):
        text = text.translate({ord(char): None for char in _INVISIBLE})
    return text.strip()


def tidy_text(value: str) -> str:
    """Text shown as it was written (enterprise names, addresses, the registering authority, the
    plan's public texts): invisible characters removed and outer white space trimmed, but no NFKC,
    so that a registered name keeps its full-width brackets in the disclosure."""
    if any(char in value for char in _INVISIBLE):
        value = value.translate({ord(char): None for char in _INVISIBLE})
    return value.strip()


def normalize_key(value: str) -> str:
    """The enterprise key of algorithm v1: NFKC, trimmed, upper-cased."""
    return clean_text(value).upper()


def compact(value: str) -> str:
    """clean_text without any white space inside: how words of a closed vocabulary (经营状态) and
    identifiers are compared, so that "吊销, 未注销" and "吊销，未注销" are one word."""
    return "".join(clean_text(value).split())


def normalize_person_id(value: str) -> str:
    """人员编号 as compared everywhere (roster, recusal list, history): compact and upper-cased, so
    that a recusal written "p０００1 " names staff "P0001"."""
    return compact(value).upper()


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are given."""
    total = sum(_USCC_VALUE[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


class KeyProblem(NamedTuple):
    """Why a key is not valid: a stable code (errors.Problem) and the reason in Chinese."""

    code: str
    reason: str


def key_problem(key: str) -> KeyProblem | None:
    """Why a normalised key is not a valid USCC or 15-digit 注册号, or None when it is valid."""
    if len(key) == 15:
        return (
            None
            if _REGISTRATION_NO.fullmatch(key)
            else KeyProblem("bad-registration-no", "15 位注册号应全部为数字")
        )
    if len(key) != 18:
        return KeyProblem(
            "bad-key-length", f"长度为 {len(key)} 位，统一社会信用代码应为 18 位（旧注册号为 15 位）"
        )
    if not _USCC_SHAPE.fullmatch(key):
        return KeyProblem(
            "bad-key-characters", "含有统一社会信用代码不允许的字符（不用 I、O、S、V、Z，第 3–8 位为数字）"
        )
    expected = uscc_check_char(key[:17])
    if key[17] != expected:
        return KeyProblem("bad-uscc-check", f"校验位应为“{expected}”，实际为“{key[17]}”")
    return None
