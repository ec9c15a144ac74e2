"""Rosters shaped like real bureau exports, written with openpyxl (not our own writer), and a
workspace (plan file + ledger) around them.

What real exports hold that our generated sample data did not: all-digit 统一社会信用代码 (the old
组织机构代码 in the middle), 15-digit 注册号 in a column of their own, the national system's 登记状态
words, credit classes written as words, lower-case and full-width identifiers, hidden sheets, lists
that hold only their header row, headers in pinyin codes (TYXYDM, ZT, LXDH).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

from tests.builders import SAMPLE, ledger_at

DATA = Path(__file__).parent / "data"
# Real, published codes (python-stdnum's test data); the all-digit ones are the shape that matters.
REAL_USCC = [
    line.strip()
    for line in (DATA / "real_uscc.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
ALL_DIGIT_USCC = [code for code in REAL_USCC if code.isdigit()]


def registration_no(number: int, authority: str = "520102") -> str:
    """A 15-digit 注册号 with its check digit (GS15-2006: ISO 7064 MOD 11,10)."""
    first14 = f"{authority}{number:08d}"
    product = 10
    for char in first14:
        total = (product + int(char)) % 10 or 10
        product = total * 2 % 11
    return first14 + str((11 - product) % 10)


def resident_id(birth: str = "19900101", region: str = "520102", sequence: str = "123") -> str:
    """A resident ID number with a correct check character (GB 11643), for privacy tests."""
    first17 = f"{region}{birth}{sequence}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def workbook(
    path: Path,
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]],
    hidden: Sequence[str] = (),
) -> Path:
    """An .xlsx as an export tool writes it: code columns stored as text, sheets in order, some hidden."""
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, header, rows in sheets:
        sheet = book.create_sheet(name)
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, str):
                    cell.number_format = "@"
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


ENTERPRISE_HEADER = ("统一社会信用代码", "企业名称", "信用风险等级", "经营状态")


def enterprises(path: Path, rows: Sequence[Sequence[Any]], header: Sequence[str] = ENTERPRISE_HEADER) -> Path:
    """A one-sheet enterprise roster."""
    return workbook(path, [("检查对象名录库", header, rows)])


PLAN = """
[plan]
id = "{plan_id}"
name = "2026年12月食品经营者双随机抽查"
task_name = "食品经营者监督检查"
type = "不定向"
items = ["食品经营许可情况"]
authority = "贵阳市市场监督管理局"
start = {start}
end = {end}

[inputs]
inspectors = "{inspectors}"
{inputs}

[selection]
ratio = {{ A = "{ratio}", B = "{ratio}", C = "{ratio}", D = "{ratio}" }}

[exclusion]
inspected_within_days = {window}
{exclusion}

[teams]
size = 2
certified = 2
specialist = 0
max_tasks = {max_tasks}
"""


def plan_file(
    folder: Path,
    enterprises: Path | str,
    *,
    name: str = "plan.toml",
    plan_id: str = "GY-SJ-2026-12",
    start: str = "2026-12-01",
    end: str = "2026-12-31",
    ratio: str = "100%",
    max_tasks: int = 50,
    inspectors: Path = SAMPLE / "inspectors.xlsx",
    inputs: str = "",
    exclusion: str = "",
    window: int = 365,
    ledger: bool = True,
) -> Path:
    """A plan file in `folder` (a workspace with its ledger, unless `ledger` is False). `enterprises`
    is a path, or the TOML of an [inputs.enterprises] table."""
    enterprise_input = f'enterprises = "{enterprises}"' if isinstance(enterprises, Path) else ""
    text = PLAN.format(
        plan_id=plan_id,
        start=start,
        end=end,
        inspectors=inspectors.as_posix(),
        ratio=ratio,
        max_tasks=max_tasks,
        exclusion=exclusion,
        window=window,
        inputs="\n".join(filter(None, [enterprise_input, inputs])),
    )
    if not isinstance(enterprises, Path):
        text += "\n" + enterprises
    path = folder / name
    path.write_text(text, encoding="utf-8")
    if ledger:
        ledger_at(folder / "shuangsuiji-ledger.sqlite")
    return path
