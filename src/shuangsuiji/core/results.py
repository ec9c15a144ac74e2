"""Inspection results, the second 一公开: the national system's vocabulary of 检查结果, the checks an
entry sheet must pass against the draw it belongs to, and the publication deadline of 20 working days.

Pure: rows, the draw's tasks, the earlier publications, today and the working-day calendar come in
as arguments; results and problems go out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from .errors import Problem
from .fields import COMPLETED_ON, PUBLIC_KEY, RESULT, RESULT_ENTRIES, TASK_ID
from .ids import compact, normalize_key, tidy_text

RESULTS_KIND = "shuangsuiji-results"
RESULTS_RECORD_VERSION = 1
PUBLICATION_WORKING_DAYS = 20  # results are published within 20 working days of the inspection

# 检查结果 as the national enterprise credit information publicity system codes them.
RESULT_WORDS = (
    "未发现问题",
    "未按规定公示应当公示的信息",
    "公示信息隐瞒真实情况弄虚作假",
    "通过登记的住所（经营场所）无法联系",
    "不配合检查情节严重",
    "已关闭停业或正在清算",
    "未发现开展本次抽查涉及的经营活动",
    "发现问题经责令已改正",
    "注销",
    "被吊销",
    "被撤销",
    "迁出",
)
VIOLATION_FORM = (
    "违反……相关规定"  # the one open form: the regulation is named, e.g. 违反《食品安全法》相关规定
)
RESULT_CHOICES = (*RESULT_WORDS, VIOLATION_FORM)  # what the entry sheet's drop-down offers
_VIOLATION = re.compile(r"违反(.*)相关规定")
_PLACEHOLDER = re.compile(r"[.。…·、,，\s《》<>〈〉]*")  # what a regulation's name cannot be only made of
_BY_COMPACT = {compact(word): word for word in RESULT_WORDS}

NAME, KEY, TEAM, NOTE = "市场主体名称", PUBLIC_KEY, "检查人员", "备注"
ENTRY_COLUMNS = RESULT_ENTRIES.names()  # prefilled from the draw: the first four; to fill: the rest
PREFILLED = ENTRY_COLUMNS[:4]


@functools.lru_cache(maxsize=1024)  # a sheet of 50,000 rows holds a dozen distinct results
def canonical_result(text: str) -> str | None:
    """The vocabulary's own spelling of a 检查结果, or None when it is not one.

    Words compare after NFKC and without white space, so 通过登记的住所(经营场所)无法联系 with ASCII
    brackets is the national word; a violation keeps the regulation as written.
    """
    written = compact(text)
    if word := _BY_COMPACT.get(written):
        return word
    found = _VIOLATION.fullmatch(tidy_text(text))
    if found and not _PLACEHOLDER.fullmatch(found.group(1)):
        return f"违反{found.group(1).strip()}相关规定"
    return None


def working_day_deadline(start: date, days: int, is_workday: Callable[[date], bool]) -> date:
    """The `days`-th working day after `start` (the day itself not counted)."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        counted += is_workday(day)
    return day


def publication_deadline(completed_on: date, is_workday: Callable[[date], bool]) -> date:
    """The last day a result completed on `completed_on` may be published."""
    return working_day_deadline(completed_on, PUBLICATION_WORKING_DAYS, is_workday)


@dataclass(frozen=True)
class DrawnTask:
    """A task of the draw, as its record states it."""

    task_id: str
    enterprise_id: str
    enterprise_name: str


@dataclass(frozen=True)
class EnteredRow:
    """One row of a filled entry sheet, as read (texts tidied; the date parsed by the reader)."""

    row: int
    task_id: str
    name: str
    key: str
    completed_on: date | None
    completed_text: str
    result: str
    note: str

    @property
    def blank(self) -> bool:
        """Nothing entered yet: the task is pending."""
        return not (self.completed_text or self.result or self.note)


@dataclass(frozen=True)
class Result:
    """One task's published result."""

    task_id: str
    enterprise_id: str
    enterprise_name: str
    completed_on: date
    result: str
    note: str

    def as_json(self) -> dict[str, str]:
        """Its entry in the results record (scripts rely on task_id, enterprise_id, completed_on, result)."""
        return {
            "task_id": self.task_id,
            "enterprise_id": self.enterprise_id,
            "enterprise_name": self.enterprise_name,
            "completed_on": self.completed_on.isoformat(),
            "result": self.result,
            "note": self.note,
        }

    def same_as(self, other: Result) -> bool:
        """The same published content (date, result and note)."""
        return (self.completed_on, self.result, self.note) == (other.completed_on, other.result, other.note)


@dataclass(frozen=True)
class Published:
    """A result published earlier, and the number of the publication that published it last."""

    result: Result
    publication: int


@dataclass(frozen=True)
class Correction:
    """A result that replaces one published earlier."""

    new: Result
    old: Published


