"""The plan file (抽查计划, TOML): schema, parsing and validation with "字段: 问题" messages.

`parse_plan` is pure (a dict in, a Plan or a PlanError with every problem out); `load_plan` adds
the file reading. Ratios and weights are read as exact decimals, never as floats.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from .errors import PlanError, Problem
from .model import CREDIT_CLASSES, STRATUM_FIELDS

Rounding = Literal["ceil", "floor", "half_up"]
ROUNDINGS: tuple[Rounding, ...] = ("ceil", "floor", "half_up")
PLAN_TYPES = ("定向", "不定向")

# Every section and key the schema knows; anything else is reported with a "did you mean".
SCHEMA: dict[str, tuple[str, ...]] = {
    "plan": ("id", "name", "task_name", "type", "items", "authority", "start", "end"),
    "inputs": ("enterprises", "inspectors", "conflicts", "history"),
    "scope": ("districts", "industries"),
    "selection": ("strata", "rounding", "ratio", "minimum", "total", "weights"),
    "exclusion": ("inspected_within_days",),
    "teams": (
        "size",
        "certified",
        "specialist",
        "max_tasks",
        "cross_district",
        "rotation_days",
        "departments",
        "specialty_map",
        "roles",
        "balance",
    ),
}
ROLE_KEYS = ("certified", "specialist", "department")
INPUT_ROLES = SCHEMA["inputs"]


@dataclass(frozen=True)
class PlanInfo:
    """The [plan] section: what the public disclosure says about the plan."""

    id: str
    name: str
    task_name: str
    type: str
    items: tuple[str, ...]
    authority: str
    start: date
    end: date


@dataclass(frozen=True)
class SelectionRules:
    """The [selection] section: strata and either ratios (ratio mode) or a total (count mode)."""

    strata: tuple[str, ...] = ("信用风险等级",)
    rounding: Rounding = "ceil"
    ratio: dict[str, Fraction] = field(default_factory=dict)
    minimum: dict[str, int] = field(default_factory=dict)
    total: int | None = None
    weights: dict[str, Fraction] = field(default_factory=dict)

    @property
    def count_mode(self) -> bool:
        """True when the plan gives a total and weights instead of ratios."""
        return self.total is not None


@dataclass(frozen=True, slots=True)
class Role:
    """One place in every team (组员岗位) and what its holder must be."""

    certified: bool = False
    specialist: bool = False
    department: str = ""  # "" = any department

    def describe(self, industry: str = "") -> str:
        """The role in a bureau's words, e.g. 食品科持证且具“餐饮服务”专业的人员."""
        skill = f"具“{industry}”专业" if industry else "具相应专业"
        what = {
            (True, True): f"持证且{skill}的人员", (True, False): "持证执法人员",
            (False, True): f"{skill}的人员", (False, False): "在岗人员",
        }[self.certified, self.specialist]
        return f"{self.department}{what}"

    def canonical(self) -> dict[str, Any]:
        return {"certified": self.certified, "specialist": self.specialist, "department": self.department}


@dataclass(frozen=True)
class TeamRules:
    """The [teams] section: the hard rules every inspector team must meet.

    A team is valid when its members can be matched one-to-one to the roles. The count form of the
    plan (size, certified, specialist, departments) is turned into roles by `roles_from_counts`.
    """

    roles: tuple[Role, ...] = (Role(certified=True), Role(certified=True))
    max_tasks: int = 8
    cross_district: bool = False
    rotation_days: int = 365
    specialty_map: dict[str, tuple[str, ...]] = field(default_factory=dict)
    balance: bool = True

    @property
    def size(self) -> int:
        return len(self.roles)

    @property
    def certified(self) -> int:
        return sum(r.certified for r in self.roles)

    @property
    def specialist(self) -> int:
        return sum(r.specialist for r in self.roles)

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(r.department for r in self.roles if r.department)

    def specialties_for(self, industry: str) -> tuple[str, ...]:
        """The 专业领域 values that count as specialist for an industry (itself unless mapped)."""
        return self.specialty_map.get(industry, (industry,))


