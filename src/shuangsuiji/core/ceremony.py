"""The seed ceremony: commit to the inputs before the seed exists, and derive one seed from many.

Pure functions; the CLI and the pipeline do the file reading. Documented in docs/audit.md.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import SeedError, UsageError
from .record import canonical_json, digest
from .tickets import ALGORITHM, normalize_seed

COMMITMENT_KIND = "shuangsuiji-commitment"
COMMITMENT_FILE = "commitment.json"  # the copy kept in a draw's output folder
COMBINE_LABEL = "shuangsuiji:v1:seed-combine"


def clean_seed_value(value: str) -> str:
    """A public contribution as it enters the combination: NFC, trimmed."""
    return unicodedata.normalize("NFC", value).strip()


def combine_seeds(values: Sequence[str]) -> str:
    """One seed from several public contributions, whatever their order.

    Each value is put in NFC form and trimmed; the seed is the hex SHA-256 of the canonical JSON of
    ["shuangsuiji:v1:seed-combine", the values sorted by code point]. One honest contribution
    makes the result unpredictable to everyone else.
    """
    cleaned = [clean_seed_value(v) for v in values]
    if not cleaned or any(not v for v in cleaned):
        raise SeedError("每一份种子来源都不能为空", hint="例如：shuangsuiji seed combine 385 4271 6093")
    return hashlib.sha256(canonical_json([COMBINE_LABEL, sorted(cleaned)])).hexdigest()


def make_commitment(
    plan_canonical: Mapping[str, Any],
    files: Mapping[str, tuple[str, str]],
    sources: Sequence[str],
    created_at: str,
) -> dict[str, Any]:
    """The commitment to publish before the seed is known. `files`: kind → (file name, SHA-256)."""
    body = {
        "kind": COMMITMENT_KIND,
        "algorithm": ALGORITHM,
        "plan_id": plan_canonical["plan"]["id"],
        "plan_sha256": digest(plan_canonical),
        "plan": plan_canonical,
        "inputs": {kind: {"name": name, "sha256": sha} for kind, (name, sha) in sorted(files.items())},
        "seed_sources": list(sources),
        "created_at": created_at,
    }
    return {**body, "commitment_sha256": digest(body)}


def commitment_differences(
    commitment: Mapping[str, Any], plan_canonical: Mapping[str, Any], files: Mapping[str, tuple[str, str]]
) -> list[str]:
    """What differs between a published commitment and the plan and files about to be drawn from."""
    if commitment.get("kind") != COMMITMENT_KIND:
        raise UsageError("这不是 shuangsuiji 的承诺文件", hint="请给出 shuangsuiji seed commit 写出的文件")
    body = {k: v for k, v in commitment.items() if k != "commitment_sha256"}
    found = []
    if digest(body) != commitment.get("commitment_sha256"):
        found.append("承诺文件本身在发布后被改动过（摘要不符）")
    if commitment.get("plan_sha256") != digest(plan_canonical):
        changed = sorted(
            section
            for section in set(plan_canonical) | set(commitment.get("plan", {}))
            if plan_canonical.get(section) != commitment.get("plan", {}).get(section)
        )
        found.append(f"抽查计划与承诺时不同（变化的部分：{'、'.join(changed) or '未知'}）")
    committed = commitment.get("inputs", {})
    for kind in sorted(set(committed) | set(files)):
        if kind not in files:
            found.append(f"承诺时有输入“{committed[kind]['name']}”（{kind}），本次没有")
        elif kind not in committed:
            found.append(f"本次多了承诺时没有的输入“{files[kind][0]}”（{kind}）")
        elif committed[kind]["sha256"] != files[kind][1]:
            found.append(f"输入文件“{files[kind][0]}”（{kind}）的内容与承诺时不同")
    return found


def fresh_seed(random_bytes: bytes) -> str:
    """A seed from operating-system randomness (the caller supplies the bytes): 32 hex digits."""
    return normalize_seed(random_bytes.hex())


def commitment_trace(commitment: Mapping[str, Any]) -> dict[str, Any]:
    """What a draw record keeps of the commitment it was checked against: its digest, when it was
    made and the seed sources it announced (the whole file is kept beside the record)."""
    return {
        "commitment_sha256": commitment.get("commitment_sha256"),
        "created_at": commitment.get("created_at"),
        "seed_sources": list(commitment.get("seed_sources", [])),
        "file": COMMITMENT_FILE,
    }
