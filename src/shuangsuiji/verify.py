"""`verify`: recompute a draw from its record and inputs, and say exactly what differs.

The draw itself is recomputed by the one pipeline (`run_draw`, into a private scratch folder);
this module gathers the evidence (the record, the inputs, the ledger, the workbooks) and hands the
pure comparisons to `compare`. Nothing here changes the folder being verified.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import fastexcel

from . import __version__
from .core.assign import TEAM_ALGORITHM
from .core.ceremony import COMMITMENT_FILE
from .core.compare import (
    BODY_KEYS,
    Finding,
    Verdict,
    commitment_finding,
    plan_finding,
    recomputation_findings,
    record_integrity,
    row_changes,
    verdict_rows,
)
from .core.errors import DrawError, InputError, UsageError
from .core.fields import ENTERPRISES, INPUT_KINDS, INSPECTORS
from .core.model import HistoryEntry
from .core.plan import InputSource, Plan
from .core.plan_parse import plan_from_record
from .core.progress import NullReporter, Reporter
from .core.record import (
    LEDGER_HISTORY,
    RECORD_VERSION,
    SPLIT_RECORD_VERSION,
    encode_lists,
    ledger_history_csv,
    list_items_digest,
)
from .core.tickets import ALGORITHM
from .io import readers
from .io.big_outputs import output_content_digest, read_public_list, read_record_list
from .io.ledger import Ledger
from .io.plan_file import load_plan, with_resolved_inputs
from .io.readers import file_sha256
from .io.staging import private_scratch
from .io.writers import RECORD
from .io.xlsx import MAX_ROWS, column_letter
from .pipeline import InputOptions, check_engine_limits, earlier_draws, run_draw

__all__ = [
    "Finding",
    "Verdict",
    "cell_differences",
    "load_record",
    "row_differences",
    "verdict_rows",
    "verify",
]

MAX_CELL_DIFFERENCES = 50


def load_record(folder: Path) -> dict[str, Any]:
    """The draw record in `folder`, or a UsageError saying why it cannot be used.

    A split record's long lists (tasks, excluded) are read from their Parquet files and put in
    place, so that the record reads like any other; what it said about the files is kept under
    `split_lists` (with `problem` when a file cannot be read: its list is then empty).
    """
    path = folder / RECORD
    try:
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"文件夹“{folder}”中没有抽取记录 {RECORD}", hint="请给出 shuangsuiji draw 写出的输出文件夹"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"抽取记录“{path}”无法读取（{exc}）", hint="记录文件已损坏，无法复核") from None
    if not isinstance(record, dict):
        raise UsageError(f"“{path}”不是抽取记录", hint="请给出 shuangsuiji draw 写出的输出文件夹")
    version = record.get("record_version", 1)
    if version not in (RECORD_VERSION, SPLIT_RECORD_VERSION):
        made_by = _made_by(record)
        raise UsageError(
            f"这份抽取记录的格式版本为 {version}（由 shuangsuiji {made_by} 写出），"
            f"本程序（{__version__}）只能复核格式版本 "
            f"{RECORD_VERSION} 和 {SPLIT_RECORD_VERSION} 的记录",
            hint=f'请用写出它的版本复核（pip install "shuangsuiji=={made_by}"，或取该版本的源代码安装）；'
            "记录格式的变化见 docs/record.md",
        )
    missing = [
        key
        for key in (*BODY_KEYS, "inputs", "outputs", "output_content", "result_digest")
        if key not in record
    ]
    if missing:
        raise UsageError(f"抽取记录“{path}”缺少 {', '.join(missing)}", hint="这不是完整的抽取记录")
    if version == SPLIT_RECORD_VERSION:
        record["split_lists"] = {key: dict(record[key]) for key in ("tasks", "excluded")}
        for key, reference in record["split_lists"].items():
            try:
                record[key] = read_record_list(folder / str(reference.get("file", "")))
            except ValueError as error:
                record[key], reference["problem"] = [], str(error)
    return record


def list_file_findings(record: Mapping[str, Any]) -> list[Finding]:
    """A split record's list files: does each still hold the list the record names by its digest?"""
    findings = []
    for key, reference in record.get("split_lists", {}).items():
        items = encode_lists({key: record[key]})[key]
        same = "problem" not in reference and list_items_digest(items) == reference.get("content_sha256")
        detail = reference.get("problem") or (
            "" if same else "文件内容与抽取记录中的摘要不同：抽取后被改动过"
        )
        findings.append(Finding("抽取记录", str(reference.get("file", key)), same, detail))
    return findings