@dataclass
class Publication:
    """What an entry sheet publishes: new results, corrections, and what it leaves as it is."""

    results: list[Result] = field(default_factory=list)  # in the draw's task order, corrections included
    corrections: list[Correction] = field(default_factory=list)
    unchanged: list[str] = field(
        default_factory=list
    )  # task ids published before, entered again as they were
    earlier_only: list[str] = field(default_factory=list)  # published before, blank in this sheet
    pending: list[str] = field(default_factory=list)  # never published, blank in this sheet
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class SheetPlace:
    """Where the rows were read from, for the problems' locations."""

    file: str
    sheet: str


def _problem(
    code: str, place: SheetPlace, row: int, column: str, message: str, hint: str, **params: object
) -> Problem:
    return Problem(message, place.file, place.sheet, row, column, "error", hint, code, params)


def _prefilled_problem(entered: EnteredRow, task: DrawnTask, place: SheetPlace) -> Problem | None:
    """A row whose enterprise is not the task's: its prefilled columns were edited (blank rows too)."""
    if entered.name == task.enterprise_name and entered.key == task.enterprise_id:
        return None  # as written by the template: the usual case, without normalising
    name_changed = compact(entered.name) != compact(task.enterprise_name)
    if not name_changed and normalize_key(entered.key) == task.enterprise_id:
        return None
    return _problem(
        "prefilled-changed",
        place,
        entered.row,
        NAME if name_changed else KEY,
        f"任务 {task.task_id} 的市场主体被改动了（抽取的是“{task.enterprise_name}”{task.enterprise_id}，"
        f"表中是“{entered.name}”{entered.key}）",
        "预填的列不能修改；请把这一行恢复原样，或用 shuangsuiji results template 重新生成录入表后再填写",
        task_id=task.task_id,
    )


def _row_problems(
    entered: EnteredRow, task: DrawnTask, place: SheetPlace, plan_start: date, today: date
) -> Iterator[Problem]:
    """What is wrong in one filled row, each column at once."""
    if not entered.completed_text:
        yield _problem(
            "missing-completion-date",
            place,
            entered.row,
            COMPLETED_ON,
            "填了检查结果或备注，但检查完成日期为空",
            "请填写检查完成日期；尚未完成检查的任务请整行留空",
        )
    elif entered.completed_on is not None and entered.completed_on < plan_start:
        yield _problem(
            "completed-before-plan",
            place,
            entered.row,
            COMPLETED_ON,
            f"检查完成日期 {entered.completed_on.isoformat()} 早于抽查计划的开始日期 "
            f"{plan_start.isoformat()}",
            "请核对日期：检查只能在抽查计划开始之后完成",
            value=entered.completed_on.isoformat(),
        )
    elif entered.completed_on is not None and entered.completed_on > today:
        yield _problem(
            "completed-in-future",
            place,
            entered.row,
            COMPLETED_ON,
            f"检查完成日期 {entered.completed_on.isoformat()} 晚于今天（{today.isoformat()}）",
            "请核对年份和月份；尚未完成的检查请整行留空",
            value=entered.completed_on.isoformat(),
        )
    if not entered.result:
        yield _problem(
            "missing-result",
            place,
            entered.row,
            RESULT,
            "填了检查完成日期或备注，但检查结果为空",
            "请从下拉列表中选择检查结果；尚未完成检查的任务请整行留空",
        )
    elif canonical_result(entered.result) is None:
        violation = _VIOLATION.fullmatch(tidy_text(entered.result)) is not None
        code = "unnamed-regulation" if violation else "unknown-result"
        yield _problem(
            code,
            place,
            entered.row,
            RESULT,
            f"检查结果“{entered.result}”"
            + ("没有写明违反的是哪部法律法规" if violation else "不是国家企业信用信息公示系统的检查结果用语"),
            "违反法律法规的，请写明名称，例如“违反《食品安全法》相关规定”"
            if violation
            else f"可以填写：{'、'.join(RESULT_WORDS)}，或“{VIOLATION_FORM}”（写明法律法规的名称）",
            value=entered.result,
        )


