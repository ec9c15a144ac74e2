"""The three outputs: 分派表 (internal), 公示表 (public), 抽取记录 (JSON).

They are written into the private staging folder that `io/staging.py` renames into place only
when complete: a crash leaves no half-written output, and nothing is overwritten.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.assign import TEAM_ALGORITHM
from ..core.errors import OutputError
from ..core.fields import ENTERPRISES
from ..core.ids import key_problem
from ..core.model import EXCLUSION_LABELS, DrawResult, Enterprise, InputFile, Inspector, Task
from ..core.plan import Plan, fraction_text
from ..core.privacy import personal_data
from ..core.record import LEDGER_HISTORY, LEDGER_HISTORY_FILE, archived_name, encode_lists
from ..core.tickets import ALGORITHM
from .helper import WorkbookHelper
from .readers import file_sha256
from .xlsx import Cell, Columns, Sheet, write_workbook

ASSIGNMENTS = "assignments.xlsx"
DISCLOSURE = "disclosure.xlsx"
RECORD = "draw-record.json"

DISCLOSURE_COLUMNS = (
    "序号",
    "抽查计划编号",
    "抽查计划名称",
    "抽查任务编号",
    "抽查任务名称",
    "抽查类型",
    "抽查事项",
    "检查机关",
    "检查日期自",
    "检查日期至",
    "市场主体名称",
    "统一社会信用代码/注册号",
    "登记机关",
    "检查结果",
    "备注",
)
_KEY_COLUMN = "统一社会信用代码/注册号"
# Whatever personal_data finds holds 11 ASCII digits in a row (NFKC'd), perhaps split by a space or
# hyphen after the 3rd and the 7th. With digits read as 0, those separators as s and every other byte
# as x, four substring searches clear a column (4 ms for 50,000 keys; a regex over the digits took 13–80).
_DIGIT_SHAPES = bytes(
    ord("0") if byte in b"0123456789" else ord("s") if byte in b" -" else ord("x") for byte in range(256)
)
_LONG_NUMBER_SHAPES = (b"0" * 11, b"000s00000000", b"0000000s0000", b"000s0000s0000")


def archive_inputs(folder: Path, files: Sequence[InputFile], ledger_history: bytes = b"") -> None:
    """Keep a copy of every input file as read, and the history taken from the ledger, so that the
    output folder alone verifies and `verify` can name changed rows later.

    The copy is hashed from the very bytes written, and must match what the draw read.
    """
    (folder / "inputs").mkdir()
    for file in files:
        if file.kind == LEDGER_HISTORY:
            (folder / LEDGER_HISTORY_FILE).write_bytes(ledger_history)
            continue
        sha = hashlib.sha256()
        try:
            with (
                open(file.path, "rb") as source,
                (folder / archived_name(file.kind, file.path)).open("wb") as copy,
            ):
                while block := source.read(1 << 20):
                    sha.update(block)
                    copy.write(block)
        except OSError as exc:
            raise OutputError(
                f"无法保存输入文件“{file.path}”的副本（{exc.strerror}）", hint="请检查磁盘空间"
            ) from None
        if sha.hexdigest() != file.sha256:
            raise OutputError(
                f"输入文件“{file.path}”在抽取过程中被改动", hint="请关闭正在编辑该文件的程序后重新抽取"
            )


def _team_names(team: Sequence[Inspector]) -> str:
    return "、".join(m.name for m in team)


def _method(task: Task) -> str:
    return "重点检查（必检）" if task.pick.must_inspect else "随机抽取"


def task_sheet(result: DrawResult, plan: Plan) -> Sheet:
    """分派表: one row per task, its enterprise and its team."""
    probability = {s.key: s.probability for s in result.selection.strata}
    ts = result.tasks
    # The enterprises' fields as columns, in one transposition.
    firm = (
        dict(zip(Enterprise._fields, zip(*(t.enterprise for t in ts), strict=True), strict=True))
        if ts
        else {}
    )

    def of_firm(field: str) -> Sequence[Cell]:
        return firm.get(field, ())

    # Each column once: header, values, width. The roster's own columns keep the roster's headers.
    columns: list[tuple[str, Sequence[Cell], float]] = [
        ("序号", list(range(1, len(ts) + 1)), 6),
        ("抽查任务编号", [t.task_id for t in ts], 20),
        ("市场主体名称", of_firm("name"), 34),
        ("统一社会信用代码/注册号", of_firm("key"), 22),
        *(
            (ENTERPRISES.header(attr), of_firm(attr), width)
            for attr, width in (
                ("credit_class", 13),
                ("district", 10),
                ("industry", 12),
                ("authority", 26),
                ("address", 30),
                ("legal_rep", 10),
                ("phone", 14),
            )
        ),
        ("抽取方式", [_method(t) for t in ts], 16),
        ("层内名次", [t.pick.rank for t in ts], 10),
        ("入选概率", [None if t.pick.must_inspect else probability[t.pick.stratum] for t in ts], 10),
        ("组长（主检人）", [t.leader.name for t in ts], 14),
        ("组长人员编号", [t.leader.id for t in ts], 14),
        ("组员", [_team_names(t.team[1:]) for t in ts], 16),
        ("组员人员编号", ["、".join(m.id for m in t.team[1:]) for t in ts], 16),
        ("检查组所属部门", ["、".join(sorted({m.department for m in t.team})) for t in ts], 26),
        ("抽取车票", [t.pick.ticket for t in ts], 66),
    ]
    headers, values, widths = zip(*columns, strict=True)
    return Sheet("分派表", headers, Columns(*values), widths=widths)


def strata_sheet(result: DrawResult, plan: Plan) -> Sheet:
    """分层汇总: every stratum's size, rule, quota and cut-off ticket."""
    strata = plan.selection.strata
    return Sheet(
        "分层汇总",
        (
            *strata,
            "符合条件户数",
            "抽取比例",
            "权重",
            "应抽户数",
            "实抽户数",
            "重点检查户数",
            "入选概率",
            "入选概率（分数）",
            "截止车票",
        ),
        (
            (
                *s.key,
                s.eligible,
                s.ratio,
                None if s.weight is None else fraction_text(s.weight),
                s.quota,
                s.quota,
                s.must_inspect,
                s.probability,
                fraction_text(s.probability),
                s.cutoff_ticket,
            )
            for s in result.selection.strata
        ),
        widths=(*(12 for _ in strata), 12, 10, 8, 10, 10, 12, 10, 14, 66),
    )


