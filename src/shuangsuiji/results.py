"""The second 一公开: `results template` writes the entry sheet of a draw, `results publish` checks the
filled sheet and publishes the bulletin (抽查结果公告) into a new folder, chained to its draw by the
draw's result digest and entered in the ledger; `recompute_publication` is what verify re-runs.

A publication's folder holds everything an auditor needs: the bulletin, the results record, the
entry sheet as read, the draw's record, and the earlier publications taken from the ledger.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import __version__
from .core.beijing_time import beijing_date
from .core.errors import InputError, OutputError, Problem, UsageError
from .core.plan import PlanInfo
from .core.privacy import personal_data
from .core.record import canonical_json, digest
from .core.results import (
    RESULTS_KIND,
    RESULTS_RECORD_VERSION,
    DrawnTask,
    DrawState,
    Publication,
    PublicationState,
    Published,
    Result,
    SheetPlace,
    check_entries,
    late_by,
    ledger_statuses,
    results_body,
)
from .io import readers
from .io.ledger import Ledger, LedgerEntry, LedgerResult
from .io.readers import file_sha256
from .io.readers.tables import check_path
from .io.results_sheets import (
    BULLETIN,
    entry_sheets,
    read_entries,
    read_identity,
    refuse,
)
from .io.results_sheets import bulletin_sheets as _bulletin_sheets
from .io.staging import ensure_new_output_dir, staged_output
from .io.workdays import deadline
from .io.workspace import ledger_for
from .io.writers import RECORD, copy_hashed, write_json
from .io.xlsx import write_workbook
from .pipeline import utc_now

RESULTS_RECORD = "results-record.json"
KEPT_DRAW = (
    "inputs/draw"  # the draw's record as it lay in its folder, with the list files a split record names
)
KEPT_DRAW_RECORD = f"{KEPT_DRAW}/{RECORD}"
KEPT_EARLIER = "inputs/earlier-results.json"


def kept_entry_sheet(path: Path | str) -> str:
    """Where the entry sheet is kept inside a publication's folder."""
    return f"inputs/results-entry{Path(path).suffix.lower()}"


@dataclass(frozen=True)
class Draw:
    """What a draw's folder says that its results need."""

    folder: Path
    record: dict[str, Any]
    record_sha256: str
    info: PlanInfo
    tasks: tuple[DrawnTask, ...]

    @property
    def result_digest(self) -> str:
        return str(self.record["result_digest"])


def plan_info(canonical: Mapping[str, Any]) -> PlanInfo:
    """The [plan] section of a record's plan."""
    section = canonical["plan"]
    return PlanInfo(
        id=section["id"],
        name=section["name"],
        task_name=section["task_name"],
        type=section["type"],
        items=tuple(section["items"]),
        authority=section["authority"],
        start=date.fromisoformat(section["start"]),
        end=date.fromisoformat(section["end"]),
    )


def load_draw(folder: Path) -> Draw:
    """The draw whose record lies in `folder` (a draw's output folder, or the copy a publication
    keeps); UsageError when it is not one. A split record's task list is read from its Parquet file."""
    from .verify import load_record

    record = load_record(folder)
    tasks = tuple(
        DrawnTask(t["task_id"], t["enterprise_id"], t["enterprise_name"]) for t in record.get("tasks", ())
    )
    return Draw(folder, record, file_sha256(folder / RECORD), plan_info(record["plan"]), tasks)


def kept_draw_files(record: Mapping[str, Any]) -> list[str]:
    """The files of a draw's folder that its record needs: the record, and a split record's lists."""
    lists = record.get("split_lists") or {}
    return [RECORD, *(str(reference["file"]) for _, reference in sorted(lists.items()))]  # record first