def check_entries(
    rows: Sequence[EnteredRow],
    tasks: Sequence[DrawnTask],
    earlier: Mapping[str, Published],
    *,
    place: SheetPlace,
    plan_start: date,
    today: date,
) -> Publication:
    """Check every row of an entry sheet against its draw and the earlier publications.

    Every problem is found at once (a row can have several); `results` holds what would be
    published, in the draw's task order.
    """
    by_id = {t.task_id: t for t in tasks}
    order = {t.task_id: i for i, t in enumerate(tasks)}
    found: dict[str, Result] = {}
    first_row: dict[str, int] = {}
    publication = Publication()
    for entered in rows:
        task_id = entered.task_id.strip().upper()
        task = by_id.get(task_id)
        if task is None:
            publication.problems.append(
                _problem(
                    "unknown-task",
                    place,
                    entered.row,
                    TASK_ID,
                    f"抽查任务编号“{entered.task_id}”不是这次抽取的任务"
                    if entered.task_id
                    else "抽查任务编号为空",
                    "录入表的行只能来自这次抽取；"
                    "请用 shuangsuiji results template 生成的录入表填写，不要增加行",
                    value=entered.task_id,
                )
            )
            continue
        if task_id in first_row:
            publication.problems.append(
                _problem(
                    "duplicate-task",
                    place,
                    entered.row,
                    TASK_ID,
                    f"抽查任务 {task_id} 出现了两次（第一次在第 {first_row[task_id]} 行）",
                    "每个任务只能有一行；请删去重复的一行",
                    value=task_id,
                )
            )
            continue
        first_row[task_id] = entered.row
        if changed := _prefilled_problem(entered, task, place):
            publication.problems.append(changed)
            continue
        if entered.blank:
            continue
        problems = list(_row_problems(entered, task, place, plan_start, today))
        publication.problems += problems
        result = canonical_result(entered.result)
        if not problems and entered.completed_on is not None and result is not None:
            found[task_id] = Result(
                task.task_id,
                task.enterprise_id,
                task.enterprise_name,
                entered.completed_on,
                result,
                entered.note,
            )
    for task in tasks:
        new, old = found.get(task.task_id), earlier.get(task.task_id)
        if new is None:
            (publication.earlier_only if old else publication.pending).append(task.task_id)
        elif old is None:
            publication.results.append(new)
        elif new.same_as(old.result):
            publication.unchanged.append(task.task_id)
        else:
            publication.results.append(new)
            publication.corrections.append(Correction(new, old))
    publication.results.sort(key=lambda r: order[r.task_id])
    return publication


def results_body(
    draw_result_digest: str, publication_number: int, published: Publication, reason: str
) -> dict[str, object]:
    """The part of the results record that verify recomputes, as JSON values."""
    return {
        "draw_result_digest": draw_result_digest,
        "publication": publication_number,
        "results": [r.as_json() for r in published.results],
        "corrections": [
            {
                "task_id": c.new.task_id,
                "previous": c.old.result.as_json(),
                "previous_publication": c.old.publication,
            }
            for c in published.corrections
        ],
        "correction_reason": reason if published.corrections else "",
        "unchanged": list(published.unchanged),
        "earlier_only": list(published.earlier_only),
        "pending": list(published.pending),
    }


@dataclass(frozen=True)
class DrawState:
    """A drawn ledger entry, as far as its results go."""

    entry_id: int
    plan_id: str
    result_digest: str
    plan_end: date | None  # None in entries made before the ledger kept it
    tasks: int


@dataclass(frozen=True)
class PublicationState:
    """A publication ledger entry: its draw, the day it was published (Beijing), what it published."""

    entry_id: int
    result_digest: str
    published_on: date
    completed: Sequence[tuple[str, date]]  # (task_id, completed_on) per result


def ledger_statuses(
    draws: Sequence[DrawState],
    publications: Sequence[PublicationState],
    today: date,
    deadline: Callable[[date], tuple[date, bool]],
) -> dict[int, tuple[str, bool]]:
    """What `ledger list` says of each draw's results and each publication, with the overdue ones
    flagged: results not yet published more than 20 working days after the plan's end (the latest a
    pending inspection can have been completed), and results published after their deadline. A draw
    replaced by a redraw of its plan expects no results. (Deadlines in a year the calendar does not
    cover yet are estimates, said with 约.) Per entry id: the words, and whether something is overdue."""
    latest = {d.plan_id: d.entry_id for d in draws}  # ids ascend: the last draw of each plan counts
    done: dict[str, set[str]] = {}
    number: dict[str, int] = {}
    statuses: dict[int, tuple[str, bool]] = {}
    for p in publications:
        done.setdefault(p.result_digest, set()).update(task for task, _ in p.completed)
        number[p.result_digest] = number.get(p.result_digest, 0) + 1
        late = sum(late_by(day, p.published_on, deadline) is not None for _, day in p.completed)
        text = f"第 {number[p.result_digest]} 次结果公告，{len(p.completed)} 项"
        statuses[p.entry_id] = (text + (f"；{late} 项逾期公告" if late else ""), bool(late))
    for d in draws:
        if latest[d.plan_id] != d.entry_id:
            statuses[d.entry_id] = ("已被重新抽取取代", False)
            continue
        published = len(done.get(d.result_digest, ()))
        pending = d.tasks - published
        text = "结果已全部公告" if not pending else f"结果已公告 {published}/{d.tasks}"
        overdue = False
        if pending and d.plan_end is not None:
            last, exact = deadline(d.plan_end)
            if overdue := today > last:
                text += f"；{pending} 项逾期未公告（应在{'' if exact else '约'} {last.isoformat()} 前公告）"
        statuses[d.entry_id] = (text, overdue)
    return statuses


def late_by(
    completed_on: date, published_on: date, deadline: Callable[[date], tuple[date, bool]]
) -> tuple[date, bool] | None:
    """The deadline (and whether it is exact) a result completed on `completed_on` missed when
    published on `published_on`; None when it was in time."""
    last, exact = deadline(completed_on)
    return (last, exact) if published_on > last else None
