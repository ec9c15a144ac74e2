"""Independent team groups solved side by side: this process takes one share, helper processes the rest.

The core splits a draw's tasks into groups that share no inspector and proves that each group solved
alone makes the whole solve's choices (core/assign.py, Staffing.groups); this module only decides
where the groups run. Why plain subprocesses fed by pickle rather than multiprocessing: see
io/helper.py (fork copies every page touched by reference counting; spawn re-imports the caller's
script). The payload is data this process just built; the reply comes from the helper it started.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Sequence

from ..core.assign import GroupInputs, Staffing, solve_group, solve_in_groups, solve_in_turn
from ..core.errors import DrawError

# Below this many places helpers cost more than they save. Measured (bench_teams --province
# 500000 --own, 102 groups): preparing and sending the groups costs this process about 1 s, a
# third of what staffing the draw's million places alone costs.
MIN_PLACES = 400_000
_INFEASIBLE = "infeasible"


def _workers() -> int:
    """Processes worth running: the cores not already busy, this one included. On a machine whose
    cores are taken, a helper only slows this process down (measured: a share staffed 2× slower
    beside a helper at a load of 4.5 on 2 cores); the teams are the same either way."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]  # includes this process
    except OSError:
        busy = 1.0
    return max(1, min(cores, round(cores - busy + 1)))


def shares(places: Sequence[int], count: int) -> list[list[int]]:
    """Group indices dealt into `count` shares of about equal places, largest groups first."""
    found: list[list[int]] = [[] for _ in range(count)]
    load = [0] * count
    for g in sorted(range(len(places)), key=lambda g: -places[g]):
        lightest = load.index(min(load))
        found[lightest].append(g)
        load[lightest] += places[g]
    return [sorted(share) for share in found if share]


class _Helper:
    """One helper process staffing a share of the groups."""

    def __init__(self, groups: list[GroupInputs]) -> None:
        self.groups = groups
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shuangsuiji.io.staffing"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.reply: tuple[bytes, bytes] = (b"", b"")
        payload = pickle.dumps(groups, protocol=pickle.HIGHEST_PROTOCOL)
        # A thread feeds the pipe and collects the reply, so that this process staffs its own share meanwhile.
        self.thread = threading.Thread(
            target=self._talk, args=(payload,), name="staffing-helper", daemon=True
        )
        self.thread.start()

    def _talk(self, payload: bytes) -> None:
        self.reply = self.process.communicate(payload)

    def result(self) -> list[list[int]]:
        """The share's choices; DrawError when a group cannot be staffed. A helper that failed
        otherwise (killed, out of memory) is replaced by this process: the choices are the same."""
        self.thread.join()
        out, _ = self.reply
        if self.process.returncode == 0:
            reply = pickle.loads(out)  # our own helper's reply
            if reply == _INFEASIBLE:
                raise DrawError("检查组无法组成")  # the caller's whole solve gives the real message
            return list(reply)
        return solve_in_turn(self.groups)


def staff_in_parallel(staffing: Staffing) -> None:
    """Solve the staffing (a core.draw.Staffer): its independent groups side by side when the
    draw is large enough and cores are free, else Staffing.solve here. The same teams either way."""
    if len(staffing.tasks) * staffing.size < MIN_PLACES or _workers() < 2:
        staffing.solve()
    else:
        solve_in_groups(staffing, solve_in_parallel)


def solve_in_parallel(groups: Sequence[GroupInputs]) -> list[list[int]]:
    """The choices of every group, in order (a core.assign.GroupSolver): shares of about equal
    size go to helper processes, one per core but the first, whose share is staffed here."""
    places = [len(g.keys) * g.plan.teams.size for g in groups]
    count = min(_workers(), len(groups))
    if sum(places) < MIN_PLACES or count < 2:
        return solve_in_turn(groups)
    mine, *theirs = shares(places, count)
    helpers = [(share, _Helper([groups[g] for g in share])) for share in theirs]
    found: dict[int, list[int]] = {}
    try:
        for g in mine:
            found[g] = solve_group(groups[g])
    except BaseException:
        for _, helper in helpers:
            helper.process.kill()
            helper.thread.join()
        raise
    for share, helper in helpers:
        found.update(zip(share, helper.result(), strict=True))
    return [found[g] for g in range(len(groups))]


def _serve() -> None:
    """The helper's side: staff the groups read from stdin, write their choices to stdout."""
    groups = pickle.load(sys.stdin.buffer)  # sent by the process that started us
    report = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the reply
    try:
        reply: object = solve_in_turn(groups)
    except DrawError:
        reply = _INFEASIBLE
    report.write(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
    report.flush()


if __name__ == "__main__":
    _serve()
