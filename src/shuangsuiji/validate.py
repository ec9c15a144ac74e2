"""Checks that need more than one input at a time (the readers check each file on its own)."""

from __future__ import annotations

from .errors import Problem
from .model import Inputs, InputFile
from .plan import Plan


def _file(inputs: Inputs, role: str) -> InputFile | None:
    return next((f for f in inputs.files if f.role == role), None)


def _where(inputs: Inputs, role: str) -> dict[str, str]:
    found = _file(inputs, role)
    return {"file": found.path.rsplit("/", 1)[-1], "sheet": found.sheet} if found else {}


def check_inputs(inputs: Inputs, plan: Plan) -> list[Problem]:
    """Problems between the plan and the inputs, and between the inputs themselves."""
    problems: list[Problem] = []
    rules = plan.teams
    on_duty = [i for i in inputs.inspectors if i.on_duty]
    people = _where(inputs, "inspectors")
    if len(on_duty) < rules.size:
        problems.append(Problem(
            f"在岗执法人员只有 {len(on_duty)} 人，少于每组人数 {rules.size}", **people,
            hint="请检查“在岗状态”列，或补充人员",
        ))  # fmt: skip
    certified = [i for i in on_duty if i.certified_through(plan.info.end)]
    if rules.certified and len(certified) < rules.certified:
        problems.append(Problem(
            f"执法证在整个检查期（至 {plan.info.end}）内有效的在岗人员只有 {len(certified)} 人，"
            f"每组却需要 {rules.certified} 人", **people, hint="请核对“执法证号”和“执法证有效期至”两列",
        ))  # fmt: skip
    departments = {i.department for i in on_duty}
    problems.extend(
        Problem(f"计划要求的联合检查部门“{d}”没有在岗人员", **people, hint="请核对 teams.departments 与“所属部门”列")
        for d in rules.departments
        if d not in departments
    )
    keys = set(inputs.enterprises.key)
    districts = set(inputs.enterprises.district)
    industries = set(inputs.enterprises.industry)
    problems.extend(
        Problem(f"计划范围中的区域“{d}”在企业名录中一户也没有", **_where(inputs, "enterprises"), severity="warning")
        for d in plan.districts
        if d not in districts
    )
    problems.extend(
        Problem(f"计划范围中的行业“{d}”在企业名录中一户也没有", **_where(inputs, "enterprises"), severity="warning")
        for d in plan.industries
        if d not in industries
    )
    ids = {i.id for i in inputs.inspectors}
    conflicts = _where(inputs, "conflicts")
    for r in inputs.recusals:
        if r.inspector_id not in ids:
            problems.append(Problem(
                f"回避名单中的人员编号“{r.inspector_id}”不在执法检查人员名录中", **conflicts, row=r.row,
                column="人员编号", severity="warning", hint="请核对编号；这一行不会起作用",
            ))  # fmt: skip
        if r.enterprise_key not in keys:
            problems.append(Problem(
                f"回避名单中的代码“{r.enterprise_key}”不在检查对象名录中", **conflicts, row=r.row,
                column="统一社会信用代码", severity="warning", hint="请核对代码；这一行不会起作用",
            ))  # fmt: skip
    return problems
