"""Staging: the atomic output folder, private while it is built."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from shuangsuiji.errors import UsageError
from shuangsuiji.io.staging import ensure_new_output_dir, staged_output


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
    with pytest.raises(UsageError):
        ensure_new_output_dir(tmp_path)
    ensure_new_output_dir(tmp_path / "new")  # a new or empty folder is fine


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_staging_folder_is_private_until_renamed(tmp_path: Path) -> None:
    seen = []
    with staged_output(tmp_path / "out") as folder:
        (folder / "inputs").mkdir()
        seen.append(stat.S_IMODE(folder.stat().st_mode))
        (folder / "inputs" / "enterprises.csv").write_text("13812345678", encoding="utf-8")
        seen.append(stat.S_IMODE(folder.stat().st_mode))
    assert seen == [0o700, 0o700]
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o777 & ~umask


def test_output_folder_gets_ordinary_permissions(tmp_path: Path) -> None:
    import os

    with staged_output(tmp_path / "out"):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask


def test_folders_of_killed_draws_are_removed_but_live_ones_kept(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead = tmp_path / f".out.{finished.stdout.strip()}.abc.partial"
    alive = tmp_path / f".out.{os.getppid()}.def.partial"
    other = tmp_path / ".other.1.xyz.partial"
    for folder in (dead, alive, other):
        folder.mkdir()
    with staged_output(tmp_path / "out"):
        pass
    assert not dead.exists()
    assert alive.exists() and other.exists()
