"""Outputs of a draw too large for one worksheet (docs/record.md, "Draws past Excel's limits").

When the tasks or the excluded enterprises do not fit in one sheet (xlsx.MAX_ROWS rows, header
included), the draw is written *split*: one folder per 登记机关 under 按登记机关/ with that bureau's
assignments.xlsx and disclosure.xlsx, the whole public list as disclosure.csv (UTF-8 with BOM) and
disclosure.parquet, and the record's two long lists (tasks, excluded) as Parquet files that the record
references by SHA-256 and by content digest. A list still longer than a sheet inside one bureau's
workbook continues on further sheets (分派表, 分派表（2）, …). Small draws never come here.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..core.model import DrawResult, Selection, Task
from ..core.plan import Plan
from ..core.record import EXCLUDED_FIELDS, ColumnList, EncodedItems, canonical_json, list_items_digest
from .arrow_lists import column_list
from .helper import WorkbookPool
from .readers import file_sha256
from .readers.arrow import ArrowValues
from .writers import (
    ASSIGNMENT_SHEETS,
    ASSIGNMENTS,
    DISCLOSURE,
    DISCLOSURE_COLUMNS,
    DrawFacts,
    check_public,
    disclosure_rows,
    disclosure_sheet,
    notes_sheet,
    print_page,
    proceedings_sheet,
    strata_sheet,
    workload_sheet,
)
from .xlsx import MAX_ROWS, Cell, Columns, Sheet, write_workbook

BY_AUTHORITY = "按登记机关"
PUBLIC_CSV = "disclosure.csv"
PUBLIC_PARQUET = "disclosure.parquet"
LIST_FILES = {"tasks": "draw-record-tasks.parquet", "excluded": "draw-record-excluded.parquet"}
NO_AUTHORITY = "（未填登记机关）"
AUTHORITY_STRATUM = "登记机关"

# Names Windows refuses for a file or folder, whatever the extension; characters no OS takes in one.
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_UNSAFE = str.maketrans(dict.fromkeys('<>:"/\\|?*', "_") | {chr(i): "_" for i in range(32)} | {"\x7f": "_"})
_NAME_CHARS = 40  # folder names stay short: Windows paths stop at 260 characters
# pyarrow.parquet is imported where it is used: 0.16 s more at every start of the program otherwise.


def needs_split(result: DrawResult, max_rows: int = MAX_ROWS) -> bool:
    """Whether the tasks or the excluded enterprises, each with a header row, overflow one sheet."""
    return max(len(result.tasks), len(result.selection.exclusions)) + 1 > max_rows


def safe_folder_names(names: Iterable[str]) -> dict[str, str]:
    """A folder name for each 登记机关 that every OS accepts, distinct even where case does not count.

    Unsafe characters become _, outer dots and spaces go, reserved device names get a leading _,
    long names are cut; a name changed in any way, or colliding with another, gets the first 8 hex
    digits of its SHA-256 so that two bureaus never share a folder.
    """
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names)):
        shown = name or NO_AUTHORITY
        safe = unicodedata.normalize("NFC", shown).translate(_UNSAFE).strip(" .")
        if safe.split(".")[0].upper() in _RESERVED:
            safe = "_" + safe
        safe = safe[:_NAME_CHARS]
        tag = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
        if safe != shown or not safe or safe.casefold() in taken:
            safe = f"{safe}-{tag}" if safe else tag
        chosen[name] = safe
        taken.add(safe.casefold())
    return chosen


def split_sheet(sheet: Sheet, max_rows: int = MAX_ROWS) -> list[Sheet]:
    """The sheet as one or more sheets of at most max_rows rows (header included): 名称, 名称（2）, …"""
    rows = sheet.rows
    if isinstance(rows, Columns):
        size = len(rows)
    else:
        rows = rows if isinstance(rows, Sequence) else list(rows)
        size = len(rows)
    per_sheet = max_rows - 1
    if size <= per_sheet:
        return [replace(sheet, rows=rows)]
    parts = []
    for number, start in enumerate(range(0, size, per_sheet), start=1):
        if isinstance(rows, Columns):
            part: Any = Columns(*(column[start : start + per_sheet] for column in rows.columns))
        else:
            part = rows[start : start + per_sheet]
        parts.append(
            replace(sheet, name=sheet.name if number == 1 else f"{sheet.name}（{number}）", rows=part)
        )
    return parts


def _subset(
    result: DrawResult, plan: Plan, authority: str, tasks: list[Task], excluded: list[int]
) -> DrawResult:
    """The part of the draw whose enterprises a bureau registered: its tasks, exclusions, strata and
    the workload of those tasks."""
    strata = result.selection.strata
    if AUTHORITY_STRATUM in plan.selection.strata:
        position = plan.selection.strata.index(AUTHORITY_STRATUM)
        strata = tuple(s for s in strata if s.key[position] == authority)
    counts: dict[str, int] = {}
    for task in tasks:
        for member in task.team:
            counts[member.id] = counts.get(member.id, 0) + 1
    workloads = {person: counts[person] for person in result.workloads if person in counts}
    exclusions = result.selection.exclusions
    selection = Selection(strata, (), exclusions.take(excluded), 0, 0)
    return DrawResult(result.seed, selection, tuple(tasks), workloads)


def _with_line(notes: Sheet, label: str, text: str) -> Sheet:
    return replace(notes, rows=[*notes.rows, (label, text)])


def _index_sheet(
    plan: Plan,
    groups: Mapping[str, tuple[list[Task], list[int]]],
    folders: Mapping[str, str],
    *,
    public: bool,
) -> Sheet:
    """按登记机关: every bureau, its folder and how many of its enterprises were drawn (and excluded)."""
    header: tuple[str, ...] = ("登记机关", "文件夹", "抽取户数", "其中重点检查")
    rows: list[tuple[Cell, ...]] = []
    for authority, (tasks, excluded) in groups.items():
        row: tuple[Cell, ...] = (
            authority or NO_AUTHORITY,
            f"{BY_AUTHORITY}/{folders[authority]}",
            len(tasks),
            sum(t.pick.must_inspect for t in tasks),
        )
        rows.append(row if public else (*row, len(excluded)))
    if not public:
        header = (*header, "未参加抽取户数")
    return Sheet(
        BY_AUTHORITY,
        header,
        rows,
        widths=(28, 40, 9, 9, 9)[: len(header)],
        wrap=True,
        borders=True,
        page=print_page(plan.info, "各登记机关的抽取户数"),
    )


# Below this many rows (tasks and excluded) the workbooks are written in this process: starting the
# helpers costs more than they save.
PARALLEL_ROWS = 20_000
WORKERS = 2  # helper processes writing the per-bureau workbooks (the machines in mind have 2 cores)


def write_split_outputs(
    folder: Path,
    result: DrawResult,
    plan: Plan,
    summarize: Callable[[], str],
    authorities: Sequence[str],
    *,
    facts: DrawFacts | None = None,
    max_rows: int = MAX_ROWS,
    workers: int | None = None,
) -> tuple[dict[str, str], dict[str, str], str]:
    """Write a split draw's outputs into `folder`; return (relative path → SHA-256 of the file,
    relative path → content digest, result digest). `authorities`: the roster's 登记机关 column, by
    roster index (excluded enterprises are filed under their bureau too).

    The workbooks are built here one at a time and written by `workers` helper processes
    (io/helper.py; default WORKERS, or none below PARALLEL_ROWS rows; 0: all in this process),
    while this process builds the next; the files are the same either way."""
    facts = facts or DrawFacts()
    groups = _groups(result, authorities)
    folders = safe_folder_names(groups)
    result_digest = summarize()
    notes = notes_sheet(result, plan, result_digest, facts.note())
    check_public(list(notes.rows), notes.header, notes.name)
    title = f"{plan.info.name}（{plan.info.id}）"
    if workers is None:
        workers = WORKERS if len(result.tasks) + len(result.selection.exclusions) >= PARALLEL_ROWS else 0
    pool = WorkbookPool(workers) if workers else None
    contents: dict[str, str] = {}  # in the order written: bureau by bureau, then the whole draw's

    def write(name: str, sheets: Sequence[Sheet], book_title: str) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        parts = [part for s in sheets for part in split_sheet(s, max_rows)]
        if pool is None:
            contents[name] = write_workbook(path, parts, title=book_title)
        else:
            contents[name] = ""  # its place; the digest comes from the helper
            pool.write(path, parts, title=book_title)

    try:
        for authority, (tasks, excluded) in groups.items():
            if pool is not None:
                pool.room()  # the next bureau's sheets are built only when a helper can take them
            part = _subset(result, plan, authority, tasks, excluded)
            shown = authority or NO_AUTHORITY
            here = _with_line(notes, "本工作簿", f"登记机关为“{shown}”的检查对象：抽取 {len(tasks)} 户")
            base = f"{BY_AUTHORITY}/{folders[authority]}"
            write(
                f"{base}/{ASSIGNMENTS}",
                [*(build(part, plan) for build in ASSIGNMENT_SHEETS), here],
                f"{title} 分派表 {shown}",
            )
            write(f"{base}/{DISCLOSURE}", [disclosure_sheet(part, plan), here], f"{title} 公示表 {shown}")
        whole = _with_line(
            notes,
            "分册",
            f"各登记机关的分派表和公示表在文件夹 {BY_AUTHORITY} 中；"
            f"公示名单全文见 {PUBLIC_CSV}、{PUBLIC_PARQUET}",
        )
        write(
            ASSIGNMENTS,
            [
                _index_sheet(plan, groups, folders, public=False),
                strata_sheet(result, plan),
                workload_sheet(result, plan),
                whole,
                proceedings_sheet(result, plan, result_digest, facts),
            ],
            f"{title} 分派表",
        )
        public_index = _index_sheet(plan, groups, folders, public=True)
        check_public(list(public_index.rows), public_index.header, public_index.name)
        write(DISCLOSURE, [public_index, whole], f"{title} 公示表")
        # The public lists are written here while the helpers finish the last workbooks.
        # Every text cell of the whole list is in one bureau's 公示表, checked there already (a check
        # over a province's list took seconds per 100,000 rows).
        public = write_public_lists(folder, disclosure_rows(result, plan), checked=True)
        files = {name: file_sha256(folder / name) for name in public}
        if pool is None:
            files = {name: file_sha256(folder / name) for name in contents} | files
        else:
            written = pool.finish()
            files = {name: written[folder / name][1] for name in contents} | files
            contents = {name: written[folder / name][0] for name in contents}
    except BaseException:
        if pool is not None:
            pool.abandon()  # the original error (or Ctrl-C) is what the user must see
        raise
    return files, contents | public, result_digest


def _groups(result: DrawResult, authorities: Sequence[str]) -> dict[str, tuple[list[Task], list[int]]]:
    """Each 登记机关 (sorted) with its tasks and the positions of its exclusions in the selection's."""
    groups: dict[str, tuple[list[Task], list[int]]] = {}
    for task in result.tasks:
        groups.setdefault(task.enterprise.authority, ([], []))[0].append(task)
    for number, position in enumerate(result.selection.exclusions.positions):
        groups.setdefault(authorities[position], ([], []))[1].append(number)
    return dict(sorted(groups.items()))


