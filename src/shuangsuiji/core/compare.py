"""What `verify` compares, as pure functions: a recorded draw against its recomputation, item by item.

Dicts and lists from the record in, findings out; no file, clock or I/O library (verify.py gathers
the evidence: it reads the record, the inputs, the ledger and the workbooks, and recomputes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .assign import TEAM_ALGORITHM
from .ceremony import combine_seeds, commitment_differences
from .errors import UsageError
from .record import LEDGER_HISTORY, body_digest, encode_lists
from .tickets import ALGORITHM

BODY_KEYS = ("algorithm", "team_algorithm", "seed", "plan", "strata", "tasks", "excluded")


@dataclass(frozen=True)
class Finding:
    """One line of the verdict: what was compared, and whether it is the same.

    A finding that could not be checked (no ledger given) is not a difference: `checked` is False.
    """

    area: str
    item: str
    same: bool
    detail: str = ""
    checked: bool = True


@dataclass(frozen=True)
class Verdict:
    """Everything `verify` compared."""

    folder: str
    findings: tuple[Finding, ...]

    @property
    def identical(self) -> bool:
        """True when every comparison found no difference."""
        return all(f.same for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        """For scripts: the verdict and every finding."""
        return {
            "folder": self.folder,
            "identical": self.identical,
            "findings": [
                {"area": f.area, "item": f.item, "same": f.same, "checked": f.checked, "detail": f.detail}
                for f in self.findings
            ],
        }


def verdict_rows(verdict: Verdict) -> Sequence[tuple[str, str, str, str]]:
    """(area, item, 一致/不同/未核对, detail) for display."""
    return [
        (f.area, f.item, "未核对" if not f.checked else "一致" if f.same else "不同", f.detail)
        for f in verdict.findings
    ]


def record_integrity(record: Mapping[str, Any]) -> list[Finding]:
    """Does the record's result body still have its digest, and are its algorithms ours?"""
    body = {key: record[key] for key in BODY_KEYS}
    same = body_digest(body, encode_lists(body)) == record["result_digest"]  # lists item by item
    return [
        Finding(
            "抽取记录",
            "结果摘要",
            same,
            "" if same else "记录中的抽取结果与其摘要不符：记录在抽取后被改动过",
        ),
        Finding(
            "算法",
            record["algorithm"],
            record["algorithm"] == ALGORITHM,
            "" if record["algorithm"] == ALGORITHM else f"本程序实现的是 {ALGORITHM}",
        ),
        Finding(
            "组队算法",
            record["team_algorithm"],
            record["team_algorithm"] == TEAM_ALGORITHM,
            "" if record["team_algorithm"] == TEAM_ALGORITHM else f"本程序实现的是 {TEAM_ALGORITHM}",
        ),
    ]


def plan_finding(name: str, given: Mapping[str, Any], recorded: Mapping[str, Any]) -> Finding:
    """A plan file the auditor gives, in canonical form, against the plan in the record."""
    changed = sorted(k for k in set(given) | set(recorded) if given.get(k) != recorded.get(k))
    return Finding(
        "抽查计划", name, not changed, f"与记录不同的部分：{'、'.join(changed)}" if changed else ""
    )


def row_changes(
    old: Mapping[str, tuple[int, Mapping[str, str]]], new: Mapping[str, tuple[int, Mapping[str, str]]]
) -> list[str]:
    """Rows added, removed or changed between two versions of an input, each given as
    key → (Excel row, field label → text)."""
    found = [f"新增 {key}（现第 {new[key][0]} 行）" for key in sorted(set(new) - set(old))]
    found += [f"删除 {key}（原第 {old[key][0]} 行）" for key in sorted(set(old) - set(new))]
    for key in sorted(set(old) & set(new)):
        (was_row, was), (now_row, now) = old[key], new[key]
        changes = [f"{label}“{was[label]}”→“{now[label]}”" for label in was if was[label] != now[label]]
        if changes:
            rows = f"第 {now_row} 行" if was_row == now_row else f"原第 {was_row} 行，现第 {now_row} 行"
            found.append(f"改动 {key}（{rows}）：{'，'.join(changes)}")
    return found


def commitment_finding(record: Mapping[str, Any], name: str, commitment: Mapping[str, Any] | str) -> Finding:
    """The commitment the draw was checked against (or why it cannot be used, as text): the one the
    record names, committing to the record's plan and inputs?"""
    trace = record.get("commitment")
    if trace is None:
        return Finding("承诺", name, False, "抽取时没有使用承诺文件（抽取记录中没有承诺摘要）")
    if isinstance(commitment, str):
        return Finding("承诺", name, False, commitment)
    recorded_inputs = {e["role"]: e["sha256"] for e in record["inputs"]}
    files = {kind: (name, sha) for kind, sha in recorded_inputs.items() if kind != LEDGER_HISTORY}
    try:
        problems = commitment_differences(commitment, record["plan"], files)
    except UsageError as error:
        problems = [str(error)]
    if commitment.get("commitment_sha256") != trace.get("commitment_sha256"):
        problems.insert(
            0,
            f"承诺摘要为 {str(commitment.get('commitment_sha256'))[:16]}…，抽取记录中为 "
            f"{str(trace.get('commitment_sha256'))[:16]}…：不是这次抽取所用的承诺",
        )
    item = f"{name}（{str(trace.get('commitment_sha256'))[:16]}…）"
    return Finding("承诺", item, not problems, "；".join(problems))