def roles_from_counts(size: int, certified: int, specialist: int, departments: tuple[str, ...]) -> tuple[Role, ...] | None:
    """The roles that mean exactly "size members, at least `certified` certified, at least
    `specialist` specialists, at least one from each department", or None when no single list of
    roles does (e.g. 3 members, 2 certified, 1 specialist: the specialist may or may not be one of
    the certified two; the plan must then list its roles)."""
    if departments:
        if certified in (0, size) and specialist in (0, size):
            c, s = certified == size, specialist == size
            return tuple(Role(c, s, d) for d in departments) + (Role(c, s),) * (size - len(departments))
        return None
    if certified == size:
        return (Role(True, True),) * specialist + (Role(True, False),) * (size - specialist)
    if specialist == size:
        return (Role(True, True),) * certified + (Role(False, True),) * (size - certified)
    if specialist == 0:
        return (Role(certified=True),) * certified + (Role(),) * (size - certified)
    if certified == 0:
        return (Role(specialist=True),) * specialist + (Role(),) * (size - specialist)
    return None


@dataclass(frozen=True)
class Plan:
    """A validated plan. Input paths are absolute (resolved against the plan file's folder)."""

    info: PlanInfo
    inputs: dict[str, Path]
    districts: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    selection: SelectionRules = field(default_factory=SelectionRules)
    inspected_within_days: int = 0
    teams: TeamRules = field(default_factory=TeamRules)

    def with_inputs(self, overrides: dict[str, Path | None]) -> Plan:
        """The same plan with some input paths replaced (command-line options win)."""
        merged = dict(self.inputs)
        merged.update({role: path.resolve() for role, path in overrides.items() if path is not None})
        return Plan(
            self.info,
            merged,
            self.districts,
            self.industries,
            self.selection,
            self.inspected_within_days,
            self.teams,
        )

    def canonical(self) -> dict[str, Any]:
        """The plan as plain JSON-ready data (no paths): recorded, hashed and compared by verify."""
        sel = self.selection
        return {
            "plan": {
                "id": self.info.id,
                "name": self.info.name,
                "task_name": self.info.task_name,
                "type": self.info.type,
                "items": list(self.info.items),
                "authority": self.info.authority,
                "start": self.info.start.isoformat(),
                "end": self.info.end.isoformat(),
            },
            "scope": {"districts": list(self.districts), "industries": list(self.industries)},
            "selection": {
                "strata": list(sel.strata),
                "rounding": sel.rounding,
                "ratio": {k: fraction_text(v) for k, v in sorted(sel.ratio.items())},
                "minimum": dict(sorted(sel.minimum.items())),
                "total": sel.total,
                "weights": {k: fraction_text(v) for k, v in sorted(sel.weights.items())},
            },
            "exclusion": {"inspected_within_days": self.inspected_within_days},
            "teams": {
                "roles": [r.canonical() for r in self.teams.roles],
                "max_tasks": self.teams.max_tasks,
                "cross_district": self.teams.cross_district,
                "rotation_days": self.teams.rotation_days,
                "balance": self.teams.balance,
                "specialty_map": {k: list(v) for k, v in sorted(self.teams.specialty_map.items())},
            },
        }


def fraction_text(value: Fraction) -> str:
    """An exact, human-readable text for a fraction: "3/100"."""
    return f"{value.numerator}/{value.denominator}"