# What a row difference shows: every column read into the model, but a person's own identity data.
ENTERPRISE_FIELDS = {f.attr: f.name for f in ENTERPRISES.fields if f.attr and not f.personal}
INSPECTOR_FIELDS = {f.attr: f.name for f in INSPECTORS.fields if f.attr and not f.personal}
MAX_ROW_DIFFERENCES = 20


def _rows(
    kind: str, path: Path, sheet: str | None, columns: Mapping[str, str]
) -> dict[str, tuple[int, dict[str, str]]]:
    """key → (Excel row, field label → text) for one input file, read with the draw's own readers."""

    def text(value: Any) -> str:
        return (
            "、".join(sorted(value)) if isinstance(value, frozenset) else "" if value is None else str(value)
        )

    if kind == "enterprises":
        roster = readers.read_enterprises(path, sheet=sheet, columns=columns)[0]
        return {
            roster.key[i]: (
                roster.row[i],
                {label: text(getattr(roster, f)[i]) for f, label in ENTERPRISE_FIELDS.items()},
            )
            for i in range(len(roster))
        }
    if kind == "inspectors":
        return {
            p.id: (p.row, {label: text(getattr(p, f)) for f, label in INSPECTOR_FIELDS.items()})
            for p in readers.read_inspectors(path, sheet=sheet, columns=columns)[0]
        }
    if kind == "conflicts":
        return {
            f"{r.inspector_id} / {r.enterprise_key}": (r.row, {"回避原因": r.reason})
            for r in readers.read_recusals(path, sheet=sheet, columns=columns)[0]
        }
    return {
        f"{h.enterprise_key} / {h.inspected_on} / {h.inspector_id}": (h.row, {})
        for h in readers.read_history(path, sheet=sheet, columns=columns)[0]
    }


def row_differences(
    kind: str, before: Path, after: Path, sheet: str | None = None, columns: Mapping[str, str] | None = None
) -> list[str]:
    """Rows added, removed or changed between two versions of an input, by key and Excel row."""
    return row_changes(_rows(kind, before, sheet, columns or {}), _rows(kind, after, sheet, columns or {}))


@dataclass(frozen=True)
class _Sources:
    """Where each recorded input is read from for the recomputation, and what verify found."""

    paths: dict[str, Path]
    findings: list[Finding]


def _input_sources(record: dict[str, Any], folder: Path, overrides: Mapping[str, Path | None]) -> _Sources:
    """Each input from the copy kept in the output folder when its SHA-256 is the recorded one (the
    folder alone verifies); a file given with --enterprises etc. when the auditor says so. A live
    file at the recorded path that changed since is mentioned, never held against the draw."""
    paths: dict[str, Path] = {}
    findings = []
    for entry in record["inputs"]:
        kind, recorded = entry["role"], entry["sha256"]
        reading = (entry.get("sheet") or None, record["plan"].get("columns", {}).get(kind, {}))
        kept = folder / entry.get("archived", "")
        kept_ok = bool(entry.get("archived")) and kept.exists() and file_sha256(kept) == recorded
        given = overrides.get(kind)
        if given is not None:
            paths[kind] = given
            now = file_sha256(given) if given.exists() else None
            detail = (
                ""
                if now == recorded
                else "找不到该文件"
                if now is None
                else _changes(kind, kept if kept_ok else None, given, reading)
            )
            findings.append(Finding("输入文件", given.name, now == recorded, detail))
            continue
        live = Path(entry["path"])
        if kept_ok:
            paths[kind] = kept
            note = "使用输出文件夹中保存的副本"
            if kind != LEDGER_HISTORY and live.exists() and file_sha256(live) != recorded:
                note += (
                    f"；原路径的文件“{live}”在抽取后改动过（不影响复核）："
                    f"{_changes(kind, kept, live, reading)}"
                )
            findings.append(Finding("输入文件", live.name, True, note))
        elif live.exists() and file_sha256(live) == recorded:
            paths[kind] = live
            lost = "缺失" if not kept.exists() else "与记录不符"
            findings.append(
                Finding(
                    "输入文件",
                    live.name,
                    not kept.exists(),
                    f"输出文件夹中保存的副本{lost}，使用原路径的文件",
                )
            )
        else:
            paths[kind] = kept if kept.exists() else live
            findings.append(
                Finding(
                    "输入文件",
                    live.name,
                    False,
                    "输出文件夹中的副本和原路径的文件都与记录不符或找不到（SHA-256 不符）",
                )
            )
    return _Sources(paths, findings)


