"""The workspace: the folder that holds a bureau's ledger, how `init` makes one, how a command finds
it, and what the ledger commands read from it (`ledger_entries`, `ledger_entry`, `check_ledger`).

One bureau, one ledger, whatever folder a command is run from: the ledger is looked for in the
plan file's folder and then in each folder above it, the way git finds its repository. Nothing
here ever creates a ledger except `init_ledger`, which a user calls on purpose (`ledger init`, and
`init`, which makes a whole workspace).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..core.errors import UsageError
from ..core.fields import TABLES
from ..demo import demo_plan
from .ledger import LEDGER_FILE, Ledger, LedgerDamaged, LedgerEntry, LedgerResult, LedgerTask, head_path
from .staging import remove_abandoned, staged_contents
from .templates import PLAN_FILE, TEMPLATE_FILES, next_month, write_plan, write_templates


def find_ledger(start: Path) -> Path | None:
    """The ledger of the workspace `start` lies in, or None. A folder whose ledger is gone but whose
    head file is still there counts too: opening it then says the ledger is missing."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        ledger = candidate / LEDGER_FILE
        if ledger.exists() or head_path(ledger).exists():
            return ledger
    return None


def ledger_for(given: Path | None, start: Path, *, purpose: str) -> Path:
    """The ledger named with --ledger, or the one found from `start` upwards; UsageError when none."""
    if given is not None:
        return given
    found = find_ledger(start)
    if found is None:
        raise UsageError(
            f"在“{start.resolve()}”及其上级文件夹中找不到抽取台账（{LEDGER_FILE}），无法{purpose}",
            hint="台账放在工作文件夹中，计划文件放在它或它的子文件夹里；第一次使用时请在工作文件夹中运行 "
            "shuangsuiji ledger init 建立台账，或用 --ledger 指定已有的台账",
        )
    return found


def init_ledger(folder: Path) -> Path:
    """Make a new, empty ledger in `folder`; refuse when the folder's workspace already has one."""
    if not folder.is_dir():
        raise UsageError(f"文件夹“{folder}”不存在", hint="请先建立这个文件夹")
    existing = find_ledger(folder)
    if existing is not None:
        raise UsageError(
            f"“{folder.resolve()}”已经在一个工作区中，它的抽取台账是“{existing}”",
            hint="一个工作区只有一本抽取台账，台账只能在第一次使用时建立一次",
        )
    path = folder.resolve() / LEDGER_FILE
    Ledger(path, create=True).close()
    return path


@dataclass(frozen=True)
class NewWorkspace:
    """What `init` made, each path under the folder as the user named it."""

    folder: Path
    plan: Path
    rosters: tuple[tuple[str, Path], ...]  # (what it is, where), in the plan's order of inputs
    ledger: Path
    head: Path  # the ledger's head file, to back up with it
    month: str  # the example plan's month (YYYY-MM), for the folder names of the next steps


def init_workspace(folder: Path, today: date) -> NewWorkspace:
    """Make a workspace in `folder` (missing or empty): a commented plan file for the month after
    `today`, the four roster templates and the ledger. Refuses, changing nothing, a folder that
    holds anything or lies in another workspace; built aside and moved into place when complete.

    Example: ``made = init_workspace(Path("抽查工作区"), date.today())``
    """
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"“{folder}”是一个文件，不是文件夹", hint="请给出一个新的文件夹名")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(
            f"文件夹“{folder}”已存在且不为空，init 不会改动其中的文件",
            hint="请给出一个新的文件夹名，或一个空文件夹",
        )
    if (existing := find_ledger(folder)) is not None:
        raise UsageError(
            f"“{folder}”在一个已有的工作区中，它的抽取台账是“{existing}”",
            hint="一个单位只用一本抽取台账：请把新的计划文件放在那个工作区里，或在它之外建立新的工作区",
        )
    with staged_contents(folder) as building:
        init_ledger(building)
        write_plan(building, demo_plan(), today)
        write_templates(building)
    return NewWorkspace(
        folder,
        folder / PLAN_FILE,
        tuple((TABLES[kind].label, folder / name) for kind, name in TEMPLATE_FILES.items()),
        folder / LEDGER_FILE,
        head_path(folder / LEDGER_FILE),
        f"{next_month(today)[0]:%Y-%m}",
    )


def ledger_entries(given: Path | None, start: Path) -> tuple[Path, list[LedgerEntry]]:
    """The ledger (`given`, or the one found from `start` upwards) and all its entries, oldest first.

    Example: ``path, entries = ledger_entries(None, Path.cwd())``
    """
    path = ledger_for(given, start, purpose="列出抽取")
    with Ledger(path, create=False) as book:
        return path, book.entries()


def ledger_entry(
    given: Path | None, start: Path, number: int
) -> tuple[LedgerEntry, list[LedgerTask], list[LedgerResult]]:
    """Entry `number` of the ledger (`given`, or the one found from `start` upwards), with its tasks
    (a draw) or its results (a publication)."""
    with Ledger(ledger_for(given, start, purpose="显示抽取"), create=False) as book:
        return book.get(number), book.tasks(number), book.results(number)


def check_ledger(given: Path | None, start: Path) -> tuple[Path, list[str]]:
    """The ledger (`given`, or the one found from `start` upwards) and every inconsistency in it;
    [] when it is intact. A ledger too damaged to open is one inconsistency, not an error.

    What killed runs left anywhere (copies of the rosters) is removed first, at the latest now.
    Example: ``path, problems = check_ledger(None, Path.cwd())``
    """
    remove_abandoned()
    path = ledger_for(given, start, purpose="检查台账")
    try:
        with Ledger(path, create=False, strict=False) as book:
            return path, book.check()
    except LedgerDamaged as damaged:
        return path, [str(damaged)]
