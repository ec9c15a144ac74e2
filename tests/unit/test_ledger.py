"""The draw ledger: append-only, hash-chained, and loud about any edit, deletion or reordering."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from shuangsuiji.core.model import HistoryEntry
from shuangsuiji.core.record import canonical_json
from shuangsuiji.io.ledger import LEDGER_FILE, Ledger, LedgerEntry, LedgerError, LedgerTask, head_path

ZERO = "0" * 64
TASKS = (LedgerTask("E1", ("P1", "P2")), LedgerTask("E2", ("P3", "P1")))


def add(ledger: Ledger, n: int = 1, **kw: Any) -> LedgerEntry:
    values: dict[str, Any] = {
        "created_at": f"2024-03-0{n}T08:00:00Z",
        "plan_id": "PLAN-A",
        "plan_start": "2024-04-01",
        "status": "drawn",
        "seed": f"seed-{n}",
        "result_digest": f"{n:064x}",
        "record_sha256": f"{n + 100:064x}",
        "out_dir": f"out{n}",
        "tasks": TASKS,
    }
    values.update(kw)
    return ledger.append(**values)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A ledger with three drawn entries (ids 1-3), closed."""
    p = tmp_path / LEDGER_FILE
    with Ledger(p) as ledger:
        for n in (1, 2, 3):
            add(ledger, n)
    return p


def raw(path: Path, *statements: str) -> None:
    """Tamper with the file behind the program's back (foreign keys off, as in a plain sqlite3 shell)."""
    conn = sqlite3.connect(path)
    with conn:
        for statement in statements:
            conn.execute(statement)
    conn.close()


def check(path: Path) -> list[str]:
    with Ledger(path, strict=False) as ledger:
        return ledger.check()


def test_round_trip_and_contiguous_ids(tmp_path: Path) -> None:
    with Ledger(tmp_path / LEDGER_FILE) as ledger:
        first = add(ledger, 1, redraw=False)
        second = add(ledger, 2, redraw=True, reason="原抽取结果打印失败")
        failed = add(
            ledger,
            3,
            status="failed",
            reason="没有可用的检查组",
            result_digest="",
            record_sha256="",
            tasks=(),
        )
    with Ledger(tmp_path / LEDGER_FILE) as ledger:
        assert ledger.entries() == [first, second, failed]
        assert [e.id for e in ledger.entries()] == [1, 2, 3]
        assert ledger.get(2) == second
        assert second.redraw is True and second.reason == "原抽取结果打印失败"
        assert ledger.tasks(1) == list(TASKS)
        assert ledger.tasks(3) == []
        assert ledger.head() == (3, failed.entry_hash)


def test_hashes_follow_the_documented_recipe(tmp_path: Path) -> None:
    with Ledger(tmp_path / LEDGER_FILE) as ledger:
        assert ledger.head() == (0, ZERO)
        one, two = add(ledger, 1), add(ledger, 2)
    assert one.prev_hash == ZERO
    assert two.prev_hash == one.entry_hash
    tasks_json = canonical_json([["E1", ["P1", "P2"]], ["E2", ["P3", "P1"]]])
    assert one.tasks_sha256 == hashlib.sha256(tasks_json).hexdigest()
    fields = {k: v for k, v in vars(one).items() if k != "entry_hash"}
    assert len(fields) == 14
    # plan_end (added in schema 2) is hashed only when set: entries made before keep their hashes.
    assert fields.pop("plan_end") == ""
    assert one.entry_hash == hashlib.sha256(canonical_json(fields)).hexdigest()
    with Ledger(tmp_path / LEDGER_FILE) as ledger:
        three = add(ledger, 3, plan_end="2024-04-30")
    fields = {k: v for k, v in vars(three).items() if k != "entry_hash"}
    assert three.entry_hash == hashlib.sha256(canonical_json(fields)).hexdigest()


def test_intact_ledger_checks_clean(path: Path) -> None:
    assert check(path) == []


def test_check_detects_an_edited_field(path: Path) -> None:
    raw(path, "UPDATE entries SET seed = 'a-better-seed' WHERE id = 2")
    problems = check(path)
    assert len(problems) == 1
    assert "编号为 2 的记录" in problems[0] and "修改" in problems[0]


def test_check_detects_an_edited_task(path: Path) -> None:
    raw(path, 'UPDATE tasks SET team = \'["P9","P2"]\' WHERE entry_id = 3 AND position = 0')
    problems = check(path)
    assert len(problems) == 1
    assert "编号为 3 的记录" in problems[0] and "任务" in problems[0]


def test_check_detects_a_deleted_task(path: Path) -> None:
    raw(path, "DELETE FROM tasks WHERE entry_id = 1 AND position = 1")
    assert any("编号为 1 的记录" in p and "任务" in p for p in check(path))


def test_check_detects_a_deleted_middle_entry(path: Path) -> None:
    raw(path, "DELETE FROM entries WHERE id = 2")
    problems = check(path)
    assert any("编号为 3 的记录" in p and "缺少编号 2" in p for p in problems)
    assert any("编号为 3 的记录" in p and "哈希链" in p for p in problems)


