"""Finding the header row and naming the columns: a field's canonical header, its aliases or the
header the plan maps to it (`[inputs.<kind>.columns]`); then the data below, without blank rows."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ...core.errors import InputError, Problem
from ...core.fields import Field, Table
from ...core.ids import clean_text
from .arrow import NOT_BLANK, Column, arrow_indices, arrow_mask, matches, not_blank, python_values
from .problems import Invalid, Problems, fail
from .sources import Grid, sheet_hint
from .text import clean_texts

HEADER_SEARCH_ROWS = 10  # the header row may sit below title rows, within the first 10 rows

# ----------------------------------------------------------------------------------------------
# Columns: which header names which field (the fields themselves are declared in fields.py).


def lookup(table: Table, mapping: Mapping[str, str]) -> dict[str, tuple[str, int]]:
    """Header token → (canonical name, priority); the plan's mapping has priority -1, the canonical
    name 0, aliases after it in their order."""
    found: dict[str, tuple[str, int]] = {header_token(header): (name, -1) for name, header in mapping.items()}
    for column in table.fields:
        for priority, text in enumerate((column.name, *column.aliases)):
            found.setdefault(header_token(text), (column.name, priority))
    return found


BRACKETS = str.maketrans(
    {"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")", "﹙": "(", "﹚": ")"}
)
_HEADER_NOTE = re.compile(r"\((必填|选填|可选|必须)\)$")


def header_token(text: str) -> str:
    """What a header is compared by: NFKC, no white space at all, one kind of bracket, no * marks."""
    token = "".join(clean_text(text).split()).translate(BRACKETS).strip("*")
    return _HEADER_NOTE.sub("", token).upper()


@dataclass
class Located:
    """The data below the header: columns by canonical name, Excel row number of every data row."""

    file: str
    sheet: str
    headers: dict[str, str]  # canonical name → header text as written in the file
    data: dict[str, Column]
    rows: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.rows)

    def texts(self, name: str) -> list[str]:
        """A small column, every value cleaned ("" for empty or missing)."""
        if name not in self.data:
            return [""] * len(self)
        column = self.data[name]
        return clean_texts(column, python_values(column))

    def header(self, name: str) -> str:
        return self.headers.get(name, name)


def resolve(
    cells: Sequence[str], tokens: Mapping[str, tuple[str, int]]
) -> tuple[dict[str, int], list[tuple[str, int, int]]]:
    """Column index of every recognised field, and the extra columns that matched a field too."""
    best: dict[str, tuple[int, int]] = {}
    extra: list[tuple[str, int, int]] = []
    for index, cell in enumerate(cells):
        hit = tokens.get(header_token(cell)) if cell else None
        if hit is None:
            continue
        name, priority = hit
        if name not in best:
            best[name] = (priority, index)
        elif priority < best[name][0]:
            extra.append((name, best[name][1], index))
            best[name] = (priority, index)
        else:
            extra.append((name, index, best[name][1]))
    return {name: index for name, (_, index) in best.items()}, extra


def _missing(table: Table, found: Mapping[str, int]) -> list[Field]:
    """The required fields a header row lacks (a field whose stand-in is present is not lacking)."""
    return [f for f in table.fields if f.required and f.name not in found and f.stand_in not in found]


def header_row(
    cells: Sequence[str], table: Table, mapping: Mapping[str, str]
) -> tuple[bool, dict[str, int], list[tuple[str, int, int]]]:
    """Whether `cells` is a header row of `table` (no required field missing), and its columns."""
    found, extra = resolve(cells, lookup(table, mapping))
    return not _missing(table, found), found, extra


def _suggest(column: Field, cells: Sequence[str], taken: set[int]) -> str | None:
    """The header present that looks most like `column` (difflib), if any is close enough."""
    known = [header_token(t) for t in (column.name, *column.aliases)]
    scored = [
        (max(difflib.SequenceMatcher(None, header_token(cell), k).ratio() for k in known), cell)
        for index, cell in enumerate(cells)
        if cell and index not in taken
    ]
    score, cell = max(scored, default=(0.0, ""))
    return cell if score >= 0.5 else None


def other_sheets(grid: Grid, table: Table) -> str:
    """A hint naming the workbook's other sheets, when it has any."""
    others = [name for name in grid.sheets if name != grid.sheet]
    if not others:
        return ""
    return (
        f"如果数据在别的工作表（{'、'.join(map(grid.sheet_label, others))}），"
        f"{sheet_hint(table).removeprefix('请')}"
    )


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(text: str) -> str:
    """`text` as a TOML key: bare when it may be (TYXYDM), quoted otherwise (a Chinese header)."""
    return text if _BARE_KEY.fullmatch(text) else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _missing_columns(
    path: Path, grid: Grid, table: Table, mapping: Mapping[str, str], rows: list[list[str]]
) -> InputError:
    """Why no row among the first ones is a header row: the required columns the likeliest row lacks."""
    tokens = lookup(table, mapping)
    scores = [len(resolve(cells, tokens)[0]) for cells in rows]
    number = (
        scores.index(max(scores))
        if any(scores)
        else next((i for i, cells in enumerate(rows) if any(cells)), 0)
    )
    cells = rows[number]
    found, _ = resolve(cells, tokens)
    taken = set(found.values())
    present = "、".join(f"“{c}”" for c in cells if c) or "（空行）"
    failures = []
    for column in _missing(table, found):
        code = "mapped-column-missing" if column.name in mapping else "missing-column"
        if column.name in mapping:
            message = (
                f"{table.label}中找不到计划文件指定的“{mapping[column.name]}”列（对应为“{column.name}”）"
            )
            hint = (
                f"请核对计划文件 [inputs.{table.kind}.columns] 中对应“{column.name}”的文件列名，"
                "应与文件中的表头一字不差"
            )
        else:
            message = f"{table.label}缺少必填列“{column.name}”"
            guess = _suggest(column, cells, taken)
            also = "、".join(column.aliases[:4])
            hint = (
                f"表头中的“{guess}”是否就是这一列？如果是，请改为“{column.name}”，"
                f'或在计划文件的 [inputs.{table.kind}.columns] 中写明 {toml_key(guess)} = "{column.name}"'
                if guess
                else f"请在表头加入“{column.name}”列"
                + (f"（也可写作：{also}）" if also else "")
                + (f"，没有代码的旧个体工商户可另设“{column.stand_in}”列" if column.stand_in else "")
                + f"；如果这一列在文件中叫别的名字（例如拼音缩写 TYXYDM），请在计划文件的 "
                f'[inputs.{table.kind}.columns] 中写明：文件中的列名 = "{column.name}"'
            )
        if other := other_sheets(grid, table):
            hint = f"{hint}；{other}"
        failures.append(
            Problem(
                f"{message}（在前 {HEADER_SEARCH_ROWS} 行中找表头；"
                f"第 {grid.first_row + number} 行现有：{present}）",
                file=path.name,
                sheet=grid.sheet,
                row=grid.first_row + number,
                hint=hint,
                code=code,
                params={
                    "field": column.name,
                    "header": mapping.get(column.name, ""),
                    "present": [c for c in cells if c],
                },
            )
        )
    return InputError(failures)


