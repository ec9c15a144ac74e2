"""The one orchestrator: plan → inputs → checks → draw → outputs → record.

The library API that the CLI and the tests both call; nothing here prints. One function per command:
`draw_in_workspace` (draw), `run_demo` (demo), `run_validate` (validate), `run_fairness` (fairness),
`write_commitment` (seed commit); `run_draw` is the draw itself, which verify also calls.

Why one module of this size (~720 lines): it is the one orchestrator, and every command's library
function is an orchestration (which files, in what order, what is entered in the ledger when a
step fails). Split by command, the order of reading, checking, drawing, writing and entering would
live in several places; the rules themselves are in core/ and the file formats in io/.

    >>> from shuangsuiji.pipeline import InputOptions, run_draw
    >>> outcome = run_draw(InputOptions(Path("config/plan.toml")), "2026120188", Path("抽取结果/2026-12"))
    >>> outcome.record["result_digest"]
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

from .core.beijing_time import beijing_time
from .core.ceremony import (
    COMMITMENT_FILE,
    clean_seed_value,
    combine_seeds,
    commitment_differences,
    commitment_trace,
    make_commitment,
)
from .core.draw import Selector, compute_draw
from .core.errors import (
    DrawError,
    InputError,
    Problem,
    ProblemsError,
    SeedError,
    ShuangsuijiError,
    UsageError,
)
from .core.fairness import Draw, FairnessReport, simulate
from .core.fields import INPUT_KINDS, InputKind
from .core.model import DrawResult, HistoryEntry, InputFile, Inputs
from .core.plan import Plan
from .core.privacy import personal_data
from .core.progress import NullReporter, Reporter
from .core.record import (
    LEDGER_HISTORY,
    LEDGER_HISTORY_FILE,
    SPLIT_RECORD_VERSION,
    EncodedItems,
    body_digest,
    build_record,
    encode_lists,
    ledger_history_csv,
    result_body,
)
from .core.select import select
from .core.tickets import normalize_seed
from .core.validate import check_inputs
from .demo import DEMO_FOLDER, DEMO_SEED, demo_plan, free_folder
from .io import readers
from .io.big_outputs import BY_AUTHORITY, needs_split, write_record_lists, write_split_outputs
from .io.fairness_out import WORKBOOK as FAIRNESS_WORKBOOK
from .io.fairness_out import write_charts, write_fairness_workbook
from .io.ledger import Ledger, LedgerEntry, LedgerTask
from .io.plan_file import load_plan, with_resolved_inputs
from .io.staging import ensure_new_output_dir, private_scratch, staged_output
from .io.workspace import ledger_for
from .io.writers import RECORD, DrawFacts, archive_inputs, write_json, write_outputs, write_record
from .io.xlsx import MAX_ROWS

# Who selects for a Parquet/CSV roster: DuckDB when installed ("auto"), or as asked. Excel rosters
# always take the Python path (core.select, the reference); both give the identical draw.
EngineChoice = Literal["auto", "duckdb", "python"]
ENGINE_CHOICES: tuple[EngineChoice, ...] = ("auto", "duckdb", "python")


@dataclass(frozen=True)
class InputOptions:
    """Where the inputs are: the plan file, plus command-line overrides of its [inputs]; and the
    engine that selects from a Parquet/CSV roster."""

    plan_path: Path
    enterprises: Path | None = None
    inspectors: Path | None = None
    conflicts: Path | None = None
    history: Path | None = None
    sheet: str | None = None
    plan: Plan | None = None  # an already parsed plan (verify rebuilds it from a record); wins over plan_path
    engine: EngineChoice = "auto"
    duckdb_installed: bool | None = None  # None: look; False shows what happens where it is missing
    # Operational, never recorded (the draw is the same whatever they are): DuckDB's memory limit
    # ("6GB", "50%"; None: half the machine's memory) and the folder its spill folder is made in.
    memory_limit: str | None = None
    temp_dir: Path | None = None

    def overrides(self) -> dict[InputKind, Path | None]:
        """The input paths given on the command line, by kind."""
        return {
            "enterprises": self.enterprises,
            "inspectors": self.inspectors,
            "conflicts": self.conflicts,
            "history": self.history,
        }


@dataclass(frozen=True)
class DrawOutcome:
    """What `run_draw` produced."""

    plan: Plan
    inputs: Inputs
    result: DrawResult
    record: dict[str, Any]
    out_dir: Path
    warnings: list[Problem] = field(default_factory=list)
    ledger_entry: int | None = None  # the draw's number in the ledger, when one was kept


def with_engine(options: InputOptions, engine: str) -> InputOptions:
    """The options with the engine named on the command line (`--engine`)."""
    for choice in ENGINE_CHOICES:
        if engine.strip().lower() == choice:
            return replace(options, engine=choice)
    raise UsageError(f"不认识的抽取引擎“{engine}”", hint="请用 --engine auto、duckdb 或 python")


def check_engine_limits(options: InputOptions, out_dir: Path | None = None) -> None:
    """Refuse a memory limit that is not a size, and a temporary folder that does not exist or lies
    in the output folder (spilled rows must never be left among the results); before any reading."""
    if options.memory_limit is not None:
        from .io.engine import check_memory_limit

        check_memory_limit(options.memory_limit)
    where = options.temp_dir
    if where is None:
        return
    if not where.is_dir():
        raise UsageError(
            f"临时文件夹“{where}”不存在或不是文件夹", hint="请用 --temp-dir 给出一个已有的文件夹"
        )
    if out_dir is not None:
        out = out_dir.resolve()
        if where.resolve() == out or out in where.resolve().parents:
            raise UsageError(
                f"临时文件夹“{where}”在输出文件夹“{out_dir}”之内",
                hint="请用 --temp-dir 给出输出文件夹以外的文件夹",
            )


def load_plan_with(options: InputOptions) -> Plan:
    """The plan with command-line input paths applied."""
    plan = options.plan if options.plan is not None else load_plan(options.plan_path)
    return with_resolved_inputs(plan.with_inputs(options.overrides(), options.sheet))


def read_inputs(
    plan: Plan, options: InputOptions, reporter: Reporter, scratch: ExitStack | None = None
) -> tuple[Inputs, list[Problem]]:
    """Read every input file, collecting problems from all of them before giving up. `scratch`
    (closed by the caller once the draw is made) keeps the private folder a big Parquet/CSV
    roster is normalised into; without it the normalised table stays in memory."""
    problems: list[Problem] = []
    files = []
    for kind in ("enterprises", "inspectors"):
        if kind not in plan.inputs:
            flag = f"--{kind}"
            problems.append(
                Problem(
                    f"没有给出{'检查对象名录' if kind == 'enterprises' else '执法检查人员名录'}",
                    code="input-not-given",
                    params={"kind": kind},
                    hint=f"请在计划文件 [inputs] 中写明 {kind}，或用 {flag} 指定",
                )
            )

    def attempt(read: Callable[[], tuple[Any, Any, list[Problem]]]) -> Any:
        try:
            value, file, found = read()
        except InputError as exc:
            problems.extend(exc.problems)
            return None
        files.append(file)
        problems.extend(found)
        return value

    sources = plan.inputs
    enterprises = inspectors = None
    recusals: Sequence[Any] = ()
    history: Sequence[Any] = ()

    def read(kind: InputKind, reader: Callable[..., tuple[Any, Any, list[Problem]]]) -> Any:
        source = sources[kind]
        return attempt(lambda: reader(source.path, sheet=source.sheet, columns=source.columns))

    # The big roster is read in a second thread: fastexcel parses without holding the GIL, so the
    # small files are read meanwhile. Only that thread reports progress until it is joined.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-enterprises") as pool:
        big = None
        if "enterprises" in sources:
            source = sources["enterprises"]
            read_roster, note = _roster_reader(source.path, options, scratch)
            problems.extend(note)
            big = pool.submit(
                read_roster,
                source.path,
                sheet=source.sheet,
                columns=source.columns,
                reporter=reporter,
            )
        if "inspectors" in sources:
            inspectors = read("inspectors", readers.read_inspectors)
        if "conflicts" in sources:
            recusals = read("conflicts", readers.read_recusals) or ()
        if "history" in sources:
            history = read("history", readers.read_history) or ()
        if big is not None:
            enterprises = attempt(big.result)
    if enterprises is None or inspectors is None or any(p.severity == "error" for p in problems):
        raise InputError(problems)
    files.sort(key=lambda f: INPUT_KINDS.index(f.kind))
    inputs = Inputs(enterprises, tuple(inspectors), tuple(recusals), tuple(history), tuple(files))
    return inputs, problems


def _roster_reader(
    path: Path, options: InputOptions, scratch: ExitStack | None
) -> tuple[Callable[..., tuple[Any, InputFile, list[Problem]]], list[Problem]]:
    """How the enterprise roster is read: for the engine (a Parquet/CSV roster, DuckDB installed:
    the normalised table kept, in a scratch folder when big) or as the Python path reads it; and
    the note saying that DuckDB is missing, when it is."""
    from .io.readers.columnar import is_columnar

    if options.engine == "python" or not is_columnar(path):
        return readers.read_enterprises, []
    from .io.engine import duckdb_installed
    from .io.readers.table_roster import read_table_enterprises, scratch_wanted

    installed = options.duckdb_installed if options.duckdb_installed is not None else duckdb_installed()
    if not installed:
        hint = "安装后大名录抽取快得多、占用内存少得多：pip install 'shuangsuiji[province]'"
        if options.engine == "duckdb":
            raise UsageError("没有安装 DuckDB，无法用 DuckDB 抽取", hint=hint)
        note = Problem(
            "没有安装 DuckDB，本次抽取用 Python 参考实现（结果完全相同，只是大名录较慢）",
            severity="warning",
            code="engine-not-installed",
            hint=hint,
        )
        return readers.read_enterprises, [note]
    folder = None
    if scratch is not None and scratch_wanted(path):
        folder = scratch.enter_context(private_scratch(options.temp_dir))
    return partial(read_table_enterprises, scratch=folder), []


def roster_selector(roster: Any, reporter: Reporter, options: InputOptions | None = None) -> Selector:
    """The selector for a roster as read: DuckDB over the normalised table (within the options'
    memory limit, spilling into their temporary folder), or the reference."""
    from .io.readers.table_roster import TableRoster

    if not isinstance(roster, TableRoster):
        return select
    from .io.engine import table_selector

    options = options or InputOptions(Path())
    return table_selector(
        roster.source, reporter, memory_limit=options.memory_limit, temp_parent=options.temp_dir
    )


def load_and_check(
    options: InputOptions, reporter: Reporter, plan: Plan | None = None, scratch: ExitStack | None = None
) -> tuple[Plan, Inputs, list[Problem]]:
    """Plan and inputs, fully checked; raise InputError listing every error (warnings are returned)."""
    plan = plan or load_plan_with(options)
    inputs, problems = read_inputs(plan, options, reporter, scratch)
    problems = problems + check_inputs(inputs, plan)
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return plan, inputs, problems


def run_validate(
    options: InputOptions, reporter: Reporter | None = None, *, seed: str | None = None
) -> tuple[Plan | None, list[Problem]]:
    """Read everything and return every problem found (with `seed`: the seed's too); draws nothing.

    Example: ``plan, problems = run_validate(InputOptions(Path("config/plan.toml")), seed="2026120188")``
    """
    try:
        with ExitStack() as scratch:
            plan, _inputs, problems = load_and_check(options, reporter or NullReporter(), scratch=scratch)
    except ShuangsuijiError as exc:
        plan, problems = (
            None,
            list(exc.problems) if isinstance(exc, ProblemsError) else [Problem(str(exc), code=exc.code)],
        )
    if seed is not None:
        problems += seed_problems(seed)
    return plan, problems


def seed_problems(seed: str) -> list[Problem]:
    """A seed about to be used, checked as a draw checks it: no problem, or the one that stops it."""
    try:
        check_published_text(normalize_seed(seed), "")
    except (SeedError, UsageError) as error:
        return [Problem(f"种子无效：{error.message}", hint=error.hint, code="bad-seed")]
    return []


def validation_json(problems: Sequence[Problem]) -> dict[str, Any]:
    """For scripts (`validate --json`): whether the inputs can be drawn from, and every problem."""
    return {
        "ok": not any(p.severity == "error" for p in problems),
        "problems": [p.as_json() for p in problems],
    }


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector: a million-row draw holds millions of long-lived objects that it
    would rescan again and again (measured: 15% of the draw), and the draw creates no cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Everything made meanwhile would otherwise sit in the youngest generation, and the
            # next allocation would scan millions of objects (measured: 0.2–0.3 s); hand it straight
            # to the oldest generation, which full collections still scan.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def input_fingerprints(plan: Plan) -> dict[str, tuple[str, str]]:
    """kind → (file name, SHA-256 of its bytes) for every input the plan names."""
    found: dict[str, tuple[str, str]] = {}
    for kind, source in plan.inputs.items():
        try:
            found[kind] = (source.path.name, readers.file_sha256(source.path))
        except OSError:
            raise InputError(
                [
                    Problem(
                        "文件不存在或无法读取",
                        file=str(source.path),
                        code="file-missing",
                        hint="请检查计划文件 [inputs] 或命令行给出的路径",
                    )
                ]
            ) from None
    return found


def run_commit(
    options: InputOptions, sources: Sequence[str], clock: Callable[[], str] | None = None
) -> dict[str, Any]:
    """The commitment to publish before the seed exists (see ceremony.make_commitment).

    The plan and inputs are checked first, exactly as `validate` does: committing to a roster that
    cannot be drawn from would force a second commitment, and a second chance is what it prevents.
    """
    plan, _inputs, _warnings = load_and_check(options, NullReporter())
    return make_commitment(plan.canonical(), input_fingerprints(plan), sources, (clock or utc_now)())


def write_commitment(
    options: InputOptions, out: Path, sources: Sequence[str], clock: Callable[[], str] | None = None
) -> dict[str, Any]:
    """Make the commitment (see `run_commit`), write it to the new file `out` and return it.

    A published commitment must never be replaced: an existing `out` is refused before anything is read.
    Example: ``write_commitment(InputOptions(Path("config/plan.toml")), Path("承诺.json"),
    ["福利彩票3D 2026-12-01 开奖号码"])``
    """
    if out.exists():
        raise UsageError(f"承诺文件“{out}”已存在", hint="承诺一经公布不得覆盖；请换一个文件名")
    made = run_commit(options, sources, clock)
    write_json(out, made)
    return made


def read_json_file(path: Path, what: str) -> dict[str, Any]:
    """The JSON object in a file the user named (`what` names it in messages); UsageError when it
    is missing, unreadable or not an object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{what}“{path}”不存在") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{what}“{path}”无法读取（{exc}）") from None
    if not isinstance(value, dict):
        raise UsageError(f"{what}“{path}”的内容不对")
    return value


