"""Staging: outputs are built in a hidden folder beside the target and renamed into place when complete.

A crash leaves no half-written output, and nothing is overwritten. While it is built, a staging
folder holds copies of the rosters (phone and ID numbers), so it stays private (0o700) until the
moment it is renamed. Each staging folder, and verify's scratch folder, is entered in a per-user
registry while it lives, so that any later run, wherever it works, removes what a killed run left.

The registry is a folder of small files, one per live folder, each naming that folder's absolute
path. The process that stages holds an exclusive, non-blocking OS lock on its file for as long as
the folder lives. The OS drops such a lock when the process dies, however it dies (kill -9, a
crash, a power cut: after a reboot no lock exists), so a file whose lock can be taken belongs to
a dead process. No process ids are guessed at: ids are reused, and on Windows `os.kill(pid, 0)`
terminates the process it asks about.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from ..core.errors import OutputError, UsageError

STATE_DIR_VARIABLE = "SHUANGSUIJI_STATE_DIR"
VERIFY_PREFIX = "shuangsuiji-verify-"
SPILL_PREFIX = "shuangsuiji-duckdb-"  # the folder a DuckDB selection spills into past its memory limit
_ENTRY_SUFFIX = ".entry"
_BINARY = getattr(os, "O_BINARY", 0)  # Windows would otherwise translate line ends
# This process's own live entries: where locks are per process rather than per open file (flock
# emulated by fcntl on NFS), this process could take its own lock and must not reap itself.
_held: set[str] = set()

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        # Locks are per handle: another handle, even in this process, is refused.
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        # flock, not lockf: flock locks belong to the open file, so a second open in this very
        # process is refused too (lockf locks belong to the process and would let it in).
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # held by a live process, or a file system without locks: leave it be
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def registry_dir() -> Path:
    """Where live staging folders are registered: $SHUANGSUIJI_STATE_DIR or the user's state folder."""
    given = os.environ.get(STATE_DIR_VARIABLE)
    if given:
        return Path(given) / "staging"
    import platformdirs  # imported only here: every command would otherwise pay for it at start-up

    return platformdirs.user_state_path("shuangsuiji", appauthor=False) / "staging"


def ensure_new_output_dir(out: Path) -> None:
    """Refuse an output folder that already holds files: an earlier draw is never overwritten."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(
            f"输出文件夹“{out}”已存在且不为空",
            hint="每次抽取须使用一个新的输出文件夹，以免覆盖以前的结果；请换一个 --out",
        )


def _sync_folder(folder: Path) -> None:
    """Make a new name in `folder` survive a power cut (POSIX; Windows cannot open folders so)."""
    if sys.platform != "win32":
        with suppress(OSError):  # some file systems refuse: the entry is still made, only less durable
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _close(fd: int, locked: bool) -> None:
    """Close a registry file, unlocking it first (Windows asks for that; elsewhere closing unlocks)."""
    if locked:
        with suppress(OSError):
            _unlock(fd)
    with suppress(OSError):
        os.close(fd)


def _close_and_remove(path: Path, fd: int) -> None:
    """Remove a registry file this process has locked, and close it; never raises."""
    if sys.platform == "win32":
        # An open file cannot be removed here: close first. Should another process hold it open
        # by then, it stays, and a later run removes it.
        _close(fd, True)
        with suppress(OSError):
            path.unlink(missing_ok=True)
    else:
        # Removed while still locked: no one can lock it after us and take it for a live entry.
        with suppress(OSError):
            path.unlink(missing_ok=True)
        _close(fd, True)


class _Entry:
    """This process's registry file for one live folder, locked until released."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    @classmethod
    def create(cls, token: str, folder: Path) -> _Entry | None:
        """Register `folder` (not made yet); None when a cleaner got in first: try another token."""
        registry = registry_dir()
        registry.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = registry / f"{token}{_ENTRY_SUFFIX}"
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _BINARY, 0o600)
        locked = False
        try:
            locked = _try_lock(fd)
            if locked and _still_linked(path, fd):
                data = os.fsencode(os.path.abspath(folder))
                if os.write(fd, data) != len(data):
                    raise OSError("short write")
                os.fsync(fd)  # the path is on disk before the folder can be
                _sync_folder(registry)
                _held.add(path.name)
                return cls(path, fd)
        except BaseException:
            _close(fd, locked)
            with suppress(OSError):
                path.unlink(missing_ok=True)
            raise
        # A cleaner took the empty file for a dead one (and removed it, or is about to).
        _close(fd, locked)
        with suppress(OSError):
            path.unlink(missing_ok=True)
        return None

    def release(self) -> None:
        """Unregister: the folder is gone (removed or renamed into place). Never raises."""
        _held.discard(self.path.name)
        _close_and_remove(self.path, self.fd)


def _still_linked(path: Path, fd: int) -> bool:
    """Whether `fd` is still the file at `path` (on POSIX a cleaner may remove a file another holds open)."""
    if sys.platform == "win32":
        return True  # an open file cannot be removed there
    else:
        try:
            return os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            return False


def _register(path_for: Callable[[str], Path]) -> tuple[str, _Entry | None]:
    """A fresh random token and the entry registering `path_for(token)`, or None without a registry."""
    for _attempt in range(5):
        token = secrets.token_hex(8)
        try:
            entry = _Entry.create(token, path_for(token))
        except OSError:
            return token, None  # registry unusable (read-only home, full disk): stage unregistered
        if entry is not None:
            return token, entry
    return secrets.token_hex(8), None


