"""Parquet and CSV rosters at province scale: a file, or a folder of such files, normalised once, in
Arrow record batches, into the normalised roster table (ROSTER_SCHEMA) that every engine reads.

Each batch passes through the very column functions the Excel path uses (keys, values, text,
enterprises), so the rules are written once; memory is bounded by a few batches, plus 8 bytes a row
for the duplicate check (a 64-bit fingerprint of each key, sorted in place at the end; the few equal
fingerprints are then confirmed on the keys themselves, with their file and row).

Where the time goes (bench/bench_columnar.py): the coded columns are read as their Parquet
dictionaries and judged once per distinct value; the free text is checked by byte tests and RE2
over whole columns, Python seeing only the values those flag; reading the next batch, hashing the
files and writing the scratch file run in threads beside the normalising (all release the GIL).

A folder holds files of one kind with the same columns, read in name order; each file keeps its own
row numbers (Parquet: row index + 2, as if a header row were row 1; CSV: the record number) and its
index in that order (the `file` column), so that a bad row is named by file and row.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ...core.errors import InputError, Problem
from ...core.fields import ENTERPRISES, KEY, REGISTRATION_NO
from ...core.ids import clean_text
from ...core.model import EnterpriseRoster, InputFile
from ...core.progress import NullReporter, Reporter
from .arrow import (
    ArrowValues,
    Column,
    arrow_indices,
    arrow_mask,
    from_numpy,
    np_ints,
    np_offsets,
    np_true,
    python_values,
)
from .delimited import encoding_of, sniff_delimiter
from .enterprises import (
    ENTERPRISE_CODED,
    ENTERPRISE_TEXT,
    check_names,
    converted,
    summarise_words,
    unknown_words,
)
from .header import HEADER_SEARCH_ROWS, HeaderRow, Located, find_header, without_blank_rows
from .keys import KeyCheck, key_column, key_fingerprints, normalise_keys_in_arrow, scan_keys
from .problems import Invalid, Problems, fail
from .sources import COLUMNAR_SUFFIXES, Grid, file_sha256, folder_files
from .text import TextColumn, tidy_column
from .values import coded

BATCH_ROWS = 1 << 20  # rows per record batch: what memory holds at a time, besides the fingerprints
# A single CSV file smaller than this is read whole by the tolerant in-memory reader (delimited.py:
# rows of different lengths, a carriage return inside a field); larger ones, and folders, stream.
STREAMED_CSV_BYTES = 256 << 20
_SAMPLE_BYTES = 1 << 20  # a CSV file's encoding, delimiter and header are found in its first MiB

# The normalised roster table: the fields of model.EnterpriseRoster, cleaned as the readers clean
# them, plus the index of the file each row came from (docs/algorithm.md, "The normalised roster").
ROSTER_SCHEMA = pa.schema(
    [  # type: ignore[arg-type]  # pyarrow-stubs want DataType, not its subclasses' union
        ("key", pa.string()),
        ("name", pa.string()),
        ("credit_class", pa.string()),
        ("district", pa.string()),
        ("industry", pa.string()),
        ("authority", pa.string()),
        ("status", pa.string()),
        ("last_inspected", pa.date32()),
        ("must_inspect", pa.bool_()),
        ("row", pa.int64()),
        ("file", pa.int32()),
        ("address", pa.string()),
        ("legal_rep", pa.string()),
        ("phone", pa.string()),
    ]
)
_TYPES = {f.name: f.type for f in ROSTER_SCHEMA}
# The scratch file is read whole or by row group, never filtered on its text: min/max statistics of
# the text columns would only cost time (a third of the writing, measured at 1M rows). LZ4 writes as
# fast as Snappy, about as small, and reads back faster (measured at 1M rows: 0.50 s CPU against 0.72).
_SCRATCH_STATISTICS = ["last_inspected", "must_inspect", "row", "file"]
_NO_MAPPING: Mapping[str, str] = {}
_SILENT = NullReporter()
_CODED_HEADERS = frozenset(ENTERPRISES.header(name) for name in ENTERPRISE_CODED)


def is_columnar(path: Path) -> bool:
    """Whether the roster at `path` is read here: a folder, a Parquet file, or a large CSV file."""
    suffix = path.suffix.lower()
    if path.is_dir() or suffix == ".parquet":
        return True
    return suffix == ".csv" and path.is_file() and path.stat().st_size >= STREAMED_CSV_BYTES


@dataclass(frozen=True)
class NormalisedRoster:
    """The roster as the normalised table: in memory (`table`) or in a Parquet file (`parquet`)."""

    table: pa.Table | None
    parquet: Path | None
    rows: int
    files: tuple[str, ...]  # the source files' names; the `file` column indexes this
    input: InputFile
    problems: list[Problem]


# ----------------------------------------------------------------------------------------------
# Sources: one file → its header and its raw batches (every column as text, with row numbers).


@dataclass
class _Raw:
    """A batch as read: the columns by canonical name, every column of the file, row numbers."""

    data: dict[str, Column]
    every: list[Column]
    rows: npt.NDArray[np.int64]


@dataclass
class _Opened:
    path: Path
    header: HeaderRow
    batches: Iterator[_Raw]
    rows: int | None  # known in advance (Parquet metadata), for progress


def _roster_files(path: Path) -> list[Path]:
    """The files of the roster: the file itself, or a folder's files (all of one kind)."""
    if not path.is_dir():
        return [path]
    files = folder_files(path)
    if not files:
        raise fail(
            path,
            Invalid("folder-empty", f"文件夹“{path.name}”中没有 .parquet 或 .csv 文件"),
            "企业名录可以是一个文件，或一个只放 .parquet（或只放 .csv）文件的文件夹；请检查路径",
        )
    kinds = sorted({file.suffix.lower() for file in files})
    if len(kinds) > 1:
        raise fail(
            path,
            Invalid(
                "folder-mixed-kinds",
                f"文件夹“{path.name}”中既有 {' 又有 '.join(kinds)} 文件",
                {"suffixes": kinds},
            ),
            "一个名录文件夹只能放同一种格式的文件，请把其他格式的文件移走",
        )
    return files