class _Collector:
    """Gathers every problem of a plan file so the user sees them all at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(f"{key}：{message}", file=self.file, hint=hint))


def _closest(word: str, choices: tuple[str, ...]) -> str:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return f"，是否想写“{match[0]}”？" if match else ""


def _text(c: _Collector, data: dict[str, Any], section: str, key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        c.add(f"{section}.{key}", "缺少此项", "请在计划文件中补上")
        return ""
    if not isinstance(value, str) or not value.strip():
        c.add(f"{section}.{key}", f"应为非空文字，实际为 {value!r}")
        return ""
    return value.strip()


def _date(c: _Collector, data: dict[str, Any], key: str) -> date | None:
    value = data.get(key)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    c.add(f"plan.{key}", f"应为日期（如 2026-12-01），实际为 {value!r}" if value is not None else "缺少此项")
    return None


def _int(c: _Collector, data: dict[str, Any], section: str, key: str, default: int, low: int = 0) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        c.add(f"{section}.{key}", f"应为不小于 {low} 的整数，实际为 {value!r}")
        return default
    return value


def _text_list(c: _Collector, data: dict[str, Any], section: str, key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        c.add(f"{section}.{key}", f"应为文字列表（如 [\"云岩区\"]），实际为 {value!r}")
        return ()
    return tuple(v.strip() for v in value)


def parse_fraction(value: Any) -> Fraction:
    """Read a ratio or weight exactly: "3%", "0.05", 0.05 (read as Decimal), 1, "1/20"."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | Decimal):
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip().replace("％", "%")
        try:
            if text.endswith("%"):
                return Fraction(Decimal(text[:-1].strip())) / 100
            if "/" in text:
                return Fraction(text)
            return Fraction(Decimal(text))
        except (InvalidOperation, ValueError, ZeroDivisionError):
            pass
    raise ValueError(value)


def _class_table(c: _Collector, data: dict[str, Any], key: str) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        c.add(f"selection.{key}", "应为按信用风险等级给出的表，如 { A = \"3%\", B = \"5%\" }")
        return {}
    for cls in table:
        if cls not in CREDIT_CLASSES:
            c.add(f"selection.{key}.{cls}", "未知的信用风险等级", "等级只能是 A、B、C、D")
    return {k: v for k, v in table.items() if k in CREDIT_CLASSES}


def _selection(c: _Collector, data: dict[str, Any]) -> SelectionRules:
    strata = _text_list(c, data, "selection", "strata") if "strata" in data else ("信用风险等级",)
    for column in strata:
        if column not in STRATUM_FIELDS:
            c.add("selection.strata", f"不支持按“{column}”分层{_closest(column, tuple(STRATUM_FIELDS))}",
                  f"可用：{'、'.join(STRATUM_FIELDS)}")
    if "信用风险等级" not in strata:
        c.add("selection.strata", "分层依据必须包含“信用风险等级”", "比例按信用风险等级设定")
    rounding = data.get("rounding", "ceil")
    if rounding not in ROUNDINGS:
        c.add("selection.rounding", f"应为 ceil、floor 或 half_up，实际为 {rounding!r}")
        rounding = "ceil"
    ratio: dict[str, Fraction] = {}
    for cls, raw in _class_table(c, data, "ratio").items():
        try:
            ratio[cls] = parse_fraction(raw)
        except ValueError:
            c.add(f"selection.ratio.{cls}", f"无法识别的比例 {raw!r}", "请写成 \"5%\" 或 \"0.05\"")
            continue
        if not 0 <= ratio[cls] <= 1:
            c.add(f"selection.ratio.{cls}", f"比例 {raw} 超出 0%–100%")
    minimum: dict[str, int] = {}
    for cls, raw in _class_table(c, data, "minimum").items():
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            c.add(f"selection.minimum.{cls}", f"应为不小于 0 的整数，实际为 {raw!r}")
        else:
            minimum[cls] = raw
    weights: dict[str, Fraction] = {}
    for cls, raw in _class_table(c, data, "weights").items():
        try:
            weights[cls] = parse_fraction(raw)
        except ValueError:
            c.add(f"selection.weights.{cls}", f"无法识别的权重 {raw!r}")
            continue
        if weights[cls] < 0:
            c.add(f"selection.weights.{cls}", "权重不能为负数")
    total = data.get("total")
    if total is not None and (isinstance(total, bool) or not isinstance(total, int) or total < 0):
        c.add("selection.total", f"应为不小于 0 的整数，实际为 {total!r}")
        total = None
    if "total" in data and ratio:
        c.add("selection", "ratio（按比例）与 total（按总数）只能二选一")
    if "total" in data and not weights:
        c.add("selection.weights", "按总数抽取时须给出各等级的权重", "例如 weights = { A = 1, B = 2, C = 4, D = 8 }")
    if "total" not in data and not ratio:
        c.add("selection.ratio", "缺少抽取比例", "请给出 ratio，或改用 total 与 weights")
    if "total" not in data and weights:
        c.add("selection.weights", "weights 只用于按总数抽取（须同时给出 total）")
    return SelectionRules(tuple(strata), rounding, ratio, minimum, total, weights)