def _changes(
    kind: str, before: Path | None, after: Path, reading: tuple[str | None, Mapping[str, str]]
) -> str:
    """What changed in an input, row by row when the kept copy allows it."""
    detail = "文件内容与抽取时不同（SHA-256 不符）"
    if before is None or kind == LEDGER_HISTORY:
        return detail
    try:
        changes = row_differences(kind, before, after, *reading)
    except InputError as error:
        return f"{detail}，且无法逐行比较：{error}"
    more = f"（另有 {len(changes) - MAX_ROW_DIFFERENCES} 处）" if len(changes) > MAX_ROW_DIFFERENCES else ""
    return (
        detail
        + "："
        + ("；".join(changes[:MAX_ROW_DIFFERENCES]) + more if changes else "各行内容未变（可能只是重新保存）")
    )


def _cells(path: Path) -> dict[str, list[list[str | None]]]:
    reader = fastexcel.read_excel(path)
    sheets = {}
    for name in reader.sheet_names:
        table = reader.load_sheet(name, header_row=None, dtypes="string").to_arrow()
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        sheets[name] = [list(row) for row in zip(*columns, strict=True)]
    return sheets


def cell_differences(expected: Path, actual: Path) -> list[str]:
    """Every cell that differs between two workbooks: sheet, cell, expected and actual values."""
    want, have = _cells(expected), _cells(actual)
    found = []
    for sheet in list(want) + [s for s in have if s not in want]:
        if sheet not in have or sheet not in want:
            found.append(f"工作表“{sheet}”{'缺失' if sheet not in have else '是多出来的'}")
            continue
        rows_want, rows_have = want[sheet], have[sheet]
        for r in range(max(len(rows_want), len(rows_have))):
            a = rows_want[r] if r < len(rows_want) else []
            b = rows_have[r] if r < len(rows_have) else []
            for c in range(max(len(a), len(b))):
                old = a[c] if c < len(a) else None
                new = b[c] if c < len(b) else None
                if (old or None) != (new or None):
                    found.append(
                        f"工作表“{sheet}”单元格 {column_letter(c)}{r + 1}："
                        f"应为“{old or ''}”，实为“{new or ''}”"
                    )
    return found


def _list_difference(expected: Path, actual: Path) -> str:
    """Where a public list (CSV or Parquet) first differs from the recomputed one."""
    want, have = read_public_list(expected), read_public_list(actual)
    if want.column_names != have.column_names:
        return f"列与复算结果不同：{'、'.join(have.column_names)}"
    if want.num_rows != have.num_rows:
        return f"有 {have.num_rows} 行，复算结果为 {want.num_rows} 行"
    for name in want.column_names:
        a, b = want.column(name).to_pylist(), have.column(name).to_pylist()
        for row, (old, new) in enumerate(zip(a, b, strict=True), start=2):
            if str(old if old is not None else "") != str(new if new is not None else ""):
                return f"第 {row} 行“{name}”列：应为“{old or ''}”，实为“{new or ''}”"
    return "内容与记录中的摘要不同"


def _made_by(record: dict[str, Any]) -> str:
    """The shuangsuiji version that wrote the record ("?" when it does not say)."""
    tool = record.get("tool")
    return str(tool.get("version", "?")) if isinstance(tool, dict) else "?"