def _is_ours(folder: Path, token: str) -> bool:
    """Whether a registered path still names a folder made for this very entry."""
    name = folder.name
    return folder.is_absolute() and (
        name in (f"{VERIFY_PREFIX}{token}", f"{SPILL_PREFIX}{token}")
        or (name.startswith(".") and name.endswith(f".{token}.partial"))
    )


def _reap(entry: Path) -> Path | None:
    """Remove the folder of a dead process's entry, then the entry; return the folder removed."""
    fd = os.open(entry, os.O_RDONLY | _BINARY)
    locked = False
    try:
        locked = _try_lock(fd)
        if not locked:
            return None  # its process is alive
        data = b""
        while block := os.read(fd, 1 << 16):
            data += block
        folder = Path(os.fsdecode(data)) if data else None  # empty: its process died registering
        removed = None
        if (
            folder is not None
            and _is_ours(folder, entry.name.removesuffix(_ENTRY_SUFFIX))
            and os.path.lexists(folder)
        ):
            shutil.rmtree(folder, ignore_errors=True)
            if os.path.lexists(folder):
                return None  # not all of it could be removed: keep the entry for a later run
            removed = folder
        _close_and_remove(entry, fd)
        fd = -1
        return removed
    finally:
        if fd >= 0:
            _close(fd, locked)


def remove_abandoned() -> list[Path]:
    """Remove the folders that killed runs left anywhere, by the registry; return those removed.

    Trouble with the registry never stops a draw: an entry that cannot be read is skipped.
    """
    removed: list[Path] = []
    try:
        entries = sorted(registry_dir().glob(f"*{_ENTRY_SUFFIX}"))
    except OSError:
        return removed
    for entry in entries:
        if entry.name in _held:
            continue
        try:
            folder = _reap(entry)
        except (OSError, ValueError):  # unreadable, or a path no file system takes: skip it
            continue
        if folder is not None:
            removed.append(folder)
    return removed


@contextmanager
def _private_folder(path_for: Callable[[str], Path]) -> Iterator[Path]:
    """A new registered folder only this user can enter; whatever is left of it is removed afterwards."""
    token, entry = _register(path_for)
    folder = path_for(token)
    try:
        folder.mkdir(mode=0o700)  # as mkdtemp does; the random token makes the name new
    except BaseException:
        if entry is not None:
            entry.release()
        raise
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # nothing is left here once renamed into place
        if entry is not None:
            entry.release()


def _umask() -> int:
    umask = os.umask(0o022)  # read the umask (there is no other way), then put it back
    os.umask(umask)
    return umask


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield a private staging folder; on success rename it to `out`, on any failure remove it."""
    ensure_new_output_dir(out)
    remove_abandoned()
    parent = out.parent
    with ExitStack() as stack:
        try:
            parent.mkdir(parents=True, exist_ok=True)
            umask = _umask()  # read before the body starts threads that create files
            temp = stack.enter_context(_private_folder(lambda token: parent / f".{out.name}.{token}.partial"))
        except OSError as exc:
            raise OutputError(
                f"无法在“{parent}”创建输出文件夹（{exc.strerror}）", hint="请检查路径和写权限"
            ) from None
        yield temp
        for child in temp.rglob("*"):
            if child.is_file():
                with child.open("rb") as handle:
                    os.fsync(handle.fileno())
        ensure_new_output_dir(out)
        if out.exists():
            out.rmdir()
        # Private until complete; the finished output is an ordinary folder, like any other.
        os.chmod(temp, 0o777 & ~umask)
        os.rename(temp, out)


@contextmanager
def staged_contents(folder: Path) -> Iterator[Path]:
    """staged_output for a folder that may already exist, empty (`init .` in a new folder): built
    aside, then renamed into place; an existing folder is kept and the finished entries are moved
    into it (a shell standing in it would otherwise be left in a removed folder)."""
    target = folder.resolve()
    if not target.is_dir():
        with staged_output(target) as temp:
            yield temp
        return
    ensure_new_output_dir(target)
    remove_abandoned()
    with _private_folder(lambda token: target.parent / f".{target.name}.{token}.partial") as temp:
        yield temp
        entries = sorted(temp.iterdir())
        for entry in entries:
            if entry.is_file():
                with entry.open("rb") as handle:
                    os.fsync(handle.fileno())
        ensure_new_output_dir(target)
        for entry in entries:
            os.rename(entry, target / entry.name)
        _sync_folder(target)


@contextmanager
def private_scratch(where: Path | None = None, prefix: str = VERIFY_PREFIX) -> Iterator[Path]:
    """A private, registered scratch folder in `where` (None: the system's temporary folder),
    removed afterwards."""
    remove_abandoned()
    where = where or Path(tempfile.gettempdir())
    with ExitStack() as stack:
        try:
            scratch = stack.enter_context(_private_folder(lambda token: where / f"{prefix}{token}"))
        except OSError as exc:
            raise OutputError(
                f"无法在“{where}”创建临时文件夹（{exc.strerror}）", hint="请检查临时文件夹的写权限和磁盘空间"
            ) from None
        yield scratch
