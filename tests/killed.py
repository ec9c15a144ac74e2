"""A draw that is killed outright: a real process that stages an output, then waits to be killed."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_CHILD = """
import sys, time
from pathlib import Path
from shuangsuiji.io.staging import staged_output

with staged_output(Path(sys.argv[1])) as folder:
    (folder / "inputs").mkdir()
    (folder / "inputs" / "enterprises.csv").write_text("联系电话\\n13812345678\\n", encoding="utf-8")
    print(folder.absolute(), flush=True)
    time.sleep(600)
"""


@contextmanager
def staging_process(target: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A live process staging `target` (the environment, with its state folder, is inherited);
    yields it and its staging folder, and kills it at the end if the test has not."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(target)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        line = child.stdout.readline().strip() if child.stdout else ""
        if not line:
            child.kill()
            raise AssertionError(f"the staging process did not start: {child.communicate()[1]}")
        yield child, Path(line)
    finally:
        child.kill()
        child.communicate()


def kill(child: subprocess.Popen[str]) -> None:
    """Kill outright (SIGKILL; TerminateProcess on Windows): nothing in the process runs any more."""
    child.kill()
    child.wait()