def _outputs(
    record: dict[str, Any], folder: Path, recomputed: Path, recomputed_content: Mapping[str, str]
) -> list[Finding]:
    """Each workbook compared by what it says (its content digest), not by its compressed bytes,
    which differ with the zlib build; cell by cell where it differs."""
    findings = []
    for name, recorded in sorted(record["output_content"].items()):
        path = folder / name
        if not path.is_file():
            findings.append(Finding("输出文件", name, False, "文件不存在"))
            continue
        try:
            now = output_content_digest(path)
        except ValueError:
            what = "工作簿" if path.suffix.lower() == ".xlsx" else "名单文件"
            findings.append(Finding("输出文件", name, False, f"不是有效的{what}（文件已损坏或被替换）"))
            continue
        if now == recorded == recomputed_content.get(name):
            same_bytes = file_sha256(path) == record["outputs"].get(name)
            findings.append(
                Finding(
                    "输出文件",
                    name,
                    True,
                    ""
                    if same_bytes
                    else "内容一致；压缩后的字节与记录不同（例如用了另一版本的 zlib），不影响结论",
                )
            )
            continue
        if path.suffix.lower() != ".xlsx":
            findings.append(Finding("输出文件", name, False, _list_difference(recomputed / name, path)))
            continue
        differences = cell_differences(recomputed / name, path)
        if differences:
            more = (
                f"（另有 {len(differences) - MAX_CELL_DIFFERENCES} 处）"
                if len(differences) > MAX_CELL_DIFFERENCES
                else ""
            )
            detail = "；".join(differences[:MAX_CELL_DIFFERENCES]) + more
        elif now != recorded:
            detail = (
                "所有单元格与复算结果一致，但工作簿的其他内容（格式、隐藏、打印设置等）被改动过，或被另存过"
            )
        elif (made_by := _made_by(record)) != __version__:
            # Untouched since the draw, every cell as recomputed: only the writer's layout changed
            # between versions (styles, dimensions), which the record's digest cannot foresee.
            findings.append(
                Finding(
                    "输出文件",
                    name,
                    True,
                    f"文件与记录一致，每个单元格与复算结果相同；工作簿由 shuangsuiji {made_by} 写出，"
                    f"本程序（{__version__}）写出的格式不同，不影响结论",
                )
            )
            continue
        else:
            detail = "文件与记录一致，但复算得到的工作簿不同"
        findings.append(Finding("输出文件", name, False, detail))
    return findings


def _ledger(
    record: dict[str, Any], folder: Path, plan: Plan, path: Path | None, kept: Sequence[HistoryEntry]
) -> list[Finding]:
    """With --ledger: is the draw in it, right after the entry the record names, and does the ledger
    hold the earlier draws the record kept? Without: said, not held against the draw."""
    anchor = record.get("ledger")
    if not anchor:
        return [Finding("抽取台账", "—", True, "这次抽取没有记入抽取台账（例如演示抽取）", checked=False)]
    if path is None:
        return [
            Finding(
                "抽取台账",
                "未核对",
                True,
                f"没有给出 --ledger；记录写明它在台账中紧接在哈希为 {anchor['prev_hash'][:16]}… 的一条之后，"
                "可用 --ledger 指定台账核对",
                checked=False,
            )
        ]
    with Ledger(path, create=False) as book:
        entries = book.entries()
        previous = next((e.id for e in entries if e.entry_hash == anchor["prev_hash"]), 0)
        earlier = earlier_draws(book, plan, before_entry=previous + 1)
        record_sha = file_sha256(folder / RECORD)
        mine = next((e for e in entries if e.record_sha256 == record_sha), None)
    if mine is None:
        return [
            Finding(
                "抽取台账",
                path.name,
                False,
                "台账中没有这份抽取记录（记录在抽取后被改动，或这次抽取未记入台账）",
            )
        ]
    in_place = mine.prev_hash == anchor["prev_hash"] and mine.result_digest == record["result_digest"]
    findings = [
        Finding("抽取台账", f"第 {mine.id} 条", in_place, "" if in_place else "台账中的位置或摘要与记录不符")
    ]
    same_history = ledger_history_csv(earlier) == ledger_history_csv(kept)
    findings.append(
        Finding(
            "抽取台账",
            "以往抽取",
            same_history,
            ""
            if same_history
            else "台账中这次抽取之前的抽取与输出文件夹中保存的（inputs/ledger-history.csv）不同",
        )
    )
    return findings


