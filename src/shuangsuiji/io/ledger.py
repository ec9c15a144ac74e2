"""The draw ledger (抽取台账): an append-only, hash-chained SQLite file listing every draw made with a seed.

Every draw that used a seed is entered, whether it succeeded (status "drawn") or failed ("failed"), so
nobody can quietly draw again until the result suits them. Each entry carries the SHA-256 of its own
fields (`entry_hash`) and the hash of the entry before it (`prev_hash`), so `Ledger.check` finds an
edited field, edited tasks, a deleted or inserted entry and reordered entries.

What the ledger cannot prove by itself: that nothing was removed *from the end*. Deleting the last
entries, or putting back an older copy of the file, leaves a chain that is intact as far as it goes.
`check` catches the plain case (SQLite's AUTOINCREMENT counter remembers the highest id ever used),
but not someone who also resets that counter or restores a backup. The defence is outside the file:
every draw record stores the hash of the entry just before its own (`Ledger.head` before `append`),
and its entry stores the record's SHA-256, so `verify`, given any published record, confirms that
the ledger still holds that draw right after that entry.

The hash chain detects tampering by someone who does not recompute hashes; it is not a signature.
Anyone who can write the file and knows this format can rebuild a consistent chain, which again only
the published records (or a head hash kept elsewhere) reveal.

A ledger is never started afresh by accident: only `Ledger(path, create=True)` (the command
`ledger init`) makes one; an emptied (0-byte) or damaged file is an error. Beside the ledger lies
its *head file* (`<name>.head`, JSON: the ledger's random id, its number of entries and the last
entry's hash), rewritten after every entry. A ledger whose id differs from the head's (another
ledger copied over it, or a fresh one) or that lacks the entry the head names (truncated, or an
older backup put back) is refused. The head file is a tripwire for accidents and casual rollback,
not a seal: whoever replaces both files consistently is caught only by the published records.

This module is I/O (it opens files); it never reads the clock: callers pass `created_at`.

Why one module of this size (~730 lines): the schema, the hash chain, the head file and the
append transaction are one file format whose guarantees hold only together (an entry's hash, its
place in the chain and the head file are written in one step); split, each part would have to
trust the others' invariants without seeing them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from ..core.errors import ShuangsuijiError
from ..core.model import HistoryEntry
from ..core.record import canonical_json

LEDGER_FILE = "shuangsuiji-ledger.sqlite"
KIND = "shuangsuiji-ledger"
HEAD_KIND = "shuangsuiji-ledger-head"
SCHEMA_VERSION = "2"
READABLE_SCHEMAS = ("1", SCHEMA_VERSION)
ZERO_HASH = "0" * 64
STATUSES = ("drawn", "failed", "published")
BUSY_TIMEOUT = 10.0
_SQLITE_HEADER = b"SQLite format 3\x00"

_ENTRIES_TABLE = """
CREATE TABLE {name} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    plan_start TEXT NOT NULL,
    plan_end TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('drawn', 'failed', 'published')),
    seed TEXT NOT NULL,
    redraw INTEGER NOT NULL CHECK (redraw IN (0, 1)),
    reason TEXT NOT NULL,
    result_digest TEXT NOT NULL,
    record_sha256 TEXT NOT NULL,
    out_dir TEXT NOT NULL,
    tasks_sha256 TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL
)"""
# A publication's results (status "published"): each task's completion date, result and note, with
# the team copied from its draw so that later draws count the inspection without the draw's entry.
_RESULTS_TABLE = """
CREATE TABLE IF NOT EXISTS results (
    entry_id INTEGER NOT NULL REFERENCES entries (id),
    position INTEGER NOT NULL,
    task_id TEXT NOT NULL,
    enterprise_key TEXT NOT NULL,
    team TEXT NOT NULL,
    completed_on TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (entry_id, position)
)"""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
{_ENTRIES_TABLE.format(name="IF NOT EXISTS entries")};
CREATE TABLE IF NOT EXISTS tasks (
    entry_id INTEGER NOT NULL REFERENCES entries (id),
    position INTEGER NOT NULL,
    enterprise_key TEXT NOT NULL,
    team TEXT NOT NULL,
    PRIMARY KEY (entry_id, position)
);
{_RESULTS_TABLE};
CREATE INDEX IF NOT EXISTS entries_plan ON entries (plan_id);
"""
# Version 1 (shuangsuiji 0.2–0.3) had no plan_end, no publications and no results table; it is
# upgraded in place at its first new entry (the entries' hashes do not change: see entry_digest).
_V1_FIELDS = (
    "id, created_at, plan_id, plan_start, status, seed, redraw, reason, result_digest, record_sha256, "
    "out_dir, tasks_sha256, prev_hash, entry_hash"
)