@dataclass(frozen=True)
class HeaderRow:
    """The header row found among the first rows: its index there, its number, the columns it names."""

    index: int  # among the rows searched
    number: int  # the row number a person sees
    columns: dict[str, int]  # canonical name → column index
    headers: dict[str, str]  # canonical name → header text as written in the file


def find_header(
    path: Path,
    grid: Grid,
    table: Table,
    mapping: Mapping[str, str],
    problems: Problems,
    rows: list[list[str]],
) -> HeaderRow:
    """The first of `rows` (cleaned cells of the first rows) that is a header row of `table`; raise when
    none is, or when a column the plan maps is not in it; warn about columns named twice."""
    chosen = next(
        (
            (number, found, extra)
            for number, cells in enumerate(rows)
            for ok, found, extra in [header_row(cells, table, mapping)]
            if ok
        ),
        None,
    )
    if chosen is None:
        raise _missing_columns(path, grid, table, mapping, rows)

    number, found, extra = chosen
    header_at = grid.first_row + number
    headers = {name: rows[number][index] for name, index in found.items()}
    unmapped = [
        (name, header)
        for name, header in mapping.items()
        if headers.get(name) is None or header_token(headers[name]) != header_token(header)
    ]
    if unmapped:
        raise InputError(
            [
                Problem(
                    f"计划文件把“{header}”列对应为“{name}”，"
                    f"但{table.label}的表头（第 {header_at} 行）中没有“{header}”",
                    file=path.name,
                    sheet=grid.sheet,
                    row=header_at,
                    hint=f"请核对计划文件 [inputs.{table.kind}.columns]，列名应与文件中的表头一字不差",
                    code="mapped-column-missing",
                    params={"field": name, "header": header},
                )
                for name, header in unmapped
            ]
        )
    for note in grid.notes:
        problems.add(
            note,
            row=None,
            severity="warning",
            hint="如果读错了工作表，" + sheet_hint(table).removeprefix("请"),
        )
    for name, ignored, used in extra:
        problems.add(
            Invalid(
                "duplicate-column",
                f"“{rows[number][ignored]}”列与“{rows[number][used]}”列都是“{name}”，只使用了后者",
                {"field": name, "ignored": rows[number][ignored], "used": rows[number][used]},
            ),
            row=header_at,
            column=rows[number][ignored],
            severity="warning",
            hint="如果用错了列，请删除或改名多余的那一列",
        )
    return HeaderRow(number, header_at, found, headers)


