"""The enterprise roster (检查对象名录库), read column by column: a million rows are checked with
numpy and Arrow first, and only what they flag goes through Python. Low-cardinality columns are
dictionary-encoded so that equal strings share one Python object; the free-text columns stay in
Arrow behind `TextColumn` until the drawn rows need them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ...core.errors import Problem, Severity
from ...core.fields import ENTERPRISES
from ...core.ids import clean_text, tidy_text
from ...core.model import EnterpriseRoster, InputFile
from ...core.privacy import personal_data
from ...core.progress import NullReporter, Reporter
from .arrow import Column, matches, python_values
from .header import Located
from .keys import KeyCheck, key_column, normalise_keys_in_arrow, report_duplicates, scan_keys
from .problems import SUMMARY_FROM, Invalid, Problems
from .tables import open_table
from .text import TextColumn
from .values import (
    DATE_HINT,
    FUTURE_HINT,
    Parsed,
    as_public_text,
    as_text,
    as_word,
    coded,
    convert_distinct,
    future_date,
    parse_credit_class,
    parse_date,
    parse_flag,
)

CHUNK_ROWS = 100_000  # progress is reported every CHUNK_ROWS enterprises
# Eleven digits (ASCII or full-width), perhaps split by single spaces or hyphens: every mobile or ID
# number privacy.personal_data recognises holds such a run, so cells without one are not looked at.
LONG_NUMBER = r"[0-9０-９](?:[ \-－\x{a0}\x{2000}-\x{200a}\x{3000}]?[0-9０-９]){10}"


# How each coded column is converted, by model attribute (the header comes from fields.ENTERPRISES).
ENTERPRISE_CODED: dict[str, tuple[Callable[[str], Parsed[Any]], str]] = {
    # roster field: (converter, hint when a value does not convert)
    "credit_class": (parse_credit_class, "请填写 A、B、C、D，或 低风险、一般风险、较高风险、高风险"),
    "district": (as_word, ""),
    "industry": (as_word, ""),
    "authority": (as_public_text, "公示表会公开登记机关，请改为登记机关的名称"),
    "status": (as_text, ""),
    "last_inspected": (parse_date, DATE_HINT),
    "must_inspect": (parse_flag, "请填写“是”或“否”（也可用 Y/N、1/0）；不是重点检查可留空"),
}
ENTERPRISE_TEXT = ("name", "address", "legal_rep", "phone")  # free text, kept in Arrow until needed
EMPTY_CODED: dict[str, Any] = {"last_inspected": None, "must_inspect": False}


@dataclass
class _Progress:
    """Turns fractions of the checking work into reporter.advance calls that add up to `total`."""

    reporter: Reporter
    total: int
    done: int = 0

    def to(self, fraction: float) -> None:
        target = min(self.total, round(self.total * fraction))
        if target > self.done:
            self.reporter.advance(target - self.done)
            self.done = target


def _build_roster(table: Located, problems: Problems, reporter: Reporter) -> EnterpriseRoster:
    """Check the roster column by column: vectorised checks first, Python only for what they flag.

    (A worker thread for the Arrow/numpy half was measured: on two cores the GIL hand-offs ate the
    gain, so this stays sequential.)
    """
    n = len(table)
    reporter.stage("检查企业名录", total=n)
    progress = _Progress(reporter, n)
    texts = [(name, h) for name in ENTERPRISE_TEXT if (h := ENTERPRISES.header(name)) in table.data]
    steps = len(texts) + 2

    def python_list(column: Column, step: int) -> list[Any]:
        values: list[Any] = []
        for start in range(0, n, CHUNK_ROWS):
            values.extend(python_values(column.slice(start, CHUNK_ROWS)))
            progress.to((step + min(1.0, (start + CHUNK_ROWS) / n)) / steps)
        return values

    source = key_column(table)
    fast, fingerprints = scan_keys(source.raw)
    keys = python_list(source.raw, 0)
    dirty = np.flatnonzero(~fast)
    if len(dirty) > 64:
        dirty, more = normalise_keys_in_arrow(source.raw, dirty, keys)
        fingerprints = np.concatenate([fingerprints, more])
    checker = KeyCheck(source, problems, fingerprints)
    keys = checker.check(keys, dirty, table.rows)
    columns: dict[str, Any] = {name: [""] * n for name in ENTERPRISE_TEXT}
    for step, (name, header) in enumerate(texts, start=1):
        columns[name] = TextColumn(table.data[header])
        progress.to((step + 1) / steps)
    check_names(columns["name"], columns["name"].blanks(), table, problems)
    for name in ENTERPRISE_CODED:
        header = ENTERPRISES.header(name)
        if header not in table.data:
            columns[name] = [EMPTY_CODED.get(name, "")] * n
            continue
        values, codes, failed = converted(name, table, problems)
        columns[name] = values[codes].tolist()
        if name == "credit_class" and failed:
            summarise_unknown(table, header, failed, problems)
    if checker.may_repeat():
        report_duplicates(keys, table.rows, source, problems)
    progress.to(1.0)
    return EnterpriseRoster(key=keys, row=table.rows.tolist(), **columns)


def converted(
    name: str, table: Located, problems: Problems
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], list[tuple[int, Invalid, Severity]]]:
    """A coded column (ENTERPRISE_CODED) converted once per distinct value: the converted values,
    each row's index into them, and the rows that did not convert (added to `problems`)."""
    header = ENTERPRISES.header(name)
    convert, hint = ENTERPRISE_CODED[name]
    warn = future_date if name == "last_inspected" else None
    clean = tidy_text if name == "authority" else clean_text  # published as written
    distinct, codes = coded(table.data[header])
    values, failed = convert_distinct(distinct, codes, convert, warn, clean)
    for i, why, severity in failed:
        problems.add(
            why,
            row=int(table.rows[i]),
            column=table.header(header),
            severity=severity,
            hint=hint if severity == "error" else FUTURE_HINT,
        )
    return values, codes, failed