class LedgerError(ShuangsuijiError):
    """The ledger cannot be opened, is not a ledger, is locked, or lacks a requested entry."""


class LedgerDamaged(LedgerError):
    """The ledger file was emptied, damaged, replaced or rolled back: `ledger check` reports it as a
    finding."""


def head_path(path: Path) -> Path:
    """The head file beside a ledger: same name, suffix .head."""
    return path.with_suffix(".head")


def _read_head(path: Path) -> dict[str, Any] | None:
    """The head file's content, None when there is none; LedgerDamaged when it is not one."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LedgerDamaged(f"台账的校验文件“{path}”无法读取（{exc}）", hint="请从备份中找回该文件") from exc
    if not (
        isinstance(value, dict)
        and value.get("kind") == HEAD_KIND
        and isinstance(value.get("ledger_id"), str)
        and isinstance(value.get("entries"), int)
        and isinstance(value.get("entry_hash"), str)
    ):
        raise LedgerDamaged(f"文件“{path}”不是抽取台账的校验文件，或已损坏", hint="请从备份中找回该文件")
    return value


def _create(path: Path) -> None:
    """A new ledger at `path`, made whole in a temporary file and then linked into place, so that no
    one ever sees it half made (or empty: an empty file is an emptied ledger); if another process
    made one meanwhile, theirs stays. Its head file follows."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.new")
    ledger_id = uuid.uuid4().hex
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")  # kept in the file's header
            conn.execute("BEGIN")
            for statement in _SCHEMA.split(";"):  # not executescript: it would COMMIT first
                if statement.strip():
                    conn.execute(statement)
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("kind", KIND), ("schema_version", SCHEMA_VERSION), ("ledger_id", ledger_id)],
            )
            conn.execute("COMMIT")
        finally:
            conn.close()
        try:
            os.link(temp, path)  # atomic, and fails when the name is taken
        except FileExistsError:
            return
        except OSError:  # no hard links here (FAT, some network shares): a rename, checked just before
            if path.exists():
                return
            os.replace(temp, path)
        _write_head(head_path(path), ledger_id, 0, ZERO_HASH)
    except sqlite3.Error as exc:
        raise LedgerError(f"无法建立抽取台账“{path}”：{exc}", hint="请检查文件夹的写权限和磁盘空间") from exc
    finally:
        for leftover in (temp, temp.with_name(temp.name + "-wal"), temp.with_name(temp.name + "-shm")):
            leftover.unlink(missing_ok=True)


def _write_head(path: Path, ledger_id: str, entries: int, entry_hash: str) -> None:
    """Replace the head file atomically (a reader never sees half of it)."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(
        json.dumps(
            {"kind": HEAD_KIND, "ledger_id": ledger_id, "entries": entries, "entry_hash": entry_hash},
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    os.replace(temp, path)


@dataclass(frozen=True)
class LedgerTask:
    """One task of a draw: the enterprise and its team (人员编号, leader first)."""

    enterprise_key: str
    team: tuple[str, ...]


@dataclass(frozen=True)
class LedgerEntry:
    """One draw as entered in the ledger; `entry_hash` covers every other field."""

    id: int
    created_at: str
    plan_id: str
    plan_start: str
    plan_end: str  # "" in entries made before schema 2
    status: str
    seed: str
    redraw: bool
    reason: str
    result_digest: str
    record_sha256: str
    out_dir: str
    tasks_sha256: str
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class LedgerResult:
    """One published result of a publication entry; `team` is the task's team as drawn."""

    task_id: str
    enterprise_key: str
    team: tuple[str, ...]
    completed_on: str
    result: str
    note: str


FIELDS = tuple(f.name for f in fields(LedgerEntry))
_COLUMNS = ", ".join(FIELDS)
_V1_COLUMNS = _COLUMNS.replace("plan_end", "'' AS plan_end")  # a version 1 table, read before its upgrade
# Fields added in schema 2 enter an entry's hash only when set, so entries made before stay valid.
_ADDED_IN_2 = ("plan_end",)


