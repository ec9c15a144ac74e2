"""The small input tables, read row by row: inspectors (执法检查人员名录库), the recusal list
(回避名单) and the inspection history (检查记录)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TypeVar

from ...core.errors import Problem
from ...core.fields import HISTORY, INSPECTORS, RECUSALS
from ...core.ids import compact
from ...core.model import HistoryEntry, InputFile, Inspector, Recusal
from .header import Located
from .keys import enterprise_keys, person_ids
from .problems import Invalid, Problems
from .tables import open_table
from .values import (
    DATE_HINT,
    FUTURE_HINT,
    Parsed,
    future_date,
    parse_date,
    parse_task_limit,
    split_specialties,
)

T = TypeVar("T")
_NO_MAPPING: Mapping[str, str] = {}


def parsed(
    table: Located, name: str, parse: Callable[[str], Parsed[T]], hint: str, problems: Problems
) -> list[T]:
    values = []
    known: dict[str, Parsed[T]] = {}  # each distinct text parsed once (history dates repeat)
    for text, row in zip(table.texts(name), table.rows.tolist(), strict=True):
        found = known.get(text)
        if found is None:
            found = known[text] = parse(text)
        value, why = found
        if why:
            problems.add(why, row=row, column=table.header(name), hint=hint)
        values.append(value)
    return values


def read_inspectors(
    path: Path, *, sheet: str | None = None, columns: Mapping[str, str] = _NO_MAPPING
) -> tuple[tuple[Inspector, ...], InputFile, list[Problem]]:
    """Read and check the inspector roster (执法检查人员名录库)."""
    table, file, problems = open_table(path, INSPECTORS, sheet, columns)
    ids = person_ids(table, problems, unique=True)
    names = table.texts("姓名")
    departments = list(map(compact, table.texts("所属部门")))
    expiry = parsed(table, "执法证有效期至", parse_date, DATE_HINT, problems)
    limits = parsed(
        table, "任务上限", parse_task_limit, "请填写 0 或正整数；留空则使用计划中的 max_tasks", problems
    )
    rows = table.rows.tolist()
    for name, department, row in zip(names, departments, rows, strict=True):
        if not name:
            problems.add(
                Invalid("empty-name", "姓名为空"),
                row=row,
                column=table.header("姓名"),
                hint="请填写执法人员姓名",
            )
        if not department:
            problems.add(
                Invalid("empty-department", "所属部门为空"),
                row=row,
                column=table.header("所属部门"),
                severity="warning",
                hint="联合检查按部门组队，请填写所属部门",
            )
    inspectors = tuple(
        Inspector(
            id=person,
            name=name,
            department=department,
            certificate=certificate,
            certificate_expiry=until,
            specialties=split_specialties(specialties),
            district=district,
            status=status,
            max_tasks=limit,
            row=row,
            id_card=id_card,
            phone=phone,
        )
        for (
            person,
            name,
            department,
            certificate,
            until,
            specialties,
            district,
            status,
            limit,
            row,
            id_card,
            phone,
        ) in zip(
            ids,
            names,
            departments,
            table.texts("执法证号"),
            expiry,
            table.texts("专业领域"),
            map(compact, table.texts("所属区域")),
            map(compact, table.texts("在岗状态")),
            limits,
            rows,
            table.texts("身份证号"),
            table.texts("手机号"),
            strict=True,
        )
    )
    return inspectors, file, problems.result()


def read_recusals(
    path: Path, *, sheet: str | None = None, columns: Mapping[str, str] = _NO_MAPPING
) -> tuple[tuple[Recusal, ...], InputFile, list[Problem]]:
    """Read and check the recusal list (回避名单); a malformed code is an error (the recusal would be
    lost)."""
    table, file, problems = open_table(path, RECUSALS, sheet, columns)
    ids = person_ids(table, problems, unique=False)
    keys = enterprise_keys(table, problems, severity="error")
    recusals = tuple(
        Recusal(inspector_id=person, enterprise_key=key, reason=reason, row=row)
        for person, key, reason, row in zip(
            ids, keys, table.texts("回避原因"), table.rows.tolist(), strict=True
        )
    )
    return recusals, file, problems.result()


def read_history(
    path: Path, *, sheet: str | None = None, columns: Mapping[str, str] = _NO_MAPPING
) -> tuple[tuple[HistoryEntry, ...], InputFile, list[Problem]]:
    """Read and check the inspection history (检查记录); a malformed code is only a warning there."""
    table, file, problems = open_table(path, HISTORY, sheet, columns)
    keys = enterprise_keys(table, problems, severity="warning")
    ids = person_ids(table, problems, unique=False, required=False)
    dates = parsed(table, "检查日期", parse_date, DATE_HINT, problems)
    entries = []
    cautions: dict[date, Invalid | None] = {}
    for key, day, text, person, row in zip(
        keys, dates, table.texts("检查日期"), ids, table.rows.tolist(), strict=True
    ):
        if day is not None:
            entries.append(HistoryEntry(enterprise_key=key, inspected_on=day, inspector_id=person, row=row))
            caution = cautions[day] if day in cautions else cautions.setdefault(day, future_date(day))
            if caution:
                problems.add(
                    caution, row=row, column=table.header("检查日期"), severity="warning", hint=FUTURE_HINT
                )
        elif not text:
            problems.add(
                Invalid("empty-date", "检查日期为空"),
                row=row,
                column=table.header("检查日期"),
                hint=DATE_HINT,
            )
    return tuple(entries), file, problems.result()
