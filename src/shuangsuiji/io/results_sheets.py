"""The results workbooks: the entry sheet (检查结果录入表) written for a draw and read back filled in,
and the public bulletin (抽查结果公告).

The entry sheet carries its draw's identity (plan and result digest) on its 填写说明 sheet, so that
a sheet filled for another draw is refused even where task numbers happen to agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import fastexcel

from ..core.errors import InputError, Problem
from ..core.fields import COMPLETED_ON, PUBLIC_KEY, RESULT, RESULT_ENTRIES
from ..core.model import InputFile
from ..core.plan import PlanInfo
from ..core.results import (
    ENTRY_COLUMNS,
    RESULT_CHOICES,
    VIOLATION_FORM,
    DrawnTask,
    EnteredRow,
    Publication,
)
from .readers.problems import Invalid, fail
from .readers.rosters import parsed
from .readers.tables import open_table
from .readers.values import DATE_HINT, parse_date
from .writers import DISCLOSURE_COLUMNS, check_public, item_sheet, print_page
from .xlsx import Cell, DropDown, Sheet

ENTRY_SHEET = "检查结果录入"
GUIDE_SHEET = "填写说明"
DIGEST_LABEL = "所属抽取的结果摘要"
BULLETIN = "bulletin.xlsx"
BULLETIN_SHEET = "抽查结果公告"
BULLETIN_NOTES_SHEET = "公告说明"
# The disclosure's plan and task columns, then what the inspection found.
BULLETIN_COLUMNS = (
    *DISCLOSURE_COLUMNS[:6],
    "检查机关",
    "市场主体名称",
    PUBLIC_KEY,
    COMPLETED_ON,
    RESULT,
    "备注",
)
_FIRST_TO_FILL = ENTRY_COLUMNS.index(COMPLETED_ON)


def entry_sheets(
    info: PlanInfo, result_digest: str, tasks: Sequence[DrawnTask], teams: Mapping[str, str]
) -> list[Sheet]:
    """检查结果录入表: one row per task, its first columns filled in and locked, the rest to fill; and
    a 填写说明 sheet with the vocabulary and the draw's identity."""
    rows = [
        (t.task_id, t.enterprise_name, t.enterprise_id, teams.get(t.task_id, ""), None, None, None)
        for t in tasks
    ]
    to_fill = tuple(range(_FIRST_TO_FILL, len(ENTRY_COLUMNS)))
    entry = Sheet(
        ENTRY_SHEET,
        ENTRY_COLUMNS,
        rows,
        widths=(12, 24, 20.5, 14, 11.5, 26, 20),  # prints at 9 pt or more (xlsx.printed_font_size)
        wrap=True,
        drop_downs=(
            DropDown(
                ENTRY_COLUMNS.index("检查结果"),
                RESULT_CHOICES,
                strict=False,  # 违反《……》相关规定 names its regulation: free text, warned
                prompt="从列表中选择；违反法律法规的，写明名称，如：违反《食品安全法》相关规定",
            ),
        ),
        page=print_page(info, "检查结果录入表", landscape=True),
        borders=True,
        text_columns=(0, 2),
        date_columns=(_FIRST_TO_FILL,),
        editable_columns=to_fill,
    )
    guide: list[tuple[Cell, Cell]] = [
        ("抽查计划编号", info.id),
        ("抽查计划名称", info.name),
        ("检查机关", info.authority),
        ("检查日期", f"{info.start.isoformat()} 至 {info.end.isoformat()}"),
        ("抽查任务数", len(tasks)),
        (DIGEST_LABEL, result_digest),
        (
            "怎样填写",
            "每个已完成检查的任务填一行：检查完成日期、检查结果，需要时填备注；尚未完成的任务整行留空。",
        ),
        ("预填的列", "抽查任务编号、市场主体名称、统一社会信用代码/注册号、检查人员来自抽取结果，不得修改。"),
        ("检查完成日期", "填写日期，例如 2026-12-15、2026/12/15、2026年12月15日，或使用 Excel 日期格式。"),
        ("检查结果可填", "；".join(RESULT_CHOICES[:-1])),
        ("违反法律法规的", f"按“{VIOLATION_FORM}”的格式写明名称，例如：违反《食品安全法》相关规定。"),
        ("备注", "会在抽查结果公告中公开：不要填写手机号、身份证号等个人信息。"),
        ("公示", "填好后运行 shuangsuiji results publish，未填的任务留待下次公示。"),
    ]
    guide_sheet = item_sheet(GUIDE_SHEET, guide, info, "检查结果录入表 填写说明")
    return [entry, guide_sheet]


