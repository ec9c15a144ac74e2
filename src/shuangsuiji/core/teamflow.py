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

from collections import Counter
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


def memberships(lists: Sequence[Sequence[int]], people: int) -> list[list[int]]:
    """For each person, the ids of the candidate lists they are on."""
    result: list[list[int]] = [[] for _ in range(people)]
    for lid, members in enumerate(lists):
        for i in members:
            result[i].append(lid)
    return result


class Witness:
    """Places 0, 1, … (task = place // size) and who holds each; places below `fixed` are final."""

    def __init__(
        self,
        place_lists: Sequence[int],
        size: int,
        lists: Sequence[Sequence[int]],
        lists_of: Sequence[Sequence[int]],
        excluded: Sequence[frozenset[int]],
        cap: Sequence[int],
    ) -> None:
        """`lists_of[i]`: the candidate lists person i is on (see `memberships`)."""
        self.place_lists, self.size, self.lists, self.excluded, self.cap = (
            place_lists,
            size,
            lists,
            excluded,
            cap,
        )
        self.members = [frozenset(members) for members in lists]
        self.lists_of = lists_of
        self.free = [{i for i in members if cap[i] > 0} for members in lists]  # members below their cap
        self.holder = [-1] * len(place_lists)
        self.load = [0] * len(cap)
        self.held: list[set[int]] = [set() for _ in cap]
        self.seat: dict[tuple[int, int], int] = {}  # (inspector, task) → the place they hold in it
        self.fixed = 0
        # Per candidate list: open places that need one of its members, and what its members can
        # still take on beyond the fixed places. Fewer of the second than the first proves a choice
        # unsafe without a search (the places of one list form a Hall violator).
        self.open_places = Counter(place_lists)
        self.spare = [sum(cap[i] for i in members) for members in lists]
        self._undo: list[tuple[int, int]] = []  # (place, previous holder)
        # What a failed search reached can never lead to spare capacity later, while places are only
        # being filled (no choice forced): `complete` skips it, so failures cost linear time, not quadratic.
        self.dead: tuple[set[int], set[int]] = (set(), set())

    def _hold(self, n: int, i: int) -> None:
        self.holder[n] = i
        self.held[i].add(n)
        self.seat[i, n // self.size] = n
        self.load[i] += 1
        if self.load[i] == self.cap[i]:
            for lid in self.lists_of[i]:
                self.free[lid].discard(i)

    def _release(self, n: int) -> None:
        i = self.holder[n]
        self.holder[n] = -1
        self.held[i].discard(n)
        del self.seat[i, n // self.size]
        self.load[i] -= 1
        if self.load[i] == self.cap[i] - 1:
            for lid in self.lists_of[i]:
                self.free[lid].add(i)

    def put(self, n: int, i: int) -> None:
        self._undo.append((n, self.holder[n]))
        self._hold(n, i)

    def take(self, n: int) -> None:
        self._undo.append((n, self.holder[n]))
        self._release(n)

    def _rollback(self, mark: int) -> None:
        while len(self._undo) > mark:
            n, before = self._undo.pop()
            if self.holder[n] >= 0:
                self._release(n)
            if before >= 0:
                self._hold(n, before)

    def settle(self, n: int) -> None:
        """Place n (the next one) is final now, with its current holder."""
        self.fixed = n + 1
        self.open_places[self.place_lists[n]] -= 1
        for lid in self.lists_of[self.holder[n]]:
            self.spare[lid] -= 1

    def force(self, n: int, i: int) -> bool:
        """Give place n (the next one) to inspector i if the other open places stay fillable."""
        kind = self.place_lists[n]
        if any(self.spare[lid] <= self.open_places[lid] for lid in self.lists_of[i] if lid != kind):
            return False  # i's last spare place is needed by places only i's list can fill
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
            # Any of them gives the same answer (the flow is one short either way); one that someone
            # free can take over ends the search at once.
            tentative = sorted(q for q in self.held[i] if q > n)
            later = next((q for q in tentative if self._free_for(q, set()) is not None), tentative[-1])
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
        (then `self.reached` holds the places and people the search reached).

        Depth-first, and lazy: as soon as a place is reached, anyone free who can take it ends the
        search; otherwise members of its own task who could move over are tried, and only then,
        one at a time, people at their cap whose other places might be refilled. Each person is
        reached at most once per search (a shared cursor per candidate list), so a failing search
        costs time linear in what it reaches; the order of the search does not change whether a
        path exists."""
        parent: dict[int, tuple[int, int]] = {}  # place q → (place p, mover): the mover leaves q for p
        dead_places, dead_people = self.dead
        seen_places = set(starts)
        seen_people: set[int] = set()
        moves_tried: set[int] = set()
        cursor: dict[int, int] = {}  # candidate list → how far its members have been reached
        passed: dict[int, list[int]] = {}  # candidate list → members passed over for one task only
        stack: list[int] = []
        for q in starts:
            free = self._free_for(q, dead_people)
            if free is not None:
                self._apply(q, free, parent)
                return True
            stack.append(q)
        holder, load, cap, size = self.holder, self.load, self.cap, self.size
        while stack:
            q = stack[-1]
            task = q // size
            excluded = self.excluded[task]
            lid = self.place_lists[q]
            reached = []  # (place, mover): the mover would leave that place for q
            if q not in moves_tried:
                moves_tried.add(q)
                for other in range(task * size, task * size + size):  # a member of this task moves over
                    i = holder[other]
                    if other != q and i >= 0 and i in self.members[lid] and i not in excluded:
                        reached.append((other, i))
            else:
                person = self._next_person(lid, task, excluded, cursor, passed, seen_people, dead_people)
                if person is None:
                    stack.pop()
                    continue
                seen_people.add(person)
                if load[person] < cap[person]:  # free after all (passed over earlier for another task)
                    self._apply(q, person, parent)
                    return True
                reached = [(other, person) for other in self.held[person]]
            for other, mover in reached:
                if other >= self.fixed and other not in seen_places and other not in dead_places:
                    seen_places.add(other)
                    parent[other] = (q, mover)
                    free = self._free_for(other, dead_people)
                    if free is not None:
                        self._apply(other, free, parent)
                        return True
                    stack.append(other)
        self.reached = (seen_places, seen_people)
        return False

    def _free_for(self, q: int, dead: set[int]) -> int | None:
        """Someone below their cap who may take place q outright, if any."""
        task = q // self.size
        excluded = self.excluded[task]
        for i in self.free[self.place_lists[q]]:
            if i not in excluded and (i, task) not in self.seat and i not in dead:
                return i
        return None

    def _next_person(
        self,
        lid: int,
        task: int,
        excluded: frozenset[int],
        cursor: dict[int, int],
        passed: dict[int, list[int]],
        seen: set[int],
        dead: set[int],
    ) -> int | None:
        """The next member of list `lid`, not yet reached, who may serve `task` and is not in it."""
        waiting = passed.setdefault(lid, [])
        for k, i in enumerate(waiting):
            if i not in excluded and (i, task) not in self.seat and i not in seen:
                return waiting.pop(k)
        members = self.lists[lid]
        k = cursor.get(lid, 0)
        while k < len(members):
            i = members[k]
            k += 1
            if i in seen or i in dead:
                continue
            if i in excluded or (i, task) in self.seat:
                waiting.append(i)
                continue
            cursor[lid] = k
            return i
        cursor[lid] = k
        return None

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
