"""Inspector teams for the drawn enterprises (purpose "assign"), exactly as docs/algorithm.md §5 says.

A team fills the plan's roles (组员岗位). Tasks are staffed one at a time in the order of
ticket("assign", key), and within a task role by role in plan order. For each place, the
*candidates* are the on-duty inspectors the role allows for this enterprise (certificate valid for
the whole period, specialty, department, district rule, not recused, not back within the rotation
window, not yet in the team, below their task cap). With balance on they are ranked by workload so
far, and those with the same workload by a Fisher–Yates shuffle driven by
ticket("assign", key, role, workload, step), so the usual pick costs one ticket; with balance off,
by a shuffle of the role's whole list, computed lazily.

The place goes to the best-ranked candidate *that leaves every remaining place fillable*. A plain
greedy pass makes exactly these choices whenever it never runs out of candidates (its completion
proves each choice was safe), so it runs first; only when it gets stuck is safety decided, exactly,
by a witness assignment repaired with augmenting paths (`teamflow`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from hashlib import sha256

from .errors import DrawError
from .model import Enterprise, HistoryEntry, Inspector, Recusal
from .plan import Plan, Role
from .teamflow import Bottleneck, Witness, memberships
from .tickets import ALGORITHM, TicketPrefix, tickets_for, uniform_prefixed

_SPACE = 2**256  # ticket values

TEAM_ALGORITHM = "roles-flow-1"  # recorded with every draw; change it whenever these rules change


def shuffled(seed: str, key: str, parts: tuple[str, ...], items: Sequence[int]) -> Iterator[int]:
    """`items` in the Fisher–Yates order of ticket("assign", key, *parts, step): step s swaps s with
    s + U(m − s). Lazy: only the positions asked for are hashed."""
    moved: dict[int, int] = {}
    size = len(items)
    tickets = TicketPrefix(seed, "assign", key, *parts)
    for step in range(size):
        pick = step + tickets.uniform(str(step), size - step)
        chosen = moved.get(pick, pick)
        moved[pick] = moved.get(step, step)
        yield items[chosen]


def assignment_order(seed: str, keys: Iterable[str]) -> list[str]:
    """Tasks are staffed in the order of ticket("assign", key), so no enterprise is favoured."""
    keys = list(keys)
    tickets = tickets_for(seed, "assign", keys)  # shares the hashed prefix: 3× a ticket() per key
    if len(set(tickets)) < len(tickets):  # equal tickets: all but impossible with SHA-256
        return [key for _, key in sorted(zip(tickets, keys, strict=True))]
    # Distinct tickets decide the order alone: sorting by them is 4× faster than by (ticket, key).
    return [keys[i] for i in sorted(range(len(keys)), key=tickets.__getitem__)]


class _Floor:
    """The members of a candidate list below their cap who have the fewest places, in pool order.

    Kept up to date as places are filled, so that the usual pick costs one ticket."""

    __slots__ = ("at", "members", "value")

    def __init__(self, members: Sequence[int], load: list[int], cap: list[int]) -> None:
        self.members = members
        self.refresh(load, cap)

    def refresh(self, load: list[int], cap: list[int]) -> None:
        self.value = min((load[i] for i in self.members if load[i] < cap[i]), default=-1)
        self.at = [i for i in self.members if load[i] == self.value and load[i] < cap[i]]

    def raised(self, i: int, before: int, load: list[int], cap: list[int]) -> None:
        """Member i's workload went up from `before`."""
        if before == self.value:
            del self.at[bisect_left(self.at, i)]
            if not self.at:
                self.refresh(load, cap)