def tasks_digest(tasks: Sequence[LedgerTask]) -> str:
    """SHA-256 of canonical_json([[enterprise_key, [team...]], ...]) in task order."""
    return hashlib.sha256(canonical_json([[t.enterprise_key, list(t.team)] for t in tasks])).hexdigest()


def results_digest(results: Sequence[LedgerResult]) -> str:
    """SHA-256 of canonical_json([[task_id, enterprise_key, [team...], completed_on, result, note], ...])."""
    return hashlib.sha256(
        canonical_json(
            [[r.task_id, r.enterprise_key, list(r.team), r.completed_on, r.result, r.note] for r in results]
        )
    ).hexdigest()


def entry_digest(values: dict[str, Any]) -> str:
    """SHA-256 of canonical_json of every LedgerEntry field except entry_hash (and a schema-2 field left
    empty, as in every entry made before schema 2)."""
    hashed = {
        k: values[k] for k in FIELDS if k != "entry_hash" and not (k in _ADDED_IN_2 and values[k] == "")
    }
    return hashlib.sha256(canonical_json(hashed)).hexdigest()


def _entry(row: Sequence[Any]) -> LedgerEntry:
    values = dict(zip(FIELDS, row, strict=True))
    values["redraw"] = bool(values["redraw"])
    return LedgerEntry(**values)


def _task(entry_id: int, key: Any, team_text: Any) -> LedgerTask:
    try:
        team = json.loads(team_text)
    except (TypeError, ValueError):
        team = None
    if not isinstance(key, str) or not isinstance(team, list) or not all(isinstance(m, str) for m in team):
        raise LedgerError(f"抽取台账中编号为 {entry_id} 的记录的检查任务数据已损坏", hint="请运行台账检查")
    return LedgerTask(key, tuple(team))