def team_names(draw: Draw) -> dict[str, str]:
    """Each task's team by name (leader first), from the inspector roster kept in the draw's folder."""
    kept = next((i for i in draw.record["inputs"] if i["role"] == "inspectors"), None)
    names: dict[str, str] = {}
    if kept is not None and (draw.folder / kept["archived"]).is_file():
        columns = draw.record["plan"].get("columns", {}).get("inspectors", {})
        inspectors, _, _ = readers.read_inspectors(
            draw.folder / kept["archived"], sheet=kept.get("sheet") or None, columns=columns
        )
        names = {person.id: person.name for person in inspectors}
    return {
        t["task_id"]: "、".join(names.get(member, member) for member in t["team"])
        for t in draw.record["tasks"]
    }


# -- results template ---------------------------------------------------------------------------------


def write_new_file(out: Path, write: Callable[[Path], object]) -> None:
    """Write a file that must not exist yet: into a temporary name beside it, then linked into place
    (an existing file is never replaced, even one made meanwhile)."""
    if out.exists():
        raise UsageError(f"文件“{out}”已存在", hint="不会覆盖已有的文件；请换一个 --out")
    if not out.parent.is_dir():
        raise UsageError(f"文件夹“{out.parent}”不存在", hint="请先建立这个文件夹，或换一个 --out")
    temp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        write(temp)
        try:
            os.link(temp, out)
        except FileExistsError:
            raise UsageError(f"文件“{out}”已存在", hint="不会覆盖已有的文件；请换一个 --out") from None
        except OSError:  # a file system without hard links
            if out.exists():
                raise UsageError(f"文件“{out}”已存在", hint="不会覆盖已有的文件；请换一个 --out") from None
            os.replace(temp, out)
    except OSError as exc:
        raise OutputError(f"无法写出“{out}”（{exc.strerror or exc}）", hint="请检查路径和写权限") from None
    finally:
        temp.unlink(missing_ok=True)


def run_template(draw_dir: Path, out: Path) -> Draw:
    """Write the entry sheet (检查结果录入表) of the draw in `draw_dir` to the new file `out`.

    Example: ``run_template(Path("抽取结果/2026-12"), Path("录入.xlsx"))``
    """
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"录入表“{out.name}”须是 .xlsx 文件", hint="请给出以 .xlsx 结尾的文件名")
    draw = load_draw(draw_dir)
    sheets = entry_sheets(draw.info, draw.result_digest, draw.tasks, team_names(draw))
    write_new_file(out, lambda temp: write_workbook(temp, sheets, title=f"{draw.info.name} 检查结果录入表"))
    return draw


# -- results publish ---------------------------------------------------------------------------------


@dataclass
class PublishOutcome:
    """A publication: where, which one for its draw, what it published and what is still to come."""

    draw: Draw
    out_dir: Path
    number: int
    publication: Publication
    record: dict[str, Any]
    ledger_entry: int | None
    late: list[tuple[Result, date, bool]] = field(default_factory=list)  # (result, deadline, exact)
    warnings: list[Problem] = field(default_factory=list)


def _earlier_publications(
    entries: Sequence[tuple[LedgerEntry, list[LedgerResult]]], draw: Draw
) -> dict[str, Published]:
    """The results published so far for each task of the draw (the last publication's word counts)."""
    names = {t.task_id: t.enterprise_name for t in draw.tasks}
    found: dict[str, Published] = {}
    for number, (_, results) in enumerate(entries, 1):
        for r in results:
            result = Result(
                r.task_id,
                r.enterprise_key,
                names.get(r.task_id, ""),
                date.fromisoformat(r.completed_on),
                r.result,
                r.note,
            )
            found[r.task_id] = Published(result, number)
    return found


def earlier_json(earlier: Mapping[str, Published]) -> bytes:
    """The earlier publications a publication took from the ledger, as kept in its folder."""
    items = [{"publication": p.publication, **p.result.as_json()} for _, p in sorted(earlier.items())]
    return canonical_json(items)


def earlier_from_json(data: bytes) -> dict[str, Published]:
    """The inverse of earlier_json."""
    found = {}
    for item in json.loads(data):
        result = Result(
            item["task_id"],
            item["enterprise_id"],
            item["enterprise_name"],
            date.fromisoformat(item["completed_on"]),
            item["result"],
            item["note"],
        )
        found[result.task_id] = Published(result, int(item["publication"]))
    return found


