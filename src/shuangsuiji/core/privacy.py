"""Personal data in text meant for the public: mobile numbers and resident ID numbers (身份证号).

A disclosure must name enterprises by their 统一社会信用代码 (USCC), and an all-digit USCC has
the very shape of an 18-character resident ID (17 digits and a check character). Shape alone
would refuse every draw that picks such a firm, so an 18-character number counts as a resident ID
only when it also has a GB/T 2260 province code and a real birth date, and then either
  - its ISO 7064 MOD 11-2 check character is right (a real ID, even if it is also a valid USCC:
    the tiny overlap is refused rather than risk publishing a person), or
  - it is not a valid USCC (a mistyped ID is still a person's ID; a valid code is left alone).

First-generation 15-digit IDs are not looked for: they have no check character, and a 15-digit
注册号 (registration number, published as routinely as a USCC) has the same shape, the same
leading region code and often a date-like middle, so no rule tells the two apart.

Pure: text in, a finding out. Nothing here reads files, the clock or the environment.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from .ids import key_problem

# Tokens are maximal runs of ASCII letters and digits: a digest, a seed, a ticket, a USCC with
# letters or a longer number is one token, so no slice of it can pass for a phone or an ID.
_EDGE_BEFORE = r"(?<![A-Za-z0-9])"
_EDGE_AFTER = r"(?![A-Za-z0-9])"

# A mobile number as people write it: 13800138000, 138-0013-8000, 138 0013 8000, optionally
# after +86, 86 or 0086. Landlines start with 0 (0851-85551234) and are an office's, not a person's.
_MOBILE = re.compile(
    _EDGE_BEFORE + r"(?:(?:\+86|0086|86)[ -]?)?(1[3-9][0-9])[ -]?([0-9]{4})[ -]?([0-9]{4})" + _EDGE_AFTER
)
# The shape of an 18-character resident ID; the rules below decide whether it is one.
_ID_SHAPE = re.compile(_EDGE_BEFORE + r"[0-9]{17}[0-9Xx]" + _EDGE_AFTER)

# GB/T 2260 provinces, 71 Taiwan, 81 Hong Kong and 82 Macao, and 83 (Taiwan residents' residence permits).
_PROVINCES = frozenset(
    str(code)
    for first, last in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83))
    for code in range(first, last + 1)
)
# ISO 7064 MOD 11-2 as GB 11643-1999 states it: the i-th digit (from 1) weighs 2^(18-i) mod 11,
# the check is (12 - sum mod 11) mod 11 with X for 10, here looked up by sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _id_check_char(first17: str) -> str:
    """The 18th character of a resident ID whose first 17 digits are given."""
    return _ID_CHECK[
        sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True)) % 11
    ]


def _is_birth_date(digits: str) -> bool:
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not 1900 <= year <= 2099:
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _is_resident_id(token: str) -> bool:
    """Whether an 18-character token of ID shape is taken for a resident ID (module docstring)."""
    if token[:2] not in _PROVINCES or not _is_birth_date(token[6:14]):
        return False
    upper = token.upper()
    return _id_check_char(upper[:17]) == upper[17] or key_problem(upper) is not None


def _masked(value: str, keep_start: int) -> str:
    # Enough to find the cell again, not enough to publish the number in an error message.
    return value[:keep_start] + "*" * (len(value) - keep_start - 4) + value[-4:]


def personal_data(text: str) -> str | None:
    """None when `text` holds no mobile or resident ID number, else the first one, masked, in Chinese."""
    # NFKC: full-width digits, hyphens, plus signs and spaces count as their ASCII forms.
    text = unicodedata.normalize("NFKC", text)
    findings: list[tuple[int, str]] = []
    if mobile := _MOBILE.search(text):
        findings.append((mobile.start(), f"疑似手机号“{_masked(''.join(mobile.groups()), 3)}”"))
    for match in _ID_SHAPE.finditer(text):
        if _is_resident_id(match.group()):
            findings.append((match.start(), f"疑似身份证号“{_masked(match.group(), 4)}”"))
            break
    return min(findings)[1] if findings else None