class Staffing:
    """The team problem of one draw: who may fill which place, and the state of a (partial) solution."""

    def __init__(
        self,
        plan: Plan,
        seed: str,
        enterprises: Sequence[Enterprise],
        inspectors: Iterable[Inspector],
        recusals: Iterable[Recusal] = (),
        history: Iterable[HistoryEntry] = (),
    ) -> None:
        self.plan = plan
        self.rules = plan.teams
        self.seed = seed
        self.end = plan.info.end
        self.pool = sorted((i for i in inspectors if i.on_duty), key=lambda i: i.id)
        self.cap = [i.max_tasks if i.max_tasks is not None else self.rules.max_tasks for i in self.pool]
        self.tasks = list(enterprises)
        position = {p.id: n for n, p in enumerate(self.pool)}
        blocked: dict[str, set[int]] = {}
        pairs = [(r.inspector_id, r.enterprise_key) for r in recusals]
        pairs += _recent_pairs(history, plan.info.start, self.rules.rotation_days)
        for inspector_id, key in pairs:
            if inspector_id in position:
                blocked.setdefault(key, set()).add(position[inspector_id])
        nobody: frozenset[int] = frozenset()  # shared: most tasks exclude no one
        self.excluded = [frozenset(blocked[e.key]) if e.key in blocked else nobody for e in self.tasks]
        self.lists: list[tuple[int, ...]] = []
        self.list_ids: dict[tuple[Role, tuple[str, ...], str, str], int] = {}
        self._admitted: dict[Role, frozenset[int]] = {}
        self._skilled: dict[str, set[int]] = {}  # 专业领域 → who has it (pool positions)
        self._departments: dict[str, set[int]] = {}  # 所属部门 → its people (pool positions)
        for n, person in enumerate(self.pool):
            for skill in person.specialties:
                self._skilled.setdefault(skill, set()).add(n)
            self._departments.setdefault(person.department, set()).add(n)
        self.size = self.rules.size
        # A task's lists depend on its industry only through specialist roles, on its district only
        # under cross_district and on its 登记机关 only under own_authority: tasks alike in these
        # share one tuple of list ids. Lists still get their ids in the order of first use, as when
        # every task looked them up role by role.
        by_industry = any(role.specialist for role in self.rules.roles)
        alike: dict[tuple[str, str, str], tuple[int, ...]] = {}
        self.places = []
        for e in self.tasks:
            kind = (
                e.industry if by_industry else "",
                e.district if self.rules.cross_district else "",
                e.authority if self.rules.own_authority else "",
            )
            found = alike.get(kind)
            if found is None:
                found = alike[kind] = tuple(self._list_for(role, e) for role in self.rules.roles)
            self.places.append(found)
        self.lists_of = memberships(self.lists, len(self.pool))
        # ticket("assign", key, role, level, "0") is hashed from this text plus those parts.
        self._ticket_head = f"{ALGORITHM}|{seed}|assign|"
        self._limits: dict[int, int] = {}  # n → the rejection limit of a uniform draw in [0, n)

    def _list_for(self, role: Role, enterprise: Enterprise) -> int:
        """The id of the candidate list (before per-task exclusions) of `role` at `enterprise`."""
        wanted = self.rules.specialties_for(enterprise.industry) if role.specialist else ()
        district = enterprise.district if self.rules.cross_district else ""
        authority = enterprise.authority if self.rules.own_authority else ""
        key = (role, wanted, district, authority)
        if key not in self.list_ids:
            # role.admits(p, end, wanted) in two parts: what does not depend on the enterprise once
            # per role, the specialty through an index (one list per bureau or industry otherwise
            # tests the whole pool each time: 1.7 s of 5 for 102 bureaus).
            admitted = self._admitted.get(role)
            if admitted is None:
                admitted = self._admitted[role] = frozenset(
                    n for n, p in enumerate(self.pool) if role.admits(p, self.end, None)
                )
            if role.specialist:
                members = admitted & set().union(*(self._skilled.get(s, ()) for s in wanted))
            else:
                members = admitted
            if self.rules.own_authority:
                members = members & self._staff_of(authority)
            self.list_ids[key] = len(self.lists)
            self.lists.append(
                tuple(
                    n
                    for n in sorted(members)
                    if not (self.rules.cross_district and self.pool[n].district == enterprise.district)
                )
            )
        return self.list_ids[key]

    def _staff_of(self, authority: str) -> set[int]:
        """The people of the bureau that registered an enterprise (own_authority): 所属部门 equal to
        its 登记机关, both compared as written after the readers' tidying; none for an empty one."""
        return self._departments.get(authority, set()) if authority else set()

    # --- the state of a partial solution: choices[n] fills place n % size of task n // size ---

    def reset(self) -> None:
        """Back to no place filled."""
        self.choices: list[int] = []
        self.load = [0] * len(self.pool)
        self.floors: dict[int, _Floor] = {}

    def _team_so_far(self, n: int) -> list[int]:
        return self.choices[n - n % self.size : n]

    def _fill(self, i: int) -> None:
        before = self.load[i]
        self.load[i] += 1
        self.choices.append(i)
        for lid in self.lists_of[i]:
            floor = self.floors.get(lid)
            if floor is not None:
                floor.raised(i, before, self.load, self.cap)

    def _allowed(self, n: int) -> Callable[[int], bool]:
        """Whether a member of place n's candidate list is a candidate here and now."""
        task = n // self.rules.size
        excluded, team, load, cap = self.excluded[task], self._team_so_far(n), self.load, self.cap
        return lambda i: load[i] < cap[i] and i not in excluded and i not in team

    def ranked(self, n: int) -> Iterator[int]:
        """The candidates of place n, best first. With balance on: by the number of places taken so
        far, and within each number in the shuffle of those candidates (in pool order); with balance
        off: in the shuffle of the role's whole candidate list, skipping those not allowed here."""
        task, role = divmod(n, self.rules.size)
        key, members, allowed = self.tasks[task].key, self.lists[self.places[task][role]], self._allowed(n)
        if not self.rules.balance:
            yield from filter(allowed, shuffled(self.seed, key, (str(role),), members))
            return
        levels: dict[int, list[int]] = {}
        for i in filter(allowed, members):
            levels.setdefault(self.load[i], []).append(i)
        for level in sorted(levels):
            yield from shuffled(self.seed, key, (str(role), str(level)), levels[level])

    def best(self, n: int) -> int | None:
        """The first of `ranked(n)`, usually for the price of one ticket."""
        task, role = divmod(n, self.size)
        if not self.rules.balance:
            return next(self.ranked(n), None)
        lid = self.places[task][role]
        floor = self.floors.get(lid)
        if floor is None:
            floor = self.floors[lid] = _Floor(self.lists[lid], self.load, self.cap)
        # The candidates with the fewest places are the floor's members minus the few excluded here.
        at = floor.at
        excluded = self.excluded[task]
        skip = (
            sorted(
                k
                for x in (*excluded, *self.choices[n - role : n])
                if (k := bisect_left(at, x)) < len(at) and at[k] == x
            )
            if role or excluded
            else ()
        )
        if len(skip) == len(at):
            return next(self.ranked(n), None)  # all of them are excluded here: look at everyone
        index = uniform_prefixed(
            f"{self._ticket_head}{self.tasks[task].key}|{role}|{floor.value}|", "0", len(at) - len(skip)
        )
        for k in skip:  # the index-th of `at` not skipped
            if k <= index:
                index += 1
        return at[index]

    def greedy(self) -> int | None:
        """Fill places from the current state on; None when all are filled, else the stuck place."""
        total = len(self.tasks) * self.size
        best, fill = self.best, self._fill
        for n in range(len(self.choices), total):
            if self.rules.balance and n % self.size == 0:
                return self._greedy_balanced()
            i = best(n)
            if i is None:
                return n
            fill(i)
        return None

    def _greedy_balanced(self) -> int | None:
        """`greedy` from a task's first place on, balance on: `best` and `_fill` written out in one
        loop, the same steps in the same order. The loop runs once per place of the draw, and the
        calls and attribute look-ups cost 40% of its time (measured: a million places, one list)."""
        size, tasks, places, excluded = self.size, self.tasks, self.places, self.excluded
        choices, load, cap, lists, lists_of, floors = (
            self.choices,
            self.load,
            self.cap,
            self.lists,
            self.lists_of,
            self.floors,
        )
        head, limits = self._ticket_head, self._limits
        for task in range(len(choices) // size, len(tasks)):
            key, lids, blocked = tasks[task].key, places[task], excluded[task]
            for role in range(size):
                lid = lids[role]
                floor = floors.get(lid)
                if floor is None:
                    floor = floors[lid] = _Floor(lists[lid], load, cap)
                at = floor.at
                if blocked or role > 1:
                    skip: Sequence[int] = sorted(
                        k
                        for x in (*blocked, *choices[len(choices) - role :])
                        if (k := bisect_left(at, x)) < len(at) and at[k] == x
                    )
                elif role:  # the usual second place: only the first member to skip
                    k = bisect_left(at, choices[-1])
                    skip = (k,) if k < len(at) and at[k] == choices[-1] else ()
                else:
                    skip = ()
                count = len(at) - len(skip)
                if count:
                    text = f"{head}{key}|{role}|{floor.value}|0"
                    value = int.from_bytes(sha256(text.encode("utf-8")).digest(), "big")
                    limit = limits.get(count)
                    if limit is None:
                        limit = limits[count] = _SPACE - _SPACE % count
                    index = (
                        value % count
                        if value < limit
                        else uniform_prefixed(f"{head}{key}|{role}|{floor.value}|", "0", count)
                    )
                    for k in skip:  # the index-th of `at` not skipped
                        if k <= index:
                            index += 1
                    chosen = at[index]
                else:  # all of them are excluded here: look at everyone
                    found = next(self.ranked(len(choices)), None)
                    if found is None:
                        return len(choices)
                    chosen = found
                before = load[chosen]
                load[chosen] = before + 1
                choices.append(chosen)
                for other in lists_of[chosen]:
                    fl = floors.get(other)
                    if fl is not None and before == fl.value:
                        del fl.at[bisect_left(fl.at, chosen)]
                        if not fl.at:
                            fl.refresh(load, cap)
        return None

    def witness(self) -> Witness:
        """A complete valid assignment to start from: the greedy's choices, the rest filled by
        augmenting paths; raises DrawError naming a bottleneck when none exists."""
        witness = Witness(
            [lid for places in self.places for lid in places],
            self.rules.size,
            self.lists,
            self.lists_of,
            self.excluded,
            self.cap,
        )
        for n, i in enumerate(self.choices):
            witness.put(n, i)
        empty = witness.complete()
        if empty:
            same_kind = [n for n in empty if witness.place_lists[n] == witness.place_lists[empty[0]]]
            message, hint = self.explain(witness.bottleneck(same_kind))
            raise DrawError(message, hint=hint)
        return witness

    def solve(self) -> list[int]:
        """The choices of the procedure in the module docstring."""
        self.reset()
        if self.greedy() is None:
            return self.choices  # every greedy choice was safe: its completion proves it
        witness = self.witness()
        self.reset()
        for n in range(len(witness.holder)):
            first = self.best(n)
            chosen = (
                first
                if first is not None and (witness.holder[n] == first or witness.force(n, first))
                else next(
                    i
                    for i in self.ranked(n)
                    if i != first and (witness.holder[n] == i or witness.force(n, i))
                )
            )
            witness.settle(n)
            self._fill(chosen)
        return self.choices

    def teams(self) -> list[tuple[Inspector, ...]]:
        """The solved teams in task order, leader first: the holder of the first certified role."""
        size, roles, pool = self.rules.size, self.rules.roles, self.pool
        lead = next(n for n, r in enumerate(roles) if r.certified)
        # Role by role over the whole draw, then zipped: 4× faster than a tuple built per task.
        by_role = [[pool[i] for i in self.choices[role::size]] for role in range(size)]
        return list(zip(by_role[lead], *by_role[:lead], *by_role[lead + 1 :], strict=True))

    def workloads(self) -> dict[str, int]:
        return {self.pool[i].id: k for i, k in sorted(Counter(self.choices).items())}

    # --- when no valid assignment exists ---

    def explain(self, b: Bottleneck) -> tuple[str, str]:
        """The bottleneck in a bureau's words, and what would relieve it."""
        tasks = [self.tasks[t] for t in b.tasks]
        # Under own_authority a bottleneck lies within bureaus: say which, not which districts.
        if self.rules.own_authority:
            districts = Counter(e.authority or "未填登记机关" for e in tasks)
        else:
            districts = Counter(e.district or "未填区域" for e in tasks)
        industries = sorted({e.industry for e in tasks})
        where = "、".join(f"{d} {k} 个" for d, k in districts.most_common(4))
        if len(districts) > 4:
            where += " 等"
        kinds = {lid: role.describe("、".join(wanted)) for (role, wanted, *_), lid in self.list_ids.items()}
        wanted_places: Counter[str] = Counter()
        for lid, k in sorted(b.places.items()):
            wanted_places[kinds[lid]] += k
        needs = "、".join(f"{kind} {k} 人次" for kind, k in wanted_places.items())
        names = "、".join(f"{self.pool[i].name}（{self.pool[i].id}）" for i in b.people[:6])
        if len(b.people) > 6:
            names += f" 等 {len(b.people)} 人"
        if len(industries) <= 3:
            group = f"{len(tasks)} 个“{'、'.join(industries)}”企业（{where}）"
        else:
            group = f"{len(tasks)} 个企业（{len(industries)} 个行业；{where}）"
        message = (
            f"无法为全部企业组成检查组：{group}共需{needs}，"
            f"可派的 {len(b.people)} 人{('（' + names + '）') if b.people else ''}"
            f"最多只能承担 {b.supply} 人次，"
            f"缺 {b.demand - b.supply} 人次"
        )
        help_ = []
        if b.capacity_bound:
            help_.append(f"提高这 {len(b.capacity_bound)} 人的任务上限（名录“任务上限”列或计划 max_tasks）")
        help_.append("补充符合条件的在岗人员")
        if self.rules.cross_district:
            help_.append("或允许检查本区域企业（cross_district = false）")
        if self.rules.own_authority:
            help_.append("或允许由其他部门的人员检查（own_authority = false）")
        if any(self.excluded[t] for t in b.tasks):
            help_.append("回避名单和轮换期（rotation_days）也排除了部分人员")
        return message, "；".join(help_)


def _recent_pairs(history: Iterable[HistoryEntry], start: date, days: int) -> list[tuple[str, str]]:
    """(inspector, enterprise) pairs inspected fewer than `days` days before `start`."""
    return [
        (h.inspector_id, h.enterprise_key)
        for h in history
        if h.inspector_id and days and (start - h.inspected_on).days < days
    ]