def recompute_publication(
    draw: Draw,
    entry_path: Path,
    earlier: Mapping[str, Published],
    today: date,
    *,
    place_name: str | None = None,
) -> tuple[Publication, list[Problem], str]:
    """Read the entry sheet and check it against the draw: what `results publish` publishes and what
    `verify` recomputes; with the problems found and the SHA-256 of the sheet as read."""
    rows, file, problems = read_entries(entry_path)
    identity = read_identity(entry_path)
    if identity != draw.result_digest:
        raise InputError(
            [
                Problem(
                    f"录入表属于另一次抽取（结果摘要 {identity[:12]}…），"
                    f"不是这次抽取“{draw.info.id}”（结果摘要 {draw.result_digest[:12]}…）",
                    file=place_name or entry_path.name,
                    sheet="填写说明",
                    hint="请用 shuangsuiji results template 为这次抽取生成录入表，"
                    "或给出与录入表对应的抽取文件夹",
                    code="entry-sheet-of-another-draw",
                    params={"sheet_digest": identity, "draw_digest": draw.result_digest},
                )
            ]
        )
    publication = check_entries(
        rows,
        draw.tasks,
        earlier,
        place=SheetPlace(place_name or entry_path.name, file.sheet),
        plan_start=draw.info.start,
        today=today,
    )
    return publication, problems + publication.problems, file.sha256


def bulletin_notes(draw: Draw, number: int, publication: Publication, reason: str) -> list[tuple[str, str]]:
    """公告说明: what this publication is, in words the public reads."""
    info = draw.info
    notes = [
        ("抽查计划", f"{info.name}（{info.id}）"),
        ("检查机关", info.authority),
        ("检查日期", f"{info.start.isoformat()} 至 {info.end.isoformat()}"),
        ("本次公告", f"第 {number} 次公告，公布 {len(publication.results)} 项检查结果"),
        ("抽查任务", f"共 {len(draw.tasks)} 项"),
    ]
    if publication.earlier_only or publication.unchanged:
        notes.append(
            ("此前已公告", f"{len(publication.earlier_only) + len(publication.unchanged)} 项，见此前的公告")
        )
    if publication.pending:
        notes.append(("尚待公告", f"{len(publication.pending)} 项，检查完成后另行公告"))
    if publication.corrections:
        notes.append(("更正", f"本次更正此前公告的 {len(publication.corrections)} 项结果，原因：{reason}"))
    notes += [
        ("抽取结果摘要", draw.result_digest),
        ("如何核对", "本公告与抽取结果的对应关系记录在 results-record.json 中，可用 shuangsuiji verify 复核"),
    ]
    return notes


def _anchor_ledger(draw: Draw, given: Path | None) -> Path | None:
    """The ledger the publication goes into: the draw's (required when the draw was entered in one)."""
    if not draw.record.get("ledger"):
        return None
    return ledger_for(given, draw.folder, purpose="记入结果公告")


def _draw_entry(book: Ledger, draw: Draw) -> LedgerEntry:
    entry = next(
        (
            e
            for e in book.entries()
            if e.status == "drawn"
            and e.result_digest == draw.result_digest
            and e.record_sha256 == draw.record_sha256
        ),
        None,
    )
    if entry is None:
        raise UsageError(
            f"抽取台账“{book.path}”中没有这次抽取（{draw.info.id}，结果摘要 {draw.result_digest[:12]}…）",
            hint="抽取记录可能在抽取后被改动，或给出的不是这次抽取所用的台账；请用 --ledger 指定正确的台账",
        )
    return entry


def _late(results: Sequence[Result], today: date) -> list[tuple[Result, date, bool]]:
    """The results published after their deadline (20 working days after completion)."""
    return [(r, *missed) for r in results if (missed := late_by(r.completed_on, today, deadline))]


