"""Does ending the process with os._exit after a draw still save time? The same 1M draw, alternately:

- quick: after main() has returned (or raised SystemExit), flush and os._exit: nothing is freed;
- normal: os._exit replaced by sys.exit, so the interpreter shuts down as usual and frees the draw's
  objects (the roster, the result, the record) one by one.

Either works whatever cli.main does itself. Printed: the whole draw's wall time, and the time from
the moment main() was done to the end of the process, which is where the two differ (the whole
draw is noisier than that difference on a shared machine). The rosters are bench_draw.py's (made
once under bench/data); a fresh ledger per draw, made outside the timing.

    python bench/bench_exit.py                      # 1M enterprises, 5 rounds
    python bench/bench_exit.py --size 100000 --rounds 9
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
sys.path.insert(0, str(HERE))

from bench_draw import fresh_draw, prepare  # noqa: E402

# main() may call os._exit itself: it is replaced by `end`, which notes the time and then ends the
# process the variant's way; when main() returns instead, `end` is called after it.
CHILD = """
import os, sys, time
sys.argv = {argv!r}
quick = os._exit
def end(code):
    sys.stderr.write(f"MAIN-DONE {{time.time()!r}}\\n"); sys.stdout.flush(); sys.stderr.flush()
    os._exit = quick
    if {normal!r}:
        raise SystemExit(code)
    quick(code)
os._exit = end
from shuangsuiji.cli import main
try:
    main()
except SystemExit as done:
    if os._exit is quick:  # raised by end(): main() called os._exit
        raise
    end(done.code if isinstance(done.code, int) else 0)
end(0)
"""


def draw(variant: str, plan: Path) -> tuple[float, float]:
    """Wall seconds of one draw of `plan` into a fresh folder and ledger, ending as `variant` says,
    and the seconds from main() being done to the end of the process."""
    with fresh_draw(plan) as argv:
        code = CHILD.format(argv=argv, normal=variant == "normal")
        started = time.time()
        child = subprocess.run(
            [sys.executable, "-c", code],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=True,
        )
        ended = time.time()
    done = next(float(line.split()[1]) for line in child.stderr.splitlines() if line.startswith("MAIN-DONE "))
    return ended - started, ended - done


def main() -> None:
    """Alternate the two endings and print their medians and the difference."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--inspectors", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=HERE / "data")
    args = parser.parse_args()
    plan = prepare(args.size, args.inspectors, args.data)
    totals: dict[str, list[float]] = {"quick": [], "normal": []}
    endings: dict[str, list[float]] = {"quick": [], "normal": []}
    for number in range(args.rounds):
        order = ("quick", "normal") if number % 2 == 0 else ("normal", "quick")
        for variant in order:
            total, ending = draw(variant, plan)
            totals[variant].append(total)
            endings[variant].append(ending)
    print(
        f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"{args.size:,} enterprises; {args.rounds} rounds"
    )
    for variant in totals:
        print(
            f"  {variant:<6} draw median {statistics.median(totals[variant]):.2f} s "
            f"({', '.join(f'{v:.2f}' for v in totals[variant])}); after main() median "
            f"{statistics.median(endings[variant]):.3f} s ({', '.join(f'{v:.2f}' for v in endings[variant])})"
        )
    saved = statistics.median(endings["normal"]) - statistics.median(endings["quick"])
    whole = statistics.median(totals["normal"]) - statistics.median(totals["quick"])
    print(f"  normal − quick: {saved:+.2f} s after main() (whole draw: {whole:+.2f} s)")


if __name__ == "__main__":
    main()
