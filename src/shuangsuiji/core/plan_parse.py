"""Parsing and checking a plan's settings: a dict in (as TOML gives it), a Plan or a PlanError with
every problem out, each as "字段: 问题". Pure: `io.plan_file.load_plan` does the file reading.

Ratios and weights are read as exact decimals, never as floats; each value is read, typed and
bounded by plan_values, and this module says what the sections mean and how they fit together.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import PlanError
from .fields import CREDIT_CLASS, INPUT_KINDS, TABLES, InputKind
from .ids import clean_text, compact
from .model import CREDIT_CLASSES, STRATUM_FIELDS
from .plan import (
    DEFAULT_ACTIVE_STATUSES,
    DEFAULT_EXCLUDED_STATUSES,
    PLAN_TYPES,
    ROUNDINGS,
    InputSource,
    Plan,
    PlanInfo,
    Role,
    SelectionRules,
    StatusWords,
    TeamRules,
    roles_from_counts,
)
from .plan_values import (
    MAX_COUNT,
    MAX_DAYS,
    MAX_ID,
    MAX_LIST,
    MAX_TASKS,
    MAX_TEAM,
    MAX_TEXT,
    MAX_WEIGHT,
    Collector,
    bool_value,
    closest,
    date_value,
    describe,
    int_value,
    key_name,
    parse_fraction,
    text_list,
    text_value,
)
from .privacy import personal_data

# Every section and key the schema knows; anything else is reported with a "did you mean".
SCHEMA: dict[str, tuple[str, ...]] = {
    "plan": ("id", "name", "task_name", "type", "items", "authority", "start", "end"),
    "inputs": INPUT_KINDS,
    "scope": ("districts", "industries"),
    "selection": ("strata", "rounding", "ratio", "minimum", "total", "weights"),
    "exclusion": ("inspected_within_days", "excluded_statuses", "active_statuses"),
    "teams": (
        "size",
        "certified",
        "specialist",
        "max_tasks",
        "cross_district",
        "own_authority",
        "rotation_days",
        "departments",
        "specialty_map",
        "roles",
        "balance",
    ),
}
ROLE_KEYS = ("certified", "specialist", "department")
SOURCE_KEYS = ("path", "sheet", "columns")  # [inputs.<kind>] written as a table


def _class_table(c: Collector, data: dict[str, Any], key: str) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        c.add("plan-not-a-table", f"selection.{key}", '应为按信用风险等级给出的表，如 { A = "3%", B = "5%" }')
        return {}
    for cls in table:
        if cls not in CREDIT_CLASSES:
            c.add(
                "plan-unknown-class",
                f"selection.{key}.{key_name(cls)}",
                "未知的信用风险等级",
                "等级只能是 A、B、C、D",
            )
    return {k: v for k, v in table.items() if k in CREDIT_CLASSES}


def _fractions(
    c: Collector, data: dict[str, Any], key: str, what: str, high: Fraction
) -> dict[str, Fraction]:
    """A table of exact fractions by credit class, each between 0 and `high`."""
    found: dict[str, Fraction] = {}
    for cls, raw in _class_table(c, data, key).items():
        try:
            value = parse_fraction(raw)
        except ValueError:
            c.add(
                "plan-bad-fraction",
                f"selection.{key}.{cls}",
                f"无法识别的{what} {describe(raw)}",
                '请写成 "5%"、"0.05" 或 "1/20"',
            )
            continue
        if not 0 <= value <= high:
            bounds = "0%–100%" if high == 1 else f"0 到 {high}"
            c.add(
                "plan-out-of-range", f"selection.{key}.{cls}", f"{what} {describe(raw)} 超出范围（{bounds}）"
            )
            continue
        found[cls] = value
    return found


def _selection(c: Collector, data: dict[str, Any]) -> SelectionRules:
    strata = text_list(c, data, "selection", "strata") if "strata" in data else (CREDIT_CLASS,)
    for column in strata:
        if column not in STRATUM_FIELDS:
            c.add(
                "plan-unknown-stratum",
                "selection.strata",
                f"不支持按“{column}”分层{closest(column, tuple(STRATUM_FIELDS))}",
                f"可用：{'、'.join(STRATUM_FIELDS)}",
            )
    if len(set(strata)) != len(strata):
        c.add("plan-duplicate", "selection.strata", "分层依据有重复")
    if CREDIT_CLASS not in strata:
        c.add("plan-missing", "selection.strata", "分层依据必须包含“信用风险等级”", "比例按信用风险等级设定")
    rounding = data.get("rounding", "ceil")
    if rounding not in ROUNDINGS:
        c.add(
            "plan-bad-choice",
            "selection.rounding",
            f"应为 ceil、floor 或 half_up，实际为 {describe(rounding)}",
        )
        rounding = "ceil"
    ratio = _fractions(c, data, "ratio", "比例", Fraction(1))
    minimum: dict[str, int] = {}
    for cls, raw in _class_table(c, data, "minimum").items():
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_COUNT:
            c.add(
                "plan-out-of-range",
                f"selection.minimum.{cls}",
                f"应为 0 到 {MAX_COUNT} 之间的整数，实际为 {describe(raw)}",
            )
        else:
            minimum[cls] = raw
    weights = _fractions(c, data, "weights", "权重", Fraction(MAX_WEIGHT))
    total = data.get("total")
    if total is not None and (
        isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= MAX_COUNT
    ):
        c.add(
            "plan-out-of-range",
            "selection.total",
            f"应为 0 到 {MAX_COUNT} 之间的整数，实际为 {describe(total)}",
        )
        total = None
    if "total" in data and ratio:
        c.add("plan-conflict", "selection", "ratio（按比例）与 total（按总数）只能二选一")
    if "total" in data and not weights:
        c.add(
            "plan-missing",
            "selection.weights",
            "按总数抽取时须给出各等级的权重",
            "例如 weights = { A = 1, B = 2, C = 4, D = 8 }",
        )
    if "total" not in data and not ratio and "ratio" not in data:
        c.add("plan-missing", "selection.ratio", "缺少抽取比例", "请给出 ratio，或改用 total 与 weights")
    if "total" not in data and weights:
        c.add("plan-conflict", "selection.weights", "weights 只用于按总数抽取（须同时给出 total）")
    return SelectionRules(tuple(strata), rounding, ratio, minimum, total, weights)


_COUNT_KEYS = ("size", "certified", "specialist", "departments")


def _listed_roles(c: Collector, raw: Any) -> tuple[Role, ...]:
    """[[teams.roles]]: one table per team place, with certified / specialist / department."""
    if not isinstance(raw, list) or not raw or not all(isinstance(r, dict) for r in raw):
        c.add("plan-bad-roles", "teams.roles", "应为一个或多个 [[teams.roles]] 表，每个表是组里的一个岗位")
        return ()
    if len(raw) > MAX_TEAM:
        c.add("plan-too-long", "teams.roles", f"写了 {len(raw)} 个岗位，每组最多 {MAX_TEAM} 人")
        return ()
    roles = []
    for number, entry in enumerate(raw, start=1):
        where = f"teams.roles 第 {number} 个岗位"
        for key in entry:
            if key not in ROLE_KEYS:
                c.add(
                    "plan-unknown-key",
                    where,
                    f"不认识的设置“{key_name(key)}”{closest(str(key), ROLE_KEYS)}",
                    "岗位可写 certified、specialist、department",
                )
        flags = [entry.get(k, False) for k in ("certified", "specialist")]
        department = entry.get("department", "")
        if (
            not all(isinstance(f, bool) for f in flags)
            or not isinstance(department, str)
            or len(department) > MAX_TEXT
        ):
            c.add(
                "plan-bad-roles", where, "certified、specialist 应为 true 或 false，department 应为部门名称"
            )
            continue
        roles.append(Role(flags[0], flags[1], compact(department)))
    return tuple(roles)


def _counted_roles(c: Collector, data: dict[str, Any]) -> tuple[Role, ...]:
    size = int_value(c, data, "teams", "size", 2, low=1, high=MAX_TEAM)
    certified = int_value(c, data, "teams", "certified", min(2, size), high=MAX_TEAM)
    specialist = int_value(c, data, "teams", "specialist", 0, high=MAX_TEAM)
    departments = text_list(c, data, "teams", "departments", names=True)
    for key, value in (
        ("certified", certified),
        ("specialist", specialist),
        ("departments", len(departments)),
    ):
        if value > size:
            c.add("plan-conflict", f"teams.{key}", f"要求 {value} 人，超过每组人数 size = {size}")
            return ()
    if len(set(departments)) != len(departments):
        c.add("plan-duplicate", "teams.departments", "部门有重复")
        return ()
    roles = roles_from_counts(size, certified, specialist, departments)
    if roles is None:
        c.add(
            "plan-ambiguous-team",
            "teams",
            f"每组 {size} 人、持证 {certified} 人、专业 {specialist} 人"
            + (f"、来自{'、'.join(departments)}" if departments else "")
            + " 的写法不能确定每个组员的岗位（例如专业人员是否必须持证）",
            "请改用 [[teams.roles]] 逐个写明每个岗位的要求（见 config/plan.toml 中的说明）",
        )
        return ()
    return roles


def _specialty_map(c: Collector, data: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    raw_map = data.get("specialty_map", {})
    found: dict[str, tuple[str, ...]] = {}
    if not isinstance(raw_map, dict) or len(raw_map) > MAX_LIST:
        c.add("plan-not-a-table", "teams.specialty_map", "应为“行业类别 = [专业领域, …]”的表")
        return found
    for industry in raw_map:
        specialties = text_list(c, raw_map, "teams.specialty_map", industry, names=True)
        if specialties and compact(industry):
            found[compact(industry)] = specialties
    return found


def _teams(c: Collector, data: dict[str, Any]) -> TeamRules:
    if "roles" in data:
        for key in _COUNT_KEYS:
            if key in data:
                c.add(
                    "plan-conflict",
                    f"teams.{key}",
                    "已用 [[teams.roles]] 写明岗位，不能再写此项",
                    f"请删去 {key}，或删去 [[teams.roles]]",
                )
        roles = _listed_roles(c, data["roles"])
    else:
        roles = _counted_roles(c, data)
    if roles and not any(r.certified for r in roles):
        c.add(
            "plan-no-certified-role",
            "teams",
            "每组至少要有 1 个持证岗位（组长由持证人员担任）",
            "请把 certified 设为 1 或更多",
        )
    return TeamRules(
        roles=roles or TeamRules().roles,
        max_tasks=int_value(c, data, "teams", "max_tasks", 8, low=1, high=MAX_TASKS),
        cross_district=bool_value(c, data, "cross_district", False),
        own_authority=bool_value(c, data, "own_authority", False),
        rotation_days=int_value(c, data, "teams", "rotation_days", 365, high=MAX_DAYS),
        specialty_map=_specialty_map(c, data),
        balance=bool_value(c, data, "balance", True),
    )


def _statuses(c: Collector, data: dict[str, Any]) -> StatusWords:
    """[exclusion] excluded_statuses / active_statuses: each replaces its default list."""
    lists = []
    for key, default in (
        ("excluded_statuses", DEFAULT_EXCLUDED_STATUSES),
        ("active_statuses", DEFAULT_ACTIVE_STATUSES),
    ):
        words = text_list(c, data, "exclusion", key) if key in data else default
        lists.append(frozenset(map(compact, words)))
    excluded, active = lists
    if both := sorted(excluded & active):
        c.add(
            "plan-conflict",
            "exclusion",
            f"经营状态“{'”“'.join(both)}”同时出现在 excluded_statuses 和 active_statuses 中",
            "每个词只能在其中一个列表里",
        )
    return StatusWords(excluded, active)


def _sources(c: Collector, data: dict[str, Any], base_dir: Path) -> dict[InputKind, InputSource]:
    """[inputs]: each input as a path, or as a table with path, sheet and columns (the file's
    headers for our canonical ones, e.g. 统一社会信用代码 = "TYXYDM")."""
    found: dict[InputKind, InputSource] = {}
    for kind in INPUT_KINDS:
        if kind not in data:
            continue
        value = data[kind]
        where = f"inputs.{kind}"
        table = value if isinstance(value, dict) else {"path": value}
        for key in table:
            if key not in SOURCE_KEYS:
                c.add(
                    "plan-unknown-key",
                    where,
                    f"未知的设置项“{key_name(key)}”{closest(str(key), SOURCE_KEYS)}",
                    f"可用：{'、'.join(SOURCE_KEYS)}",
                )
        path = table.get("path")
        if not isinstance(path, str) or not path.strip() or len(path) > 1000 or "\x00" in path:
            c.add(
                "plan-not-a-path",
                f"{where}{'.path' if isinstance(value, dict) else ''}",
                f"应为文件路径，实际为 {describe(path)}",
            )
            continue
        sheet = text_value(c, table, where, "sheet", limit=31) if "sheet" in table else None
        columns: dict[str, str] = {}
        raw_columns = table.get("columns", {})
        known = TABLES[kind].names()
        if not isinstance(raw_columns, dict):
            c.add(
                "plan-not-a-table",
                f"{where}.columns",
                '应为“文件中的列名 = 我们的列名”的表，如 { TYXYDM = "统一社会信用代码" }',
            )
            raw_columns = {}
        # Written as the file's header = our canonical header: the pinyin codes that need mapping
        # (TYXYDM, ZT, LXDH) are bare TOML keys, while a Chinese key would need quotes.
        for header, name in raw_columns.items():
            if not isinstance(name, str) or clean_text(name) not in known:
                c.add(
                    "plan-unknown-column",
                    f"{where}.columns.{key_name(header)}",
                    f"“{key_name(name)}”不是{TABLES[kind].label}的列{closest(str(name), known)}",
                    f"可写的列：{'、'.join(known)}",
                )
            elif clean_text(name) in columns:
                c.add(
                    "plan-duplicate",
                    f"{where}.columns",
                    f"“{clean_text(name)}”对应了两个文件列",
                    "每个列名只能对应文件中的一列",
                )
            elif not clean_text(str(header)) or len(str(header)) > MAX_TEXT:
                c.add("plan-too-long", f"{where}.columns", f"文件中的列名 {describe(header)} 为空或太长")
            else:
                columns[clean_text(name)] = clean_text(str(header))
        found[kind] = InputSource(base_dir / path.strip(), sheet, columns)
    return found


def parse_plan(data: dict[str, Any], base_dir: Path, file: str = "plan.toml") -> Plan:
    """Validate a parsed TOML document; raise PlanError listing every problem found."""
    c = Collector(file)
    sections: dict[str, dict[str, Any]] = {}
    for name, value in data.items():
        if name not in SCHEMA:
            c.add(
                "plan-unknown-section",
                f"[{key_name(name)}]",
                f"未知的节{closest(str(name), tuple(SCHEMA))}",
                f"可用的节：{'、'.join(SCHEMA)}",
            )
        elif not isinstance(value, dict):
            c.add("plan-not-a-table", f"[{name}]", "应为一个节（表）")
        else:
            sections[name] = value
            for key in value:
                if key not in SCHEMA[name]:
                    c.add(
                        "plan-unknown-key",
                        f"{name}.{key_name(key)}",
                        f"未知的设置项{closest(str(key), SCHEMA[name])}",
                        f"[{name}] 可用：{'、'.join(SCHEMA[name])}",
                    )
    if "plan" not in sections:
        c.add("plan-missing", "[plan]", "缺少此节", "请给出 id、name、start、end 等计划信息")
    p = sections.get("plan", {})
    start, end = date_value(c, p, "start"), date_value(c, p, "end")
    if start and end and start > end:
        c.add("plan-conflict", "plan.start", f"开始日期 {start} 晚于结束日期 {end}")
    plan_type = p.get("type", "不定向")
    if plan_type not in PLAN_TYPES:
        c.add("plan-bad-choice", "plan.type", f"应为“定向”或“不定向”，实际为 {describe(plan_type)}")
    plan_id = text_value(c, p, "plan", "id", limit=MAX_ID)
    if finding := personal_data(plan_id):
        c.add(
            "personal-data",
            "plan.id",
            f"含有{finding}",
            "计划编号会写入公示表，不得含有手机号、身份证号等个人信息",
        )
    if "|" in plan_id:
        c.add("plan-pipe", "plan.id", "计划编号中不能含有竖线“|”")
    default_task = p.get("name", "") if isinstance(p.get("name"), str) else ""
    info = PlanInfo(
        id=plan_id,
        name=text_value(c, p, "plan", "name", public=True),
        task_name=text_value(c, p, "plan", "task_name", default_task, public=True),
        type=str(plan_type),
        items=text_list(c, p, "plan", "items", public=True),
        authority=text_value(c, p, "plan", "authority", public=True),
        start=start or date.min,
        end=end or date.max,
    )
    scope = sections.get("scope", {})
    exclusion = sections.get("exclusion", {})
    plan = Plan(
        info=info,
        inputs=_sources(c, sections.get("inputs", {}), base_dir),
        districts=text_list(c, scope, "scope", "districts", names=True),
        industries=text_list(c, scope, "scope", "industries", names=True),
        selection=_selection(c, sections.get("selection", {})),
        inspected_within_days=int_value(c, exclusion, "exclusion", "inspected_within_days", 0, high=MAX_DAYS),
        teams=_teams(c, sections.get("teams", {})),
        statuses=_statuses(c, exclusion),
    )
    if c.problems:
        raise PlanError(c.problems)
    return plan


def plan_from_record(canonical: dict[str, Any], inputs: dict[InputKind, InputSource]) -> Plan:
    """Rebuild a plan from its normalised form in a draw record (`Plan.canonical`), reading its
    inputs from `inputs` (the column mappings are the recorded ones)."""
    data = {section: dict(values) for section, values in canonical.items() if section != "columns"}
    selection = data.get("selection", {})
    for key in ("total", "weights", "ratio", "minimum"):
        if selection.get(key) in (None, {}):
            selection.pop(key, None)
    teams = data.get("teams", {})
    if not teams.get("specialty_map"):
        teams.pop("specialty_map", None)
    recorded_columns = canonical.get("columns", {})
    data["inputs"] = {
        kind: {
            "path": str(source.path),
            **({"sheet": source.sheet} if source.sheet else {}),
            "columns": {header: name for name, header in recorded_columns.get(kind, {}).items()},
        }
        for kind, source in inputs.items()
    }
    return parse_plan(data, Path("."), file="draw-record.json")
