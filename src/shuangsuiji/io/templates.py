"""What `init` writes into a new workspace: the roster templates and the commented plan file.

Each template has the table's canonical headers (core/fields.py) on its first sheet, text format on
code columns (an 18-digit 统一社会信用代码 typed into Excel must never become 9.15E+17), date format on
date columns, drop-downs where the values are a closed list, a 填写说明 sheet and a 示例 sheet.

The examples are never read as the roster: the reader (io/readers/excel.py) takes, among several
visible sheets, the one whose first rows hold the table's header, and the 示例 sheet's headers are
marked “（示例）”, which no header lookup accepts; the 填写说明 sheet lists one column per row.
tests/cli/test_init_cli.py proves it (a fresh workspace validates as holding no enterprise).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from unicodedata import east_asian_width

from ..core.fields import CREDIT_CLASS, KEY, PERSON_ID, REGISTRATION_NO, TABLES, Field, InputKind, Table
from ..core.ids import uscc_check_char
from ..core.model import CREDIT_CLASSES, ON_DUTY_STATUSES
from ..core.plan import DEFAULT_ACTIVE_STATUSES, DEFAULT_EXCLUDED_STATUSES
from .readers.values import CREDIT_WORDS
from .xlsx import Cell, DropDown, PageSetup, Sheet, write_workbook

PLAN_FILE = "抽查计划.toml"
# The workbook (and its roster sheet) of each input, named as the bureau's forms call them.
TEMPLATE_FILES: dict[InputKind, str] = {
    "enterprises": "检查对象名录库.xlsx",
    "inspectors": "执法检查人员名录库.xlsx",
    "conflicts": "回避名单.xlsx",
    "history": "检查记录.xlsx",
}
GUIDE_SHEET = "填写说明"
EXAMPLE_SHEET = "示例"
EXAMPLE_MARK = "（示例）"  # after each header of the 示例 sheet: no header lookup takes it for a column
# Rows below the header that carry the drop-downs (the text and date formats cover whole columns).
# A county's roster holds a few thousand entities; a larger export is pasted or used as it is.
BLANK_ROWS = 10_000
DROP_DOWN_LIMIT = 255  # characters Excel keeps in a list validation's values joined by ","

# Columns whose values are codes or numbers written as digits: formatted as text, so that Excel
# keeps every digit (and leading zeros) of what a clerk types in.
CODE_COLUMNS = frozenset({KEY, REGISTRATION_NO, PERSON_ID, "执法证号", "身份证号", "手机号", "联系电话"})
DATE_COLUMNS = frozenset({"最近检查日期", "执法证有效期至", "检查日期"})
# Words a roster writes for staff not at work: offered in the drop-down beside 在岗 (any of them,
# and any other word but 在岗 or blank, keeps a person out of the draw).
OFF_DUTY_EXAMPLES = ("休假", "病假", "借调", "外派", "离岗", "退休")

# What each column means, as the 填写说明 sheet says it; by table, since 所属区域 or 状态 mean
# different things for an enterprise and for a person.
MEANINGS: dict[InputKind, dict[str, str]] = {
    "enterprises": {
        KEY: "18 位统一社会信用代码，校验位会被检查；全部由数字组成的旧式代码照常使用",
        REGISTRATION_NO: "15 位工商注册号：没有统一社会信用代码的旧个体工商户填这一列，代码一列空着",
        "企业名称": "市场主体名称，会写入公示表",
        CREDIT_CLASS: "信用风险分类结果，决定这户企业所在的层和抽取比例",
        "所属区域": "所属区县或辖区：用于分层、定向抽查的区域条件和“不派本区域人员”的规则",
        "行业类别": "用于定向抽查的行业条件，并与执法人员的专业领域匹配",
        "登记机关": "会写入公示表",
        "经营状态": "注销、吊销、撤销、迁出的不参加抽取；不认识的写法 validate 会列出，并停止抽取",
        "最近检查日期": "近期（计划文件 inspected_within_days）检查过的企业不参加抽取",
        "重点检查": "填“是”的企业必定抽中（不占抽取名额）",
        "地址": "只在内部的分派表中使用，不公示",
        "法定代表人": "只在内部的分派表中使用，不公示",
        "联系电话": "只在内部的分派表中使用，不公示",
    },
    "inspectors": {
        PERSON_ID: "每人唯一的编号；回避名单和检查记录用它指人（不分大小写、全角半角）",
        "姓名": "执法检查人员姓名",
        "所属部门": "科室或分局；联合检查时按部门组队",
        "执法证号": "行政执法证件号；空着表示没有执法证",
        "执法证有效期至": "执法证在检查期结束前到期的，按没有执法证计",
        "专业领域": "可写几个，用顿号、逗号或分号隔开，如：餐饮服务、食品销售",
        "所属区域": "本人所在区县：用于“不派本区域人员检查本区域企业”的规则",
        "在岗状态": "只有“在岗”或空白的人员参加抽取",
        "任务上限": "本人在一次计划中最多承担的任务数；空着用计划文件中的 max_tasks",
        "身份证号": "只在内部使用，不公示，也不出现在复核的差异中",
        "手机号": "只在内部使用，不公示，也不出现在复核的差异中",
    },
    "conflicts": {
        PERSON_ID: "须回避的执法人员的人员编号",
        KEY: "该人员须回避的企业的统一社会信用代码",
        REGISTRATION_NO: "企业没有统一社会信用代码时填 15 位注册号",
        "回避原因": "如：近亲属在该企业任职、曾参与该企业案件办理",
    },
    "history": {
        KEY: "被检查企业的统一社会信用代码",
        REGISTRATION_NO: "企业没有统一社会信用代码时填 15 位注册号",
        "检查日期": "实际检查的日期",
        PERSON_ID: "参加检查的执法人员的人员编号：同一人员近期不再检查同一企业；一次检查有几人就写几行",
    },
}
EXTRA_NOTES: dict[InputKind, str] = {
    "enterprises": "每行一户市场主体。",
    "inspectors": "每行一名执法检查人员。",
    "conflicts": "每行一对“人员—企业”。没有回避情况时只留表头即可（视为空的回避名单）。",
    "history": "每行一次检查中的一名检查人员。以前用本工具抽取的检查会自动计入，不必再填；"
    "没有记录时只留表头即可。",
}


@dataclass(frozen=True)
class Choice:
    """A drop-down: the values offered, whether others are refused, and the message shown."""

    values: tuple[str, ...]
    strict: bool
    prompt: str


def fitting(words: Sequence[str], limit: int = DROP_DOWN_LIMIT) -> tuple[str, ...]:
    """The first of `words` (most used first) that fit in one list validation."""
    kept: list[str] = []
    for word in words:
        if len(",".join([*kept, word]).encode("utf-16-le")) // 2 > limit:
            break
        kept.append(word)
    return tuple(kept)


def _credit_prompt() -> str:
    words = "、".join(f"信用风险{word}（{letter}）" for word, letter in CREDIT_WORDS.items())
    return f"除 A、B、C、D 外，也可写 {words}，或 低风险、A类 这样的写法"


def choices() -> dict[str, Choice]:
    """The drop-down of each column whose values are a closed list, by canonical header."""
    on_duty = tuple(s for s in ON_DUTY_STATUSES if s)
    return {
        CREDIT_CLASS: Choice(CREDIT_CLASSES, strict=False, prompt=_credit_prompt()),
        "经营状态": Choice(
            fitting((*DEFAULT_ACTIVE_STATUSES, *DEFAULT_EXCLUDED_STATUSES)),
            strict=False,  # a plan may add words of its own ([exclusion] active_statuses)
            prompt="照抄国家企业信用信息公示系统的登记状态即可；注销、吊销、撤销、迁出的不参加抽取",
        ),
        "重点检查": Choice(("是", "否"), strict=True, prompt="“是”：必定抽中；空着即“否”"),
        "在岗状态": Choice(
            (*on_duty, *OFF_DUTY_EXAMPLES),
            strict=False,
            prompt="只有“在岗”或空白的人员参加抽取",
        ),
    }


def _display_width(text: str) -> int:
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


WIDTHS = {KEY: 22, REGISTRATION_NO: 18, "企业名称": 32, "地址": 36, "身份证号": 21, "专业领域": 22}


def _width(name: str) -> float:
    if name in WIDTHS:
        return WIDTHS[name]
    if name in DATE_COLUMNS:
        return 14
    return max(10, _display_width(name) + 4)


def _required(table: Table, field: Field) -> str:
    """是 / 否, or how a column and its stand-in share the duty."""
    if field.required and field.stand_in:
        return f"是（旧个体工商户没有时可空着，改填{field.stand_in}）"
    stands_for = next((f.name for f in table.fields if f.stand_in == field.name), "")
    if stands_for:
        return f"{stands_for}空着时必填"
    return "是" if field.required else "否"


def _allowed(name: str, choice: Choice | None) -> str:
    if name == "经营状态":  # the whole default vocabulary, which may be longer than the drop-down
        return (
            f"参加抽取：{'、'.join(DEFAULT_ACTIVE_STATUSES)}；不参加抽取：{'、'.join(DEFAULT_EXCLUDED_STATUSES)}"
            "（计划文件 [exclusion] 中可另行规定）"
        )
    if choice is not None:
        listed = "、".join(choice.values)
        return f"下拉选择：{listed}。{choice.prompt}"
    if name in DATE_COLUMNS:
        return "日期，如 2026-12-15、2026/12/15、2026年12月15日"
    if name == KEY:
        return "文本格式；18 位（见“示例”工作表）"
    if name == REGISTRATION_NO:
        return "文本格式；15 位数字"
    if name in CODE_COLUMNS:
        return "文本格式（保留每一位数字和开头的 0）"
    if name == "任务上限":
        return "不小于 0 的整数"
    return ""


def guide_sheet(kind: InputKind) -> Sheet:
    """填写说明: every column (meaning, required, allowed values, other headers accepted), then notes."""
    table = TABLES[kind]
    offered = choices()
    rows: list[tuple[Cell, ...]] = [
        (
            f.name,
            _required(table, f),
            MEANINGS[kind][f.name],
            _allowed(f.name, offered.get(f.name)),
            "、".join(f.aliases),
        )
        for f in table.fields
    ]
    roster = _roster_sheet_name(kind)
    notes = (
        EXTRA_NOTES[kind],
        f"请在“{roster}”工作表中填写，不要改动表头；必填列不能空着，其余各列没有可以空着或删去。",
        f"“{EXAMPLE_SHEET}”工作表中的行只是示例，不会被读取，也不会被抽取。",
        "代码列已设为文本格式：从别的表格复制时请用“选择性粘贴 → 数值”，以免 18 位代码变成科学计数法。",
        "也可以不用本模板：把计划文件 [inputs] 中的路径改为从其他系统导出的文件；表头不同时，"
        "在计划文件中写明“文件中的列名 = 本程序的列名”（见计划文件中的注释）。",
        f"填好后运行 shuangsuiji validate --plan {PLAN_FILE}，"
        "一次列出全部问题（文件、工作表、行、列和改法）。",
    )
    rows.append((None, None, None, None, None))
    rows.extend(("填写须知" if i == 0 else None, None, note, None, None) for i, note in enumerate(notes))
    return Sheet(
        GUIDE_SHEET,
        ("列名", "必填", "说明", "可填的值或格式", "也可写作"),
        rows,
        widths=(16, 16, 50, 34, 30),
        wrap=True,
        page=PageSetup(landscape=True, header_center=f"{table.label} 填写说明"),
        borders=True,
    )


def _roster_sheet_name(kind: InputKind) -> str:
    return TEMPLATE_FILES[kind].removesuffix(".xlsx")


def _uscc(first17: str) -> str:
    """A valid code for the examples (its check character computed, as a real one has)."""
    return first17 + uscc_check_char(first17)


_EXAMPLE_A = _uscc("91520102MA6U0000A")
_EXAMPLE_B = _uscc("92520103MA6U0000B")
_EXAMPLE_OLD = "520103600012345"  # a 15-digit 注册号 of an old 个体工商户
# Example rows by canonical header; what a table lacks is left blank. Names say 示例 in full.
EXAMPLES: dict[InputKind, list[dict[str, Cell]]] = {
    "enterprises": [
        {
            KEY: _EXAMPLE_A,
            "企业名称": "示例某某餐饮管理有限公司",
            CREDIT_CLASS: "A",
            "所属区域": "南明区",
            "行业类别": "餐饮服务",
            "登记机关": "某某市南明区市场监督管理局",
            "经营状态": "存续（在营、开业、在册）",
            "最近检查日期": date(2025, 6, 18),
            "地址": "某某市南明区某某路 1 号",
            "法定代表人": "张某",
            "联系电话": "0851-00000000",
        },
        {
            KEY: _EXAMPLE_B,
            "企业名称": "示例某某区某某便利店",
            CREDIT_CLASS: "信用风险较高",
            "所属区域": "云岩区",
            "行业类别": "食品销售",
            "登记机关": "某某市云岩区市场监督管理局",
            "经营状态": "在业",
            "重点检查": "是",
        },
        {
            REGISTRATION_NO: _EXAMPLE_OLD,
            "企业名称": "示例某某区某某小吃店（旧个体工商户，只有注册号）",
            CREDIT_CLASS: "B",
            "所属区域": "云岩区",
            "行业类别": "餐饮服务",
            "经营状态": "注销",
        },
    ],
    "inspectors": [
        {
            PERSON_ID: "SL0001",
            "姓名": "示例张某",
            "所属部门": "食品经营监管科",
            "执法证号": "52010020260001",
            "执法证有效期至": date(2029, 12, 31),
            "专业领域": "餐饮服务、食品销售",
            "所属区域": "南明区",
            "在岗状态": "在岗",
        },
        {
            PERSON_ID: "SL0002",
            "姓名": "示例李某",
            "所属部门": "综合执法支队",
            "专业领域": "食品销售",
            "所属区域": "云岩区",
            "在岗状态": "借调",
            "任务上限": 4,
        },
    ],
    "conflicts": [{PERSON_ID: "SL0001", KEY: _EXAMPLE_A, "回避原因": "示例：近亲属在该企业任职"}],
    "history": [
        {KEY: _EXAMPLE_A, "检查日期": date(2025, 6, 18), PERSON_ID: "SL0001"},
        {KEY: _EXAMPLE_A, "检查日期": date(2025, 6, 18), PERSON_ID: "SL0002"},
    ],
}


def _columns(table: Table, names: frozenset[str]) -> tuple[int, ...]:
    return tuple(i for i, name in enumerate(table.names()) if name in names)


def example_sheet(kind: InputKind) -> Sheet:
    """示例: a few rows as they would be filled in, under headers no reader takes for the roster's."""
    table = TABLES[kind]
    names = table.names()
    return Sheet(
        EXAMPLE_SHEET,
        [name + EXAMPLE_MARK for name in names],
        [tuple(row.get(name) for name in names) for row in EXAMPLES[kind]],
        widths=[_width(name) + 4 for name in names],
        wrap=True,
        page=PageSetup(landscape=True, header_center=f"{table.label} 示例（本工作表不会被读取）"),
        borders=True,
        text_columns=_columns(table, CODE_COLUMNS),
        date_columns=_columns(table, DATE_COLUMNS),
    )


