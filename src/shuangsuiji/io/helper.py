"""Write a workbook in a helper process, so that a large draw's two workbooks use both cores.

Why a plain subprocess fed by pickle, not multiprocessing: fork made both processes slower (every
page touched by reference counting was copied), and spawn re-imports the caller's main script,
which breaks library callers whose scripts lack an `if __name__ == "__main__"` guard.
The payload is data this process just built, never anything read from outside.

The sheets are sent one by one, each as soon as it is built, and the helper writes each as it
arrives (xlsx.Workbook takes them in any order): the last one, the draw's notes sheet, needs the
result digest, which is computed meanwhile. When the workbook is complete, the helper prints its
content digest (see xlsx) on stdout, one line of hex: nothing to unpickle, easy to check.
"""

from __future__ import annotations

import contextlib
import pickle
import queue
import re
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.errors import OutputError
from .xlsx import Columns, Sheet, Workbook

_DIGEST = re.compile(rb"[0-9a-f]{64}\n")


class WorkbookHelper:
    """A helper process writing one workbook, sheet by sheet as they are sent."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shuangsuiji.io.helper"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # A thread feeds the pipe, which takes each payload only as fast as the helper reads it:
        # the sender never waits for a helper still busy with the sheet before.
        self._payloads: queue.Queue[bytes | None] = queue.Queue()
        self._feeder = threading.Thread(target=self._feed, name="workbook-helper-feed", daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            while (payload := self._payloads.get()) is not None:
                stdin.write(payload)
                stdin.flush()
        except OSError:
            pass  # the helper died; wait() reports it
        with contextlib.suppress(OSError):
            stdin.close()

    def _send(self, message: Any) -> None:
        self._payloads.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def begin(self, path: Path, count: int, title: str) -> None:
        """Start the workbook at `path`, which will have `count` sheets."""
        self.path = path
        self._send((str(path), count, title))

    def add(self, index: int, sheet: Sheet) -> None:
        """Send the sheet whose tab is number `index`; the helper writes it next."""
        rows = sheet.rows if isinstance(sheet.rows, Columns) else Columns(*zip(*sheet.rows, strict=True))
        # Column lists pickle several times faster than as many row tuples.
        columns = [list(c) for c in rows.columns] if len(rows) else [[] for _ in sheet.header]
        self._send((index, replace(sheet, header=list(sheet.header), rows=Columns(*columns))))

    def abandon(self) -> None:
        """Stop the helper without a word: the draw is failing for another reason."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        self._payloads.put(None)
        self._feeder.join()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()

    def wait(self) -> str:
        """Wait until the workbook is complete and return its content digest; raise OutputError
        if the helper failed."""
        self._payloads.put(None)
        self._feeder.join()
        # stderr first, to its end (the helper's exit): stdout carries one short line, which
        # waits in the pipe meanwhile, and anything printed by mistake goes to stderr (_serve).
        errors = self.process.stderr.read() if self.process.stderr else b""
        report = self.process.stdout.read() if self.process.stdout else b""
        self._close_pipes()
        if self.process.wait() != 0 or not _DIGEST.fullmatch(report):
            lines = errors.decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1] if lines else ("无输出" if self.process.returncode else "没有报告内容摘要")
            name = self.path.name if self.path else "工作簿"
            raise OutputError(f"写出“{name}”失败（{detail}）", hint="请检查输出文件夹所在磁盘的空间和写权限")
        return report.decode("ascii").strip()


def _serve() -> None:
    """The helper's side: read the workbook's sheets from stdin and write each as it comes."""
    stream = sys.stdin.buffer
    report = sys.stdout.buffer
    sys.stdout = sys.stderr  # the parent reads stdout only at the end: a stray print must not fill it
    path, count, title = pickle.load(stream)
    with Workbook(Path(path), count, title=title) as book:
        for _ in range(count):
            index, sheet = pickle.load(stream)
            book.add(index, sheet)
    report.write(book.content_digest().encode("ascii") + b"\n")
    report.flush()


if __name__ == "__main__":
    _serve()