def check_commitment(options: InputOptions, commitment: Mapping[str, Any]) -> None:
    """Refuse to draw from a plan or inputs that differ from what was committed."""
    plan = load_plan_with(options)
    differences = commitment_differences(commitment, plan.canonical(), input_fingerprints(plan))
    if differences:
        raise UsageError(
            "与事先公布的承诺不符，拒绝抽取：" + "；".join(differences),
            hint="承诺发布后不得更改名录或计划；如确需更改，须重新发布承诺并重新产生种子",
        )


def utc_now() -> str:
    """The current time in UTC, to the second, ISO 8601."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def earlier_draws(ledger: Ledger, plan: Plan, before_entry: int | None = None) -> list[HistoryEntry]:
    """Earlier draws and published results of other plans, as inspection history: each task's team
    on its plan's start, each published result's team on its completion date.

    Only inspections dated before this plan's start count, and never this plan's own entries (a
    redraw must not treat the draw it replaces as inspections).
    """
    return ledger.history(before=plan.info.start, other_than_plan=plan.info.id, before_entry=before_entry)


def check_published_text(seed: str, reason: str) -> None:
    """The seed and a redraw's reason are printed in the disclosure: refuse personal data in them
    before anything is drawn (the check on every public cell at writing time would come too late
    to be anything but a refusal after the fact)."""
    for what, text in (("种子", seed), ("重新抽取的原因", reason)):
        if finding := personal_data(text):
            raise UsageError(
                f"{what}中含有{finding}",
                hint="种子和重新抽取的原因都会写入公示表的“抽取说明”，不得含有手机号、身份证号等个人信息",
            )


def _redraw_check(ledger: Ledger | None, plan: Plan, redraw: bool, reason: str) -> list[int]:
    """The ledger entries a redraw replaces; refuses a silent second draw of the same plan."""
    if redraw and not reason.strip():
        raise UsageError("重新抽取必须说明原因", hint='请加 --reason "原因"，原因会写入抽取记录和公示表')
    earlier = ledger.drawn_for_plan(plan.info.id) if ledger is not None else []
    if earlier and not redraw:
        last = earlier[-1]
        raise UsageError(
            f"抽查计划“{plan.info.id}”已于 {beijing_time(last.created_at)}（北京时间）抽取过"
            f"（抽取台账第 {last.id} 条）",
            hint="同一计划不得重复抽取；如确需重新抽取，"
            '请加 --redraw --reason "原因"，这会写入记录并在公示表中注明',
        )
    if redraw and not earlier:
        raise UsageError(
            f"抽查计划“{plan.info.id}”在抽取台账中没有抽取过，不是重新抽取", hint="请去掉 --redraw"
        )
    return [e.id for e in earlier]


def run_draw(
    options: InputOptions,
    seed: str,
    out_dir: Path,
    *,
    reporter: Reporter | None = None,
    operator: str = "",
    witnesses: Sequence[str] = (),
    clock: Callable[[], str] | None = None,
    commitment: Mapping[str, Any] | None = None,
    ledger: Path | None = None,
    redraw: bool = False,
    reason: str = "",
    earlier: Sequence[HistoryEntry] = (),
    seed_values: Sequence[str] = (),
    recorded: Mapping[str, Any] | None = None,
    sheet_rows: int = MAX_ROWS,
) -> DrawOutcome:
    """Make a draw and write its three outputs into the new folder `out_dir`.

    With a `commitment` (published before the seed was known), the plan and every input must be
    exactly as committed, or nothing is drawn. With a `ledger`, the draw (or its failure) is
    entered there, a second draw of the same plan needs `redraw` and a `reason`, and earlier
    draws count as inspection history. `earlier` adds such history directly (verify uses it).
    With `seed_values` (the public sources' values), the seed must be their combination, and the
    record keeps them so that anyone can check where the seed came from. `recorded` (verify): the
    record of the draw being recomputed, whose seed sources, commitment and redraw the workbooks show.
    `sheet_rows`: the rows a worksheet holds; a draw whose lists need more is written split
    (io/big_outputs.py; tests give a small number).

    Example: ``run_draw(InputOptions(Path("config/plan.toml")), "2026120188", Path("抽取结果/2026-12"),
    ledger=Path("shuangsuiji-ledger.sqlite"))``
    """
    reporter = reporter or NullReporter()
    clock = clock or utc_now
    seed = _check_request(seed, seed_values, reason, out_dir)
    check_engine_limits(options, out_dir)
    if commitment is not None:
        # Before the read (which hashes the files again, overlapped with parsing): a file changed
        # since the commitment is named as such, not by whatever reading it then fails with.
        check_commitment(options, commitment)
    with _without_cyclic_gc(), _open_ledger_for_draw(ledger) as book, ExitStack() as scratch:
        plan = load_plan_with(options)
        replaced = _redraw_check(book, plan, redraw, reason)  # before the long read: refuse early
        anchor = book.head()[1] if book is not None else None  # the entry this draw follows
        plan, inputs, warnings = load_and_check(options, reporter, plan, scratch)
        inputs, kept_history = _keep_history_from_ledger(inputs, plan, book, ledger, earlier)
        # The copies of the inputs are made in a second thread (file I/O and hashing release the GIL)
        # while the draw is computed; the pool is left (joined) before the folder is kept or removed.
        with staged_output(out_dir) as folder, ThreadPoolExecutor(1, thread_name_prefix="archive") as pool:
            archiving = pool.submit(archive_inputs, folder, inputs.files, kept_history)
            reporter.stage("抽取检查对象并组成检查组")
            try:
                selector = roster_selector(inputs.enterprises, reporter, options)
                result = compute_draw(inputs, plan, seed, selector)
            except DrawError as error:
                if book is not None:  # every draw that used a seed is entered, successful or not
                    _enter_failure(
                        book, plan, seed, error, redraw=redraw, reason=reason, out_dir=out_dir, clock=clock
                    )
                raise
            reporter.stage("写出分派表、公示表和抽取记录")
            extra = _record_extra(commitment, seed_values, redraw, reason, replaced, anchor)
            # What the workbooks state about seed sources, commitment and redraw: this draw's own,
            # or, when verify recomputes a draw, what its record says.
            shown = extra if recorded is None else {k: recorded.get(k) for k in _SHOWN_FROM_RECORD}
            record = _write_and_record(
                folder,
                result,
                plan,
                inputs,
                archiving,
                commitment=commitment,
                shown=shown,
                extra=extra,
                clock=clock,
                operator=operator,
                witnesses=witnesses,
                sheet_rows=sheet_rows,
            )
            entry = None
            if book is not None:  # entered before the folder appears: no draw ever exists unrecorded
                entry = _enter_draw(
                    book,
                    plan,
                    result,
                    record,
                    folder / RECORD,
                    seed,
                    redraw=redraw,
                    reason=reason,
                    out_dir=out_dir,
                    anchor=anchor,
                )
    reporter.finish()
    if book is not None:
        warnings += [
            Problem(notice, file=ledger.name if ledger else "", severity="warning", code="ledger-head-made")
            for notice in book.notices
        ]
    return DrawOutcome(plan, inputs, result, record, out_dir, warnings, entry.id if entry else None)


def _check_request(seed: str, seed_values: Sequence[str], reason: str, out_dir: Path) -> str:
    """The seed in its normal form, after the checks that need no file: it is the combination of
    `seed_values` when they are given, it and the reason hold no personal data, and `out_dir` is
    named and new."""
    seed = normalize_seed(seed)
    if seed_values and combine_seeds(seed_values) != seed:
        raise UsageError(
            "种子不是这些公开来源合成的结果", hint="请用 shuangsuiji seed combine 核对，或只给出 --seed"
        )
    check_published_text(seed, reason)
    if not str(out_dir).strip():
        raise UsageError("没有给出输出文件夹", hint="请用 --out 指定一个新的文件夹")
    ensure_new_output_dir(out_dir)
    return seed


def _open_ledger_for_draw(ledger: Path | None) -> AbstractContextManager[Ledger | None]:
    """The draw's ledger, open for the whole draw (an existing one only); None without one."""
    return Ledger(ledger, create=False) if ledger is not None else nullcontext()


def _keep_history_from_ledger(
    inputs: Inputs, plan: Plan, book: Ledger | None, ledger: Path | None, earlier: Sequence[HistoryEntry]
) -> tuple[Inputs, bytes]:
    """Earlier draws count as inspections: they join the inputs' history, and what was taken from
    the ledger is kept in the output folder like an input file (its bytes returned), so that the
    folder alone verifies."""
    from_ledger = (*earlier, *(earlier_draws(book, plan) if book is not None else ()))
    if not from_ledger:
        return inputs, b""
    kept_history = ledger_history_csv(from_ledger)
    source = str(ledger) if ledger is not None else LEDGER_HISTORY_FILE
    kept = InputFile(
        LEDGER_HISTORY, source, hashlib.sha256(kept_history).hexdigest(), kept_history.count(b"\n") - 1
    )
    return replace(
        inputs, history=inputs.history + tuple(from_ledger), files=(*inputs.files, kept)
    ), kept_history


def _enter_failure(
    book: Ledger,
    plan: Plan,
    seed: str,
    error: DrawError,
    *,
    redraw: bool,
    reason: str,
    out_dir: Path,
    clock: Callable[[], str],
) -> None:
    """A draw that could not be made is entered too: the seed was used."""
    book.append(
        created_at=clock(),
        plan_id=plan.info.id,
        plan_start=plan.info.start.isoformat(),
        plan_end=plan.info.end.isoformat(),
        status="failed",
        seed=seed,
        redraw=redraw,
        reason=f"{reason}；{error}" if reason else str(error),
        out_dir=str(out_dir),
    )


def _record_extra(
    commitment: Mapping[str, Any] | None,
    seed_values: Sequence[str],
    redraw: bool,
    reason: str,
    replaced: Sequence[int],
    anchor: str | None,
) -> dict[str, Any]:
    """The record's fields beyond the result: redraw, ledger anchor, commitment trace, seed sources."""
    return {
        "redraw": {"reason": reason.strip(), "replaces": list(replaced)} if redraw else None,
        "ledger": {"prev_hash": anchor} if anchor is not None else None,
        "commitment": commitment_trace(commitment) if commitment is not None else None,
        "seed_values": [clean_seed_value(v) for v in seed_values] if seed_values else None,
    }


_SHOWN_FROM_RECORD = ("seed_values", "commitment", "redraw")


def _write_and_record(
    folder: Path,
    result: DrawResult,
    plan: Plan,
    inputs: Inputs,
    archiving: Future[None],
    *,
    commitment: Mapping[str, Any] | None,
    shown: Mapping[str, Any],
    extra: Mapping[str, Any],
    clock: Callable[[], str],
    operator: str,
    witnesses: Sequence[str],
    sheet_rows: int = MAX_ROWS,
) -> dict[str, Any]:
    """Write the workbooks (and the commitment's copy) into the staging `folder`, wait for the
    inputs' copies, then write the record; returns the record (for a split draw: with its long lists
    inline, as `verify.load_record` gives it, and their files under `split_lists`)."""
    body = result_body(result, plan)
    lists: dict[str, EncodedItems] = {}  # the record's list items, encoded once for digest and file

    def summarize() -> str:  # called by write_outputs while its helpers already write
        lists.update(encode_lists(body))
        return body_digest(body, lists)

    if commitment is not None:
        write_json(folder / COMMITMENT_FILE, commitment)
    created_at = clock()  # before the workbooks, whose 抽取过程记录 states it
    facts = DrawFacts(
        created_at,
        operator,
        tuple(witnesses),
        shown.get("seed_values"),
        shown.get("commitment"),
        shown.get("redraw"),
    )
    split = needs_split(result, sheet_rows)
    if split:
        outputs, contents, result_digest = write_split_outputs(
            folder, result, plan, summarize, inputs.enterprises.authority, facts=facts, max_rows=sheet_rows
        )
    else:
        outputs, contents, result_digest = write_outputs(folder, result, plan, summarize, facts=facts)
    archiving.result()  # an input changed during the draw stops it here
    record = build_record(
        result,
        body,
        result_digest,
        inputs.files,
        outputs,
        contents,
        created_at=created_at,
        operator=operator,
        witnesses=witnesses,
        extra=extra,
    )
    if not split:
        write_record(folder, record, lists)
        return record
    references = write_record_lists(folder, body, lists, plan.selection.strata)
    record["record_version"] = SPLIT_RECORD_VERSION
    record["layout"] = {"sheet_rows": sheet_rows, "by_authority": BY_AUTHORITY}
    write_record(folder, {**record, **references}, {k: v for k, v in lists.items() if k not in references})
    return {**record, "split_lists": references}


def _enter_draw(
    book: Ledger,
    plan: Plan,
    result: DrawResult,
    record: Mapping[str, Any],
    record_file: Path,
    seed: str,
    *,
    redraw: bool,
    reason: str,
    out_dir: Path,
    anchor: str | None,
) -> LedgerEntry:
    """Enter the made draw in the ledger, right after `anchor` (the entry it followed when it began)."""
    return book.append(
        created_at=record["created_at"],
        plan_id=plan.info.id,
        plan_start=plan.info.start.isoformat(),
        plan_end=plan.info.end.isoformat(),
        status="drawn",
        seed=seed,
        redraw=redraw,
        reason=reason.strip(),
        result_digest=record["result_digest"],
        record_sha256=readers.file_sha256(record_file),
        out_dir=str(out_dir.resolve()),
        tasks=[LedgerTask(t.enterprise.key, tuple(m.id for m in t.team)) for t in result.tasks],
        expect_prev_hash=anchor,
    )


def chosen_seed(seed: str | None, seed_values: Sequence[str]) -> str:
    """The seed given as it is, or combined from the public sources' values: exactly one of the two."""
    if (seed is None) == (not seed_values):
        raise UsageError(
            "请给出 --seed，或用 --seed-value 给出各份公开来源（二者只用其一）",
            hint="用 --seed-value 时，种子由这些值合成，抽取记录会写下它们，审计人员可以核对",
        )
    return seed if seed is not None else combine_seeds(seed_values)


def draw_in_workspace(
    options: InputOptions,
    out_dir: Path,
    *,
    seed: str | None = None,
    seed_values: Sequence[str] = (),
    commitment_file: Path | None = None,
    ledger: Path | None = None,
    reporter: Reporter | None = None,
    operator: str = "",
    witnesses: Sequence[str] = (),
    redraw: bool = False,
    reason: str = "",
) -> DrawOutcome:
    """`run_draw` as `shuangsuiji draw` makes it: the seed given or combined from `seed_values`, the
    commitment read from its file, and the draw entered in `ledger` or else in the ledger of the
    plan file's workspace (UsageError when there is none: a real draw is always entered).

    Example: ``draw_in_workspace(InputOptions(Path("config/plan.toml")), Path("抽取结果/2026-12"),
    seed="2026120188")``
    """
    seed = chosen_seed(seed, seed_values)
    check_engine_limits(options, out_dir)
    promised = read_json_file(commitment_file, "承诺文件") if commitment_file is not None else None
    normalize_seed(seed)  # a bad seed or plan is named before a missing ledger
    load_plan(options.plan_path)
    book = ledger_for(ledger, options.plan_path.parent, purpose="抽取")  # the plan file's workspace
    return run_draw(
        options,
        seed,
        out_dir,
        reporter=reporter,
        operator=operator,
        witnesses=witnesses,
        commitment=promised,
        ledger=book,
        redraw=redraw,
        reason=reason,
        seed_values=seed_values,
    )


def run_demo(out_dir: Path | None = None, *, reporter: Reporter | None = None) -> DrawOutcome:
    """The demo draw: the shipped sample plan and rosters, the fixed seed DEMO_SEED, no ledger; into
    `out_dir`, or a new folder “演示抽取结果” (“-2”, “-3”, … when taken) in the working folder."""
    target = out_dir if out_dir is not None else free_folder(DEMO_FOLDER)
    return run_draw(InputOptions(demo_plan()), DEMO_SEED, target, reporter=reporter)


@dataclass(frozen=True)
class FairnessOutcome:
    """What `run_fairness` produced."""

    report: FairnessReport
    out_dir: Path
    files: tuple[str, ...]


def run_fairness(
    options: InputOptions,
    runs: int,
    out_dir: Path,
    *,
    reporter: Reporter | None = None,
    draw: Draw = compute_draw,
) -> FairnessOutcome:
    """Repeat the plan's draw `runs` times under simulation seeds; write fairness.xlsx and charts.

    The inputs are read once and every run reuses them (`draw` is injectable: the tests pass a
    deliberately biased one to show that the report catches it).
    """
    reporter = reporter or NullReporter()
    if runs < 10:
        raise UsageError(f"模拟次数 {runs} 太少", hint="请用 --runs 给出至少 10 次（建议 1000 次）")
    ensure_new_output_dir(out_dir)
    with _without_cyclic_gc():
        # The simulation repeats the reference selection (core.select) over Python columns.
        plan, inputs, _warnings = load_and_check(replace(options, engine="python"), reporter)
        reporter.stage(f"模拟抽取 {runs} 次", total=runs)
        done = [0]

        def advance(count: int) -> None:
            reporter.advance(count - done[0])
            done[0] = count

        report = simulate(inputs, plan, runs, draw, progress=advance)
        reporter.stage("写出公平性报告和图表")
        with staged_output(out_dir) as folder:
            write_fairness_workbook(folder / FAIRNESS_WORKBOOK, report, plan, inputs)
            charts = write_charts(folder, report)
    reporter.finish()
    return FairnessOutcome(report, out_dir, (FAIRNESS_WORKBOOK, *charts))
