"""A witness that every open team place can be filled, kept true by augmenting paths (docs/algorithm.md §5.5).

The witness is a complete valid assignment of all places: the places fixed so far (the draw's
final choices) plus a tentative filling of the rest. Forcing a choice on the next place may empty
one or two tentative places; each is refilled by an augmenting path — someone with spare capacity
takes it, or someone takes it who leaves another tentative place, which is then refilled in turn.
This is Ford–Fulkerson on the network source → inspector (cap) → (inspector, task) (1) → place (1)
→ sink, searched implicitly from the candidate lists, so it is exact: when no path exists, the
forced choice leaves some place unfillable, and the places and people the search reached form a
Hall violator (more places than those people can fill).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """A Hall violator: these places need `demand` members; those who could fill them supply `supply`."""

    tasks: tuple[int, ...]
    places: dict[int, int]  # candidate-list id → places of that kind in the group
    people: tuple[int, ...]
    demand: int
    supply: int
    capacity_bound: tuple[int, ...]  # people whose task cap is what runs out


class Witness:
    """Places 0, 1, … (task = place // size) and who holds each; places below `fixed` are final."""

    def __init__(
        self, place_lists: Sequence[int], size: int, lists: Sequence[Sequence[int]],
        excluded: Sequence[frozenset[int]], cap: Sequence[int],
    ) -> None:
        self.place_lists, self.size, self.lists, self.excluded, self.cap = place_lists, size, lists, excluded, cap
        self.holder = [-1] * len(place_lists)
        self.load = [0] * len(cap)
        self.held: list[set[int]] = [set() for _ in cap]
        self.seat: dict[tuple[int, int], int] = {}  # (inspector, task) → the place they hold in it
        self.fixed = 0
        self._undo: list[tuple[int, int]] = []  # (place, previous holder)
        # What a failed search reached can never lead to spare capacity later, while places are only
        # being filled (no choice forced): `complete` skips it, so failures cost linear time, not quadratic.
        self.dead: tuple[set[int], set[int]] = (set(), set())

    def put(self, n: int, i: int) -> None:
        self._undo.append((n, self.holder[n]))
        self.holder[n] = i
        self.load[i] += 1
        self.held[i].add(n)
        self.seat[i, n // self.size] = n

    def take(self, n: int) -> None:
        i = self.holder[n]
        self._undo.append((n, i))
        self.holder[n] = -1
        self.load[i] -= 1
        self.held[i].discard(n)
        del self.seat[i, n // self.size]

    def _rollback(self, mark: int) -> None:
        while len(self._undo) > mark:
            n, before = self._undo.pop()
            now = self.holder[n]
            if now >= 0:
                self.holder[n] = -1
                self.load[now] -= 1
                self.held[now].discard(n)
                del self.seat[now, n // self.size]
            if before >= 0:
                self.holder[n] = before
                self.load[before] += 1
                self.held[before].add(n)
                self.seat[before, n // self.size] = n

    def force(self, n: int, i: int) -> bool:
        """Fix place n (the next one) to inspector i if the other open places stay fillable."""
        mark = len(self._undo)
        emptied = []
        if self.holder[n] >= 0:
            self.take(n)
        own = self.seat.get((i, n // self.size))
        if own is not None:  # i held another place of this task: it moves here
            self.take(own)
            emptied.append(own)
        self.put(n, i)
        if self.load[i] > self.cap[i]:  # over the cap: i gives up a tentative place
            later = max(q for q in self.held[i] if q > n)
            self.take(later)
            emptied.append(later)
        self.fixed = n + 1
        if self.fill(emptied):
            self._undo.clear()
            return True
        self._rollback(mark)
        self.fixed = n
        return False

    def complete(self) -> list[int]:
        """Fill every empty place that can be filled; the places that cannot (no valid assignment then)."""
        self.dead = (set(), set())
        failed = []
        for n in range(len(self.holder)):
            if self.holder[n] < 0 and not self._augment([n]):
                failed.append(n)
                self.dead[0].update(self.reached[0])
                self.dead[1].update(self.reached[1])
        self.dead = (set(), set())
        return failed

    def fill(self, empty: Sequence[int]) -> bool:
        """Refill these empty places by augmenting paths; False when some cannot be refilled."""
        left = list(empty)
        while left:
            still = [q for q in left if not self._augment([q])]
            if len(still) == len(left):
                return False
            left = still
        return True

    def _augment(self, starts: Sequence[int]) -> bool:
        """One augmenting path into one of the empty places `starts`, applied; False if none exists
        (then `self.reached` holds the places and people the search reached)."""
        parent: dict[int, tuple[int, int]] = {}  # place q → (place p, mover): the mover leaves q for p
        dead_places, dead_people = self.dead
        seen_places = set(starts)
        seen_people: set[int] = set()
        unreached: dict[int, list[int]] = {}  # per candidate list: members not yet reached
        queue = deque(starts)
        seat, load, cap, fixed, size = self.seat, self.load, self.cap, self.fixed, self.size
        while queue:
            q = queue.popleft()
            task = q // size
            excluded = self.excluded[task]
            lid = self.place_lists[q]
            members = unreached.get(lid, self.lists[lid])
            for i in members:  # first look for someone free to take q outright
                if load[i] < cap[i] and i not in excluded and (i, task) not in seat and i not in seen_people \
                        and i not in dead_people:
                    self._apply(q, i, parent)
                    return True
            kept = []
            for i in members:
                if i in seen_people or i in dead_people:
                    continue
                if i in excluded:
                    kept.append(i)
                    continue
                own = seat.get((i, task))
                if own is not None:  # in this task already: may move over if their place is tentative
                    kept.append(i)
                    if own >= fixed and own not in seen_places and own not in dead_places:
                        seen_places.add(own)
                        parent[own] = (q, i)
                        queue.append(own)
                    continue
                seen_people.add(i)  # at their cap: may leave one of their tentative places
                for other in sorted(self.held[i]):
                    if other >= fixed and other not in seen_places and other not in dead_places:
                        seen_places.add(other)
                        parent[other] = (q, i)
                        queue.append(other)
            unreached[lid] = kept
        self.reached = (seen_places, seen_people)
        return False

    def _apply(self, q: int, i: int, parent: dict[int, tuple[int, int]]) -> None:
        """i takes q; whoever held q takes the place it was searched from, and so on back to an empty one."""
        while True:
            if self.holder[q] >= 0:
                self.take(q)
            self.put(q, i)
            if q not in parent:
                return
            q, i = parent[q]

    def bottleneck(self, empty: Sequence[int]) -> Bottleneck:
        """The Hall violator around the empty places `empty` (which no path can reach)."""
        self._augment(empty)
        places, people = self.reached
        filled = [q for q in places if self.holder[q] >= 0]
        people_all = people | {self.holder[q] for q in filled}
        return Bottleneck(
            tuple(sorted({q // self.size for q in places})),
            dict(Counter(self.place_lists[q] for q in places)),
            tuple(sorted(people_all)),
            len(places),
            len(filled),
            tuple(sorted(people)),
        )

