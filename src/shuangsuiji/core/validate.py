"""Checks that need more than one input at a time (the readers check each file on its own)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from .errors import Problem, Severity
from .model import Inputs, Inspector
from .plan import Plan


def _problem(
    inputs: Inputs,
    kind: str,
    code: str,
    message: str,
    *,
    hint: str = "",
    row: int | None = None,
    column: str = "",
    severity: Severity = "error",
    params: Mapping[str, Any] | None = None,
) -> Problem:
    """A problem located in the input file that is of `kind`."""
    found = next((f for f in inputs.files if f.kind == kind), None)
    file = found.path.replace("\\", "/").rsplit("/", 1)[-1] if found else ""
    sheet = found.sheet if found else ""
    return Problem(
        message,
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        severity=severity,
        hint=hint,
        code=code,
        params=params or {},
    )


def check_inputs(inputs: Inputs, plan: Plan) -> list[Problem]:
    """Problems between the plan and the inputs, and between the inputs themselves."""
    problems: list[Problem] = []
    rules = plan.teams
    on_duty = [i for i in inputs.inspectors if i.on_duty]
    if len(on_duty) < rules.size:
        problems.append(
            _problem(
                inputs,
                "inspectors",
                "too-few-on-duty",
                f"在岗执法人员只有 {len(on_duty)} 人，少于每组人数 {rules.size}",
                hint="请检查“在岗状态”列，或补充人员",
            )
        )
    certified = [i for i in on_duty if i.certified_through(plan.info.end)]
    if rules.certified and len(certified) < rules.certified:
        problems.append(
            _problem(
                inputs,
                "inspectors",
                "too-few-certified",
                f"执法证在整个检查期（至 {plan.info.end}）内有效的在岗人员只有 {len(certified)} 人，"
                f"每组却需要 {rules.certified} 人",
                hint="请核对“执法证号”和“执法证有效期至”两列",
            )
        )
    departments = {i.department for i in on_duty}
    problems.extend(
        _problem(
            inputs,
            "inspectors",
            "department-without-staff",
            f"计划要求的联合检查部门“{d}”没有在岗人员",
            hint="请核对 teams.departments 与“所属部门”列",
        )
        for d in rules.departments
        if d not in departments
    )
    problems.extend(_unstaffable_industries(inputs, plan, on_duty))
    problems.extend(_unstaffable_authorities(inputs, plan, on_duty))
    problems.extend(_off_duty(inputs))
    problems.extend(_status_words(inputs, plan))
    for label, wanted, column in (
        ("区域", plan.districts, inputs.enterprises.district),
        ("行业", plan.industries, inputs.enterprises.industry),
    ):
        present = set(column) if wanted else set()  # a million-row set only when the plan has a scope
        problems.extend(
            _problem(
                inputs,
                "enterprises",
                "scope-value-absent",
                f"计划范围中的{label}“{value}”在企业名录中一户也没有",
                hint="请核对计划文件 [scope] 的写法",
                severity="warning",
            )
            for value in wanted
            if value not in present
        )
    ids = {i.id for i in inputs.inspectors}
    # Which recusal keys the roster has: a pass over the roster, not a million-key set (5x faster).
    keys = {r.enterprise_key for r in inputs.recusals}.intersection(inputs.enterprises.key)
    for r in inputs.recusals:
        if r.inspector_id not in ids:
            problems.append(
                _problem(
                    inputs,
                    "conflicts",
                    "unknown-recusal-person",
                    f"回避名单中的人员编号“{r.inspector_id}”不在执法检查人员名录中",
                    row=r.row,
                    column="人员编号",
                    severity="warning",
                    hint="请核对编号；这一行不会起作用",
                )
            )
        if r.enterprise_key not in keys:
            problems.append(
                _problem(
                    inputs,
                    "conflicts",
                    "unknown-recusal-enterprise",
                    f"回避名单中的代码“{r.enterprise_key}”不在检查对象名录中",
                    row=r.row,
                    column="统一社会信用代码",
                    severity="warning",
                    hint="请核对代码；这一行不会起作用",
                )
            )
    return problems


def _off_duty(inputs: Inputs) -> list[Problem]:
    """Who is left out by 在岗状态, word by word: a roster that writes 在职 or 正常 for people at work
    would otherwise lose them without a word."""
    words = Counter(i.status for i in inputs.inspectors if not i.on_duty)
    if not words:
        return []
    listed = "、".join(f"“{word}” {count} 人" for word, count in sorted(words.items()))
    return [
        _problem(
            inputs,
            "inspectors",
            "off-duty-status",
            f"在岗状态为{listed}，不参加抽取（只有“在岗”或空白的人员参加）",
            column="在岗状态",
            severity="warning",
            params={"words": dict(sorted(words.items()))},
            hint="若其中有在岗的人员，请把其在岗状态改为“在岗”",
        )
    ]


def _unstaffable_industries(inputs: Inputs, plan: Plan, on_duty: list[Inspector]) -> list[Problem]:
    """Industries whose enterprises could never be staffed: nobody on duty fits a specialist role."""
    rules = plan.teams
    specialist_roles = [r for r in rules.roles if r.specialist]
    if not specialist_roles:
        return []
    column = inputs.enterprises.industry
    industries = set(column) & set(plan.industries) if plan.industries else set(column)
    problems = []
    for industry in sorted(industries):
        wanted = rules.specialties_for(industry)
        for role in dict.fromkeys(specialist_roles):
            fits = [i for i in on_duty if role.admits(i, plan.info.end, wanted)]
            if not fits:
                problems.append(
                    _problem(
                        inputs,
                        "inspectors",
                        "unstaffable-industry",
                        f"名录中 {column.count(industry)} 户“{industry}”企业一旦被抽中就无法组成检查组："
                        f"没有在岗的{role.describe(industry)}",
                        hint="请补充具备该专业领域的人员，"
                        "或在 teams.specialty_map 中为该行业指定可以替代的专业领域",
                        severity="warning",
                    )
                )
    return problems


def _unstaffable_authorities(inputs: Inputs, plan: Plan, on_duty: list[Inspector]) -> list[Problem]:
    """Under own_authority (谁登记、谁监管): 登记机关 whose enterprises could never be staffed, for
    want of on-duty people of that 所属部门 who can fill the team's roles (a specialist's 专业领域 is
    the industry check's concern)."""
    rules = plan.teams
    if not rules.own_authority:
        return []
    column = inputs.enterprises.authority
    problems = []
    for authority in sorted(set(column)):
        people = [i for i in on_duty if authority and i.department == authority]
        # As many people as the team has places, and for each kind of role as many who can take it
        # as the team has such roles (necessary, not sufficient: the draw names any deeper shortage).
        if len(people) >= rules.size and all(
            sum(role.admits(i, plan.info.end, None) for i in people) >= needed
            for role, needed in Counter(rules.roles).items()
        ):
            continue
        shown = f"登记机关为“{authority}”" if authority else "登记机关一栏为空"
        problems.append(
            _problem(
                inputs,
                "enterprises",
                "unstaffable-authority",
                f"名录中 {column.count(authority)} 户{shown}的企业一旦被抽中就无法组成检查组："
                f"计划要求由登记机关自己的人员检查（own_authority），而所属部门为该机关的在岗人员"
                f"{'没有' if not people else f'只有 {len(people)} 人'}，配不齐每组的 {rules.size} 个岗位",
                hint="请补充该机关的人员，或核对人员名录“所属部门”与企业名录“登记机关”的写法是否一致",
                severity="warning",
            )
        )
    return problems


def _status_words(inputs: Inputs, plan: Plan) -> list[Problem]:
    """Every 经营状态 word the plan does not know, with its count: such a row is neither drawn nor
    left out in silence; and how many rows have no status at all."""
    column = inputs.enterprises.status
    counts = Counter(column)
    problems = [
        _problem(
            inputs,
            "enterprises",
            "unknown-status",
            f"经营状态“{word}”不在计划的经营状态词表中"
            f"（{count} 行，首见第 {inputs.enterprises.row[column.index(word)]} 行）",
            column="经营状态",
            params={"word": word, "count": count},
            hint="请在计划文件 [exclusion] 的 excluded_statuses（不参加抽取）"
            "或 active_statuses（参加抽取）中加入这个词",
        )
        for word, count in sorted(counts.items())
        if not plan.statuses.knows(word)
    ]
    blank = counts.get("", 0)
    if 0 < blank < len(column):
        problems.append(
            _problem(
                inputs,
                "enterprises",
                "blank-status",
                f"{blank} 行的经营状态为空，按正常经营（参加抽取）处理",
                column="经营状态",
                severity="warning",
                hint="如果这些企业已注销或吊销，请补填经营状态",
            )
        )
    return problems