def workload_sheet(result: DrawResult, plan: Plan) -> Sheet:
    """人员工作量: the tasks of every inspector drawn."""
    people = {m.id: m for t in result.tasks for m in t.team}
    leaders: dict[str, int] = {}
    for t in result.tasks:
        leaders[t.leader.id] = leaders.get(t.leader.id, 0) + 1
    return Sheet(
        "人员工作量",
        ("人员编号", "姓名", "所属部门", "所属区域", "执法证号", "专业领域", "分派任务数", "其中任组长"),
        (
            (
                i,
                people[i].name,
                people[i].department,
                people[i].district,
                people[i].certificate,
                "、".join(sorted(people[i].specialties)),
                n,
                leaders.get(i, 0),
            )
            for i, n in result.workloads.items()
        ),
        widths=(14, 10, 20, 10, 18, 30, 12, 12),
    )


def excluded_sheet(result: DrawResult, plan: Plan) -> Sheet:
    """未参加抽取: the enterprises in scope that could not be drawn, and why."""
    return Sheet(
        "未参加抽取",
        ("统一社会信用代码/注册号", "原因类别", "原因"),
        Columns(
            [e.enterprise_key for e in result.selection.exclusions],
            [EXCLUSION_LABELS[e.code] for e in result.selection.exclusions],
            [e.reason for e in result.selection.exclusions],
        ),
        widths=(24, 12, 60),
    )


SheetBuilder = Callable[[DrawResult, Plan], Sheet]
# 分派表 and its companion sheets in tab order (the notes sheet goes last)
ASSIGNMENT_SHEETS: tuple[SheetBuilder, ...] = (task_sheet, strata_sheet, workload_sheet, excluded_sheet)


NOTES_HEADER = ("项目", "内容")
NOTES_WIDTHS = (22, 90)