def run_publish(
    draw_dir: Path,
    entry_path: Path,
    out_dir: Path,
    *,
    ledger: Path | None = None,
    reason: str = "",
    clock: Callable[[], str] | None = None,
) -> PublishOutcome:
    """Check the filled entry sheet against its draw and publish its results into the new folder
    `out_dir`: bulletin.xlsx (public), results-record.json, and the inputs kept for verify.

    Example: ``run_publish(Path("抽取结果/2026-12"), Path("录入.xlsx"), Path("结果/2026-12"))``
    """
    reason = reason.strip()
    if finding := personal_data(reason):
        raise UsageError(f"更正原因中含有{finding}", hint="更正原因会写入公开的公告说明，不得含有个人信息")
    ensure_new_output_dir(out_dir)
    draw = load_draw(draw_dir)
    check_path(entry_path)
    ledger_path = _anchor_ledger(draw, ledger)
    with Ledger(ledger_path, create=False) if ledger_path is not None else nullcontext() as book:
        earlier_entries = book.publications(draw.result_digest) if book is not None else []
        if book is not None:
            _draw_entry(book, draw)
        anchor = book.head()[1] if book is not None else None
        earlier = _earlier_publications(earlier_entries, draw)
        created_at = (clock or utc_now)()  # looked up at call time: tests set the day
        today = beijing_date(created_at)
        publication, problems, file_sha = recompute_publication(draw, entry_path, earlier, today)
        refuse(problems)
        if publication.corrections and not reason:
            changed = "、".join(c.new.task_id for c in publication.corrections[:5])
            more = f"等 {len(publication.corrections)} 项" if len(publication.corrections) > 5 else ""
            raise UsageError(
                f"任务 {changed}{more}的结果与此前公告的不同，更正已公告的结果必须说明原因",
                hint='请加 --reason "原因"（会写入结果记录和公告说明）；'
                "如果不是要更正，请把这些行改回此前公告的内容",
            )
        if not publication.results:
            raise UsageError(
                f"录入表中没有新的检查结果可以公告（待填 {len(publication.pending)} 项，"
                f"此前已公告 {len(publication.earlier_only) + len(publication.unchanged)} 项）",
                hint="请先在录入表中填写已完成检查的任务的检查完成日期和检查结果",
            )
        number = len(earlier_entries) + 1
        with staged_output(out_dir) as folder:
            record = _write_publication(
                folder, draw, entry_path, file_sha, earlier, publication, number, reason, created_at, anchor
            )
            entry = None
            if book is not None:
                teams = {t["task_id"]: tuple(t["team"]) for t in draw.record["tasks"]}
                entry = book.append(
                    created_at=created_at,
                    plan_id=draw.info.id,
                    plan_start=draw.info.start.isoformat(),
                    plan_end=draw.info.end.isoformat(),
                    status="published",
                    seed="",
                    redraw=bool(publication.corrections),
                    reason=reason if publication.corrections else "",
                    result_digest=draw.result_digest,
                    record_sha256=file_sha256(folder / RESULTS_RECORD),
                    out_dir=str(out_dir.resolve()),
                    results=[
                        LedgerResult(
                            r.task_id,
                            r.enterprise_id,
                            teams[r.task_id],
                            r.completed_on.isoformat(),
                            r.result,
                            r.note,
                        )
                        for r in publication.results
                    ],
                    expect_prev_hash=anchor,
                )
        warnings = [
            Problem(n, severity="warning", code="ledger-upgraded") for n in (book.notices if book else [])
        ]
    if ledger_path is None:
        warnings.append(
            Problem(
                "这次抽取没有记入抽取台账（例如演示抽取），它的结果公告也不记入台账；此前的公告无法核对",
                severity="warning",
                code="publication-without-ledger",
            )
        )
    return PublishOutcome(
        draw,
        out_dir,
        number,
        publication,
        record,
        entry.id if entry else None,
        _late(publication.results, today),
        warnings,
    )