def test_check_detects_a_deleted_middle_entry_with_its_tasks(path: Path) -> None:
    raw(path, "DELETE FROM tasks WHERE entry_id = 2", "DELETE FROM entries WHERE id = 2")
    assert any("编号为 3 的记录" in p and "缺少编号 2" in p for p in check(path))


def test_check_detects_reordered_entries(path: Path) -> None:
    raw(
        path,
        "UPDATE entries SET id = 100 WHERE id = 1",
        "UPDATE entries SET id = 1 WHERE id = 2",
        "UPDATE entries SET id = 2 WHERE id = 100",
    )
    problems = check(path)
    assert any("编号为 1 的记录" in p and "哈希链" in p for p in problems)
    assert any("编号为 2 的记录" in p for p in problems)


def test_check_detects_a_rechained_swap(path: Path) -> None:
    # Swapping the whole content (not just ids) still cannot fake the hashes.
    raw(
        path,
        "UPDATE entries SET seed = 'x' WHERE id = 1",
        "UPDATE entries SET seed = 'seed-1' WHERE id = 2",
        "UPDATE entries SET seed = 'seed-2' WHERE id = 1",
    )
    problems = check(path)
    assert [p for p in problems if "编号为 1 的记录" in p] and [p for p in problems if "编号为 2 的记录" in p]


def test_check_detects_deleted_last_entry_when_counter_untouched(path: Path) -> None:
    raw(path, "DELETE FROM tasks WHERE entry_id = 3", "DELETE FROM entries WHERE id = 3")
    assert any("缺少编号 3" in p for p in check(path))
    assert any("没有校验文件记下的第 3 条" in p for p in check(path))
    with pytest.raises(LedgerError, match="没有校验文件记下的第 3 条"):
        Ledger(path)  # a draw is refused
    head_path(path).unlink()  # whoever deletes the head file too can draw again, but the gap stays visible
    with Ledger(path) as ledger:
        # The next entry does not reuse id 3, so the gap stays visible.
        assert add(ledger, 4).id == 4
    assert any("编号为 4 的记录" in p and "缺少编号 3" in p for p in check(path))


