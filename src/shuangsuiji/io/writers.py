"""The three outputs: 分派表 (internal), 公示表 (public), 抽取记录 (JSON).

They are written into the private staging folder that `io/staging.py` renames into place only
when complete: a crash leaves no half-written output, and nothing is overwritten.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.assign import TEAM_ALGORITHM
from ..core.beijing_time import beijing_time as core_beijing_time
from ..core.draw import drawn_breakdown, population_counts
from ..core.errors import OutputError
from ..core.fields import ENTERPRISES
from ..core.ids import key_problem
from ..core.model import EXCLUSION_LABELS, DrawResult, Enterprise, InputFile, Inspector, Task
from ..core.plan import Plan, PlanInfo, fraction_text
from ..core.privacy import personal_data
from ..core.record import (
    LEDGER_HISTORY,
    LEDGER_HISTORY_FILE,
    ColumnList,
    EncodedItems,
    archived_name,
    encode_lists,
    join_items,
)
from ..core.tickets import ALGORITHM
from .helper import WorkbookHelper
from .readers import file_sha256
from .readers.sources import folder_files
from .xlsx import Cell, Columns, PageSetup, Sheet, write_workbook

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
        source, copy = Path(file.path), folder / archived_name(file.kind, file.path)
        if source.is_dir():  # a roster folder (Parquet/CSV): its files, hashed as file_sha256 lists them
            copy.mkdir()
            listing = "".join(
                f"{copy_hashed(part, copy / part.name, file.path)}  {part.name}\n"
                for part in folder_files(source)
            )
            sha256 = hashlib.sha256(listing.encode("utf-8")).hexdigest()
        else:
            sha256 = copy_hashed(source, copy, file.path)
        if sha256 != file.sha256:
            raise OutputError(
                f"输入文件“{file.path}”在抽取过程中被改动", hint="请关闭正在编辑该文件的程序后重新抽取"
            )


def copy_hashed(source: Path, copy: Path, named: str) -> str:
    """Copy a file; the SHA-256 of the very bytes written."""
    sha = hashlib.sha256()
    try:
        with open(source, "rb") as reading, copy.open("wb") as writing:
            while block := reading.read(1 << 20):
                sha.update(block)
                writing.write(block)
    except OSError as exc:
        raise OutputError(
            f"无法保存输入文件“{named}”的副本（{exc.strerror}）", hint="请检查磁盘空间"
        ) from None
    return sha.hexdigest()


# How every sheet prints (A4, header row repeated, page numbers): the title, the issuing authority
# and the inspection period in the page header, not in a title row above the table, so that each
# sheet keeps a single header row for whoever imports it (readers, verify, public websites).
# Widths are chosen so that fit-to-width prints the 11-pt text at 9 pt or more (xlsx.printed_font_size;
# tests/io/test_writers.py checks every sheet of a draw); technical columns (随机码, 人员编号) come
# last, outside the print area.
_HEADER_ROOM = 240  # of Excel's 255 characters for a page header, codes included


def print_page(
    info: PlanInfo, what: str, *, landscape: bool = False, print_columns: int | None = None
) -> PageSetup:
    """A sheet's page set-up: “{plan name} {what}” as title, 检查机关 left, the inspection period right."""
    left = f"检查机关：{info.authority}"
    right = f"检查日期：{info.start.isoformat()} 至 {info.end.isoformat()}"
    name = info.name
    # A plan name too long for the page header is shortened there (the sheets hold it in full).
    room = _HEADER_ROOM - len(left) - len(right) - len(what) - left.count("&") - right.count("&")
    if len(name) + name.count("&") > room:
        name = name[: max(room - 1 - name.count("&"), 0)] + "…"
    # The title on the first line, authority and period on the second: they never overlap, even
    # on a portrait page with a long title.
    return PageSetup(
        landscape=landscape,
        header_left=f"\n{left}",
        header_center=f"{name} {what}\n",  # two lines like the others: LibreOffice aligns them so
        header_right=f"\n{right}",
        print_columns=print_columns,
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
    # The printed columns first (a task list to hand out), then those that stay on screen.
    printed: list[tuple[str, Sequence[Cell], float]] = [
        ("序号", list(range(1, len(ts) + 1)), 4),
        ("抽查任务编号", [t.task_id for t in ts], 9),
        ("市场主体名称", of_firm("name"), 15),
        ("统一社会信用代码/注册号", of_firm("key"), 21),
        *(
            (ENTERPRISES.header(attr), of_firm(attr), width)
            for attr, width in (
                ("credit_class", 5),
                ("district", 7),
                ("industry", 8),
                ("address", 16),
                ("legal_rep", 6),
                ("phone", 12.5),
            )
        ),
        ("抽取方式", [_method(t) for t in ts], 8),
        ("组长（主检人）", [t.leader.name for t in ts], 6),
        ("组员", [_team_names(t.team[1:]) for t in ts], 8),
        ("检查组所属部门", ["、".join(sorted({m.department for m in t.team})) for t in ts], 12),
    ]
    on_screen: list[tuple[str, Sequence[Cell], float]] = [
        (ENTERPRISES.header("authority"), of_firm("authority"), 24),
        ("层内名次", [t.pick.rank for t in ts], 8),
        ("入选概率", [None if t.pick.must_inspect else probability[t.pick.stratum] for t in ts], 10),
        ("组长人员编号", [t.leader.id for t in ts], 12),
        ("组员人员编号", ["、".join(m.id for m in t.team[1:]) for t in ts], 14),
        ("随机码", [t.pick.ticket for t in ts], 66),
    ]
    headers, values, widths = zip(*printed, *on_screen, strict=True)
    page = print_page(plan.info, "检查任务分派表", landscape=True, print_columns=len(printed))
    return Sheet("分派表", headers, Columns(*values), widths=widths, wrap=True, borders=True, page=page)


def strata_sheet(result: DrawResult, plan: Plan) -> Sheet:
    """分层汇总: every stratum's size, rule, quota and cut-off 随机码."""
    strata = plan.selection.strata
    header = (
        *strata,
        "符合条件户数",
        "抽取比例",
        "权重",
        "应抽户数",
        "实抽户数",
        "重点检查户数",
        "入选概率",
        "入选概率（分数）",
        "截止随机码",
    )
    return Sheet(
        "分层汇总",
        header,
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
        widths=(*(10 for _ in strata), 9, 8, 8, 8, 8, 9, 9, 11, 66),
        wrap=True,
        borders=True,
        page=print_page(plan.info, "分层抽取汇总", landscape=len(strata) > 1, print_columns=len(header) - 1),
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
        widths=(11, 8, 16, 8, 15, 20, 7, 7),
        wrap=True,
        borders=True,
        page=print_page(plan.info, "执法人员工作量"),
    )


def excluded_sheet(result: DrawResult, plan: Plan) -> Sheet:
    """未参加抽取: the enterprises in scope that could not be drawn, and why."""
    exclusions = result.selection.exclusions
    return Sheet(
        "未参加抽取",
        ("统一社会信用代码/注册号", "市场主体名称", "原因类别", "原因"),
        Columns(
            list(exclusions.enterprise_key),
            list(exclusions.name),
            [EXCLUSION_LABELS[code] for code in exclusions.code],
            list(exclusions.reason),
        ),
        widths=(21, 30, 11, 66),
        wrap=True,
        borders=True,
        page=print_page(plan.info, "未参加抽取的检查对象", landscape=True),
    )


SheetBuilder = Callable[[DrawResult, Plan], Sheet]
# 分派表 and its companion sheets in tab order (the notes sheet goes last)
ASSIGNMENT_SHEETS: tuple[SheetBuilder, ...] = (task_sheet, strata_sheet, workload_sheet, excluded_sheet)


NOTES_HEADER = ("项目", "内容")
NOTES_WIDTHS = (16, 70)  # portrait A4 at full size; a 64-character digest fits on one line


def item_sheet(name: str, rows: Sequence[tuple[Cell, ...]], info: PlanInfo, title: str) -> Sheet:
    """A 项目/内容 sheet (the draw's notes, its proceedings, a guide): portrait A4, wrapped, ruled,
    `title` in the page header."""
    return Sheet(
        name, NOTES_HEADER, rows, widths=NOTES_WIDTHS, wrap=True, borders=True, page=print_page(info, title)
    )


@dataclass(frozen=True)
class DrawFacts:
    """What the 抽取过程记录 states beyond the result, exactly as the draw record keeps it."""

    created_at: str = ""  # ISO 8601, UTC (the record's created_at)
    operator: str = ""
    witnesses: Sequence[str] = ()
    seed_values: Sequence[str] | None = None  # the public sources' values the seed combines
    commitment: Mapping[str, Any] | None = None  # the record's commitment trace
    redraw: Mapping[str, Any] | None = None  # the record's redraw: reason, entries replaced

    def note(self) -> str:
        """The redraw's note for 抽取说明 ("" for a first draw)."""
        if not self.redraw:
            return ""
        replaced = "、".join(map(str, self.redraw.get("replaces", [])))
        return f"重新抽取（原因：{self.redraw.get('reason', '')}；取代抽取台账第 {replaced} 条）"


def beijing_time(moment: str) -> str:
    """An ISO 8601 time (the record keeps UTC) as written on the sheets: 2026-12-01 08:00:00（北京时间）."""
    return f"{core_beijing_time(moment)}（北京时间）"


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
    if rules.own_authority:
        parts.append("谁登记、谁监管：由企业登记机关的人员检查")
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
        ("其中", drawn_breakdown(result)),
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
    return item_sheet("抽取说明", rows, plan.info, "抽取说明")


def _seed_sources(facts: DrawFacts) -> str:
    if facts.seed_values:
        values = "；".join(f"（{n}）{v}" for n, v in enumerate(facts.seed_values, start=1))
        return f"由以下 {len(facts.seed_values)} 份公开来源的值合成（shuangsuiji seed combine）：{values}"
    announced = (facts.commitment or {}).get("seed_sources") or []
    if announced:
        return "事先承诺中公布的来源：" + "；".join(map(str, announced))
    return "直接给出，记录中没有来源"


def _commitment_text(facts: DrawFacts) -> str:
    if not facts.commitment:
        return "本次抽取未使用事先承诺"
    made = facts.commitment.get("created_at") or ""
    when = f"，{beijing_time(made)}作出" if made else ""
    # The digest on a line of its own: 64 characters that no program can break at a space, which a
    # wrapped sentence around it would leave to the spreadsheet program's own line breaking.
    return (
        f"承诺摘要（SHA-256）：\n{facts.commitment.get('commitment_sha256', '')}\n{when.lstrip('，')}；"
        f"承诺文件 {facts.commitment.get('file', '')} 保存在输出文件夹中，抽取前已核对名录和计划与承诺一致"
    )


def proceedings_sheet(result: DrawResult, plan: Plan, result_digest: str, facts: DrawFacts) -> Sheet:
    """抽取过程记录: one A4 page that the operator and the witnesses sign."""
    info = plan.info
    by_class: dict[str, list[int]] = {}  # credit class → eligible, quota, drawn, must-inspect
    for s in result.selection.strata:
        counts = by_class.setdefault(s.credit_class, [0, 0, 0, 0])
        for place, value in enumerate((s.eligible, s.quota, s.quota, s.must_inspect)):
            counts[place] += value
    # A signature row is three lines tall: room to sign by hand.
    signatures = [
        ("\n操作人签字\n", ""),
        *(("\n见证人签字\n", "") for _ in range(max(2, len(facts.witnesses)))),
    ]
    rows: list[tuple[Cell, Cell]] = [
        ("抽查计划", f"{info.name}（{info.id}）"),
        ("检查机关", info.authority),
        ("检查日期", f"{info.start.isoformat()} 至 {info.end.isoformat()}"),
        ("抽取时间", beijing_time(facts.created_at) if facts.created_at else ""),
        ("操作人", facts.operator),
        ("见证人", "、".join(facts.witnesses)),
        ("随机种子", result.seed),
        ("种子来源", _seed_sources(facts)),
        ("事先承诺", _commitment_text(facts)),
        ("名录户数", population_counts(result)),
        *(
            (
                f"信用风险等级 {cls}",
                f"符合条件 {eligible} 户，应抽 {quota} 户，实抽 {drawn} 户；重点检查 {must} 户",
            )
            for cls, (eligible, quota, drawn, must) in by_class.items()
        ),
        ("共抽取", f"{len(result.tasks)} 户（{drawn_breakdown(result)}），组成 {len(result.tasks)} 个检查组"),
        ("抽取算法", f"{ALGORITHM}；组队 {TEAM_ALGORITHM}"),
        ("结果摘要（SHA-256）", result_digest),
        (
            "如何复核",
            "任何人可对本次的输出文件夹运行 shuangsuiji verify 复算抽取：所用名录、计划和种子都保存在其中，"
            "复算的结果摘要应与上面一致。",
        ),
        *((("备注", facts.note()),) if facts.redraw else ()),
        *signatures,
        ("签字日期", "        年      月      日"),
    ]
    return item_sheet("抽取过程记录", rows, plan.info, "抽取过程记录")


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
            "重点检查" if t.pick.must_inspect else "",
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
    # Fifteen official columns on A4 landscape at 9 pt or more: the plan's long texts wrap instead.
    widths = (4, 7, 9, 9, 7, 6, 12, 8, 10.5, 10.5, 13.5, 20.5, 8, 6, 7)
    page = print_page(plan.info, "抽查对象名单", landscape=True)
    return Sheet("公示表", DISCLOSURE_COLUMNS, rows, widths=widths, wrap=True, borders=True, page=page)


# Below this many rows the workbooks are written in-process: starting helpers costs more.
PARALLEL_ROWS = 20_000


def write_outputs(
    folder: Path,
    result: DrawResult,
    plan: Plan,
    summarize: Callable[[], str],
    *,
    facts: DrawFacts | None = None,
) -> tuple[dict[str, str], dict[str, str], str]:
    """Write both workbooks into `folder`; return (file name → SHA-256 of the file, file name →
    content digest (xlsx.content_digest: independent of compression), result digest).

    `summarize` computes the result digest, which the notes sheets and the 抽取过程记录 print. For
    a large draw each workbook is written by a helper process (io/helper.py), which gets each sheet
    as soon as it is built and those that print the digest once it is known, so that the work
    spreads over both cores.
    """
    facts = facts or DrawFacts()
    title = f"{plan.info.name}（{plan.info.id}）"
    # Each workbook: title, sheets in tab order, and the order their zip members are written in
    # (those printing the digest last). 未参加抽取 goes first: built soonest, a helper starts on it
    # while the 分派表 is being built. Both ways of writing use the same order, hence the same bytes.
    books = {
        ASSIGNMENTS: (f"{title} 分派表", ASSIGNMENT_SHEETS, (3, 0, 1, 2), True),
        DISCLOSURE: (f"{title} 公示表", (disclosure_sheet,), (0,), False),
    }
    helpers: dict[str, WorkbookHelper] = {}
    contents: dict[str, str] = {}
    try:
        if len(result.tasks) + len(result.selection.exclusions) >= PARALLEL_ROWS:
            for name in books:
                helpers[name] = WorkbookHelper()
        for name, helper in helpers.items():
            book_title, builders, order, internal = books[name]
            helper.begin(folder / name, len(builders) + 1 + internal, book_title)
            for index in order:
                helper.add(index, builders[index](result, plan))
        result_digest = summarize()
        notes = notes_sheet(result, plan, result_digest, facts.note())
        check_public(list(notes.rows), notes.header, notes.name)  # published with the disclosure
        proceedings = proceedings_sheet(result, plan, result_digest, facts)  # internal only
        for name, (book_title, builders, order, internal) in books.items():
            late = [notes, proceedings] if internal else [notes]
            if name in helpers:
                for number, sheet in enumerate(late, start=len(builders)):
                    helpers[name].add(number, sheet)
            else:
                sheets = [build(result, plan) for build in builders]
                contents[name] = write_workbook(
                    folder / name,
                    [*sheets, *late],
                    title=book_title,
                    order=(*order, *range(len(builders), len(builders) + len(late))),
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


def _record_parts(record: dict[str, Any], lists: Mapping[str, EncodedItems]) -> Iterator[bytes]:
    """The record as readable UTF-8 JSON, in pieces: one top-level key per line, one list item per line.

    List items come pre-encoded (canonical, exactly as digested) from `lists` where given;
    json.dumps with indent=2 would fall back to the pure-Python encoder and take seconds.
    """
    yield b"{\n"
    for number, key in enumerate(sorted(record)):
        value = record[key]
        items = lists.get(key)
        if items is None and isinstance(value, list | ColumnList):
            items = encode_lists({key: value})[key]
        name = (b",\n  " if number else b"  ") + json.dumps(key, ensure_ascii=False).encode("utf-8")
        if items is not None and not len(items):
            yield name + b": []"
        elif items is not None:
            yield name + b": [\n    "
            yield from join_items(items, b",\n    ")
            yield b"\n  ]"
        else:
            yield name + b": " + json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
    yield b"\n}\n"


def write_json(path: Path, value: Mapping[str, Any]) -> None:
    """A small JSON document, readable: UTF-8, keys sorted, indented."""
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_record(folder: Path, record: dict[str, Any], lists: Mapping[str, EncodedItems]) -> None:
    """Write draw-record.json (UTF-8, keys sorted) into `folder`, piece by piece (40 MB for a
    million-row draw: not glued together first)."""
    with (folder / RECORD).open("wb") as out:
        out.writelines(_record_parts(record, lists))