def _keep(source: Path, target: Path, sha256: str) -> None:
    """Keep a copy of an input, hashed from the bytes written; it must be what was read."""
    if copy_hashed(source, target, str(source)) != sha256:
        raise OutputError(f"文件“{source}”在公告过程中被改动", hint="请关闭正在编辑它的程序后重新运行")


def _write_publication(
    folder: Path,
    draw: Draw,
    entry_path: Path,
    entry_sha256: str,
    earlier: Mapping[str, Published],
    publication: Publication,
    number: int,
    reason: str,
    created_at: str,
    anchor: str | None,
) -> dict[str, Any]:
    """Write the bulletin, the kept inputs and the results record into the staging `folder`."""
    (folder / "inputs").mkdir()
    _keep(entry_path, folder / kept_entry_sheet(entry_path), entry_sha256)
    (folder / KEPT_DRAW).mkdir()
    _keep(draw.folder / RECORD, folder / KEPT_DRAW_RECORD, draw.record_sha256)
    for name in kept_draw_files(draw.record)[1:]:  # a split record's lists: verify checks them by digest
        copy_hashed(draw.folder / name, folder / KEPT_DRAW / name, name)
    earlier_bytes = earlier_json(earlier)
    (folder / KEPT_EARLIER).write_bytes(earlier_bytes)
    content = write_bulletin(folder / BULLETIN, draw, publication, number, reason)
    body = results_body(draw.result_digest, number, publication, reason)
    record: dict[str, Any] = {
        "kind": RESULTS_KIND,
        "record_version": RESULTS_RECORD_VERSION,
        "tool": {"name": "shuangsuiji", "version": __version__},
        **body,
        "results_digest": digest(body),
        "created_at": created_at,
        "plan": {"id": draw.info.id, "name": draw.info.name, "start": draw.info.start.isoformat()},
        "draw": {
            "result_digest": draw.result_digest,
            "record_sha256": draw.record_sha256,
            "folder": str(draw.folder.resolve()),
            "archived": KEPT_DRAW_RECORD,
        },
        "entry_sheet": {
            "path": str(entry_path.resolve()),
            "sha256": entry_sha256,
            "archived": kept_entry_sheet(entry_path),
        },
        "earlier_results": {"sha256": hashlib.sha256(earlier_bytes).hexdigest(), "archived": KEPT_EARLIER},
        "outputs": {BULLETIN: file_sha256(folder / BULLETIN)},
        "output_content": {BULLETIN: content},
        "ledger": {"prev_hash": anchor} if anchor is not None else None,
    }
    write_json(folder / RESULTS_RECORD, record)
    return record


def write_bulletin(path: Path, draw: Draw, publication: Publication, number: int, reason: str) -> str:
    """Write bulletin.xlsx; its content digest."""
    notes = bulletin_notes(draw, number, publication, reason)
    return write_workbook(
        path, _bulletin_sheets(draw.info, publication, number, notes), title=f"{draw.info.name} 抽查结果公告"
    )


# -- ledger list ---------------------------------------------------------------------------------------


def ledger_overview(
    given: Path | None, start: Path
) -> tuple[Path, list[LedgerEntry], dict[int, tuple[str, bool]]]:
    """The ledger's entries, with what each says of results (published, pending, overdue) today.

    Example: ``path, entries, statuses = ledger_overview(None, Path.cwd())``
    """
    path = ledger_for(given, start, purpose="列出抽取")
    with Ledger(path, create=False) as book:
        entries = book.entries()
        draws = [
            DrawState(
                e.id,
                e.plan_id,
                e.result_digest,
                date.fromisoformat(e.plan_end) if e.plan_end else None,
                len(book.tasks(e.id)),
            )
            for e in entries
            if e.status == "drawn"
        ]
        publications = [
            PublicationState(
                e.id,
                e.result_digest,
                beijing_date(e.created_at),
                [(r.task_id, date.fromisoformat(r.completed_on)) for r in book.results(e.id)],
            )
            for e in entries
            if e.status == "published"
        ]
    today = beijing_date(utc_now())
    return path, entries, ledger_statuses(draws, publications, today, deadline)
