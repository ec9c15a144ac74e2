"""Staging: outputs are built in a hidden folder beside the target and renamed into place when complete.

A crash leaves no half-written output, and nothing is overwritten. While it is built, a staging
folder holds copies of the rosters (phone and ID numbers), so it stays private until it is renamed.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError, UsageError


def ensure_new_output_dir(out: Path) -> None:
    """Refuse an output folder that already holds files: an earlier draw is never overwritten."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(
            f"输出文件夹“{out}”已存在且不为空",
            hint="每次抽取须使用一个新的输出文件夹，以免覆盖以前的结果；请换一个 --out",
        )


def remove_abandoned(out: Path) -> None:
    """Remove the temporary folders that killed draws left beside `out` (their process is gone).

    A draw killed outright (power cut, kill -9) cannot clean up; its hidden `.<name>.<pid>.*.partial`
    folder was never an output. Only POSIX can ask whether a process lives without touching it.
    """
    if os.name != "posix":
        return
    for folder in out.parent.glob(f".{glob.escape(out.name)}.*.partial"):
        pid = folder.name.removesuffix(".partial").rsplit(".", 2)[-2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass  # alive under another user, or not ours to judge


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield a private staging folder; on success rename it to `out`, on any failure remove it."""
    ensure_new_output_dir(out)
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned(out)
        temp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}.", suffix=".partial", dir=parent))
        umask = os.umask(0o022)  # read the umask (there is no other way), then put it back
        os.umask(umask)
    except OSError as exc:
        raise OutputError(f"无法在“{parent}”创建输出文件夹（{exc.strerror}）", hint="请检查路径和写权限") from None
    try:
        yield temp
        for child in temp.rglob("*"):
            if child.is_file():
                with child.open("rb") as handle:
                    os.fsync(handle.fileno())
        ensure_new_output_dir(out)
        if out.exists():
            out.rmdir()
        # mkdtemp made it private (0o700): it holds copies of the rosters until it is complete.
        # The finished output is an ordinary folder, like any other.
        os.chmod(temp, 0o777 & ~umask)
        os.rename(temp, out)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