def _bool(c: _Collector, data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        c.add(f"teams.{key}", f"应为 true 或 false，实际为 {value!r}")
        return default
    return value


_COUNT_KEYS = ("size", "certified", "specialist", "departments")


def _listed_roles(c: _Collector, raw: Any) -> tuple[Role, ...]:
    """[[teams.roles]]: one table per team place, with certified / specialist / department."""
    if not isinstance(raw, list) or not raw or not all(isinstance(r, dict) for r in raw):
        c.add("teams.roles", "应为一个或多个 [[teams.roles]] 表，每个表是组里的一个岗位")
        return ()
    roles = []
    for number, entry in enumerate(raw, start=1):
        where = f"teams.roles 第 {number} 个岗位"
        for key in entry:
            if key not in ROLE_KEYS:
                c.add(where, f"不认识的设置“{key}”{_closest(key, ROLE_KEYS)}", "岗位可写 certified、specialist、department")
        flags = [entry.get(k, False) for k in ("certified", "specialist")]
        department = entry.get("department", "")
        if not all(isinstance(f, bool) for f in flags) or not isinstance(department, str):
            c.add(where, "certified、specialist 应为 true 或 false，department 应为部门名称")
            continue
        roles.append(Role(flags[0], flags[1], department.strip()))
    return tuple(roles)


def _counted_roles(c: _Collector, data: dict[str, Any]) -> tuple[Role, ...]:
    size = _int(c, data, "teams", "size", 2, low=1)
    certified = _int(c, data, "teams", "certified", min(2, size))
    specialist = _int(c, data, "teams", "specialist", 0)
    departments = _text_list(c, data, "teams", "departments")
    for key, value in (("certified", certified), ("specialist", specialist), ("departments", len(departments))):
        if value > size:
            c.add(f"teams.{key}", f"要求 {value} 人，超过每组人数 size = {size}")
            return ()
    if len(set(departments)) != len(departments):
        c.add("teams.departments", "部门有重复")
        return ()
    roles = roles_from_counts(size, certified, specialist, departments)
    if roles is None:
        c.add(
            "teams",
            f"每组 {size} 人、持证 {certified} 人、专业 {specialist} 人"
            + (f"、来自{'、'.join(departments)}" if departments else "")
            + " 的写法不能确定每个组员的岗位（例如专业人员是否必须持证）",
            "请改用 [[teams.roles]] 逐个写明每个岗位的要求（见 config/plan.toml 中的说明）",
        )
        return ()
    return roles


def _teams(c: _Collector, data: dict[str, Any]) -> TeamRules:
    if "roles" in data:
        for key in _COUNT_KEYS:
            if key in data:
                c.add(f"teams.{key}", "已用 [[teams.roles]] 写明岗位，不能再写此项", f"请删去 {key}，或删去 [[teams.roles]]")
        roles = _listed_roles(c, data["roles"])
    else:
        roles = _counted_roles(c, data)
    if roles and not any(r.certified for r in roles):
        c.add("teams", "每组至少要有 1 个持证岗位（组长由持证人员担任）", "请把 certified 设为 1 或更多")
    raw_map = data.get("specialty_map", {})
    specialty_map: dict[str, tuple[str, ...]] = {}
    if not isinstance(raw_map, dict):
        c.add("teams.specialty_map", "应为“行业类别 = [专业领域, …]”的表")
    else:
        for industry, names in raw_map.items():
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                c.add(f"teams.specialty_map.{industry}", "应为专业领域的文字列表")
            else:
                specialty_map[industry] = tuple(n.strip() for n in names)
    return TeamRules(
        roles=roles or TeamRules().roles,
        max_tasks=_int(c, data, "teams", "max_tasks", 8, low=1),
        cross_district=_bool(c, data, "cross_district", False),
        rotation_days=_int(c, data, "teams", "rotation_days", 365),
        specialty_map=specialty_map,
        balance=_bool(c, data, "balance", True),
    )


def parse_plan(data: dict[str, Any], base_dir: Path, file: str = "plan.toml") -> Plan:
    """Validate a parsed TOML document; raise PlanError listing every problem found."""
    c = _Collector(file)
    sections: dict[str, dict[str, Any]] = {}
    for name, value in data.items():
        if name not in SCHEMA:
            c.add(f"[{name}]", f"未知的节{_closest(name, tuple(SCHEMA))}", f"可用的节：{'、'.join(SCHEMA)}")
        elif not isinstance(value, dict):
            c.add(f"[{name}]", "应为一个节（表）")
        else:
            sections[name] = value
            for key in value:
                if key not in SCHEMA[name]:
                    c.add(f"{name}.{key}", f"未知的设置项{_closest(key, SCHEMA[name])}",
                          f"[{name}] 可用：{'、'.join(SCHEMA[name])}")
    if "plan" not in sections:
        c.add("[plan]", "缺少此节", "请给出 id、name、start、end 等计划信息")
    p = sections.get("plan", {})
    start, end = _date(c, p, "start"), _date(c, p, "end")
    if start and end and start > end:
        c.add("plan.start", f"开始日期 {start} 晚于结束日期 {end}")
    plan_type = p.get("type", "不定向")
    if plan_type not in PLAN_TYPES:
        c.add("plan.type", f"应为“定向”或“不定向”，实际为 {plan_type!r}")
    plan_id = _text(c, p, "plan", "id")
    if "|" in plan_id:
        c.add("plan.id", "计划编号中不能含有竖线“|”")
    info = PlanInfo(
        id=plan_id,
        name=_text(c, p, "plan", "name"),
        task_name=_text(c, p, "plan", "task_name", p.get("name", "")),
        type=str(plan_type),
        items=_text_list(c, p, "plan", "items"),
        authority=_text(c, p, "plan", "authority"),
        start=start or date.min,
        end=end or date.max,
    )
    inputs: dict[str, Path] = {}
    for role, value in sections.get("inputs", {}).items():
        if role in INPUT_ROLES:
            if isinstance(value, str) and value.strip():
                inputs[role] = (base_dir / value.strip()).resolve()
            else:
                c.add(f"inputs.{role}", f"应为文件路径，实际为 {value!r}")
    scope = sections.get("scope", {})
    exclusion = sections.get("exclusion", {})
    plan = Plan(
        info=info,
        inputs=inputs,
        districts=_text_list(c, scope, "scope", "districts"),
        industries=_text_list(c, scope, "scope", "industries"),
        selection=_selection(c, sections.get("selection", {})),
        inspected_within_days=_int(c, exclusion, "exclusion", "inspected_within_days", 0),
        teams=_teams(c, sections.get("teams", {})),
    )
    if c.problems:
        raise PlanError(c.problems)
    return plan


def load_plan(path: Path) -> Plan:
    """Read and validate a plan file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PlanError([Problem("计划文件不存在", file=str(path), hint="请检查 --plan 给出的路径")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([Problem(f"无法读取计划文件（{exc}）", file=str(path))]) from None
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(
            [Problem(f"不是有效的 TOML 格式：{exc}", file=str(path), hint="请检查引号、括号和等号")]
        ) from None
    return parse_plan(data, path.parent, file=str(path))


def plan_from_record(canonical: dict[str, Any], inputs: dict[str, Path]) -> Plan:
    """Rebuild a plan from its normalised form in a draw record (`Plan.canonical`), with input paths."""
    data = {section: dict(values) for section, values in canonical.items()}
    selection = data.get("selection", {})
    for key in ("total", "weights", "ratio", "minimum"):
        if selection.get(key) in (None, {}):
            selection.pop(key, None)
    teams = data.get("teams", {})
    if not teams.get("specialty_map"):
        teams.pop("specialty_map", None)
    data["inputs"] = {role: str(path) for role, path in inputs.items()}
    return parse_plan(data, Path("."), file="draw-record.json")
