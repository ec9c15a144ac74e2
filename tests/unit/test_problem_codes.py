"""Every problem code the source can emit is documented in docs/problems.md, and every documented
code is one the source can emit (so scripts can rely on the list)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The ways a code is written in the source: Invalid("code", ...), c.add("code", ...), code="code",
# KeyProblem("code", ...), Refused("code", ...), _problem(inputs, "kind", "code", ...), code = "code",
# _problem("code", ...) (an entry sheet's rows).
PATTERNS = (
    r'Invalid\(\s*"([a-z-]+)"',
    r'c\.add\(\s*"([a-z-]+)"',
    r'code="([a-z-]+)"',
    r'KeyProblem\(\s*"([a-z-]+)"',
    r'Refused\(\s*"([a-z-]+)"',
    r'_problem\(\s*inputs,\s*"[a-z]+",\s*"([a-z-]+)"',
    r'code = "([a-z-]+)"',
    r'c\.add\(\s*"[a-z-]+" if [^"]+ else "([a-z-]+)"',
    r'code = "[a-z-]+" if [^"]+ else "([a-z-]+)"',
    r'_problem\(\s*"([a-z-]+)"',
)


def emitted() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "shuangsuiji").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in PATTERNS:
            found.update(re.findall(pattern, text))
    return found


def test_every_code_is_documented_and_every_documented_code_is_used() -> None:
    documented = set(
        re.findall(r"`([a-z][a-z-]+)`", (ROOT / "docs" / "problems.md").read_text(encoding="utf-8"))
    )
    codes = emitted()
    assert len(codes) > 60
    assert codes - documented == set()
    assert {c for c in documented if "-" in c} - codes == set()