def _iso_date(text: Any, entry_id: int, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise LedgerError(
            f"抽取台账中编号为 {entry_id} 的记录的{what}“{text}”无效", hint="请运行台账检查"
        ) from exc


def _busy(exc: sqlite3.Error) -> bool:
    """Another connection holds the lock (SQLITE_BUSY / SQLITE_LOCKED)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(exc)


def _validate(
    status: str,
    plan_start: str,
    result_digest: str,
    record_sha256: str,
    tasks: Sequence[LedgerTask],
    text: dict[str, Any],
) -> None:
    """Programming errors in a call to `append`, caught before the ledger is touched."""
    for name, value in text.items():
        if not isinstance(value, str):
            raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
    date.fromisoformat(plan_start)
    if status == "failed" and (result_digest or record_sha256):
        raise ValueError("a failed draw has no result_digest or record_sha256")
    for task in tasks:
        if not isinstance(task.enterprise_key, str) or not all(isinstance(m, str) for m in task.team):
            raise TypeError(f"task {task!r}: enterprise_key and team members must be str")


class Ledger:
    """An open ledger file. Use as a context manager, or call `close`.

    `path` is opened, or created when missing (`create=False` refuses a missing file instead); its
    folder must exist. Another process appending at the same moment is waited for up to `timeout`
    seconds, then LedgerError.
    """

    def __init__(
        self, path: Path, *, create: bool = True, strict: bool = True, timeout: float = BUSY_TIMEOUT
    ) -> None:
        self.path = Path(path)
        self.strict = (
            strict  # refuse a ledger its head file does not describe (off for `check`, which reports it)
        )
        self._conn: sqlite3.Connection | None = None
        self.notices: list[str] = []  # things the user should hear about, e.g. a head file made anew
        if (
            create
            and self.path.parent.is_dir()
            and not self.path.exists()
            and not head_path(self.path).exists()
        ):
            _create(self.path)
        self._precheck(create)
        try:
            self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"无法打开抽取台账“{self.path}”：{exc}", hint="请检查文件权限") from exc
        try:
            self._open(timeout)
        except BaseException:
            self.close()
            raise

    # -- opening -----------------------------------------------------------------------------------

    def _precheck(self, create: bool) -> None:
        where = f"抽取台账“{self.path}”"
        if not self.path.parent.is_dir():
            raise LedgerError(
                f"{where}所在的文件夹“{self.path.parent}”不存在",
                hint="请先创建该文件夹，或在正确的文件夹中运行",
            )
        if self.path.is_dir():
            raise LedgerError(f"“{self.path}”是一个文件夹，不是抽取台账文件", hint="请指定台账文件的路径")
        if not self.path.exists():
            if head_path(self.path).exists():
                raise LedgerError(
                    f"{where}不见了，但它旁边的校验文件“{head_path(self.path).name}”还在：台账可能被删除或移走",
                    hint="请从备份中找回台账文件；不能新建一个空台账来代替它",
                )
            if not create:
                raise LedgerError(
                    f"{where}不存在",
                    hint="请检查路径；还没有台账时，请在工作文件夹中运行 shuangsuiji ledger init 建立",
                )
            return
        try:
            with self.path.open("rb") as handle:
                header = handle.read(len(_SQLITE_HEADER))
        except OSError as exc:
            raise LedgerError(f"无法读取{where}：{exc.strerror or exc}", hint="请检查文件权限") from exc
        if not header:
            raise LedgerDamaged(
                f"{where}是空文件（0 字节），可能被清空了",
                hint="台账不会被当作新台账重新开始；请从备份中找回台账文件",
            )
        if header != _SQLITE_HEADER:
            raise LedgerDamaged(
                f"文件“{self.path}”不是抽取台账（不是 SQLite 数据库文件）",
                hint="请检查文件名；本程序不会覆盖它，如需新建台账请将该文件移走或改名",
            )

    def _open(self, timeout: float) -> None:
        # Switching a new file to WAL does not wait on SQLite's busy handler, so two processes creating
        # the ledger at the same moment would make one fail at once: retry until `timeout` instead.
        deadline = time.monotonic() + timeout
        with self._guard("打开"):
            while True:
                try:
                    self._setup()
                    break
                except sqlite3.OperationalError as exc:
                    self._rollback()
                    if not _busy(exc) or time.monotonic() >= deadline:
                        raise
                    time.sleep(0.05)
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            if self.strict and (problem := self._head_problem()):
                raise problem

    def _head_problem(self) -> LedgerDamaged | None:
        """Why this is not the ledger its head file describes (replaced, truncated, rolled back), or None."""
        try:
            head = _read_head(head_path(self.path))
        except LedgerDamaged as damaged:
            return damaged
        tables = self._tables()
        if head is None or "meta" not in tables:
            return None  # no head yet (a ledger of version 0.2), or no meta at all: check() says so
        if self._meta().get("ledger_id") != head["ledger_id"]:
            return LedgerDamaged(
                f"抽取台账“{self.path}”不是它旁边的校验文件所记的那本台账：台账文件可能被别的台账或新建的空台账替换了",
                hint="请从备份中找回原来的台账文件；台账不能换成另一本重新开始",
            )
        row = None
        if head["entries"] and "entries" in tables:
            row = self._db.execute(
                "SELECT entry_hash FROM entries WHERE id = ?", (head["entries"],)
            ).fetchone()
        if head["entries"] and (row is None or row[0] != head["entry_hash"]):
            return LedgerDamaged(
                f"抽取台账“{self.path}”中没有校验文件记下的第 {head['entries']} 条："
                "台账可能被截断、删改，或被换成了旧的备份",
                hint="请从备份中找回最新的台账文件，并运行 shuangsuiji ledger check",
            )
        return None

    def _setup(self) -> None:
        """Make sure the file is our ledger; then WAL mode."""
        self._identify(self._tables())
        if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._db.execute("PRAGMA journal_mode=WAL")

    def _identify(self, tables: set[str]) -> None:
        """Refuse a SQLite file that is not our ledger, or one from a newer version of the program.

        A file that has our tables but lost its meta is opened anyway so that `check` can report it;
        `append` refuses it.
        """
        meta = self._meta() if "meta" in tables else {}
        ours = meta["kind"] == KIND if "kind" in meta else self._has_our_tables(tables)
        if not ours:
            raise LedgerDamaged(
                f"文件“{self.path}”是 SQLite 数据库，但不是本程序的抽取台账",
                hint="请检查文件名；本程序不会改动它，如需新建台账请将该文件移走或改名",
            )
        version = meta.get("schema_version", SCHEMA_VERSION)
        if version not in READABLE_SCHEMAS:
            raise LedgerError(
                f"抽取台账“{self.path}”的格式版本为 {version}，本程序只支持版本 {SCHEMA_VERSION}",
                hint="请使用更新版本的程序",
            )

    def _has_our_tables(self, tables: set[str]) -> bool:
        if not {"entries", "tasks"} <= tables:
            return False
        columns = tuple(row[1] for row in self._db.execute("PRAGMA table_info(entries)"))
        return columns in (FIELDS, tuple(_V1_FIELDS.split(", ")))

    # -- plumbing ----------------------------------------------------------------------------------

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LedgerError(f"抽取台账“{self.path}”已关闭")
        return self._conn

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn SQLite failures into LedgerError with a Chinese sentence."""
        try:
            yield
        except sqlite3.Error as exc:
            if _busy(exc):
                raise LedgerError(
                    f"抽取台账“{self.path}”正被另一个程序使用，{action}失败", hint="请等另一次抽取结束后重试"
                ) from exc
            if isinstance(exc, sqlite3.DatabaseError) and (
                "not a database" in str(exc) or "malformed" in str(exc)
            ):
                raise LedgerDamaged(
                    f"文件“{self.path}”不是完好的抽取台账（不是 SQLite 数据库文件，或已损坏、被截断）",
                    hint="请检查文件名，或从备份恢复台账",
                ) from exc
            raise LedgerError(
                f"抽取台账“{self.path}”{action}失败：{exc}", hint="请检查文件权限和磁盘空间，并运行台账检查"
            ) from exc

    @contextmanager
    def _read(self) -> Iterator[None]:
        """One read transaction, so several queries see the same snapshot."""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._rollback()

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _tables(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    @property
    def _columns(self) -> str:
        """The entries' columns as a SELECT list (a version-1 table has no plan_end yet)."""
        names = {row[1] for row in self._db.execute("PRAGMA table_info(entries)")}
        return _COLUMNS if "plan_end" in names else _V1_COLUMNS

    def _meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._db.execute("SELECT key, value FROM meta")}

    def _task_rows(self, entry_id: int) -> list[LedgerTask]:
        rows = self._db.execute(
            "SELECT enterprise_key, team FROM tasks WHERE entry_id = ? ORDER BY position", (entry_id,)
        )
        return [_task(entry_id, key, team) for key, team in rows]

    def _result_rows(self, entry_id: int) -> list[LedgerResult]:
        if "results" not in self._tables():
            return []
        rows = self._db.execute(
            "SELECT task_id, enterprise_key, team, completed_on, result, note FROM results "
            "WHERE entry_id = ? ORDER BY position",
            (entry_id,),
        )
        found = []
        for task_id, key, team, completed_on, result, note in rows:
            task = _task(entry_id, key, team)
            found.append(
                LedgerResult(
                    str(task_id), task.enterprise_key, task.team, str(completed_on), str(result), str(note)
                )
            )
        return found

    def _insert_results(self, entry_id: int, results: Sequence[LedgerResult]) -> None:
        self._db.executemany(
            "INSERT INTO results (entry_id, position, task_id, enterprise_key, team, completed_on, result, "
            "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    entry_id,
                    i,
                    r.task_id,
                    r.enterprise_key,
                    canonical_json(list(r.team)).decode("utf-8"),
                    r.completed_on,
                    r.result,
                    r.note,
                )
                for i, r in enumerate(results)
            ),
        )

    def _upgrade(self, meta: dict[str, str]) -> None:
        """Bring a version-1 ledger to version 2 inside the open write transaction: the entries table
        is rebuilt with plan_end and the "published" status (SQLite cannot change a CHECK in place),
        keeping every row, id and the AUTOINCREMENT counter; the results table is added."""
        if meta.get("schema_version") == SCHEMA_VERSION:
            return
        used = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").fetchone()
        self._db.execute(_ENTRIES_TABLE.format(name="entries_v2"))
        self._db.execute(f"INSERT INTO entries_v2 ({_V1_FIELDS}) SELECT {_V1_FIELDS} FROM entries")
        self._db.execute("DROP TABLE entries")
        self._db.execute("ALTER TABLE entries_v2 RENAME TO entries")
        self._db.execute("CREATE INDEX IF NOT EXISTS entries_plan ON entries (plan_id)")
        if used is not None:
            self._db.execute("DELETE FROM sqlite_sequence WHERE name = 'entries'")
            self._db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('entries', ?)", (int(used[0]),))
        self._db.execute(_RESULTS_TABLE)
        self._db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
        )
        meta["schema_version"] = SCHEMA_VERSION
        self.notices.append(
            f"抽取台账已升级为格式版本 {SCHEMA_VERSION}（可以记入结果公示），原有记录未作改动"
        )

    def _insert_tasks(self, entry_id: int, tasks: Sequence[LedgerTask]) -> None:
        self._db.executemany(
            "INSERT INTO tasks (entry_id, position, enterprise_key, team) VALUES (?, ?, ?, ?)",
            (
                (entry_id, i, t.enterprise_key, canonical_json(list(t.team)).decode("utf-8"))
                for i, t in enumerate(tasks)
            ),
        )

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------------

    def append(
        self,
        *,
        created_at: str,
        plan_id: str,
        plan_start: str,
        status: str,
        seed: str,
        plan_end: str = "",
        redraw: bool = False,
        reason: str = "",
        result_digest: str = "",
        record_sha256: str = "",
        out_dir: str = "",
        tasks: Sequence[LedgerTask] = (),
        results: Sequence[LedgerResult] = (),
        expect_prev_hash: str | None = None,
    ) -> LedgerEntry:
        """Enter one draw and its tasks (or one publication and its results) in one transaction: all of
        it is written, or nothing.

        With `expect_prev_hash` (the head when the draw began, as its record states), the entry is
        refused if anything was entered meanwhile: a concurrent draw of the same plan cannot slip
        past the one-draw-per-plan rule, and the record's anchor stays true.
        """
        text = {
            "created_at": created_at,
            "plan_id": plan_id,
            "plan_start": plan_start,
            "plan_end": plan_end,
            "status": status,
            "seed": seed,
            "reason": reason,
            "result_digest": result_digest,
            "record_sha256": record_sha256,
            "out_dir": out_dir,
        }
        _validate(status, plan_start, result_digest, record_sha256, tasks, text)
        if (results and status != "published") or (tasks and status == "published"):
            raise ValueError("results belong to a publication, tasks to a draw")
        tasks, results = tuple(tasks), tuple(results)
        contents = results_digest(results) if status == "published" else tasks_digest(tasks)
        values: dict[str, Any] = {**text, "redraw": bool(redraw), "tasks_sha256": contents}
        with self._guard("写入"):
            self._db.execute("PRAGMA foreign_keys=OFF")  # an upgrade drops the entries table tasks refer to
            self._db.execute("BEGIN IMMEDIATE")
            try:
                meta = self._meta() if "meta" in self._tables() else {}
                if meta.get("kind") != KIND:
                    raise LedgerError(
                        f"抽取台账“{self.path}”缺少标识信息，可能已被改动，不能再写入",
                        hint="请运行台账检查，并从备份恢复台账",
                    )
                last = self._db.execute(
                    "SELECT id, entry_hash FROM entries ORDER BY id DESC LIMIT 1"
                ).fetchone()
                used = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").fetchone()
                last_id, prev_hash = (int(last[0]), str(last[1])) if last else (0, ZERO_HASH)
                if expect_prev_hash is not None and prev_hash != expect_prev_hash:
                    raise LedgerError(
                        f"抽取台账“{self.path}”在这次抽取进行期间记入了别的抽取，这次抽取未被记入",
                        hint="请确认没有别人同时在做抽取，然后重新运行（同样的输入和种子得到同样的结果）",
                    )
                self._upgrade(meta)
                if "ledger_id" not in meta:  # a ledger made by version 0.2 gets its id now
                    meta["ledger_id"] = uuid.uuid4().hex
                    self._db.execute(
                        "INSERT INTO meta (key, value) VALUES ('ledger_id', ?)", (meta["ledger_id"],)
                    )
                values["id"] = max(last_id, int(used[0]) if used else 0) + 1
                values["prev_hash"] = prev_hash
                values["entry_hash"] = entry_digest(values)
                entry = LedgerEntry(**values)
                row = asdict(entry)
                self._db.execute(
                    f"INSERT INTO entries ({_COLUMNS}) VALUES ({', '.join('?' * len(FIELDS))})",
                    [int(row[k]) if k == "redraw" else row[k] for k in FIELDS],
                )
                self._insert_tasks(entry.id, tasks)
                self._insert_results(entry.id, results)
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            finally:
                self._db.execute("PRAGMA foreign_keys=ON")
        self._advance_head(meta["ledger_id"], entry)
        return entry

    def _advance_head(self, ledger_id: str, entry: LedgerEntry) -> None:
        """Record the new last entry in the head file (never moving it back: another process may
        have entered a later one meanwhile; any entry the ledger holds is a valid head)."""
        path = head_path(self.path)
        try:
            head = _read_head(path)
        except LedgerDamaged:
            head = None
        if head is None and entry.id > 1:
            self.notices.append(
                f"抽取台账旁的校验文件“{path.name}”原先不存在（旧版本的台账，或被删除），"
                f"已按台账现有的 {entry.id} 条重新建立"
            )
        if head is None or head["ledger_id"] != ledger_id or head["entries"] < entry.id:
            try:
                _write_head(path, ledger_id, entry.id, entry.entry_hash)
            except OSError as exc:
                raise LedgerError(
                    f"无法写入台账的校验文件“{path}”（{exc.strerror or exc}）",
                    hint="这次抽取已记入台账；请检查文件夹的写权限后运行 shuangsuiji ledger check",
                ) from exc

    # -- reading -----------------------------------------------------------------------------------

    def entries(self) -> list[LedgerEntry]:
        """Every entry, by id."""
        with self._guard("读取"):
            return [_entry(r) for r in self._db.execute(f"SELECT {self._columns} FROM entries ORDER BY id")]

    def get(self, entry_id: int) -> LedgerEntry:
        """The entry with this id; LedgerError when there is none."""
        with self._guard("读取"):
            row = self._db.execute(
                f"SELECT {self._columns} FROM entries WHERE id = ?", (entry_id,)
            ).fetchone()
        if row is None:
            raise LedgerError(f"抽取台账中没有编号为 {entry_id} 的记录")
        return _entry(row)

    def tasks(self, entry_id: int) -> list[LedgerTask]:
        """The tasks of an entry, in draw order (empty for a failed draw)."""
        with self._guard("读取"):
            return self._task_rows(entry_id)

    def results(self, entry_id: int) -> list[LedgerResult]:
        """The results of a publication entry, in task order (empty for a draw)."""
        with self._guard("读取"):
            return self._result_rows(entry_id)

    def publications(self, result_digest: str) -> list[tuple[LedgerEntry, list[LedgerResult]]]:
        """The publications of the draw with this result digest, by id, each with its results."""
        with self._guard("读取"), self._read():
            rows = self._db.execute(
                f"SELECT {self._columns} FROM entries "
                "WHERE status = 'published' AND result_digest = ? ORDER BY id",
                (result_digest,),
            ).fetchall()
            return [(entry, self._result_rows(entry.id)) for entry in map(_entry, rows)]

    def head(self) -> tuple[int, str]:
        """The last entry's id and entry_hash; (0, "0"*64) when the ledger is empty."""
        with self._guard("读取"):
            row = self._db.execute("SELECT id, entry_hash FROM entries ORDER BY id DESC LIMIT 1").fetchone()
        return (int(row[0]), str(row[1])) if row else (0, ZERO_HASH)

    def drawn_for_plan(self, plan_id: str) -> list[LedgerEntry]:
        """The successful ("drawn") entries of a plan, by id."""
        with self._guard("读取"):
            rows = self._db.execute(
                f"SELECT {self._columns} FROM entries WHERE plan_id = ? AND status = 'drawn' ORDER BY id",
                (plan_id,),
            )
            return [_entry(r) for r in rows]

    def history(
        self, *, before: date | None = None, other_than_plan: str = "", before_entry: int | None = None
    ) -> list[HistoryEntry]:
        """Past inspections the ledger holds: each drawn task's team on its plan's start, and each
        published result's team on its completion date.

        `before`: only inspections dated before that day (a draw counts only plans that started
        before its own); `other_than_plan`: never that plan's own entries (a redraw must not count
        the draw it replaces); `before_entry`: only what the ledger held before that entry (what an
        earlier draw saw). Per inspection: one HistoryEntry per team member, plus one with
        inspector_id "" (the enterprise was inspected); duplicates dropped; sorted by date, key, id.
        """
        found: set[HistoryEntry] = set()

        def add(key: str, day: date, team: Sequence[str]) -> None:
            if before is None or day < before:
                found.add(HistoryEntry(key, day, ""))
                found.update(HistoryEntry(key, day, member) for member in team)

        with self._guard("读取"), self._read():
            rows = self._db.execute(
                "SELECT id, plan_id, plan_start, status FROM entries "
                "WHERE status IN ('drawn', 'published') ORDER BY id"
            ).fetchall()
            for entry_id, plan_id, plan_start, status in rows:
                if before_entry is not None and entry_id >= before_entry:
                    break
                if plan_id == other_than_plan:
                    continue
                if status == "drawn":
                    day = _iso_date(plan_start, entry_id, "计划开始日期")
                    for task in self._task_rows(entry_id):
                        add(task.enterprise_key, day, task.team)
                else:
                    for result in self._result_rows(entry_id):
                        add(
                            result.enterprise_key,
                            _iso_date(result.completed_on, entry_id, "检查完成日期"),
                            result.team,
                        )
        return sorted(found, key=lambda h: (h.inspected_on, h.enterprise_key, h.inspector_id))

    # -- auditing ----------------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Every problem found, one Chinese sentence each; [] when the ledger is intact.

        Finds edited entries (hash differs), edited tasks (tasks digest differs), deleted, inserted or
        reordered entries (id gap or broken prev_hash chain), tasks without an entry, and missing meta.
        It cannot by itself detect removal of the LAST entries when SQLite's id counter was reset too,
        nor an older copy of the file put back: compare `head()` or the entry id and hash stored in a
        draw record with the ledger for that.
        """
        problems: list[str] = []
        with self._guard("检查"), self._read():
            tables = self._tables()
            if "meta" not in tables:
                problems.append("台账缺少标识信息（meta 表），文件可能已被改动")
            else:
                meta = self._meta()
                if meta.get("kind") != KIND:
                    problems.append(f"台账的标识信息缺失或有误（kind 应为“{KIND}”），文件可能已被改动")
                if meta.get("schema_version") not in READABLE_SCHEMAS:
                    problems.append(
                        f"台账的格式版本信息缺失或有误（应为 {SCHEMA_VERSION}），文件可能已被改动"
                    )
            if not {"entries", "tasks"} <= tables:
                problems.append("台账缺少记录表（entries）或任务表（tasks），文件已损坏")
                return problems
            problems += self._check_entries(tables)
            if head := self._head_problem():
                problems.append(head.message)
            orphans = [
                r[0]
                for r in self._db.execute(
                    "SELECT DISTINCT entry_id FROM tasks "
                    "WHERE entry_id NOT IN (SELECT id FROM entries) ORDER BY 1"
                )
            ]
            if orphans:
                ids = "、".join(str(i) for i in orphans)
                problems.append(f"台账中有属于编号 {ids} 的检查任务，但没有这些编号的记录，记录可能被删除")
        return problems

    def _check_entries(self, tables: set[str]) -> list[str]:
        problems: list[str] = []
        prev_id, prev_hash = 0, ZERO_HASH
        for row in self._db.execute(f"SELECT {self._columns} FROM entries ORDER BY id").fetchall():
            entry = _entry(row)
            name = f"编号为 {entry.id} 的记录"
            if entry.id != prev_id + 1:
                missing = f"{prev_id + 1}" if entry.id == prev_id + 2 else f"{prev_id + 1} 至 {entry.id - 1}"
                problems.append(f"{name}之前缺少编号 {missing} 的记录（编号不连续），记录可能被删除")
            if entry_digest(asdict(entry)) != entry.entry_hash:
                problems.append(f"{name}的内容与其哈希值不符，记录可能被修改或调换了编号")
            if entry.prev_hash != prev_hash:
                before = f"编号为 {prev_id} 的记录" if prev_id else "台账开头"
                problems.append(f"{name}与{before}的哈希链接不上，记录可能被删除、插入或调换顺序")
            try:
                if entry.status == "published":
                    digest = results_digest(self._result_rows(entry.id))
                else:
                    digest = tasks_digest(self._task_rows(entry.id))
            except LedgerError:
                problems.append(f"{name}的检查任务数据已损坏")
            else:
                if digest != entry.tasks_sha256:
                    problems.append(f"{name}的检查任务与其摘要不符，任务可能被修改、增加或删除")
            prev_id, prev_hash = entry.id, entry.entry_hash
        used = (
            self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").fetchone()
            if "sqlite_sequence" in tables
            else None
        )
        if used and int(used[0]) > prev_id:
            last = int(used[0])
            missing = f"{last}" if last == prev_id + 1 else f"{prev_id + 1} 至 {last}"
            problems.append(f"台账最后缺少编号 {missing} 的记录（编号已用到 {last}），记录可能被删除")
        return problems