def _not_readable(path: Path, kind: str) -> InputError:
    return fail(
        path,
        Invalid("not-a-parquet-file", f"文件不是有效的 {kind} 文件，可能已损坏或未导出完整"),
        "请重新导出该文件",
    )


def _as_text(path: Path, name: str, column: Column) -> Column:
    """A Parquet column as the text the cell rules read: strings as they are, integers in decimal,
    dates as ISO dates (a timestamp with a time zone: its date there), booleans as true/false."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = cast(Column, column.dictionary_decode())  # type: ignore[attr-defined]
        kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column.cast(pa.string())
    if name in (KEY, REGISTRATION_NO) and pa.types.is_floating(kind):
        raise fail(
            path,
            Invalid("key-stored-as-float", f"“{name}”列以浮点数类型存储，超过 15 位的代码已经失真"),
            "请在导出时把代码列存为文本（字符串）类型",
            column=name,
        )
    if pa.types.is_timestamp(kind) and cast(pa.TimestampType, kind).tz is not None:
        column = cast(Column, pc.local_timestamp(column))  # type: ignore[call-overload]
        kind = column.type
    if pa.types.is_timestamp(kind) or pa.types.is_date64(kind):
        column = column.cast(pa.date32())
    try:
        return column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise fail(
            path,
            Invalid(
                "column-type-unsupported", f"“{name}”列的数据类型（{kind}）无法读取", {"type": str(kind)}
            ),
            "请在导出时把这一列存为文本、整数、日期或布尔类型",
            column=name,
        ) from None


def _coded_as_text(path: Path, name: str, column: Column) -> Column:
    """A low-cardinality column as a dictionary array of the text _as_text gives each value: the
    conversion runs once per distinct value (a Parquet dictionary is read as it is stored)."""
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    encoded = cast("pa.DictionaryArray[Any, Any]", column)
    return pa.DictionaryArray.from_arrays(encoded.indices, _as_text(path, name, encoded.dictionary))


class _Rebatched:
    """Columns read as dictionaries, handed out in the row counts asked for: pyarrow yields them a
    row group at a time, while the batches (and so the order of each batch's problems) must be the
    BATCH_ROWS batches of the other columns. Only dictionary indices are concatenated."""

    def __init__(self, source: pq.ParquetFile, columns: list[str]) -> None:
        self._batches = source.iter_batches(batch_size=BATCH_ROWS, columns=columns)
        self._columns = columns
        self._pending: list[pa.RecordBatch] = []

    def take(self, rows: int) -> dict[str, Column]:
        parts: list[pa.RecordBatch] = []
        while rows > 0:
            if not self._pending:
                self._pending.append(next(self._batches))
            head = self._pending.pop(0)
            parts.append(head.slice(0, rows))
            if head.num_rows > rows:
                self._pending.insert(0, head.slice(rows))
            rows -= parts[-1].num_rows
        if len(parts) == 1:
            return dict(zip(self._columns, parts[0].columns, strict=True))
        return {
            name: pa.concat_arrays([part.column(i) for part in parts]) for i, name in enumerate(self._columns)
        }


def _open_parquet(path: Path, mapping: Mapping[str, str], problems: Problems) -> _Opened:
    try:
        source = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError):
        raise _not_readable(path, "Parquet") from None
    names = source.schema_arrow.names
    header = find_header(
        path, Grid("", [], 1), ENTERPRISES, mapping, problems, [list(map(clean_text, names))]
    )
    wanted = {field: names[i] for field, i in header.columns.items()}
    # The coded columns' text is read as the Parquet dictionary it is stored in, with no string per
    # row (measured: 0.35 s for 5M rows of six such columns, against 2.0–3.5 s as plain strings).
    kinds = source.schema_arrow
    words = sorted(
        {
            name
            for field, name in wanted.items()
            if field in _CODED_HEADERS and kinds.field(name).type in (pa.string(), pa.large_string())
        }
    )
    plain = sorted(set(wanted.values()) - set(words))

    def batches() -> Iterator[_Raw]:
        start = 2
        try:
            coded = _Rebatched(pq.ParquetFile(path, read_dictionary=words), words) if words else None
            for batch in source.iter_batches(batch_size=BATCH_ROWS, columns=plain):
                read = dict(zip(plain, batch.columns, strict=True))
                if coded is not None:
                    read.update(coded.take(batch.num_rows))
                data = {
                    field: (_coded_as_text if field in _CODED_HEADERS else _as_text)(path, field, read[name])
                    for field, name in wanted.items()
                }
                yield _Raw(
                    data, list(data.values()), np.arange(start, start + batch.num_rows, dtype=np.int64)
                )
                start += batch.num_rows
        except (pa.ArrowInvalid, OSError):
            raise _not_readable(path, "Parquet") from None

    return _Opened(path, header, batches(), source.metadata.num_rows)


@dataclass
class _Skipped:
    """Records the CSV reader could not take (another number of fields than the header's)."""

    numbers: list[int] = field(default_factory=list)
    rows: list[tuple[int | None, int, str]] = field(default_factory=list)

    def __call__(self, row: Any) -> Literal["skip", "error"]:
        if row.number is not None:
            self.numbers.append(int(row.number))
        self.rows.append((row.number, int(row.actual_columns), str(row.text)[:60]))
        return "skip"


def _record_numbers(start: int, count: int, skipped: list[int]) -> npt.NDArray[np.int64]:
    """The record numbers of `count` records read from record `start` on, past the `skipped` ones."""
    gone = np.array(sorted(n for n in skipped if n >= start), dtype=np.int64)
    extra = 0
    while True:  # the skipped records among the next count + extra numbers, until that settles
        inside = int(np.searchsorted(gone, start + count + extra))
        if inside == extra:
            break
        extra = inside
    numbers = np.arange(start, start + count + extra, dtype=np.int64)
    return numbers[~np.isin(numbers, gone[:extra])] if extra else numbers


def _malformed_csv(path: Path, exc: Exception) -> InputError:
    """A CSV file that cannot be parsed, wherever the parser gave up."""
    return fail(
        path,
        Invalid("csv-malformed", f"CSV 文件格式有误，无法读取（{exc}）"),
        "请重新导出为“CSV UTF-8（逗号分隔）”或 Parquet 文件",
    )


def _open_csv(path: Path, mapping: Mapping[str, str], problems: Problems) -> _Opened:
    with path.open("rb") as stream:
        sample = stream.read(_SAMPLE_BYTES)
    whole = len(sample) < _SAMPLE_BYTES
    encoding = encoding_of(path, sample, final=whole)
    decoder = codecs.getincrementaldecoder("utf-8-sig" if encoding == "utf-8" else encoding)()
    text = decoder.decode(sample, final=whole)
    delimiter = sniff_delimiter(text)
    try:
        head = list(
            itertools.islice(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), HEADER_SEARCH_ROWS
            )
        )
    except csv.Error as exc:
        raise _malformed_csv(path, exc) from exc
    if not any(head):
        raise fail(
            path, Invalid("empty-sheet", "文件是空的，找不到检查对象名录的表头"), "请检查是否选错了文件"
        )
    width = max(map(len, head))
    rows = [[clean_text(cell) for cell in row] + [""] * (width - len(row)) for row in head]
    header = find_header(path, Grid("", [], 1), ENTERPRISES, mapping, problems, rows)
    names = [f"c{i}" for i in range(len(head[header.index]))]
    skipped = _Skipped()
    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(
                column_names=names,
                skip_rows=header.index + 1,
                encoding="utf8" if encoding == "utf-8" else encoding,
                block_size=16 << 20,
                use_threads=False,  # the invalid-row handler learns record numbers only when serial
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,  # an empty line is a blank row: it keeps the numbering
                invalid_row_handler=skipped,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise _malformed_csv(path, exc) from exc

    def batches() -> Iterator[_Raw]:
        start = header.number + 1
        try:
            for batch in reader:
                numbers = _record_numbers(start, batch.num_rows, skipped.numbers)
                start = int(numbers[-1]) + 1 if len(numbers) else start
                every = [batch.column(i) for i in range(batch.num_columns)]
                data = {field: every[i] for field, i in header.columns.items()}
                yield _Raw(data, every, numbers)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise _malformed_csv(path, exc) from exc
        for number, count, text in skipped.rows:
            problems.add(
                Invalid(
                    "csv-row-width",
                    f"这一行有 {count} 列，表头有 {len(names)} 列（内容：{text}）",
                    {"columns": count, "expected": len(names)},
                ),
                row=number,
                hint="请检查这一行是否多了或少了分隔符（内容中的逗号要放在引号里），改正后重新导出",
            )

    return _Opened(path, header, batches(), None)


# ----------------------------------------------------------------------------------------------
# Normalising a batch: the Excel path's column functions, with Arrow columns as the result.


@dataclass
class _FileState:
    """What is gathered over the batches of one file."""

    index: int
    problems: Problems
    unknown_classes: Counter[str] = field(default_factory=Counter)


def _strings(values: list[Any]) -> Column:
    return pa.array(values, pa.string())


def _empty_strings(n: int) -> Column:
    return from_numpy(pa.string(), n, np.zeros(n + 1, dtype=np.int32), b"")


def _default(name: str, n: int) -> Column:
    """A column the file does not have, as the Excel path fills it."""
    if name == "last_inspected":
        return pa.nulls(n, pa.date32())
    if name == "must_inspect":
        return from_numpy(pa.bool_(), n, np.zeros((n + 7) // 8, dtype=np.uint8))
    return _empty_strings(n)


def _keys(table: Located, problems: Problems) -> tuple[Column, list[npt.NDArray[np.uint64]]]:
    """The normalised key column (keys.py, as the Excel path checks them) and the fingerprints of
    its valid keys."""
    source = key_column(table)
    raw = source.raw.cast(pa.string())
    fast, fingerprints = scan_keys(raw)
    dirty = np.flatnonzero(~fast)
    values: dict[int, Any] = dict(
        zip(dirty.tolist(), python_values(raw.take(arrow_indices(dirty))), strict=True)
    )
    found = [fingerprints]
    if len(dirty) > 64:
        dirty, more = normalise_keys_in_arrow(raw, dirty, values)
        found.append(more)
    checker = KeyCheck(source, problems, fingerprints)
    checker.check(values, dirty, table.rows)
    found.append(np.array(checker.slow, dtype=np.uint64))
    # Invalid keys are errors already; a repeat among them is found once they are corrected.
    if values:
        mask = np.zeros(len(raw), dtype=np.bool_)
        mask[list(values)] = True
        patched = _strings([values[i] for i in sorted(values)])
        raw = cast(Column, pc.replace_with_mask(raw, arrow_mask(mask), patched))
    return raw, found


def _normalise(raw: _Raw, opened: _Opened, state: _FileState) -> tuple[pa.RecordBatch | None, list[Any]]:
    """One batch as the normalised table, and the fingerprints of its valid keys."""
    data, rows = without_blank_rows(raw.data, raw.every, raw.rows)
    n = len(rows)
    if n == 0:
        return None, []
    problems = state.problems
    table = Located(opened.path.name, "", opened.header.headers, data, rows)
    keys, fingerprints = _keys(table, problems)
    columns: dict[str, Column] = {"key": keys}
    for name in ENTERPRISE_TEXT:
        header = ENTERPRISES.header(name)
        columns[name] = tidy_column(data[header]) if header in data else _empty_strings(n)
    names = columns["name"]
    blanks = np.flatnonzero(np.diff(np_offsets(names)) == 0).tolist()
    check_names(ArrowValues[Any](names), blanks, table, problems)  # a TextColumn would tidy them again
    for name in ENTERPRISE_CODED:
        header = ENTERPRISES.header(name)
        if header not in data:
            columns[name] = _default(name, n)
            continue
        values, codes, failed = converted(name, table, problems)
        columns[name] = pa.array(values.tolist(), _TYPES[name]).take(arrow_indices(codes))
        if name == "credit_class" and failed:
            state.unknown_classes.update(unknown_words(data[header], failed))
    columns["row"] = from_numpy(pa.int64(), n, np.ascontiguousarray(rows, dtype=np.int64))
    columns["file"] = from_numpy(pa.int32(), n, np.full(n, state.index, dtype=np.int32))
    return pa.RecordBatch.from_arrays(
        [columns[f.name] for f in ROSTER_SCHEMA], schema=ROSTER_SCHEMA
    ), fingerprints


# ----------------------------------------------------------------------------------------------
# Duplicate keys across every file.


@dataclass
class _Fingerprints:
    """The fingerprints of every valid key, in one growing uint64 array (8 bytes a row)."""

    values: npt.NDArray[np.uint64] = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    size: int = 0

    def reserve(self, rows: int) -> None:
        if rows > len(self.values):
            grown = np.zeros(rows, dtype=np.uint64)
            grown[: self.size] = self.values[: self.size]
            self.values = grown

    def add(self, found: npt.NDArray[np.uint64]) -> None:
        if self.size + len(found) > len(self.values):
            self.reserve(max(2 * len(self.values), self.size + len(found)))
        self.values[self.size : self.size + len(found)] = found
        self.size += len(found)

    def repeated(self) -> npt.NDArray[np.uint64]:
        """The fingerprints that occur more than once (sorted in place: no second copy)."""
        every = self.values[: self.size]
        every.sort()
        same = every[1:] == every[:-1]
        return np.unique(every[1:][same])


def _report_duplicates(
    batches: Iterator[pa.RecordBatch],
    repeated: npt.NDArray[np.uint64],
    files: list[Path],
    states: list[_FileState],
) -> None:
    """Every repeat of a key, naming the file and row where it first appeared."""
    first: dict[str, tuple[int, int]] = {}
    for batch in batches:
        keys = batch.column("key")
        ok, fingerprints = key_fingerprints(keys)
        hits = np.flatnonzero(ok & np.isin(fingerprints, repeated))
        if not len(hits):
            continue
        picked = arrow_indices(hits)
        found = zip(
            python_values(keys.take(picked)),
            np_ints(batch.column("file").take(picked)).tolist(),
            np_ints(batch.column("row").take(picked)).tolist(),
            strict=True,
        )
        for key, file, row in found:
            if key not in first:
                first[key] = (file, row)
                continue
            at_file, at_row = first[key]
            where = f"第 {at_row} 行" if at_file == file else f"“{files[at_file].name}”第 {at_row} 行"
            states[file].problems.add(
                Invalid(
                    "duplicate-key",
                    f"代码“{key}”与{where}重复",
                    {"value": key, "first_row": at_row, "first_file": files[at_file].name},
                ),
                row=row,
                column=KEY,
                hint=f"同一市场主体只能出现一次，请删除或合并重复的行（{where}和这一行）",
            )


# ----------------------------------------------------------------------------------------------
# The roster.


def _read_ahead(items: Iterator[_Raw], reader: ThreadPoolExecutor) -> Iterator[_Raw]:
    """`items`, the next one read by `reader` while this one is normalised (Parquet decoding and
    Arrow casts release the GIL). An error reading an item is raised where that item is asked for."""
    pending = reader.submit(next, items, None)
    while (item := pending.result()) is not None:
        pending = reader.submit(next, items, None)
        yield item


def _check_same_columns(first: _Opened, opened: _Opened) -> None:
    if set(first.header.columns) != set(opened.header.columns):
        ours, theirs = set(first.header.columns), set(opened.header.columns)
        differ = "、".join(f"“{name}”" for name in sorted(ours ^ theirs))
        raise fail(
            opened.path,
            Invalid(
                "folder-columns-differ",
                f"这个文件与“{first.path.name}”的列不同（{differ}只在其中一个文件中有）",
                {"first": first.path.name, "columns": sorted(ours ^ theirs)},
            ),
            "一个名录文件夹中的文件应有相同的列，请按同一格式重新导出",
        )


def normalise_roster(
    path: Path,
    *,
    columns: Mapping[str, str] = _NO_MAPPING,
    reporter: Reporter = _SILENT,
    out: Path | None = None,
) -> NormalisedRoster:
    """Read a Parquet or CSV roster (a file or a folder of files) and normalise it, batch by batch,
    into the normalised roster table: kept in memory, or written to the Parquet file `out` (in a
    private scratch folder: it holds phone numbers). Problems come back as the Excel path's do."""
    files = _roster_files(path)
    states = [_FileState(i, Problems(file.name, "")) for i, file in enumerate(files)]
    opener = _open_parquet if files[0].suffix.lower() == ".parquet" else _open_csv
    before = [file.stat() for file in files]
    fingerprints = _Fingerprints()
    kept: list[pa.RecordBatch] = []
    writer = (
        pq.ParquetWriter(out, ROSTER_SCHEMA, write_statistics=_SCRATCH_STATISTICS, compression="lz4")
        if out is not None
        else None
    )
    rows = 0
    # Hashing and writing the scratch file overlap reading and normalising (all release the GIL);
    # one batch at most waits to be written, so memory stays bounded.
    with (
        ThreadPoolExecutor(max_workers=1) as worker,
        ThreadPoolExecutor(max_workers=1) as scribe,
        ThreadPoolExecutor(max_workers=1) as reader,
    ):
        digest = worker.submit(file_sha256, path)
        written: Future[None] | None = None
        try:
            opened = [
                opener(file, columns, state.problems) for file, state in zip(files, states, strict=True)
            ]
            for other in opened[1:]:
                _check_same_columns(opened[0], other)
            known = [o.rows for o in opened]
            total = sum(cast(list[int], known)) if None not in known else None
            if total is not None:
                fingerprints.reserve(total)
            reporter.stage("规范化企业名录", total=total)
            for source, state in zip(opened, states, strict=True):
                # Parquet batches are read one ahead; a CSV file's reader adds its problems as it
                # goes, so it stays in step with the normalising.
                ahead = opener is _open_parquet
                for raw in _read_ahead(source.batches, reader) if ahead else source.batches:
                    batch, found = _normalise(raw, source, state)
                    reporter.advance(len(raw.rows))
                    if batch is None:
                        continue
                    rows += batch.num_rows
                    for part in found:
                        fingerprints.add(part)
                    if writer is not None:
                        if written is not None:
                            written.result()
                        written = scribe.submit(writer.write_batch, batch)
                    else:
                        kept.append(batch)
                if state.unknown_classes:
                    summarise_words(
                        state.unknown_classes,
                        source.header.headers.get("信用风险等级", "信用风险等级"),
                        state.problems,
                    )
            if written is not None:
                written.result()
        finally:
            if writer is not None:
                if written is not None:
                    wait([written])  # an error in reading comes first; the writer is closed either way
                writer.close()
        sha256 = digest.result()
    if [(s.st_size, s.st_mtime_ns) for s in before] != [
        (f.stat().st_size, f.stat().st_mtime_ns) for f in files
    ]:
        raise fail(
            path,
            Invalid("file-changed-while-reading", "文件在读取过程中被修改了"),
            "请关闭正在编辑它的程序，然后重新运行",
        )
    if rows == 0:
        raise fail(
            path,
            Invalid("no-data-rows", "检查对象名录在表头下方没有数据行"),
            "请检查是否选错了文件",
        )
    repeated = fingerprints.repeated()
    del fingerprints
    if len(repeated):
        reporter.stage("查找重复的代码", total=None)
        again: Iterator[pa.RecordBatch] = (
            iter(kept)
            if out is None
            else pq.ParquetFile(out).iter_batches(batch_size=BATCH_ROWS, columns=["key", "row", "file"])
        )
        _report_duplicates(again, repeated, files, states)
    table = pa.Table.from_batches(kept, schema=ROSTER_SCHEMA) if out is None else None
    problems = [p for state in states for p in state.problems.result()]
    file = InputFile(kind="enterprises", path=str(path), sha256=sha256, rows=rows)
    return NormalisedRoster(table, out, rows, tuple(f.name for f in files), file, problems)


def _python(column: pa.ChunkedArray[Any]) -> list[Any]:
    """A low-cardinality column as Python values, equal values sharing one object."""
    distinct, codes = coded(column.combine_chunks())
    return cast(list[Any], np.array(distinct, dtype=object)[codes].tolist())


def roster_from_table(table: pa.Table) -> EnterpriseRoster:
    """The normalised table as the EnterpriseRoster of the Python path (for rosters that fit)."""
    fields: dict[str, Any] = {}
    for name in ("credit_class", "district", "industry", "authority", "status", "last_inspected"):
        fields[name] = _python(table.column(name))
    for name in ENTERPRISE_TEXT:
        fields[name] = TextColumn(table.column(name).combine_chunks())
    fields["key"] = python_values(table.column("key").combine_chunks())
    fields["must_inspect"] = np_true(table.column("must_inspect").combine_chunks()).tolist()
    fields["row"] = np_ints(table.column("row").combine_chunks()).tolist()
    return EnterpriseRoster(**fields)


def read_columnar_enterprises(
    path: Path, *, sheet: str | None, columns: Mapping[str, str], reporter: Reporter
) -> tuple[EnterpriseRoster, InputFile, list[Problem]]:
    """read_enterprises for Parquet and CSV rosters: normalised in memory, then as EnterpriseRoster."""
    normalised = normalise_roster(path, columns=columns, reporter=reporter)
    problems = [*sheet_ignored(path, sheet), *normalised.problems]
    assert normalised.table is not None
    return roster_from_table(normalised.table), normalised.input, problems


def sheet_ignored(path: Path, sheet: str | None) -> list[Problem]:
    """The warning for a sheet named for a Parquet or CSV roster, which has none."""
    if sheet is None:
        return []
    return [
        Problem(
            "Parquet 和 CSV 文件没有工作表，已忽略指定的工作表",
            file=path.name,
            severity="warning",
            code="csv-has-no-sheets",
        )
    ]


__all__ = ["COLUMNAR_SUFFIXES", "ROSTER_SCHEMA", "NormalisedRoster", "is_columnar", "normalise_roster"]
