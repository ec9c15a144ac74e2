"""The plan (抽查计划) as the draw uses it: frozen settings, each with its canonical form for the record.

Reading a plan file is `io.plan_file.load_plan`; checking its settings and bounds, with every
problem reported at once, is `plan_parse.parse_plan`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from .fields import CREDIT_CLASS, InputKind
from .ids import compact
from .model import Inspector

Rounding = Literal["ceil", "floor", "half_up"]
ROUNDINGS: tuple[Rounding, ...] = ("ceil", "floor", "half_up")
PLAN_TYPES = ("定向", "不定向")

# 经营状态 as real exports write it (the national enterprise credit information system's 登记状态 and
# common bureau variants). Rows whose status is excluded are never drawn; a word in neither list
# stops validate and draw (it is never taken as active in silence). 停业, 歇业 and 清算 are drawn:
# such entities are still registered, and the national results vocabulary has 已关闭停业或正在清算
# for what the inspectors find. A plan may replace either list.
DEFAULT_EXCLUDED_STATUSES = (
    "注销",
    "已注销",
    "注销企业",
    "吊销",
    "已吊销",
    "吊销企业",
    "吊销，未注销",
    "吊销未注销",
    "吊销，已注销",
    "吊销已注销",
    "撤销",
    "已撤销",
    "撤销登记",
    "迁出",
    "已迁出",
    "迁移异地",
)
DEFAULT_ACTIVE_STATUSES = (
    "存续（在营、开业、在册）",
    "存续",
    "在营",
    "在业",
    "开业",
    "在册",
    "在营（开业）",
    "在营（开业）企业",
    "正常",
    "正常在业",
    "登记成立",
    "确立",
    "迁入",
    "停业",
    "歇业",
    "清算",
    "清算中",
)


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

    strata: tuple[str, ...] = (CREDIT_CLASS,)
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
            (True, True): f"持证且{skill}的人员",
            (True, False): "持证执法人员",
            (False, True): f"{skill}的人员",
            (False, False): "在岗人员",
        }[self.certified, self.specialist]
        return f"{self.department}{what}"

    def admits(self, person: Inspector, end: date, specialties: Collection[str] | None = None) -> bool:
        """Whether `person` may hold this place: the one rule assign and validate share. Certified
        means a certificate valid up to and including `end`; specialist means one of `specialties`
        (the enterprise's, see TeamRules.specialties_for) among the person's; None skips that test."""
        return (
            (not self.certified or person.certified_through(end))
            and (
                not self.specialist
                or specialties is None
                or any(s in person.specialties for s in specialties)
            )
            and (not self.department or person.department == self.department)
        )

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
    # 谁登记、谁监管: each enterprise only by inspectors whose 所属部门 is its 登记机关.
    own_authority: bool = False
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


def roles_from_counts(
    size: int, certified: int, specialist: int, departments: tuple[str, ...]
) -> tuple[Role, ...] | None:
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
class InputSource:
    """Where one input is and how to read it: the file, its worksheet, headers named otherwise."""

    path: Path
    sheet: str | None = None  # None: the one visible sheet whose header matches
    columns: dict[str, str] = field(default_factory=dict)  # canonical header → the file's header


@dataclass(frozen=True)
class StatusWords:
    """Which 经营状态 words exclude an enterprise from the draw, and which are known to be active.

    Words are compared compacted (NFKC, no white space): "吊销, 未注销" is "吊销，未注销".
    """

    excluded: frozenset[str] = frozenset(map(compact, DEFAULT_EXCLUDED_STATUSES))
    active: frozenset[str] = frozenset(map(compact, DEFAULT_ACTIVE_STATUSES))

    def excludes(self, status: str) -> bool:
        """The enterprise is never drawn."""
        return compact(status) in self.excluded

    def knows(self, status: str) -> bool:
        """The word is in one of the lists; an empty status counts as active."""
        word = compact(status)
        return not word or word in self.excluded or word in self.active


@dataclass(frozen=True)
class Plan:
    """A validated plan. Input paths are joined to the plan file's folder; the shell makes them
    absolute (io.plan_file.with_resolved_inputs), since only the file system knows the working folder."""

    info: PlanInfo
    inputs: dict[InputKind, InputSource]
    districts: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    selection: SelectionRules = field(default_factory=SelectionRules)
    inspected_within_days: int = 0
    teams: TeamRules = field(default_factory=TeamRules)
    statuses: StatusWords = field(default_factory=StatusWords)

    def with_inputs(self, overrides: dict[InputKind, Path | None], sheet: str | None = None) -> Plan:
        """The same plan with some input paths replaced (command-line options win); `sheet` names
        the enterprise roster's worksheet (--sheet). Column mappings stay: the export is the same."""
        merged = dict(self.inputs)
        for kind, path in overrides.items():
            if path is not None:
                merged[kind] = replace(merged.get(kind, InputSource(path)), path=path)
        if sheet is not None and "enterprises" in merged:
            merged["enterprises"] = replace(merged["enterprises"], sheet=sheet)
        return replace(self, inputs=merged)

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
            "exclusion": {
                "inspected_within_days": self.inspected_within_days,
                "excluded_statuses": sorted(self.statuses.excluded),
                "active_statuses": sorted(self.statuses.active),
            },
            "columns": {
                kind: dict(sorted(source.columns.items()))
                for kind, source in sorted(self.inputs.items())
                if source.columns
            },
            "teams": {
                "roles": [r.canonical() for r in self.teams.roles],
                "max_tasks": self.teams.max_tasks,
                "cross_district": self.teams.cross_district,
                "rotation_days": self.teams.rotation_days,
                "balance": self.teams.balance,
                "specialty_map": {k: list(v) for k, v in sorted(self.teams.specialty_map.items())},
                # Only when on: the plans (and result digests) of earlier draws stay as they were.
                **({"own_authority": True} if self.teams.own_authority else {}),
            },
        }


def fraction_text(value: Fraction) -> str:
    """An exact, human-readable text for a fraction: "3/100"."""
    return f"{value.numerator}/{value.denominator}"
