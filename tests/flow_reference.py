"""Test oracle: can every open team place be filled? An exact compressed max-flow, independent of assign.

The question: inspectors with remaining task capacities; open places, each needing one member of
a candidate list; each task excludes some inspectors and takes nobody twice. A max-flow decides it.

The network is compressed: tasks with the same open places and the same exclusions form one *type*
(n tasks), and inspectors with the same list memberships and capacity c who are excluded nowhere
form one *class* (k people), which sends at most k·c units in all and at most k·min(c, n) to a type.
That is exact: a class's flow can be spread over its identical members (round-robin within each
type, continuing across types, keeps everyone within c and within min(c, n) per type), and a type's
flow can be split into n teams, because a bipartite multigraph of maximum degree n (members against
places, each place needing n) can be edge-coloured with n colours (König), one colour per task.
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


def staffable(
    open_tasks: Sequence[OpenTask], lists: Sequence[Sequence[int]], capacity: Sequence[int]
) -> bool:
    """Whether every open place can be filled at once."""
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
    unit_members: dict[int, list[int]] = {}
    units_in_list: dict[int, list[int]] = defaultdict(list)
    for members in classes.values():
        u = net.node()
        unit_members[u] = members
        net.edge(source, u, len(members) * capacity[members[0]])
        for lid in lists_of[members[0]]:
            units_in_list[lid].append(u)

    demand = 0
    for (places, excluded), tasks in types.items():
        n = len(tasks)
        counts: dict[int, int] = defaultdict(int)
        for lid in places:
            counts[lid] += 1
        pair: dict[int, int] = {}
        for lid, k in counts.items():
            p = net.node()
            net.edge(p, sink, n * k)
            demand += n * k
            for u in units_in_list[lid]:
                members = unit_members[u]
                if len(members) == 1 and members[0] in excluded:
                    continue
                if u not in pair:
                    pair[u] = net.node()
                    net.edge(u, pair[u], len(members) * min(capacity[members[0]], n))
                net.edge(pair[u], p, _INFINITE)
    return net.max_flow(source, sink) == demand