def read_identity(path: Path) -> str:
    """The result digest written on an entry sheet's 填写说明 sheet; InputError when it has none."""
    try:
        book = fastexcel.read_excel(str(path))
        if GUIDE_SHEET in book.sheet_names:
            cells = book.load_sheet_by_name(GUIDE_SHEET, header_row=None).to_arrow().to_pylist()
            for row in cells:
                label, value = [*row.values(), None, None][:2]
                if str(label or "").strip() == DIGEST_LABEL and isinstance(value, str):
                    return value.strip().lower()
    except (fastexcel.FastExcelError, OSError, ValueError):  # the main read has said what is wrong
        return ""
    raise fail(
        path,
        Invalid("entry-sheet-without-identity", f"录入表缺少“{GUIDE_SHEET}”工作表中的“{DIGEST_LABEL}”"),
        "无法确认它属于哪一次抽取；请用 shuangsuiji results template 为这次抽取生成录入表，把结果填在其中",
        sheet=GUIDE_SHEET,
    )


def read_entries(path: Path) -> tuple[list[EnteredRow], InputFile, list[Problem]]:
    """Read a filled 检查结果录入表: its rows as entered (dates parsed), fingerprinted."""
    table, file, problems = open_table(path, RESULT_ENTRIES, None, {})
    dates: list[date | None] = parsed(table, COMPLETED_ON, parse_date, DATE_HINT, problems)
    columns = [table.texts(name) for name in ENTRY_COLUMNS]
    rows = [
        EnteredRow(
            row=row,
            task_id=task_id,
            name=name,
            key=key,
            completed_on=day,
            completed_text=completed,
            result=result,
            note=note,
        )
        for row, task_id, name, key, _team, completed, result, note, day in zip(
            table.rows.tolist(), *columns, dates, strict=True
        )
    ]
    return rows, file, problems.result()


def _correction_note(publication: Publication) -> dict[str, str]:
    """What the bulletin's 备注 says of a corrected result (the old one stays readable)."""
    return {
        c.new.task_id: f"更正第 {c.old.publication} 次公告的结果（原为“{c.old.result.result}”，"
        f"检查完成日期 {c.old.result.completed_on.isoformat()}）"
        for c in publication.corrections
    }


def bulletin_sheets(
    info: PlanInfo, publication: Publication, number: int, notes: Sequence[tuple[str, str]]
) -> list[Sheet]:
    """抽查结果公告 (public): one row per published result; and 公告说明, what this publication is."""
    corrected = _correction_note(publication)
    rows: list[tuple[Cell, ...]] = [
        (
            i,
            info.id,
            info.name,
            r.task_id,
            info.task_name,
            info.type,
            info.authority,
            r.enterprise_name,
            r.enterprise_id,
            r.completed_on,
            r.result,
            "；".join(part for part in (corrected.get(r.task_id, ""), r.note) if part),
        )
        for i, r in enumerate(publication.results, 1)
    ]
    check_public(rows, BULLETIN_COLUMNS, BULLETIN_SHEET)
    check_public(notes, ("项目", "内容"), BULLETIN_NOTES_SHEET)
    title = "抽查结果公告" + (f"（第 {number} 次）" if number > 1 else "")
    return [
        Sheet(
            BULLETIN_SHEET,
            BULLETIN_COLUMNS,
            rows,
            widths=(4, 7, 9, 9, 7, 6, 8, 13.5, 20.5, 10.5, 14, 12),  # the disclosure's, to print alike
            wrap=True,
            page=print_page(info, title, landscape=True),
            borders=True,
        ),
        item_sheet(BULLETIN_NOTES_SHEET, notes, info, f"{title} 公告说明"),
    ]


def refuse(problems: Sequence[Problem]) -> None:
    """Stop with every error found (warnings alone do not stop)."""
    if any(p.severity == "error" for p in problems):
        raise InputError(list(problems))
