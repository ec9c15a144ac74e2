"""Publications in the ledger: entered in the same hash chain as draws, their results checked, counted
as inspections for later draws; a ledger of schema 1 (shuangsuiji 0.2–0.3) is upgraded in place."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from shuangsuiji.core.model import HistoryEntry
from shuangsuiji.io.ledger import (
    LEDGER_FILE,
    Ledger,
    LedgerResult,
    LedgerTask,
    entry_digest,
    tasks_digest,
)

from .test_ledger import add, check, raw

RESULTS = (
    LedgerResult("PLAN-A-00001", "E1", ("P1", "P2"), "2024-04-10", "未发现问题", ""),
    LedgerResult("PLAN-A-00002", "E2", ("P3", "P1"), "2024-04-12", "发现问题经责令已改正", "已整改"),
)


def publish(ledger: Ledger, n: int, results: tuple[LedgerResult, ...] = RESULTS, **kw: object) -> object:
    return ledger.append(
        created_at=f"2024-05-0{n}T08:00:00Z",
        plan_id="PLAN-A",
        plan_start="2024-04-01",
        plan_end="2024-04-30",
        status="published",
        seed="",
        result_digest=f"{1:064x}",
        record_sha256=f"{n + 200:064x}",
        out_dir=f"results{n}",
        results=results,
        **kw,  # type: ignore[arg-type]
    )


def test_publication_is_chained_and_its_results_read_back(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_FILE
    with Ledger(path) as ledger:
        drawn = add(ledger, 1)
        published = publish(ledger, 2)
        assert ledger.results(published.id) == list(RESULTS)  # type: ignore[attr-defined]
        assert ledger.results(drawn.id) == []
        [(entry, results)] = ledger.publications(f"{1:064x}")
        assert entry == published and results == list(RESULTS)
        assert entry.prev_hash == drawn.entry_hash
    assert check(path) == []


def test_an_edited_result_is_found(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_FILE
    with Ledger(path) as ledger:
        add(ledger, 1)
        publish(ledger, 2)
    raw(path, "UPDATE results SET result = '未发现问题' WHERE task_id = 'PLAN-A-00002'")
    assert check(path) == ["编号为 2 的记录的检查任务与其摘要不符，任务可能被修改、增加或删除"]


def test_results_only_in_publications(tmp_path: Path) -> None:
    with Ledger(tmp_path / LEDGER_FILE) as ledger, pytest.raises(ValueError):
        add(ledger, 1, results=RESULTS)


def test_published_results_count_as_inspections_on_their_completion_dates(tmp_path: Path) -> None:
    with Ledger(tmp_path / LEDGER_FILE) as ledger:
        add(ledger, 1, tasks=(LedgerTask("E1", ("P1", "P2")),))
        publish(ledger, 2, results=RESULTS[:1])
        everything = ledger.history()
        assert HistoryEntry("E1", date(2024, 4, 10), "P2") in everything
        assert HistoryEntry("E1", date(2024, 4, 1), "P1") in everything  # the draw, on its plan's start
        # A later plan starting on 2024-04-10 does not yet count an inspection completed that day,
        assert {h.inspected_on for h in ledger.history(before=date(2024, 4, 10))} == {date(2024, 4, 1)}
        # nor does a redraw of the same plan count the plan's own draw or results.
        assert ledger.history(other_than_plan="PLAN-A") == []
        assert {h.inspected_on for h in ledger.history(before_entry=2)} == {date(2024, 4, 1)}


# The format of shuangsuiji 0.2–0.3, as those versions created it.
_SCHEMA_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, plan_id TEXT NOT NULL,
    plan_start TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('drawn', 'failed')),
    seed TEXT NOT NULL, redraw INTEGER NOT NULL CHECK (redraw IN (0, 1)), reason TEXT NOT NULL,
    result_digest TEXT NOT NULL, record_sha256 TEXT NOT NULL, out_dir TEXT NOT NULL,
    tasks_sha256 TEXT NOT NULL, prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL);
CREATE TABLE tasks (
    entry_id INTEGER NOT NULL REFERENCES entries (id), position INTEGER NOT NULL,
    enterprise_key TEXT NOT NULL, team TEXT NOT NULL, PRIMARY KEY (entry_id, position));
CREATE INDEX entries_plan ON entries (plan_id);
INSERT INTO meta VALUES ('kind', 'shuangsuiji-ledger'), ('schema_version', '1'), ('ledger_id', 'abc');
"""


@pytest.fixture
def version_1(tmp_path: Path) -> Path:
    """A schema-1 ledger with two draws, hashed as 0.3 hashed them, whose id counter went to 3
    (as SQLite keeps it when a last entry was removed)."""
    path = tmp_path / LEDGER_FILE
    conn = sqlite3.connect(path)
    conn.executescript(_SCHEMA_1)
    prev = "0" * 64
    for n in (1, 2):
        tasks = [LedgerTask(f"E{n}", ("P1", "P2"))]
        values = {
            "id": n,
            "created_at": f"2024-03-0{n}T08:00:00Z",
            "plan_id": f"PLAN-{n}",
            "plan_start": f"2024-0{n}-01",
            "plan_end": "",
            "status": "drawn",
            "seed": f"seed-{n}",
            "redraw": False,
            "reason": "",
            "result_digest": f"{n:064x}",
            "record_sha256": f"{n + 100:064x}",
            "out_dir": f"out{n}",
            "tasks_sha256": tasks_digest(tasks),
            "prev_hash": prev,
        }
        values["entry_hash"] = prev = entry_digest(values)
        del values["plan_end"]
        conn.execute(
            f"INSERT INTO entries ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            [int(v) if isinstance(v, bool) else v for v in values.values()],
        )
        conn.execute('INSERT INTO tasks VALUES (?, 0, ?, \'["P1","P2"]\')', (n, f"E{n}"))
    conn.execute("UPDATE sqlite_sequence SET seq = 3 WHERE name = 'entries'")
    conn.commit()
    conn.close()
    return path


def test_a_version_1_ledger_reads_and_is_upgraded_at_its_next_entry(version_1: Path) -> None:
    # Before the upgrade: read as it is; the removed third entry is found as 0.3 found it.
    removed = ["台账最后缺少编号 3 的记录（编号已用到 3），记录可能被删除"]
    assert check(version_1) == removed
    with Ledger(version_1, strict=False) as ledger:
        assert [e.plan_end for e in ledger.entries()] == ["", ""]
        before = ledger.entries()
        published = ledger.append(
            created_at="2024-05-01T08:00:00Z",
            plan_id="PLAN-2",
            plan_start="2024-02-01",
            plan_end="2024-02-29",
            status="published",
            seed="",
            result_digest=f"{2:064x}",
            record_sha256="f" * 64,
            out_dir="results",
            results=[LedgerResult("PLAN-2-00001", "E2", ("P1", "P2"), "2024-02-10", "未发现问题", "")],
        )
        assert any("升级" in notice for notice in ledger.notices)
        assert ledger.entries()[:2] == before  # every earlier entry, hash and id kept
        assert published.id == 4  # the counter survived the rebuild
    meta = dict(sqlite3.connect(version_1).execute("SELECT key, value FROM meta").fetchall())
    assert meta["schema_version"] == "2"
    assert check(version_1) == ["编号为 4 的记录之前缺少编号 3 的记录（编号不连续），记录可能被删除"]