def public_table(rows: Sequence[Sequence[Cell]]) -> pa.Table:
    """The public list as an Arrow table: 序号 an integer, the inspection dates dates, the rest text."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in DISCLOSURE_COLUMNS]
    arrays = []
    for header, values in zip(DISCLOSURE_COLUMNS, columns, strict=True):
        kind = (
            pa.int64() if header == "序号" else pa.date32() if header.startswith("检查日期") else pa.string()
        )
        arrays.append(pa.array(list(values), kind))
    return pa.Table.from_arrays(arrays, names=list(DISCLOSURE_COLUMNS))


def write_public_lists(
    folder: Path, rows: Sequence[Sequence[Cell]], *, checked: bool = False
) -> dict[str, str]:
    """disclosure.csv (UTF-8 with BOM, for Excel) and disclosure.parquet (for a website's database);
    returns each file's content digest (`table_content_digest`), the same for both. The rows are
    checked for personal data (check_public) unless the caller `checked` every text in them."""
    import pyarrow.parquet as pq

    if not checked:
        check_public(rows, DISCLOSURE_COLUMNS)
    table = public_table(rows)
    with (folder / PUBLIC_CSV).open("wb") as out:
        out.write("\ufeff".encode())
        pacsv.write_csv(table, out, pacsv.WriteOptions(quoting_style="needed"))
    pq.write_table(table, folder / PUBLIC_PARQUET, compression="zstd")
    content = table_content_digest(table)
    return {PUBLIC_CSV: content, PUBLIC_PARQUET: content}


# The bytes canonical JSON escapes inside a string (ensure_ascii off), but for the quote: UTF-8 puts
# no such byte inside another character. bytes.translate finds them 5× faster than a regex (RE2 or re).
_ESCAPED = bytes(range(0x20)) + b"\\"
_DIGEST_ROWS = 1 << 16  # rows turned into JSON at a time: a few MB, whatever the list's length


def table_content_digest(table: pa.Table) -> str:
    """SHA-256 of the canonical JSON of the table's columns, each `[header, text, text, …]`: numbers
    in decimal, dates as YYYY-MM-DD, empty cells as "". No file format, compression or writer enters.

    The JSON is made and hashed a slice of a column at a time, in Arrow: a Python string for every
    cell took seconds and gigabytes for a province's list. Raises pyarrow.ArrowInvalid for text that
    is not UTF-8."""
    found = hashlib.sha256(b"[")
    for number, (name, column) in enumerate(zip(table.column_names, table.columns, strict=True)):
        found.update((b",[" if number else b"[") + canonical_json(name))
        texts: pa.ChunkedArray[Any] = pc.cast(column, pa.string())
        for chunk in texts.chunks:
            for start in range(0, len(chunk), _DIGEST_ROWS):
                found.update(_json_items(chunk.slice(start, _DIGEST_ROWS)))
        found.update(b"]")
    found.update(b"]")
    return found.hexdigest()


def _json_items(texts: Any) -> bytes:
    """`,"text"` for each of the (Arrow string) texts, a null as "", exactly as canonical_json writes
    the items of a list that follow its first."""
    if not len(texts):
        return b""
    texts.validate(full=True)  # UTF-8, as Python would insist on decoding it
    texts = pc.fill_null(texts, "")
    # One string, the texts joined by '","': framed by ',"' and '"', the JSON items, unless a text
    # holds a character to escape (a quote adds to the two per separator).
    whole = pa.ListArray.from_arrays(pa.array([0, len(texts)], pa.int32()), texts)
    joined: bytes = cast(Any, pc.binary_join(whole, '","'))[0].as_buffer().to_pybytes()
    if len(joined.translate(None, _ESCAPED)) == len(joined) and joined.count(b'"') == 2 * (len(texts) - 1):
        return b',"' + joined + b'"'
    # Rare: Python escapes them.
    return b"".join(b"," + canonical_json(text) for text in texts.to_pylist())


def read_public_list(path: Path) -> pa.Table:
    """disclosure.csv or disclosure.parquet as written (every CSV cell read as text)."""
    import pyarrow.parquet as pq

    if path.suffix.lower() == ".parquet":
        return pq.read_table(path)
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in DISCLOSURE_COLUMNS}, strings_can_be_null=False
    )
    return pacsv.read_csv(path, convert_options=options)


def output_content_digest(path: Path) -> str:
    """The content digest of any output file: a workbook's (xlsx.content_digest) or a public list's
    (`table_content_digest`). Raises ValueError when the file cannot be read as what its name says."""
    from .xlsx import content_digest

    if path.suffix.lower() == ".xlsx":
        return content_digest(path)
    try:
        return table_content_digest(read_public_list(path))
    except (pa.ArrowException, OSError) as exc:
        raise ValueError(f"“{path.name}”无法读取（{exc}）") from None


# ---------------------------------------------------------------- the record's long lists

_TEAM = pa.list_(pa.string())


def _tasks_table(tasks: Sequence[Mapping[str, Any]], strata: Sequence[str]) -> pa.Table:
    stratum = pa.struct([(column, pa.string()) for column in strata])
    return pa.table(
        {
            "task_id": pa.array([t["task_id"] for t in tasks], pa.string()),
            "enterprise_id": pa.array([t["enterprise_id"] for t in tasks], pa.string()),
            "enterprise_name": pa.array([t["enterprise_name"] for t in tasks], pa.string()),
            "credit_class": pa.array([t["credit_class"] for t in tasks], pa.string()),
            "stratum": pa.array([t["stratum"] for t in tasks], stratum),
            "rank": pa.array([t["rank"] for t in tasks], pa.int64()),
            "must_inspect": pa.array([t["must_inspect"] for t in tasks], pa.bool_()),
            "ticket": pa.array([t["ticket"] for t in tasks], pa.string()),
            "team": pa.array([t["team"] for t in tasks], _TEAM),
        }
    )


def _excluded_table(excluded: ColumnList) -> pa.Table:
    """The excluded list as its Parquet table, a column per item key (the engine's Arrow kept)."""
    return pa.table({key: _strings(excluded.columns[key]) for key in EXCLUDED_FIELDS})


def _strings(column: Sequence[str]) -> pa.Array[Any] | pa.ChunkedArray[Any]:
    """A list column as plain text (the engine's repeated reasons come dictionary-encoded)."""
    if isinstance(column, ArrowValues):
        return column.array.cast(pa.string())
    return pa.array(column, pa.string())


def write_record_lists(
    folder: Path, body: Mapping[str, Any], lists: Mapping[str, EncodedItems], strata: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Write the record's tasks and excluded lists as Parquet files; return what the record keeps in
    their place: `file`, `rows`, `sha256` (of the file's bytes), `content_sha256` (of the list)."""
    import pyarrow.parquet as pq

    tables = {"tasks": _tasks_table(body["tasks"], strata), "excluded": _excluded_table(body["excluded"])}
    references = {}
    for key, table in tables.items():
        name = LIST_FILES[key]
        pq.write_table(table, folder / name, compression="zstd")
        references[key] = {
            "file": name,
            "rows": table.num_rows,
            "sha256": file_sha256(folder / name),
            "content_sha256": list_items_digest(lists[key]),
        }
    return references


def read_record_list(path: Path) -> Sequence[dict[str, Any]]:
    """A record list file back as the record's items (dicts exactly as the record would hold them;
    a list of text columns, the excluded list, stays in columns). Raises ValueError when the file
    cannot be read."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
        if all(pa.types.is_string(f.type) for f in table.schema):
            if any(column.null_count for column in table.columns):
                raise ValueError(f"“{path.name}”有空值")
            return column_list(table)
        items: list[dict[str, Any]] = table.to_pylist()
    except (pa.ArrowException, OSError) as exc:
        raise ValueError(f"“{path.name}”无法读取（{exc}）") from None
    return items
