"""Benchmark: the scan's CPU time in two source trees, same run, alternating (old vs new).

Wall-clock time on a shared machine swings by 2x; CPU time of the same work does not, so this
compares ``time.process_time`` of scanning fresh 5,000-link emails (as bench_scan makes them)
with the ``clickaudit`` package of each tree, in alternating child processes. Run on demand:

    .venv/bin/python tests/bench/bench_scan_ab.py OLD_TREE [NEW_TREE] [--pairs 5]

OLD_TREE / NEW_TREE are checkouts (``git worktree add /tmp/old <commit>``); NEW_TREE defaults
to this one. Prints each pair and the median ratio with its range.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent.parent

CHILD = """
import sys, tempfile, time, statistics
from pathlib import Path
sys.path.insert(0, {tree!r})
sys.path.insert(1, {here!r})
from tests.bench.bench_scan import make_email_html
from clickaudit.pipeline import scan_path
import clickaudit
assert clickaudit.__file__.startswith({tree!r}), clickaudit.__file__
folder = Path(tempfile.mkdtemp())
paths = []
for run in range(6):
    path = folder / f"c{{run}}.html"
    path.write_text(make_email_html(5000, 2_000_000, seed=100 + run), "utf-8")
    paths.append(path)
scan_path(paths[0])
times = []
for path in paths[1:]:
    start = time.process_time()
    scan_path(path)
    times.append(time.process_time() - start)
print(min(times), statistics.median(times))
"""


def measure(tree: Path) -> tuple[float, float]:
    code = CHILD.format(tree=str(tree), here=str(HERE))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    best, median = out.stdout.split()
    return float(best), float(median)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=HERE)
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    best_ratios, median_ratios = [], []
    for pair in range(1, args.pairs + 1):
        old, new = measure(args.old.resolve()), measure(args.new.resolve())
        best_ratios.append(new[0] / old[0])
        median_ratios.append(new[1] / old[1])
        print(
            f"pair {pair}: old best {old[0] * 1000:.0f} ms median {old[1] * 1000:.0f} ms | "
            f"new best {new[0] * 1000:.0f} ms median {new[1] * 1000:.0f} ms"
        )
    for name, ratios in (("best-to-best", best_ratios), ("median-to-median", median_ratios)):
        print(
            f"{name}: new/old {statistics.median(ratios):.3f} "
            f"(range {min(ratios):.3f}-{max(ratios):.3f}, {args.pairs} pairs)"
        )


if __name__ == "__main__":
    main()
