"""Inspector teams for the drawn enterprises (purpose "assign"), documented in docs/algorithm.md.

For each task, in the order of ticket("assign", key), the on-duty inspectors (sorted by 人员编号)
are shuffled by a Fisher–Yates permutation driven by tickets, computed lazily so that only the
first few positions are ever hashed. Walking that order and skipping people a hard rule forbids
for this enterprise, the team is the first valid one to appear: the valid team whose last member
comes earliest, and among those the earliest members. The leader is its first certified member.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from .errors import DrawError
from .model import Enterprise, HistoryEntry, Inspector, Recusal
from .plan import Plan, TeamRules
from .tickets import TicketPrefix, ticket


@dataclass(frozen=True, slots=True)
class Candidate:
    """An inspector as the team rules see them for one enterprise."""

    inspector: Inspector
    certified: bool
    specialist: bool


def permutation(seed: str, enterprise_key: str, pool: Sequence[Inspector]) -> Iterator[Inspector]:
    """The pool in the enterprise's random order: Fisher–Yates, step s swaps s with s + U(m − s)."""
    moved: dict[int, int] = {}
    size = len(pool)
    tickets = TicketPrefix(seed, "assign", enterprise_key)
    for step in range(size):
        pick = step + tickets.uniform(str(step), size - step)
        chosen = moved.get(pick, pick)
        moved[pick] = moved.get(step, step)
        yield pool[chosen]


def _complete(
    team: list[Candidate], earlier: Sequence[Candidate], start: int, rules: TeamRules,
    certified: int, specialists: int, departments: frozenset[str],
) -> bool:
    """Depth-first: extend `team` with members from earlier[start:], in order, to a valid team.

    `certified`, `specialists` and `departments` are what is still missing; an open slot can make
    up at most one of each, which prunes hopeless branches early.
    """
    slots = rules.size - len(team)
    if certified > slots or specialists > slots or len(departments) > slots:
        return False
    if slots == 0:
        return True
    if slots == 1:  # the last member: a plain scan, no recursion (the common case for pairs)
        for i in range(start, len(earlier)):
            c = earlier[i]
            if c.certified >= certified and c.specialist >= specialists and departments <= {c.inspector.department}:
                team.append(c)
                return True
        return False
    for i in range(start, len(earlier)):
        c = earlier[i]
        team.append(c)
        if _complete(
            team, earlier, i + 1, rules, certified - c.certified, specialists - c.specialist,
            departments - {c.inspector.department},
        ):
            return True
        team.pop()
    return False


def _team_with(newest: Candidate, earlier: Sequence[Candidate], rules: TeamRules) -> list[Candidate] | None:
    """The first valid team made of `newest` and members of `earlier` (in order), if any."""
    team = [newest]
    missing = frozenset(rules.departments) - {newest.inspector.department}
    if _complete(team, earlier, 0, rules, rules.certified - newest.certified,
                 rules.specialist - newest.specialist, missing):
        return [*team[1:], newest]  # candidate order: the search adds earlier ones in order
    return None


class TeamBuilder:
    """Builds teams one task at a time, tracking workloads against each inspector's cap."""

    def __init__(
        self,
        plan: Plan,
        seed: str,
        inspectors: Iterable[Inspector],
        recusals: Iterable[Recusal] = (),
        history: Iterable[HistoryEntry] = (),
    ) -> None:
        self.rules = plan.teams
        self.seed = seed
        self.end = plan.info.end
        self.pool = sorted((i for i in inspectors if i.on_duty), key=lambda i: i.id)
        self.recused = {(r.inspector_id, r.enterprise_key) for r in recusals}
        self.rotation_blocked = _recent_pairs(history, plan.info.start, self.rules.rotation_days)
        self.workload: dict[str, int] = {}

    def cap(self, inspector: Inspector) -> int:
        """Task cap: the roster's 任务上限 when given, else the plan's max_tasks."""
        return inspector.max_tasks if inspector.max_tasks is not None else self.rules.max_tasks

    def allowed(self, inspector: Inspector, enterprise: Enterprise) -> bool:
        """Every per-person hard rule: recusal, rotation, district, cap."""
        return (
            (inspector.id, enterprise.key) not in self.recused
            and (inspector.id, enterprise.key) not in self.rotation_blocked
            and not (self.rules.cross_district and inspector.district == enterprise.district)
            and self.workload.get(inspector.id, 0) < self.cap(inspector)
        )

    def candidate(self, inspector: Inspector, enterprise: Enterprise) -> Candidate:
        """How an allowed inspector counts towards this enterprise's team rules."""
        wanted = self.rules.specialties_for(enterprise.industry)
        return Candidate(
            inspector,
            certified=inspector.certified_through(self.end),
            specialist=any(s in inspector.specialties for s in wanted),
        )

    def build(self, enterprise: Enterprise) -> tuple[Inspector, ...]:
        """The team for one enterprise, leader first; raises DrawError when none is possible."""
        seen: list[Candidate] = []
        for inspector in permutation(self.seed, enterprise.key, self.pool):
            if not self.allowed(inspector, enterprise):
                continue
            newest = self.candidate(inspector, enterprise)
            members = _team_with(newest, seen, self.rules)
            if members is not None:
                for c in members:
                    self.workload[c.inspector.id] = self.workload.get(c.inspector.id, 0) + 1
                leader = next((c for c in members if c.certified), members[0])
                return (leader.inspector, *(c.inspector for c in members if c is not leader))
            seen.append(newest)
        raise DrawError(_explain(enterprise, seen, self.rules), hint=_HINT)


_HINT = "可提高任务上限（max_tasks 或名录中的“任务上限”）、放宽专业或持证要求，或补充在岗执法人员"


def _explain(enterprise: Enterprise, allowed: Sequence[Candidate], rules: TeamRules) -> str:
    certified = sum(c.certified for c in allowed)
    specialists = sum(c.specialist for c in allowed)
    needs = [f"每组 {rules.size} 人"]
    if rules.certified:
        needs.append(f"持有效执法证 {rules.certified} 人（可派 {certified} 人）")
    if rules.specialist:
        needs.append(f"“{enterprise.industry}”专业 {rules.specialist} 人（可派 {specialists} 人）")
    if rules.departments:
        needs.append(f"来自{'、'.join(rules.departments)}各 1 人")
    return (
        f"无法为“{enterprise.name}”（{enterprise.key}）组成检查组：需要{'，'.join(needs)}；"
        f"排除回避、轮换、区域和任务已满的人员后，可派人员共 {len(allowed)} 人"
    )


def _recent_pairs(history: Iterable[HistoryEntry], start: date, days: int) -> set[tuple[str, str]]:
    """(inspector, enterprise) pairs inspected fewer than `days` days before `start`."""
    return {
        (h.inspector_id, h.enterprise_key)
        for h in history
        if h.inspector_id and days and (start - h.inspected_on).days < days
    }


def assignment_order(seed: str, keys: Iterable[str]) -> list[str]:
    """Tasks are staffed in the order of ticket("assign", key), so no enterprise is favoured."""
    return sorted(keys, key=lambda key: (ticket(seed, "assign", key), key))