def _read_commitment(path: Path, given: bool) -> dict[str, Any] | str:
    """The commitment file's content, or why the kept copy is unusable. A file the auditor names
    that cannot be read is a usage error (a typo is no evidence against the draw)."""
    try:
        commitment = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if given:
            raise UsageError(f"承诺文件“{path}”不存在", hint="请检查 --commitment 给出的路径") from None
        return "输出文件夹中保存的承诺文件副本不见了"
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        if given:
            raise UsageError(
                f"承诺文件“{path}”无法读取或不是 JSON 格式",
                hint="请给出 shuangsuiji seed commit 写出的承诺文件",
            ) from None
        return "输出文件夹中保存的承诺文件副本已损坏（不是 JSON 格式）"
    return commitment if isinstance(commitment, dict) else "不是 shuangsuiji 的承诺文件"


def _commitment(record: dict[str, Any], folder: Path, given: Path | None) -> list[Finding]:
    """The commitment the draw was checked against: the kept copy (or the one the auditor gives)
    must be intact, be the one the record names, and commit to this plan and these inputs."""
    trace = record.get("commitment")
    if trace is None and given is None:
        return []
    path = given if given is not None else folder / (trace or {}).get("file", COMMITMENT_FILE)
    return [commitment_finding(record, path.name, _read_commitment(path, given is not None))]


def _refuse_other_algorithms(record: dict[str, Any]) -> None:
    """A record made by another selection or team algorithm cannot be recomputed by this program."""
    for key, ours in (("algorithm", ALGORITHM), ("team_algorithm", TEAM_ALGORITHM)):
        if record[key] != ours:
            raise UsageError(
                f"记录使用的算法是 {record[key]}，本程序只能复算 {ours}", hint="请使用相应版本的 shuangsuiji"
            )


def _recorded_plan(record: dict[str, Any], sources: _Sources, sheet: str | None) -> Plan:
    """The plan in the record, reading its inputs from where verify found them (`sheet` overrides
    the enterprise roster's sheet)."""
    sheets = {entry["role"]: entry.get("sheet") or None for entry in record["inputs"]}
    if sheet is not None:
        sheets["enterprises"] = sheet
    return with_resolved_inputs(
        plan_from_record(
            record["plan"],
            {
                kind: InputSource(path, sheets.get(kind))
                for kind, path in sources.paths.items()
                if kind in INPUT_KINDS
            },
        )
    )


def _kept_history(sources: _Sources) -> list[HistoryEntry]:
    """The earlier draws the draw took from the ledger, as kept in its output folder."""
    if LEDGER_HISTORY not in sources.paths:
        return []
    return list(readers.read_history(sources.paths[LEDGER_HISTORY])[0])


def _recompute(
    record: dict[str, Any],
    folder: Path,
    options: InputOptions,
    kept: Sequence[HistoryEntry],
    reporter: Reporter,
    findings: Sequence[Finding],
) -> list[Finding]:
    """Draw again from the record's seed, plan and inputs in a private scratch folder, and compare
    the result and the workbooks with the record and the folder (`findings`: what was found so far,
    to tell a missing input from a broken one); `options`: the recorded plan, DuckDB's limits."""
    # Registered: a killed verify leaves no roster copies behind for long.
    with private_scratch(options.temp_dir) as scratch:
        again = scratch / "out"
        try:
            outcome = run_draw(
                options,
                record["seed"],
                again,
                reporter=reporter,
                clock=lambda: record.get("created_at", ""),
                earlier=kept,
                operator=str(record.get("operator") or ""),
                witnesses=[str(w) for w in record.get("witnesses") or []],
                recorded=record,
                sheet_rows=int((record.get("layout") or {}).get("sheet_rows", MAX_ROWS)),
            )
        except DrawError as error:
            return [Finding("复算", "抽取", False, f"复算无法完成：{error}")]
        except InputError:
            if any(not f.same for f in findings if f.area == "输入文件"):
                raise UsageError(
                    "输入文件缺失或已无法读取，无法复算", hint="请用 --enterprises 等选项给出抽取时使用的文件"
                ) from None
            raise
        new = outcome.record
        return recomputation_findings(record, new) + _outputs(record, folder, again, new["output_content"])


