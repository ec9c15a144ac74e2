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
    ),
}
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


@dataclass(frozen=True)
class TeamRules:
    """The [teams] section: the hard rules every inspector team must meet."""

    size: int = 2
    certified: int = 2
    specialist: int = 0
    max_tasks: int = 8
    cross_district: bool = False
    rotation_days: int = 365
    departments: tuple[str, ...] = ()
    specialty_map: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def specialties_for(self, industry: str) -> tuple[str, ...]:
        """The 专业领域 values that count as specialist for an industry (itself unless mapped)."""
        return self.specialty_map.get(industry, (industry,))


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
                "size": self.teams.size,
                "certified": self.teams.certified,
                "specialist": self.teams.specialist,
                "max_tasks": self.teams.max_tasks,
                "cross_district": self.teams.cross_district,
                "rotation_days": self.teams.rotation_days,
                "departments": list(self.teams.departments),
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


def _teams(c: _Collector, data: dict[str, Any]) -> TeamRules:
    size = _int(c, data, "teams", "size", 2, low=1)
    certified = _int(c, data, "teams", "certified", min(2, size))
    specialist = _int(c, data, "teams", "specialist", 0)
    departments = _text_list(c, data, "teams", "departments")
    for key, value in (("certified", certified), ("specialist", specialist), ("departments", len(departments))):
        if value > size:
            c.add(f"teams.{key}", f"要求 {value} 人，超过每组人数 size = {size}")
    if len(set(departments)) != len(departments):
        c.add("teams.departments", "部门有重复")
    cross = data.get("cross_district", False)
    if not isinstance(cross, bool):
        c.add("teams.cross_district", f"应为 true 或 false，实际为 {cross!r}")
        cross = False
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
        size=size,
        certified=certified,
        specialist=specialist,
        max_tasks=_int(c, data, "teams", "max_tasks", 8, low=1),
        cross_district=cross,
        rotation_days=_int(c, data, "teams", "rotation_days", 365),
        departments=departments,
        specialty_map=specialty_map,
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
