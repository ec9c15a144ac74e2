"""DuckDB's memory limit and spill folder for a draw (`draw --memory-limit`, `--temp-dir`): the
setting reaches the engine's connection, a bad value is refused in Chinese before anything is
read, the spill folder is private, outside the output folder, and gone after the selection
however it ends; the draw's record does not change with them."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shuangsuiji.cli import app
from shuangsuiji.core.errors import UsageError
from shuangsuiji.io import engine as engine_module
from shuangsuiji.io.engine import EngineSettings, check_memory_limit, memory_limit_bytes
from shuangsuiji.io.staging import SPILL_PREFIX, remove_abandoned
from shuangsuiji.pipeline import InputOptions, run_draw
from tests.builders import SAMPLE_PLAN, ledger_at
from tests.io.test_engine_draw import SEED, sample_folder

duckdb = pytest.importorskip("duckdb")

Observed = list[dict[str, Any]]


@pytest.fixture(scope="module")
def roster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_folder(tmp_path_factory.mktemp("spill") / "名录")


def watch_engine(monkeypatch: pytest.MonkeyPatch, then: Callable[[Any], None] | None = None) -> Observed:
    """Record, from inside the engine's own connection, its memory limit and spill folder (and
    what that folder holds after `then` ran in the connection)."""
    seen: Observed = []
    real = engine_module._register_parameters

    def observing(con: Any, *args: Any) -> None:
        real(con, *args)
        limit, temp = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
        seen.append({"memory_limit": limit, "temp_directory": Path(temp)})
        if then is not None:
            then(con)

    monkeypatch.setattr(engine_module, "_register_parameters", observing)
    return seen


def draw(roster: Path, out: Path, **options: Any) -> Any:
    return run_draw(
        InputOptions(SAMPLE_PLAN, enterprises=roster, engine="duckdb", **options),
        SEED,
        out,
        clock=lambda: "2026-11-30T08:00:00Z",
    )


def test_the_limit_and_folder_reach_duckdb_and_leave_the_record_alone(
    roster: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "临时"
    temp.mkdir()
    seen = watch_engine(monkeypatch)
    limited = draw(roster, tmp_path / "limited", memory_limit="300MiB", temp_dir=temp)
    plain = draw(roster, tmp_path / "plain")
    assert [s["memory_limit"] for s in seen] == ["300.0 MiB", shown(EngineSettings())]
    spill = seen[0]["temp_directory"]
    assert spill.parent.parent == temp and spill.parent.name.startswith(SPILL_PREFIX)
    assert seen[1]["temp_directory"].parent.parent == Path(tempfile.gettempdir())
    assert list(temp.iterdir()) == []  # removed once the selection ended
    assert limited.record == plain.record  # operational: neither recorded nor changing the draw
    kept = (tmp_path / "limited" / "draw-record.json").read_text(encoding="utf-8")
    assert "300MiB" not in kept and "临时" not in kept


def shown(settings: EngineSettings) -> str:
    """The memory limit as DuckDB shows it for these settings."""
    con = duckdb.connect(config=settings.config())
    try:
        return str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
    finally:
        con.close()


def test_the_default_is_half_the_memory_duckdb_sees() -> None:
    con = duckdb.connect()
    duckdb_default = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.close()
    con = duckdb.connect(config=EngineSettings().config())
    ours = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.close()
    number, unit = duckdb_default.split()
    default_bytes = float(number) * {"GiB": 2**30, "MiB": 2**20}[unit]
    assert memory_limit_bytes(None) == pytest.approx(
        max(default_bytes * 0.5 / 0.8, min(2**30, default_bytes)), rel=0.01
    )
    assert ours != duckdb_default
    assert memory_limit_bytes("25%") == pytest.approx(default_bytes * 0.25 / 0.8, rel=0.01)
    assert memory_limit_bytes("6GB") == 6 * 10**9 and memory_limit_bytes("4096MiB") == 4 * 2**30


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("lots", "内存上限“lots”无法识别"),
        ("6", "内存上限“6”无法识别"),
        ("0GB", "内存上限“0GB”过小"),
        ("150%", "不是 1% 到 100% 之间的比例"),
    ],
)
def test_a_bad_memory_limit_is_refused_in_chinese(
    value: str, said: str, roster: Path, tmp_path: Path
) -> None:
    with pytest.raises(UsageError, match=said):
        check_memory_limit(value)
    result = CliRunner().invoke(
        app,
        ["draw", "--plan", str(SAMPLE_PLAN), "--enterprises", str(roster), "--seed", SEED,
         "--out", str(tmp_path / "out"), "--memory-limit", value,
         "--ledger", str(ledger_at(tmp_path / "ledger.sqlite"))],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert said in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_temp_folder_missing_or_inside_the_output_is_refused(roster: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(UsageError, match="不存在或不是文件夹"):
        draw(roster, out, temp_dir=tmp_path / "无此文件夹")
    out.mkdir()  # empty, so a draw may go there: but not its spilled rows
    with pytest.raises(UsageError, match=r"在输出文件夹“.*”之内"):
        draw(roster, out, temp_dir=out)


def spill_then(fail: BaseException) -> Callable[[Any], None]:
    """Make DuckDB really spill (a table past a 64 MiB limit), then fail as `fail` says."""

    def run(con: Any) -> None:
        con.execute("SET memory_limit = '64MiB'")
        con.execute(
            "CREATE TEMP TABLE big AS SELECT range AS i, repeat('x', 100) || range AS t FROM range(3000000)"
        )
        folder = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
        assert any(f.name.endswith(".tmp") for f in folder.iterdir())  # spilled data on disk
        raise fail

    return run


@pytest.mark.parametrize(
    "fail",
    [duckdb.InvalidInputException("engine failure"), KeyboardInterrupt()],
    ids=["engine-error", "ctrl-c"],
)
def test_the_spill_folder_is_gone_after_a_failure(
    fail: BaseException, roster: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "临时"
    temp.mkdir()
    seen = watch_engine(monkeypatch, spill_then(fail))
    with pytest.raises(type(fail)):
        draw(roster, tmp_path / "out", temp_dir=temp)
    assert seen and seen[0]["temp_directory"].parent.parent == temp
    assert list(temp.iterdir()) == []
    assert not (tmp_path / "out").exists()


def test_running_out_of_memory_is_told_in_chinese(
    roster: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhaust(con: Any) -> None:  # what no spilling can hold: one list of a gigabyte
        con.execute("SET memory_limit = '64MiB'")
        con.execute("SELECT list(repeat('x', 1000)) FROM range(1000000)").fetchall()

    temp = tmp_path / "临时"
    temp.mkdir()
    watch_engine(monkeypatch, exhaust)
    result = CliRunner().invoke(
        app,
        ["draw", "--plan", str(SAMPLE_PLAN), "--enterprises", str(roster), "--seed", SEED,
         "--out", str(tmp_path / "out"), "--memory-limit", "2GB", "--temp-dir", str(temp),
         "--engine", "duckdb", "--ledger", str(ledger_at(tmp_path / "ledger.sqlite"))],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "DuckDB 抽取时内存不足（内存上限 1.9 GiB）" in result.output and "--memory-limit" in result.output
    assert "Traceback" not in result.output
    assert list(temp.iterdir()) == []


def test_a_killed_draws_spill_folder_is_removed_by_the_next_run(tmp_path: Path) -> None:
    # What a kill -9 leaves: a registered spill folder whose process holds no lock any more.
    from shuangsuiji.io import staging

    token, entry = staging._register(lambda t: tmp_path / f"{SPILL_PREFIX}{t}")
    folder = tmp_path / f"{SPILL_PREFIX}{token}"
    (folder / "duckdb").mkdir(parents=True)
    (folder / "duckdb" / "duckdb_temp_storage-0.tmp").write_bytes(os.urandom(64))
    assert entry is not None
    os.close(entry.fd)  # the lock goes with the process
    staging._held.discard(entry.path.name)
    assert folder in remove_abandoned()
    assert not folder.exists()


def test_verify_recomputes_within_the_same_limits(
    roster: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    draw(roster, out)
    temp = tmp_path / "临时"
    temp.mkdir()
    seen = watch_engine(monkeypatch)
    result = CliRunner().invoke(
        app, ["verify", str(out), "--memory-limit", "300MiB", "--temp-dir", str(temp)]
    )
    assert result.exit_code == 0, result.output
    assert [s["memory_limit"] for s in seen] == ["300.0 MiB"]
    assert seen[0]["temp_directory"].parent.parent == temp
    assert list(temp.iterdir()) == []  # the spill folder and the recomputed outputs both gone
    bad = CliRunner().invoke(app, ["verify", str(out), "--memory-limit", "很多"])
    assert bad.exit_code == 2 and "内存上限“很多”无法识别" in bad.output


def test_ctrl_c_inside_a_duckdb_query_is_an_interruption(
    roster: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(con: Any) -> None:  # what DuckDB 2 raises when Ctrl-C stops a running query
        raise RuntimeError("Query interrupted")

    temp = tmp_path / "临时"
    temp.mkdir()
    watch_engine(monkeypatch, interrupted)
    result = CliRunner().invoke(
        app,
        ["draw", "--plan", str(SAMPLE_PLAN), "--enterprises", str(roster), "--seed", SEED,
         "--out", str(tmp_path / "out"), "--temp-dir", str(temp), "--engine", "duckdb",
         "--ledger", str(ledger_at(tmp_path / "ledger.sqlite"))],
    )  # fmt: skip
    assert result.exit_code == 130, result.output
    assert "已中断" in result.output and "内部错误" not in result.output
    assert list(temp.iterdir()) == [] and not (tmp_path / "out").exists()