def verify(
    folder: Path,
    *,
    overrides: Mapping[str, Path | None] | None = None,
    plan_path: Path | None = None,
    sheet: str | None = None,
    ledger: Path | None = None,
    commitment: Path | None = None,
    reporter: Reporter | None = None,
    memory_limit: str | None = None,
    temp_dir: Path | None = None,
) -> Verdict:
    """Recompute the draw recorded in `folder` and compare everything; never writes into `folder`.

    The folder alone is enough: the inputs, the history taken from the ledger and the commitment
    are read from the copies kept in it. `ledger` also checks the draw's ledger entry, `commitment`
    a commitment published before the draw, `overrides` compare other copies of the inputs.
    `memory_limit` and `temp_dir`: DuckDB's, as `draw --memory-limit/--temp-dir` (the recomputed
    outputs are made in `temp_dir` too); they never change what is compared.

    Example: ``verify(Path("抽取结果/2026-12")).identical``
    """
    limits = InputOptions(folder / RECORD, memory_limit=memory_limit, temp_dir=temp_dir)
    check_engine_limits(limits)  # before anything is read
    record = load_record(folder)
    findings = list_file_findings(record) + record_integrity(record)
    _refuse_other_algorithms(record)
    sources = _input_sources(record, folder, overrides or {})
    findings += sources.findings
    findings += _commitment(record, folder, commitment)
    if plan_path is not None:
        findings.append(plan_finding(plan_path.name, load_plan(plan_path).canonical(), record["plan"]))
    plan = _recorded_plan(record, sources, sheet)
    kept = _kept_history(sources)
    findings += _ledger(record, folder, plan, ledger, kept)
    findings += _recompute(
        record, folder, replace(limits, plan=plan), kept, reporter or NullReporter(), findings
    )
    return Verdict(str(folder), tuple(findings))


def _kept_file(folder: Path, archived: str, sha256: str, what: str) -> Finding:
    path = folder / archived
    same = path.is_file() and file_sha256(path) == sha256
    detail = "" if same else "找不到" if not path.is_file() else "与记录中的 SHA-256 不符，已被改动"
    return Finding("保存的输入", what, same, detail)