def roster_sheet(kind: InputKind) -> Sheet:
    """The sheet to fill: the canonical headers, no row yet, formats and drop-downs on the blank rows."""
    table = TABLES[kind]
    names = table.names()
    offered = choices()
    return Sheet(
        _roster_sheet_name(kind),
        names,
        [],
        widths=[_width(name) for name in names],
        drop_downs=tuple(
            DropDown(i, offered[name].values, offered[name].strict, offered[name].prompt, rows=BLANK_ROWS)
            for i, name in enumerate(names)
            if name in offered
        ),
        page=PageSetup(landscape=True, header_center=table.label),
        borders=True,
        text_columns=_columns(table, CODE_COLUMNS),
        date_columns=_columns(table, DATE_COLUMNS),
    )


def write_templates(folder: Path) -> list[Path]:
    """Write the four roster templates into `folder`; return their paths."""
    made = []
    for kind, file_name in TEMPLATE_FILES.items():
        path = folder / file_name
        write_workbook(
            path,
            [roster_sheet(kind), guide_sheet(kind), example_sheet(kind)],
            title=_roster_sheet_name(kind),
        )
        made.append(path)
    return made


# ----------------------------------------------------------------------------------------------
# The plan file: the sample plan's rules (selection, exclusion, teams, with their comments) under a
# [plan] section to edit and an [inputs] section naming the templates.

