"""Test oracle: can every open team place be filled? An exact compressed max-flow (independent of assign).

The question: inspectors with remaining task capacities; open places, each needing one member of
a candidate list; each task excludes some inspectors and takes nobody twice. A max-flow decides it
exactly, and when the answer is no, the residual network yields a Hall violator: a group of
places whose demand exceeds what everyone who could fill them can supply.

The network is compressed so that 50,000 tasks stay small: tasks with the same candidate lists and
the same exclusions form one *type*, and inspectors with the same list memberships and capacity who
are excluded nowhere form one *class*. A class of k people with capacity c sends at most k·c units
in all and at most k·min(c, n) to a type of n tasks; that is exact (docs/algorithm.md §5 gives the
argument), so the compressed flow is feasible exactly when the full one is. The answer (yes or no)
is a fact about the inputs, not about this solver, so the draw does not depend on it.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass

_INFINITE = 1 << 60


@dataclass(frozen=True, slots=True)
class OpenTask:
    """A task with places still to fill: one candidate-list id per open place."""

    task: int
    places: tuple[int, ...]
    excluded: frozenset[int]


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """A Hall violator: these places need `demand` members; those who could fill them supply `supply`."""

    tasks: tuple[int, ...]
    places: dict[int, int]  # candidate-list id → places of that kind in the group
    people: tuple[int, ...]
    demand: int
    supply: int
    capacity_bound: tuple[int, ...]  # people whose task cap is what runs out


class _Network:
    """A plain Dinic max-flow over integer capacities (edges stored in pairs: e and e ^ 1)."""

    def __init__(self) -> None:
        self.head: list[list[int]] = []
        self.to: list[int] = []
        self.cap: list[int] = []

    def node(self) -> int:
        self.head.append([])
        return len(self.head) - 1

    def edge(self, a: int, b: int, capacity: int) -> int:
        self.head[a].append(len(self.to))
        self.to.append(b)
        self.cap.append(capacity)
        self.head[b].append(len(self.to))
        self.to.append(a)
        self.cap.append(0)
        return len(self.to) - 2

    def max_flow(self, source: int, sink: int) -> int:
        total = 0
        head, to, cap = self.head, self.to, self.cap
        while True:
            level = [-1] * len(head)
            level[source] = 0
            queue = deque([source])
            while queue:
                a = queue.popleft()
                for e in head[a]:
                    if cap[e] and level[to[e]] < 0:
                        level[to[e]] = level[a] + 1
                        queue.append(to[e])
            if level[sink] < 0:
                return total
            pointer = [0] * len(head)
            while True:
                pushed = self._augment(source, sink, level, pointer)
                if not pushed:
                    break
                total += pushed

    def _augment(self, source: int, sink: int, level: list[int], pointer: list[int]) -> int:
        """One blocking-flow path, found iteratively (no recursion limit on long paths)."""
        head, to, cap = self.head, self.to, self.cap
        path: list[int] = []
        a = source
        while True:
            if a == sink:
                pushed = min(cap[e] for e in path)
                for e in path:
                    cap[e] -= pushed
                    cap[e ^ 1] += pushed
                return pushed
            edges = head[a]
            while pointer[a] < len(edges):
                e = edges[pointer[a]]
                if cap[e] and level[to[e]] == level[a] + 1:
                    break
                pointer[a] += 1
            else:
                if not path:
                    return 0
                level[a] = -1  # dead end: never try this node again in this phase
                e = path.pop()
                a = to[e ^ 1]
                pointer[a] += 1
                continue
            path.append(e)
            a = to[e]

    def reaching(self, targets: Sequence[int], avoid: int) -> set[int]:
        """Nodes from which one of `targets` can be reached along edges with spare capacity,
        without passing through `avoid`."""
        seen = {*targets, avoid}
        queue = deque(targets)
        while queue:
            b = queue.popleft()
            for e in self.head[b]:
                a = self.to[e]
                if a not in seen and self.cap[e ^ 1]:
                    seen.add(a)
                    queue.append(a)
        return seen - {avoid}


def check_staffing(
    open_tasks: Sequence[OpenTask], lists: Sequence[Sequence[int]], capacity: Sequence[int], *, explain: bool = False,
) -> Bottleneck | None:
    """None when every open place can be filled at once; otherwise a Bottleneck (with `explain`, the
    group around the first place left empty; without, an empty one, which is cheaper)."""
    used = sorted({place for t in open_tasks for place in t.places})
    members_of = {lid: [i for i in lists[lid] if capacity[i] > 0] for lid in used}
    relevant = {i for lid in used for i in members_of[lid]}

    # Task types: same open places, same exclusions (among people who matter).
    types: dict[tuple[tuple[int, ...], frozenset[int]], list[int]] = defaultdict(list)
    for t in open_tasks:
        types[tuple(sorted(t.places)), t.excluded & relevant].append(t.task)
    excluded_somewhere = set().union(*(excluded for _, excluded in types)) if types else set()

    # Inspector classes: same lists, same capacity, excluded nowhere; everyone else alone.
    lists_of: dict[int, list[int]] = defaultdict(list)
    for lid in used:
        for i in members_of[lid]:
            lists_of[i].append(lid)
    classes: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for i in sorted(relevant):
        key = ("alone", i) if i in excluded_somewhere else ("class", tuple(lists_of[i]), capacity[i])
        classes[key].append(i)

    net = _Network()
    source, sink = net.node(), net.node()
    unit_node: dict[int, int] = {}
    unit_members: dict[int, list[int]] = {}
    source_edge: dict[int, int] = {}
    units_in_list: dict[int, list[int]] = defaultdict(list)
    for members in classes.values():
        u = net.node()
        unit_node[members[0]] = u
        unit_members[u] = members
        source_edge[u] = net.edge(source, u, len(members) * capacity[members[0]])
        for lid in lists_of[members[0]]:
            units_in_list[lid].append(u)

    demand = 0
    cap_binds: dict[int, bool] = {}  # pair node → is the limit on u → pair the people's task cap?
    place_nodes: list[tuple[int, int, list[int], int]] = []  # (node, list id, tasks of the type, edge to sink)
    for (places, excluded), tasks in types.items():
        n = len(tasks)
        counts: dict[int, int] = defaultdict(int)
        for lid in places:
            counts[lid] += 1
        pair: dict[int, int] = {}
        for lid, k in counts.items():
            p = net.node()
            place_nodes.append((p, lid, tasks, net.edge(p, sink, n * k)))
            demand += n * k
            for u in units_in_list[lid]:
                members = unit_members[u]
                if len(members) == 1 and members[0] in excluded:
                    continue
                if u not in pair:
                    pair[u] = net.node()
                    net.edge(u, pair[u], len(members) * min(capacity[members[0]], n))
                    cap_binds[pair[u]] = capacity[members[0]] <= n
                net.edge(pair[u], p, _INFINITE)

    flow = net.max_flow(source, sink)
    if flow == demand:
        return None
    if not explain:
        return Bottleneck((), {}, (), demand, flow, ())
    short = next(p for p, _, _, to_sink in place_nodes if net.cap[to_sink] > 0)
    group = net.reaching([short], avoid=sink)
    places_in: dict[int, int] = defaultdict(int)
    tasks_in: set[int] = set()
    for p, lid, tasks, to_sink in place_nodes:
        if p in group:
            places_in[lid] += net.cap[to_sink] + net.cap[to_sink ^ 1]
            tasks_in.update(tasks)
    # The edges into the group are saturated: their capacity is all the group can get.
    supply, people, capacity_bound = 0, set(), set()
    for a in range(len(net.head)):
        if a in group:
            continue
        for e in net.head[a]:
            if e % 2 or net.to[e] not in group:
                continue
            supply += net.cap[e ^ 1]
            u = net.to[e] if a == source else a
            people.update(unit_members[u])
            if a == source or cap_binds[net.to[e]]:
                capacity_bound.update(unit_members[u])
    return Bottleneck(tuple(sorted(tasks_in)), dict(places_in), tuple(sorted(people)), sum(places_in.values()),
                      supply, tuple(sorted(capacity_bound)))