def recomputation_findings(record: Mapping[str, Any], new: Mapping[str, Any]) -> list[Finding]:
    """The recorded draw against the recomputed record: seed, its sources, strata, tasks, exclusions,
    digest."""
    findings = [Finding("种子", record["seed"], new["seed"] == record["seed"])]
    findings += seed_source_findings(record)
    findings += strata_findings(record["strata"], new["strata"])
    findings += task_findings(record["tasks"], new["tasks"])
    findings.append(excluded_finding(record["excluded"], new["excluded"]))
    same = new["result_digest"] == record["result_digest"]
    findings.append(
        Finding(
            "结果摘要",
            record["result_digest"][:16] + "…",
            same,
            "" if same else f"复算摘要为 {new['result_digest']}",
        )
    )
    return findings


def seed_source_findings(record: Mapping[str, Any]) -> list[Finding]:
    """When the draw named the public sources' values, the seed must be their combination."""
    values = record.get("seed_values")
    if not values:
        return []
    same = combine_seeds(values) == record["seed"]
    listed = "、".join(f"“{v}”" for v in values)
    return [
        Finding(
            "种子",
            "由公开来源合成",
            same,
            f"来源：{listed}" + ("" if same else "；按 seed combine 的规则合成的结果与记录的种子不同"),
        )
    ]


def strata_findings(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """Each stratum's size and quota, recorded against recomputed."""

    def label(s: Mapping[str, Any]) -> str:
        return "、".join(str(v) for v in s["key"].values())

    before = {label(s): s for s in old}
    after = {label(s): s for s in new}
    findings = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if a == b:
            findings.append(Finding("分层与名额", name, True))
        else:
            was = f"符合条件 {a['eligible']}、名额 {a['quota']}" if a else "无此层"
            now = f"符合条件 {b['eligible']}、名额 {b['quota']}" if b else "无此层"
            findings.append(Finding("分层与名额", name, False, f"原为{was}，复算为{now}"))
    return findings


def task_findings(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[Finding]:
    """The enterprises drawn (and their order), then each task's team, recorded against recomputed."""
    before = {t["enterprise_id"]: t for t in old}
    after = {t["enterprise_id"]: t for t in new}
    added, removed = sorted(set(after) - set(before)), sorted(set(before) - set(after))
    selection_same = (
        not added and not removed and [t["enterprise_id"] for t in old] == [t["enterprise_id"] for t in new]
    )
    findings = [
        Finding(
            "抽取结果",
            f"{len(old)} 户",
            selection_same,
            "; ".join(
                filter(
                    None,
                    [
                        f"复算多出 {len(added)} 户：{'、'.join(added[:10])}{'…' if len(added) > 10 else ''}"
                        if added
                        else "",
                        (
                            f"复算少了 {len(removed)} 户："
                            f"{'、'.join(removed[:10])}{'…' if len(removed) > 10 else ''}"
                        )
                        if removed
                        else "",
                        "" if added or removed or selection_same else "户数相同但顺序或任务编号不同",
                    ],
                )
            ),
        )
    ]
    changed = [key for key in before if key in after and before[key]["team"] != after[key]["team"]]
    findings.append(
        Finding(
            "检查组",
            f"{len(old)} 组",
            not changed,
            "；".join(
                f"{before[k]['task_id']}（{k}）原为 {'、'.join(before[k]['team'])}，"
                f"复算为 {'、'.join(after[k]['team'])}"
                for k in changed[:10]
            )
            + ("…" if len(changed) > 10 else ""),
        )
    )
    return findings


def excluded_finding(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> Finding:
    """The enterprises kept out of the draw, with their reasons, recorded against recomputed."""
    if old == new:  # item by item, never all held at once (millions in a province)
        return Finding("未参加抽取", f"{len(old)} 户", True)
    before = {(e["enterprise_id"], e["reason"]) for e in old}
    after = {(e["enterprise_id"], e["reason"]) for e in new}
    if before == after:
        return Finding("未参加抽取", f"{len(old)} 户", True)
    gone, extra = sorted(before - after), sorted(after - before)
    detail = "；".join(
        filter(
            None,
            [
                f"原有而复算没有：{'、'.join(k for k, _ in gone[:5])}" if gone else "",
                f"复算新增：{'、'.join(k for k, _ in extra[:5])}" if extra else "",
            ],
        )
    )
    return Finding("未参加抽取", f"{len(old)} 户", False, detail)