def team_rule_text(plan: Plan) -> str:
    """The [teams] rules in one sentence, e.g. 每组 2 人（持证且具相应专业的人员、持证执法人员）…"""
    rules = plan.teams
    parts = [
        f"每组 {rules.size} 人（{'、'.join(r.describe() for r in rules.roles)}），"
        "组长由第一个持证岗位的人员担任",
        f"每人任务上限 {rules.max_tasks}（名录中另有规定的从其规定）",
        f"{rules.rotation_days} 天内不重复检查同一企业",
    ]
    if rules.cross_district:
        parts.append("不检查本区域企业")
    if rules.balance:
        parts.append("工作量均衡")
    return "；".join(parts)


def notes_sheet(result: DrawResult, plan: Plan, result_digest: str, note: str = "") -> Sheet:
    """抽取说明: what anyone needs to check the draw (seed, algorithm, digest)."""
    info = plan.info
    sel = plan.selection
    if sel.count_mode:
        rule = f"按总数抽取 {sel.total} 户，权重 " + "，".join(
            f"{k}={fraction_text(v)}" for k, v in sel.weights.items()
        )
    else:
        rule = "，".join(f"{k} 类 {float(v) * 100:g}%" for k, v in sorted(sel.ratio.items()))
    rows: list[tuple[Cell, Cell]] = [
        ("抽查计划编号", info.id),
        ("抽查计划名称", info.name),
        ("检查机关", info.authority),
        ("检查日期", f"{info.start.isoformat()} 至 {info.end.isoformat()}"),
        ("抽取户数", len(result.tasks)),
        ("抽取规则", rule),
        ("随机种子", result.seed),
        ("抽取算法", ALGORITHM),
        ("检查组规则", team_rule_text(plan)),
        ("组队算法", TEAM_ALGORITHM),
        ("结果摘要（SHA-256）", result_digest),
        (
            "如何复核",
            "任何人可用相同的名录、抽查计划和随机种子，运行 shuangsuiji verify 复算本次抽取，"
            "结果应与本表完全一致。",
        ),
    ]
    if note:
        rows.append(("备注", note))
    return Sheet("抽取说明", NOTES_HEADER, rows, widths=NOTES_WIDTHS, wrap=True)


def disclosure_rows(result: DrawResult, plan: Plan) -> list[tuple[Cell, ...]]:
    """The public list, one row per task, in the official column order."""
    info = plan.info
    items = "、".join(info.items)
    return [
        (
            n,
            info.id,
            info.name,
            t.task_id,
            info.task_name,
            info.type,
            items,
            info.authority,
            info.start,
            info.end,
            t.enterprise.name,
            t.enterprise.key,
            t.enterprise.authority,
            "",
            "",
        )
        for n, t in enumerate(result.tasks, start=1)
    ]


def check_public(rows: Sequence[Sequence[Cell]], header: Sequence[str], sheet: str = "公示表") -> None:
    """Refuse to publish anything that holds a mobile or resident ID number (privacy.personal_data)."""
    for position, (column, values) in enumerate(zip(header, zip(*rows, strict=True), strict=False)):
        # The column's distinct texts, NFKC'd as personal_data sees them, a line each: no finding
        # spans a line break, so the joined text has one exactly when some cell has one.
        distinct = set(values)
        try:
            joined = "\n".join(distinct)
        except TypeError:  # numbers, dates: only text can hold a phone or ID number
            distinct = {value for value in distinct if isinstance(value, str)}
            joined = "\n".join(distinct)
        joined = unicodedata.normalize("NFKC", joined)
        # In UTF-8 no byte of a non-ASCII character is an ASCII digit, space or hyphen.
        shape = joined.encode("utf-8", "surrogatepass").translate(_DIGIT_SHAPES)
        if not any(number in shape for number in _LONG_NUMBER_SHAPES) or personal_data(joined) is None:
            continue
        findings: dict[Cell, str] = {}
        for text in distinct:
            finding = personal_data(text)
            # The key column holds the validated enterprise key: a valid one is published by design.
            if finding and not (column == _KEY_COLUMN and key_problem(text) is None):
                findings[text] = finding
        for number, row in enumerate(rows, start=2):
            if (finding := findings.get(row[position])) is not None:
                raise OutputError(
                    f"{sheet}第 {number} 行“{column}”列含有{finding}，已停止写出",
                    hint="请核对名录中该企业的名称与代码，以及计划文件、种子和重新抽取的原因；公示表不得含有个人信息",
                )