def test_check_reports_missing_meta_and_append_refuses(path: Path) -> None:
    raw(path, "DROP TABLE meta")
    problems = check(path)
    assert len(problems) == 1 and "标识信息" in problems[0]
    with Ledger(path) as ledger, pytest.raises(LedgerError, match="标识信息"):
        add(ledger, 4)
    raw(path, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    assert any("kind" in p for p in check(path))


def test_get_missing_raises(path: Path) -> None:
    with Ledger(path) as ledger, pytest.raises(LedgerError) as info:
        ledger.get(9)
    assert info.value.message == "抽取台账中没有编号为 9 的记录"
    assert info.value.exit_code == 2


def test_drawn_for_plan_ignores_failed_and_other_plans(tmp_path: Path) -> None:
    with Ledger(tmp_path / LEDGER_FILE) as ledger:
        one = add(ledger, 1)
        add(ledger, 2, status="failed", reason="失败", result_digest="", record_sha256="", tasks=())
        add(ledger, 3, plan_id="PLAN-B")
        four = add(ledger, 4, redraw=True, reason="重抽")
        assert ledger.drawn_for_plan("PLAN-A") == [one, four]
        assert ledger.drawn_for_plan("PLAN-C") == []


def test_history(tmp_path: Path) -> None:
    with Ledger(tmp_path / LEDGER_FILE) as ledger:
        add(ledger, 1, plan_start="2024-04-01", tasks=(LedgerTask("E2", ("P2", "P1")),))
        add(ledger, 2, plan_start="2024-01-15", tasks=(LedgerTask("E1", ("P3",)),))
        add(ledger, 3, status="failed", result_digest="", record_sha256="", tasks=())
        history = ledger.history()
    april, january = date(2024, 4, 1), date(2024, 1, 15)
    assert history == [
        HistoryEntry("E1", january, ""),
        HistoryEntry("E1", january, "P3"),
        HistoryEntry("E2", april, ""),
        HistoryEntry("E2", april, "P1"),
        HistoryEntry("E2", april, "P2"),
    ]


def test_history_skips_failed_entries(tmp_path: Path) -> None:
    with Ledger(tmp_path / LEDGER_FILE) as ledger:
        # A failed entry never carries tasks through append; plant some to prove they are ignored.
        failed = add(ledger, 1, status="failed", result_digest="", record_sha256="", tasks=())
        ledger._insert_tasks(failed.id, TASKS)
        assert ledger.history() == []


def test_foreign_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    raw(other, "CREATE TABLE people (name TEXT)", "INSERT INTO people VALUES ('x')")
    before = other.read_bytes()
    with pytest.raises(LedgerError, match="不是本程序的抽取台账") as info:
        Ledger(other)
    assert "other.sqlite" in str(info.value)
    assert other.read_bytes() == before


def test_sqlite_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    raw(
        other,
        "CREATE TABLE meta (key TEXT, value TEXT)",
        "INSERT INTO meta VALUES ('kind', 'something-else')",
    )
    with pytest.raises(LedgerError, match="不是本程序的抽取台账"):
        Ledger(other)


def test_newer_schema_is_refused(path: Path) -> None:
    raw(path, "UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    with pytest.raises(LedgerError, match="格式版本为 3"):
        Ledger(path)


def test_text_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    text = tmp_path / LEDGER_FILE
    text.write_text("企业名单\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="不是 SQLite") as info:
        Ledger(text)
    assert LEDGER_FILE in str(info.value)
    assert text.read_text(encoding="utf-8") == "企业名单\n"


def test_missing_folder_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="文件夹"):
        Ledger(tmp_path / "nope" / LEDGER_FILE)
    assert not (tmp_path / "nope").exists()
    with pytest.raises(LedgerError, match="不存在"):
        Ledger(tmp_path / LEDGER_FILE, create=False)
    assert not (tmp_path / LEDGER_FILE).exists()
    with pytest.raises(LedgerError, match="文件夹"):
        Ledger(tmp_path)


def tmp_path_ledger(path: Path) -> Path:
    """Another new ledger beside `path`."""
    other = path.with_name("other.sqlite")
    Ledger(other).close()
    return other


def test_file_settings(path: Path) -> None:
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert (
        meta.pop("ledger_id")
        != dict(sqlite3.connect(tmp_path_ledger(path)).execute("SELECT key, value FROM meta"))["ledger_id"]
    )
    assert meta == {"kind": "shuangsuiji-ledger", "schema_version": "2"}
    conn.close()
    with Ledger(path) as ledger:
        assert ledger._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert ledger._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_interrupted_append_leaves_nothing(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail_after_entry_row(self: Ledger, entry_id: int, tasks: Any) -> None:
        assert self._db.execute("SELECT count(*) FROM entries").fetchone()[0] == 4  # the entry row is in
        raise OSError("interrupted")

    with Ledger(path) as ledger:
        before = ledger.entries()
        monkeypatch.setattr(Ledger, "_insert_tasks", fail_after_entry_row)
        with pytest.raises(OSError, match="interrupted"):
            add(ledger, 4)
        monkeypatch.undo()
        assert ledger.entries() == before
        with pytest.raises(TypeError):
            add(ledger, 4, tasks=(LedgerTask("E1", (object(),)),))  # type: ignore[arg-type]
        assert ledger.entries() == before
        # The ledger is still usable, and the id was not burnt by the failed attempts.
        assert add(ledger, 4).id == 4
    with Ledger(path) as ledger:
        assert ledger._db.execute("SELECT count(*) FROM tasks WHERE entry_id > 4").fetchone()[0] == 0
        assert ledger.check() == []


def test_invalid_arguments_are_refused_before_writing(path: Path) -> None:
    with Ledger(path) as ledger:
        with pytest.raises(ValueError):
            add(ledger, 4, status="ok")
        with pytest.raises(ValueError):
            add(ledger, 4, plan_start="2024年4月1日")
        with pytest.raises(ValueError):
            add(ledger, 4, status="failed")  # a failed draw has no result digest
        assert ledger.head()[0] == 3


def test_locked_ledger_fails_with_ledger_error(path: Path) -> None:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Ledger(path, timeout=0.2) as ledger, pytest.raises(LedgerError, match="另一个程序"):
            add(ledger, 4)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert check(path) == []


def test_two_processes_appending_at_once(tmp_path: Path) -> None:
    path = tmp_path / LEDGER_FILE
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from shuangsuiji.io.ledger import Ledger, LedgerTask
        who = sys.argv[1]
        for i in range(20):
            with Ledger(Path({str(path)!r})) as ledger:
                ledger.append(created_at="2024-03-01T00:00:00Z", plan_id=who, plan_start="2024-04-01",
                              status="drawn", seed=f"{{who}}-{{i}}", tasks=[LedgerTask(f"E{{i}}", ("P1",))])
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, who], stderr=subprocess.PIPE) for who in "AB"]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    with Ledger(path) as ledger:
        entries = ledger.entries()
        assert [e.id for e in entries] == list(range(1, 41))
        assert len(ledger.drawn_for_plan("A")) == len(ledger.drawn_for_plan("B")) == 20
        assert ledger.check() == []


def test_a_ledger_without_head_file_gets_one_at_the_next_entry_and_says_so(path: Path) -> None:
    """A ledger of version 0.2 has no head file (nor a ledger id): the next entry makes both."""
    raw(path, "DELETE FROM meta WHERE key = 'ledger_id'")
    head_path(path).unlink()
    with Ledger(path) as ledger:
        entry = add(ledger, 4)
        assert ledger.notices and "已按台账现有的 4 条重新建立" in ledger.notices[0]
    head = json.loads(head_path(path).read_text(encoding="utf-8"))
    assert (head["entries"], head["entry_hash"]) == (4, entry.entry_hash) and len(head["ledger_id"]) == 32
    assert check(path) == []
