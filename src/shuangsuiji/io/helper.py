"""Write workbooks in helper processes, so that a large draw's workbooks use both cores.

Why a plain subprocess fed by pickle, not multiprocessing: fork made both processes slower (every
page touched by reference counting was copied), and spawn re-imports the caller's main script,
which breaks library callers whose scripts lack an `if __name__ == "__main__"` guard.
The payload is data this process just built, never anything read from outside.

The sheets are sent one by one, each as soon as it is built, and the helper writes each as it
arrives (xlsx.Workbook takes them in any order): the last one, the draw's notes sheet, needs the
result digest, which is computed meanwhile. When a workbook is complete, the helper prints its
content digest (see xlsx) and the SHA-256 of the file on stdout, one line of hex: nothing to
unpickle, easy to check (the file is hashed there, while still in the page cache). A helper
then takes the next workbook, if one is sent, until its input ends: a split draw's two hundred
workbooks go through a pool of two helpers (WorkbookPool) instead of two hundred process starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import queue
import re
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.errors import OutputError
from .xlsx import Columns, Sheet, Workbook, check_sheet, check_sheet_name

_DIGESTS = re.compile(rb"[0-9a-f]{64} [0-9a-f]{64}\n")
_END = b""  # what a helper's reader reports once the helper's stdout is closed


class WorkbookHelper:
    """A helper process writing workbooks one after another, each sheet by sheet as they are sent.

    Each line the helper prints is put on `reports` as (helper, line), and (helper, b"") when its
    output ends; a pool shares one queue among its helpers to hear from whichever finishes first."""

    def __init__(self, reports: queue.Queue[tuple[WorkbookHelper, bytes]] | None = None) -> None:
        self.path: Path | None = None
        self.begun: deque[Path] = deque()  # workbooks begun whose digest has not been taken yet
        self.reports = reports if reports is not None else queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shuangsuiji.io.helper"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._errors = b""
        # A thread feeds the pipe, which takes each payload only as fast as the helper reads it:
        # the sender never waits for a helper still busy with the sheet before. Two more read its
        # stdout (digests as they come) and its stderr (so that a chatty helper never blocks on it).
        self._payloads: queue.Queue[bytes | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._feed, name="workbook-helper-feed", daemon=True),
            threading.Thread(target=self._read, name="workbook-helper-read", daemon=True),
            threading.Thread(target=self._read_errors, name="workbook-helper-errors", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _feed(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            while (payload := self._payloads.get()) is not None:
                stdin.write(payload)
                stdin.flush()
        except OSError:
            pass  # the helper died; its exit status and stderr report it
        with contextlib.suppress(OSError):
            stdin.close()

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        for line in stdout:
            self.reports.put((self, line))
        self.reports.put((self, _END))

    def _read_errors(self) -> None:
        if self.process.stderr is not None:
            self._errors = self.process.stderr.read()

    def _send(self, message: Any) -> None:
        self._payloads.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def begin(self, path: Path, count: int, title: str) -> None:
        """Start the workbook at `path`, which will have `count` sheets (after every sheet of the
        workbook begun before, if any)."""
        self.path = path
        self.begun.append(path)
        self._send((str(path), count, title))

    def add(self, index: int, sheet: Sheet) -> None:
        """Send the sheet whose tab is number `index`; the helper writes it next."""
        rows = sheet.rows if isinstance(sheet.rows, Columns) else Columns(*zip(*sheet.rows, strict=True))
        # Column lists pickle several times faster than as many row tuples.
        columns = [list(c) for c in rows.columns] if len(rows) else [[] for _ in sheet.header]
        self._send((index, replace(sheet, header=list(sheet.header), rows=Columns(*columns))))

    def end_input(self) -> None:
        """No more workbooks: the helper exits once it has written those begun."""
        self._payloads.put(None)

    def abandon(self) -> None:
        """Stop the helper without a word: the draw is failing for another reason."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        self._payloads.put(None)
        self.join()

    def join(self) -> None:
        """Wait for this helper's threads (its process has ended) and close its pipes."""
        for thread in self._threads:
            thread.join()
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()

    def failure(self, report: bytes) -> OutputError:
        """The error for a helper that reported `report` instead of the digest of its oldest
        workbook begun; waits for its exit to quote its last words."""
        self.end_input()
        self.process.wait()
        self.join()
        lines = self._errors.decode("utf-8", "replace").strip().splitlines()
        if lines:
            detail = lines[-1]
        elif self.process.returncode:
            detail = "无输出"
        else:
            detail = "没有报告内容摘要" if report == _END else "报告的内容摘要无效"
        path = self.begun[0] if self.begun else self.path
        name = path.name if path else "工作簿"
        return OutputError(f"写出“{name}”失败（{detail}）", hint="请检查输出文件夹所在磁盘的空间和写权限")

    def take(self, report: bytes) -> tuple[Path, str, str]:
        """The oldest workbook begun, its content digest and its file's SHA-256, from this helper's
        next `report`; raises OutputError if the report is not those digests."""
        if not self.begun or not _DIGESTS.fullmatch(report):
            raise self.failure(report)
        content, file = report.decode("ascii").split()
        return self.begun.popleft(), content, file

    def wait(self) -> str:
        """Wait until the (only) workbook is complete and return its content digest; raise
        OutputError if the helper failed."""
        self.end_input()
        _, found, _ = self.take(self.reports.get()[1])
        if (rest := self.reports.get()[1]) != _END:
            raise self.failure(rest)
        if self.process.wait() != 0:
            raise self.failure(_END)
        self.join()
        return found