def disclosure_sheet(result: DrawResult, plan: Plan) -> Sheet:
    """公示表, checked for private data (followed by the notes sheet the public needs to check it)."""
    rows = disclosure_rows(result, plan)
    check_public(rows, DISCLOSURE_COLUMNS)
    widths = (6, 16, 30, 20, 22, 8, 30, 22, 12, 12, 34, 24, 26, 12, 12)
    return Sheet("公示表", DISCLOSURE_COLUMNS, rows, widths=widths)


# Below this many rows the workbooks are written in-process: starting helpers costs more.
PARALLEL_ROWS = 20_000


def write_outputs(
    folder: Path, result: DrawResult, plan: Plan, summarize: Callable[[], str], *, note: str = ""
) -> tuple[dict[str, str], dict[str, str], str]:
    """Write both workbooks into `folder`; return (file name → SHA-256 of the file, file name →
    content digest (xlsx.content_digest: independent of compression), result digest).

    `summarize` computes the result digest, which both notes sheets print. For a large draw each
    workbook is written by a helper process (io/helper.py), which gets each sheet as soon as it is
    built and its notes sheet once the digest is known, so that the work spreads over both cores.
    """
    title = f"{plan.info.name}（{plan.info.id}）"
    # Each workbook: title, sheets in tab order, and the order their zip members are written in
    # (the notes last). 未参加抽取 goes first: built soonest, a helper starts on it while the
    # 分派表 is being built. Both ways of writing use the same order, hence the same bytes.
    books = {
        ASSIGNMENTS: (f"{title} 分派表", ASSIGNMENT_SHEETS, (3, 0, 1, 2)),
        DISCLOSURE: (f"{title} 公示表", (disclosure_sheet,), (0,)),
    }
    helpers: dict[str, WorkbookHelper] = {}
    contents: dict[str, str] = {}
    try:
        if len(result.tasks) + len(result.selection.exclusions) >= PARALLEL_ROWS:
            for name in books:
                helpers[name] = WorkbookHelper()
        for name, helper in helpers.items():
            book_title, builders, order = books[name]
            helper.begin(folder / name, len(builders) + 1, book_title)
            for index in order:
                helper.add(index, builders[index](result, plan))
        result_digest = summarize()
        notes = notes_sheet(result, plan, result_digest, note)
        check_public(list(notes.rows), notes.header, notes.name)  # published with the disclosure
        for name, (book_title, builders, order) in books.items():
            if name in helpers:
                helpers[name].add(len(builders), notes)
            else:
                sheets = [build(result, plan) for build in builders]
                contents[name] = write_workbook(
                    folder / name, [*sheets, notes], title=book_title, order=(*order, len(builders))
                )
    except BaseException:
        for helper in helpers.values():
            helper.abandon()  # the original error (or Ctrl-C) is what the user must see
        raise
    for name, helper in helpers.items():
        contents[name] = helper.wait()
    return (
        {name: file_sha256(folder / name) for name in books},
        {name: contents[name] for name in books},
        result_digest,
    )


def _record_parts(record: dict[str, Any], lists: Mapping[str, list[bytes]]) -> Iterator[bytes]:
    """The record as readable UTF-8 JSON, in pieces: one top-level key per line, one list item per line.

    List items come pre-encoded (canonical, exactly as digested) from `lists` where given;
    json.dumps with indent=2 would fall back to the pure-Python encoder and take seconds.
    """
    yield b"{\n"
    for number, key in enumerate(sorted(record)):
        value = record[key]
        items = lists.get(key)
        if items is None and isinstance(value, list):
            items = encode_lists({key: value})[key]
        name = (b",\n  " if number else b"  ") + json.dumps(key, ensure_ascii=False).encode("utf-8")
        if items:
            yield name + b": [\n    "
            yield b",\n    ".join(items)
            yield b"\n  ]"
        else:
            yield name + b": " + json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
    yield b"\n}\n"


def write_json(path: Path, value: Mapping[str, Any]) -> None:
    """A small JSON document, readable: UTF-8, keys sorted, indented."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_record(folder: Path, record: dict[str, Any], lists: Mapping[str, list[bytes]]) -> None:
    """Write draw-record.json (UTF-8, keys sorted) into `folder`, piece by piece (40 MB for a
    million-row draw: not glued together first)."""
    with (folder / RECORD).open("wb") as out:
        out.writelines(_record_parts(record, lists))