_SECTION = re.compile(r"^\[([A-Za-z_.]+)\]", re.MULTILINE)


def next_month(today: date) -> tuple[date, date]:
    """The first and last day of the month after `today`'s: the example plan's inspection period."""
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def _rules(sample: str) -> str:
    """The sample plan from its first section after [plan] and [inputs] to the end, comments kept."""
    for match in _SECTION.finditer(sample):
        name = match.group(1)
        if name not in ("plan", "inputs") and not name.startswith("inputs."):
            return sample[match.start() :]
    raise ValueError("示例计划文件中找不到 [plan]、[inputs] 之后的设置")


def _commented(lines: Sequence[tuple[str, str]]) -> str:
    """TOML lines, each with its comment lined up (wide characters count two columns); a long line
    keeps its comment two spaces after it."""
    width = min(max(_display_width(code) for code, _ in lines), 40) + 2
    return "\n".join(f"{code}{' ' * max(width - _display_width(code), 2)}# {note}" for code, note in lines)


def plan_text(sample: str, today: date) -> str:
    """The workspace's plan: an example [plan] for next month, the templates as inputs, and the
    sample plan's rules as they are."""
    start, end = next_month(today)
    month, following = f"{start:%Y-%m}", f"{next_month(start)[0]:%Y-%m}"
    plan = _commented(
        [
            (f'id = "XX-SJ-{month}"', "抽查计划编号（XX 改为本局简称；抽查任务编号由它加序号生成）"),
            (f'name = "{start.year}年{start.month}月食品经营者双随机抽查"', "抽查计划名称"),
            ('task_name = "食品经营者监督检查"', "抽查任务名称"),
            ('type = "不定向"', "抽查类型：定向 | 不定向"),
            ('items = ["食品经营许可情况", "进货查验记录", "从业人员健康管理"]', "抽查事项"),
            ('authority = "XX市市场监督管理局"', "检查机关（请写全称）"),
            (f"start = {start.isoformat()}", "检查日期自"),
            (f"end = {end.isoformat()}", "检查日期至"),
        ]
    )
    inputs = _commented(
        [
            (
                f'{kind} = "{file_name}"',
                TABLES[kind].label + ("（没有时只留表头即可）" if TABLES[kind].may_be_empty else ""),
            )
            for kind, file_name in TEMPLATE_FILES.items()
        ]
    )
    return f"""\
# 抽查计划（shuangsuiji 计划文件，由 shuangsuiji init 生成）。以 # 开头的是注释，不影响抽取。
# 路径均相对于本文件所在的文件夹；命令行选项（--enterprises 等）优先于这里的设置。
# 本文件夹中的 shuangsuiji-ledger.sqlite 是抽取台账：抽取时从计划文件所在的文件夹起向上自动找到。
# 下一次抽查：把本文件另存一份（例如“抽查计划-{following}.toml”），改 [plan] 中的编号、名称和日期。

[plan]
# 以下是示例，请逐项改为本次抽查的内容（除日期外都会写入公示表）。每次抽取使用一个新的计划编号。
{plan}

[inputs]
{inputs}
# 也可以直接使用从其他系统导出的名录：把路径改为那个文件（相对于本文件；Windows 的完整路径请用
# 单引号，如 'D:\\名录\\企业.xlsx'）。表头不同（例如拼音缩写 TYXYDM、ZT、LXDH）时，把这一项写成
# 一个表，指明工作表和“文件中的列名 = 本程序的列名”（并删去上面同名的一行）：
# [inputs.enterprises]
# path = "导出/企业名录.xlsx"
# sheet = "Sheet1"
# columns = {{ TYXYDM = "统一社会信用代码", QYMC = "企业名称", ZT = "经营状态", LXDH = "联系电话" }}

{_rules(sample)}"""


def write_plan(folder: Path, sample_plan: Path, today: date) -> Path:
    """Write the workspace's plan file, made from `sample_plan`, into `folder`; return its path."""
    path = folder / PLAN_FILE
    path.write_text(plan_text(sample_plan.read_text(encoding="utf-8"), today), encoding="utf-8")
    return path
