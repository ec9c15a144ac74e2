"""Write a workbook in a helper process, so that a large draw's two workbooks use both cores.

Why a plain subprocess fed by pickle, not multiprocessing: fork made both processes slower (every
page touched by reference counting was copied), and spawn re-imports the caller's main script,
which breaks library callers whose scripts lack an `if __name__ == "__main__"` guard.
The payload is data this process just built, never anything read from outside.

The last sheet's rows may follow later: the helper writes the other sheets meanwhile, and only
then waits for them (the draw's notes sheet needs the result digest, computed in parallel).
"""

from __future__ import annotations

import contextlib
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError
from .xlsx import Cell, Columns, Sheet, write_workbook


class WorkbookHelper:
    """A helper process writing one workbook whose last sheet's rows are sent later."""

    def __init__(self, path: Path, sheets: Sequence[Sheet], last: Sheet, title: str) -> None:
        self.path = path
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shuangsuiji.io.helper"], stdin=subprocess.PIPE, stderr=subprocess.PIPE
        )
        plain = [_plain(s) for s in sheets]
        self._send((str(path), plain, _plain(last, with_rows=False), title))

    def _send(self, message: Any) -> None:
        # In a thread: the pipe takes the payload only as fast as the helper reads it.
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        stdin = self.process.stdin

        def feed() -> None:
            try:
                if stdin is not None:
                    stdin.write(payload)
                    stdin.flush()
            except OSError:
                pass  # the helper died; wait() reports it

        self.feeder = threading.Thread(target=feed, name="workbook-helper-feed", daemon=True)
        self.feeder.start()

    def send_last_rows(self, rows: Sequence[Sequence[Cell]]) -> None:
        """Hand over the rows of the last sheet."""
        self.feeder.join()
        self._send([list(r) for r in rows])

    def abandon(self) -> None:
        """Stop the helper without a word: the draw is failing for another reason."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        self.feeder.join()

    def wait(self) -> None:
        """Wait until the workbook is complete; raise OutputError if the helper failed."""
        self.feeder.join()
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):  # already closed by a helper that died
                self.process.stdin.close()
        errors = self.process.stderr.read() if self.process.stderr else b""
        if self.process.wait() != 0:
            detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["无输出"]
            raise OutputError(f"写出“{self.path.name}”失败（{detail[0]}）", hint="请检查输出文件夹所在磁盘的空间和写权限")


def _plain(sheet: Sheet, with_rows: bool = True) -> tuple[Any, ...]:
    # Column lists pickle several times faster than as many row tuples.
    rows = sheet.rows if isinstance(sheet.rows, Columns) else Columns(*zip(*sheet.rows, strict=True))
    columns = [list(c) for c in rows.columns] if with_rows else []
    return (sheet.name, list(sheet.header), columns, list(sheet.widths or ()), sheet.wrap)


def _rows_later(stream: IO[bytes]) -> Iterator[Sequence[Cell]]:
    yield from pickle.load(stream)


def _serve() -> None:
    """The helper's side: read the sheets from stdin and write the workbook."""
    stream = sys.stdin.buffer
    path, plain, last, title = pickle.load(stream)
    sheets = [Sheet(name, header, Columns(*columns), widths or None, wrap) for name, header, columns, widths, wrap in plain]
    name, header, _, widths, wrap = last
    sheets.append(Sheet(name, header, _rows_later(stream), widths or None, wrap))
    write_workbook(Path(path), sheets, title=title)


if __name__ == "__main__":
    _serve()