def check_names(names: Sequence[str], blanks: Iterable[int], table: Located, problems: Problems) -> None:
    """Empty names, and names holding a mobile or ID number (`names` are table's, tidied)."""
    for i in blanks:
        problems.add(
            Invalid("empty-name", "企业名称为空"),
            row=int(table.rows[i]),
            column=table.header("企业名称"),
            hint="请填写市场主体名称",
        )
    if "企业名称" in table.data:
        # The disclosure publishes the names of drawn enterprises: a name holding a mobile or ID
        # number is found now, for every row, so that whether a draw can be published never
        # depends on the seed. Only names with 11 digits or more are looked at closely.
        for i in np.flatnonzero(matches(table.data["企业名称"], LONG_NUMBER)).tolist():
            if finding := personal_data(names[i]):
                problems.add(
                    Invalid("personal-data", f"企业名称含有{finding}，公示表不得含有个人信息"),
                    row=int(table.rows[i]),
                    column=table.header("企业名称"),
                    hint="请核对该市场主体的名称（公示表会公开被抽中企业的名称）",
                )


def unknown_words(column: Column, failed: list[tuple[int, Invalid, Severity]]) -> Counter[str]:
    """How often each way of writing that did not convert occurs among the `failed` rows."""
    return Counter(clean_text(column[i].as_py() or "") for i, _, severity in failed if severity == "error")


def summarise_unknown(
    table: Located, header: str, failed: list[tuple[int, Invalid, Severity]], problems: Problems
) -> None:
    """One line listing every way of writing the column that was not understood, with its count."""
    summarise_words(unknown_words(table.data[header], failed), table.header(header), problems)


def summarise_words(counts: Counter[str], column: str, problems: Problems) -> None:
    """The summary line of summarise_unknown, from counts gathered over one file."""
    if sum(counts.values()) > SUMMARY_FROM:
        words = "、".join(f"“{word}”（{count} 行）" for word, count in counts.most_common(20))
        more = f"等 {len(counts)} 种" if len(counts) > 20 else ""
        problems.summarise(
            Invalid("unknown-words", f"“{column}”中无法识别的写法：{words}{more}", dict(counts)),
            column=column,
            hint="请改为 A、B、C、D，或 低风险、一般风险、较高风险、高风险（信用风险低（A类）等写法也可）",
        )


_SILENT = NullReporter()


_NO_MAPPING: Mapping[str, str] = {}


def read_enterprises(
    path: Path,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] = _NO_MAPPING,
    reporter: Reporter = _SILENT,
) -> tuple[EnterpriseRoster, InputFile, list[Problem]]:
    """Read and check the enterprise roster (检查对象名录库); `columns` maps our headers to the file's."""
    from .columnar import is_columnar, read_columnar_enterprises  # a cycle: columnar reuses this module

    if is_columnar(path):
        return read_columnar_enterprises(path, sheet=sheet, columns=columns, reporter=reporter)
    reporter.stage("读取企业名录", total=None)
    table, file, problems = open_table(path, ENTERPRISES, sheet, columns)
    roster = _build_roster(table, problems, reporter)
    return roster, file, problems.result()
