"""Staging: atomic output folders, private while built, and the registry that cleans up after killed runs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from shuangsuiji.core.errors import UsageError
from shuangsuiji.io.staging import (
    STATE_DIR_VARIABLE,
    ensure_new_output_dir,
    private_scratch,
    registry_dir,
    remove_abandoned,
    staged_output,
)
from tests.killed import kill, staging_process

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def umask() -> int:
    value = os.umask(0o022)
    os.umask(value)
    return value


def registered() -> dict[Path, Path]:
    """Registry entry → the folder it names."""
    return {entry: Path(entry.read_text(encoding="utf-8")) for entry in registry_dir().glob("*.entry")}


def test_staged_output_appears_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), staged_output(target) as folder:
        (folder / "a.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    with staged_output(target) as folder:
        (folder / "a.txt").write_text("whole", encoding="utf-8")
    assert (target / "a.txt").read_text(encoding="utf-8") == "whole"


def test_an_existing_folder_with_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("earlier draw", encoding="utf-8")
    with pytest.raises(UsageError, match="已存在且不为空"):
        ensure_new_output_dir(tmp_path)
    with pytest.raises(UsageError), staged_output(tmp_path):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
    ensure_new_output_dir(tmp_path / "new")  # a new or empty folder is fine


@posix_only
def test_staging_folder_is_private_until_renamed(tmp_path: Path) -> None:
    seen = []
    with staged_output(tmp_path / "out") as folder:
        (folder / "inputs").mkdir()
        seen.append(stat.S_IMODE(folder.stat().st_mode))
        (folder / "inputs" / "enterprises.csv").write_text("13812345678", encoding="utf-8")
        seen.append(stat.S_IMODE(folder.stat().st_mode))
    assert seen == [0o700, 0o700]
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o777 & ~umask()


def test_output_folder_gets_ordinary_permissions(tmp_path: Path) -> None:
    with staged_output(tmp_path / "out"):
        pass
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask()


def test_a_staging_folder_is_registered_while_it_lives(tmp_path: Path, state_dir: Path) -> None:
    assert registry_dir() == state_dir / "staging"
    with staged_output(tmp_path / "out") as folder:
        assert list(registered().values()) == [folder.absolute()]
    assert registered() == {}
    with pytest.raises(RuntimeError), staged_output(tmp_path / "again") as folder:
        assert list(registered().values()) == [folder.absolute()]
        raise RuntimeError("failed")
    assert registered() == {}


def test_a_killed_draw_is_removed_by_a_later_draw_elsewhere(tmp_path: Path) -> None:
    with staging_process(tmp_path / "a" / "out") as (child, abandoned):
        assert (abandoned / "inputs" / "enterprises.csv").exists()
        assert abandoned.parent == tmp_path / "a" and abandoned.name.endswith(".partial")
        assert list(registered().values()) == [abandoned]
        kill(child)
        with staged_output(tmp_path / "b" / "elsewhere") as folder:
            (folder / "x.txt").write_text("x", encoding="utf-8")
    assert not abandoned.exists()
    assert list((tmp_path / "a").iterdir()) == []
    assert registered() == {}
    assert (tmp_path / "b" / "elsewhere" / "x.txt").exists()


def test_folders_of_killed_draws_are_removed_but_live_ones_kept(tmp_path: Path) -> None:
    with staging_process(tmp_path / "a" / "out") as (child, alive):
        assert remove_abandoned() == []
        with staged_output(tmp_path / "b" / "out"):
            pass
        assert (alive / "inputs" / "enterprises.csv").exists()
        assert list(registered().values()) == [alive]
        kill(child)
        assert remove_abandoned() == [alive]
    assert not alive.exists() and registered() == {}


def test_a_registered_path_that_is_not_ours_is_never_removed(tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    lookalike = tmp_path / ".out.0123456789abcdef.partial"  # a staging name, but made for another entry
    for folder in (precious, lookalike):
        folder.mkdir()
        (folder / "keep.txt").write_text("keep", encoding="utf-8")
    registry_dir().mkdir(parents=True)
    (registry_dir() / "aaaaaaaaaaaaaaaa.entry").write_text(str(precious), encoding="utf-8")
    (registry_dir() / "bbbbbbbbbbbbbbbb.entry").write_text(str(lookalike), encoding="utf-8")
    (registry_dir() / "cccccccccccccccc.entry").write_text("", encoding="utf-8")  # killed while registering
    assert remove_abandoned() == []
    assert (precious / "keep.txt").exists() and (lookalike / "keep.txt").exists()
    assert registered() == {}


def test_an_unusable_registry_never_stops_a_draw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(STATE_DIR_VARIABLE, str(blocker))
    with staged_output(tmp_path / "out") as folder:
        (folder / "a.txt").write_text("whole", encoding="utf-8")
    assert (tmp_path / "out" / "a.txt").read_text(encoding="utf-8") == "whole"
    assert remove_abandoned() == []
    with private_scratch() as scratch:
        assert scratch.is_dir()
    assert not scratch.exists()


def test_private_scratch_is_private_registered_and_removed() -> None:
    with private_scratch() as scratch:
        assert scratch.is_dir() and scratch.name.startswith("shuangsuiji-verify-")
        if os.name == "posix":
            assert stat.S_IMODE(scratch.stat().st_mode) == 0o700
        assert list(registered().values()) == [scratch.absolute()]
        (scratch / "inputs").mkdir()
        (scratch / "inputs" / "enterprises.csv").write_text("13812345678", encoding="utf-8")
    assert not scratch.exists()
    assert registered() == {}


@pytest.mark.skipif(
    os.name != "posix", reason="only POSIX lets a cleaner remove a file another process holds open"
)
def test_a_registration_that_a_cleaner_removed_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuangsuiji.io import staging

    real = staging._try_lock
    raced: list[Path] = []

    def cleaner_first(fd: int) -> bool:
        if not raced:  # a cleaner saw the new, still empty file, took it for a dead one and removed it
            raced.extend(registry_dir().glob("*.entry"))
            remove_abandoned()
        return real(fd)

    monkeypatch.setattr(staging, "_try_lock", cleaner_first)
    with staged_output(tmp_path / "out") as folder:
        live = registered()
    assert len(raced) == 1 and raced[0] not in live
    assert list(live.values()) == [folder.absolute()]