def head_rows(columns: Sequence[Column]) -> list[list[str]]:
    """The cleaned cells of the first HEADER_SEARCH_ROWS rows, row by row ("" for an empty cell)."""
    head = [python_values(column.slice(0, HEADER_SEARCH_ROWS)) for column in columns]
    return [[clean_text(v) if v else "" for v in row] for row in zip(*head, strict=True)]


def without_blank_rows(
    data: dict[str, Column], every: Sequence[Column], rows: npt.NDArray[np.int64]
) -> tuple[dict[str, Column], npt.NDArray[np.int64]]:
    """`data` and its row numbers without the rows whose every cell (in `every`, all the columns of
    the file) is blank."""
    # Only rows blank in one column can be blank.
    candidates = np.flatnonzero(~not_blank(next(iter(data.values()))))
    if len(candidates):
        picked = arrow_indices(candidates)
        blank = np.ones(len(candidates), dtype=np.bool_)
        for raw in every:
            blank &= ~matches(raw.take(picked), NOT_BLANK)
        if blank.any():
            keep = np.ones(len(rows), dtype=np.bool_)
            keep[candidates[blank]] = False
            mask = arrow_mask(keep)
            data = {name: values.filter(mask) for name, values in data.items()}
            rows = rows[keep]
    return data, rows


def locate(path: Path, grid: Grid, table: Table, mapping: Mapping[str, str], problems: Problems) -> Located:
    """Find the header row, name the columns, drop blank rows; raise when required columns are missing."""
    if not grid.columns or grid.height == 0:
        where = "工作表" if grid.sheet else "文件"
        raise fail(
            path,
            Invalid("empty-sheet", f"{where}是空的，找不到{table.label}的表头"),
            other_sheets(grid, table) or "请检查是否选错了文件",
            sheet=grid.sheet,
        )
    found = find_header(path, grid, table, mapping, problems, head_rows(grid.columns))
    header_at = found.number
    start = found.index + 1
    data = {name: grid.columns[index].slice(start) for name, index in found.columns.items()}
    excel_rows = np.arange(header_at + 1, header_at + 1 + grid.height - start, dtype=np.int64)
    data, excel_rows = without_blank_rows(data, [raw.slice(start) for raw in grid.columns], excel_rows)
    if len(excel_rows) == 0:
        if not table.may_be_empty:
            raise fail(
                path,
                Invalid("no-data-rows", f"{table.label}在表头下方没有数据行"),
                f"请检查是否选错了文件或工作表（{sheet_hint(table)}）",
                sheet=grid.sheet,
                row=header_at,
            )
        problems.add(
            Invalid("header-only", f"{table.label}只有表头，没有记录（视为空的{table.label}）"),
            row=header_at,
            severity="warning",
            hint="如果本应有记录，请检查是否选错了文件或工作表",
        )
    return Located(path.name, grid.sheet, found.headers, data, excel_rows)