class WorkbookPool:
    """Workbooks written by `size` helper processes, each taking the next workbook given to it.

    At most `depth` workbooks wait per helper (the one it writes included): the caller builds the
    next one only when a helper has room, so memory holds a few workbooks' sheets, not all of them.
    """

    def __init__(self, size: int = 2, depth: int = 2) -> None:
        self._reports: queue.Queue[tuple[WorkbookHelper, bytes]] = queue.Queue()
        self._depth = depth
        self._helpers: list[WorkbookHelper] = []
        self.digests: dict[Path, tuple[str, str]] = {}  # each workbook's content digest, file SHA-256
        try:
            for _ in range(size):
                self._helpers.append(WorkbookHelper(self._reports))
        except BaseException:
            self.abandon()
            raise

    def _collect(self, *, block: bool = True) -> None:
        helper, report = self._reports.get(block)
        if report == _END and not helper.begun:
            return  # a helper ending after its last workbook; finish() checks how it exited
        path, content, file = helper.take(report)
        self.digests[path] = (content, file)

    def room(self) -> None:
        """Take the digests already reported, then wait until some helper can take a workbook."""
        with contextlib.suppress(queue.Empty):
            while True:
                self._collect(block=False)
        while min(len(h.begun) for h in self._helpers) >= self._depth:
            self._collect()

    def write(self, path: Path, sheets: Sequence[Sheet], *, title: str = "") -> None:
        """Send a workbook (sheets in tab order, written in that order, as xlsx.write_workbook does)
        to the helper with the fewest waiting; every sheet is checked here first."""
        for number, sheet in enumerate(sheets):
            check_sheet_name(sheet.name, (s.name for s in sheets[:number]))
            check_sheet(sheet)
        self.room()
        helper = min(self._helpers, key=lambda h: len(h.begun))
        helper.begin(path, len(sheets), title)
        for index, sheet in enumerate(sheets):
            helper.add(index, sheet)

    def finish(self) -> dict[Path, tuple[str, str]]:
        """Wait for every workbook sent; return each one's content digest and file SHA-256. Raises
        OutputError if a helper failed."""
        for helper in self._helpers:
            helper.end_input()
        while any(h.begun for h in self._helpers):
            self._collect()
        for helper in self._helpers:
            if helper.process.wait() != 0:
                raise helper.failure(_END)
            helper.join()
        return self.digests

    def abandon(self) -> None:
        """Stop every helper: the draw is failing for another reason."""
        for helper in self._helpers:
            helper.abandon()


def _serve() -> None:
    """The helper's side: read workbooks from stdin, each a header then its sheets, and write each
    sheet as it comes; print each workbook's content digest when it is complete."""
    stream = sys.stdin.buffer
    report = sys.stdout.buffer
    sys.stdout = sys.stderr  # the parent reads stdout for digests only: a stray print must not go there
    while True:
        try:
            path, count, title = pickle.load(stream)
        except EOFError:  # no more workbooks
            break
        with Workbook(Path(path), count, title=title) as book:
            for _ in range(count):
                index, sheet = pickle.load(stream)
                book.add(index, sheet)
        with Path(path).open("rb") as written:
            file = hashlib.file_digest(written, "sha256").hexdigest()
        report.write(f"{book.content_digest()} {file}\n".encode("ascii"))
        report.flush()


if __name__ == "__main__":
    _serve()
