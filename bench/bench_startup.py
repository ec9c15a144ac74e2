"""Start-up time of the light commands, each in a fresh process, against `python -c pass`.

Every round runs, in turn, `python -c pass`, each command with this source tree and (with
--baseline-src) each command with another source tree, so that all of them share the machine's
noise; medians over the rounds are printed, also above the bare interpreter. The commands run as
the console script does (`from shuangsuiji.cli import main; main()`).

    python bench/bench_startup.py                          # 15 rounds
    python bench/bench_startup.py --baseline-src /tmp/old/src
        # the same commands from another checkout's src/ (e.g. `git archive main src | tar -x -C /tmp/old`)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "src"
COMMANDS = {
    "seed new": ["seed", "new"],
    "--help": ["--help"],
    "seed combine a b": ["seed", "combine", "a", "b"],
}
HEAVY = ("numpy", "pyarrow", "fastexcel", "matplotlib", "sqlite3")
RUN = "import sys; sys.argv = {argv!r}; from shuangsuiji.cli import main; main()"
# The same, reporting on stderr which heavy modules the command loaded (main() may end the process
# with os._exit, which skips atexit: the report is made just before it).
PROBE = """
import os, sys
sys.argv = {argv!r}
def report(*_):
    loaded = [m for m in {heavy!r} if m in sys.modules]
    sys.stderr.write("LOADED " + ",".join(loaded) + "\\n"); sys.stderr.flush()
quick = os._exit
os._exit = lambda code: (report(), quick(code))
from shuangsuiji.cli import main
try:
    main()
finally:
    report()
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one child process, its output discarded."""
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - started


def environment(source: Path) -> dict[str, str]:
    """The environment that makes the child import shuangsuiji from `source` (ahead of the editable
    install)."""
    return {**os.environ, "PYTHONPATH": str(source)}


def loaded(argv: list[str], env: dict[str, str]) -> str:
    """Which heavy modules the command imports."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("LOADED ")]
    return lines[0].removeprefix("LOADED ") or "—" if lines else "?"


def main() -> None:
    """Run the rounds and print one line per command and source tree."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--baseline-src", type=Path, help="another source tree's src/ folder, measured alternately"
    )
    args = parser.parse_args()
    trees = {"this": SOURCE}
    if args.baseline_src:
        trees["baseline"] = args.baseline_src.resolve()
    bare = environment(SOURCE)
    times: dict[tuple[str, str], list[float]] = {(tree, name): [] for tree in trees for name in COMMANDS}
    nothing: list[float] = []
    for _ in range(args.rounds):
        nothing.append(timed([sys.executable, "-c", "pass"], bare))
        for tree, source in trees.items():
            for name, argv in COMMANDS.items():
                code = RUN.format(argv=["shuangsuiji", *argv])
                times[(tree, name)].append(timed([sys.executable, "-c", code], environment(source)))
    base = statistics.median(nothing)
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; {args.rounds} rounds; medians")
    print(f"  python -c pass: {base * 1000:.0f} ms")
    for (tree, name), values in times.items():
        median = statistics.median(values)
        heavy = loaded(["shuangsuiji", *COMMANDS[name]], environment(trees[tree]))
        print(
            f"  {tree:<8} shuangsuiji {name:<18} {median * 1000:5.0f} ms  "
            f"({(median - base) * 1000:4.0f} ms above "
            f"python -c pass; loads: {heavy})"
        )


if __name__ == "__main__":
    main()