def verify_publication(folder: Path, *, ledger: Path | None = None, draw_dir: Path | None = None) -> Verdict:
    """Recompute a results publication (results publish) from the entry sheet, the draw record and
    the earlier publications kept in its folder, and compare the results record and the bulletin.

    `draw_dir` also compares the draw's own folder with the copy kept; `ledger` checks the
    publication's ledger entry. Example: ``verify_publication(Path("结果/2026-12")).identical``
    """
    from .core.beijing_time import beijing_date
    from .core.record import digest
    from .core.results import RESULTS_KIND, RESULTS_RECORD_VERSION, results_body
    from .io.results_sheets import BULLETIN
    from .results import (
        KEPT_DRAW,
        KEPT_DRAW_RECORD,
        RESULTS_RECORD,
        earlier_from_json,
        load_draw,
        recompute_publication,
        write_bulletin,
    )

    path = folder / RESULTS_RECORD
    try:
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"结果记录“{path}”无法读取（{exc}）", hint="记录文件已损坏，无法复核") from None
    if not isinstance(record, dict) or record.get("kind") != RESULTS_KIND:
        raise UsageError(
            f"“{path}”不是结果公告的记录", hint="请给出 shuangsuiji results publish 写出的文件夹"
        )
    if record.get("record_version") != RESULTS_RECORD_VERSION:
        raise UsageError(
            f"这份结果记录的格式版本为 {record.get('record_version')}"
            f"（由 shuangsuiji {_made_by(record)} 写出），"
            f"本程序只能复核格式版本 {RESULTS_RECORD_VERSION}",
            hint="请用写出它的版本复核",
        )
    findings = [
        _kept_file(folder, KEPT_DRAW_RECORD, record["draw"]["record_sha256"], "抽取记录"),
        _kept_file(
            folder, record["entry_sheet"]["archived"], record["entry_sheet"]["sha256"], "检查结果录入表"
        ),
        _kept_file(
            folder, record["earlier_results"]["archived"], record["earlier_results"]["sha256"], "此前的公告"
        ),
    ]
    if draw_dir is not None:
        live = draw_dir / RECORD
        same = live.is_file() and file_sha256(live) == record["draw"]["record_sha256"]
        findings.append(
            Finding(
                "抽取", str(draw_dir), same, "" if same else "该文件夹中的抽取记录与公告所依据的抽取记录不同"
            )
        )
    if not all(f.same for f in findings[:3]):
        return Verdict(str(folder), tuple(findings))
    draw = load_draw(folder / KEPT_DRAW)
    findings += list_file_findings(draw.record)  # a split draw's lists, by the digests its record gives
    same_draw = draw.result_digest == record["draw_result_digest"]
    findings.append(
        Finding(
            "抽取", "结果摘要", same_draw, "" if same_draw else "保存的抽取记录的结果摘要与结果记录所写的不同"
        )
    )
    earlier = earlier_from_json((folder / record["earlier_results"]["archived"]).read_bytes())
    try:
        publication, problems, _ = recompute_publication(
            draw,
            folder / record["entry_sheet"]["archived"],
            earlier,
            beijing_date(record["created_at"]),
            place_name=Path(record["entry_sheet"]["path"]).name,
        )
    except InputError as error:
        return Verdict(
            str(folder), (*findings, Finding("复算", "检查结果录入表", False, f"复算无法完成：{error}"))
        )
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        detail = "；".join(p.sentence() for p in errors[:3])
        return Verdict(
            str(folder), (*findings, Finding("复算", "检查结果录入表", False, f"录入表未通过检查：{detail}"))
        )
    reason = record.get("correction_reason", "")
    body = results_body(draw.result_digest, record["publication"], publication, reason)
    for key, value in body.items():
        same = record.get(key) == value
        findings.append(Finding("公告内容", key, same, "" if same else "按录入表复算的结果与记录不同"))
    same = digest(body) == record.get("results_digest")
    findings.append(Finding("公告内容", "results_digest", same, "" if same else "记录的摘要与复算的不同"))
    with private_scratch() as scratch:  # the bulletin as the record says it must be, then compared
        content = write_bulletin(scratch / BULLETIN, draw, publication, record["publication"], reason)
        findings += _outputs(record, folder, scratch, {BULLETIN: content})
    findings += _publication_ledger(record, folder / RESULTS_RECORD, ledger)
    return Verdict(str(folder), tuple(findings))


def _publication_ledger(record: dict[str, Any], record_file: Path, path: Path | None) -> list[Finding]:
    """With --ledger: is the publication entered, for its draw, with the results it published?"""
    if not record.get("ledger"):
        return [Finding("抽取台账", "—", True, "这次公告所依据的抽取没有记入抽取台账", checked=False)]
    if path is None:
        return [
            Finding(
                "抽取台账", "未核对", True, "没有给出 --ledger；可用 --ledger 指定台账核对", checked=False
            )
        ]
    sha = file_sha256(record_file)
    with Ledger(path, create=False) as book:
        entry = next((e for e in book.entries() if e.status == "published" and e.record_sha256 == sha), None)
        entered = book.results(entry.id) if entry is not None else []
    if entry is None:
        return [
            Finding(
                "抽取台账", path.name, False, "台账中没有这份结果记录（记录在公告后被改动，或未记入台账）"
            )
        ]
    same = entry.result_digest == record["draw_result_digest"] and [
        (r.task_id, r.completed_on, r.result, r.note) for r in entered
    ] == [(r["task_id"], r["completed_on"], r["result"], r["note"]) for r in record["results"]]
    return [Finding("抽取台账", f"第 {entry.id} 条", same, "" if same else "台账中的公告内容与记录不符")]
