"""Benchmark: the scan's CPU time in two source trees, same run, alternating (old vs new).

Wall-clock time on a shared machine swings by 2x; CPU time of the same work does not, so this
compares ``time.process_time`` of scanning fresh 5,000-link emails (as bench_scan makes them)
with the ``clickaudit`` package of each tree, in alternating child processes. Run on demand:

    .venv/bin/python -m tests.bench.bench_scan_ab OLD_TREE [NEW_TREE] [--pairs 5]

OLD_TREE / NEW_TREE are checkouts (``git worktree add /tmp/old <commit>``); NEW_TREE defaults
to this one. Prints each pair and the median ratio with its range.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from tests.bench.ab_trees import timings, tree_pair_arguments

CHILD = """
from clickaudit.pipeline import scan_path
scan_path(paths[0])
times = []
for path in paths[1:]:
    start = time.process_time()
    scan_path(path)
    times.append(time.process_time() - start)
print(min(times), statistics.median(times))
"""


def measure(tree: Path) -> tuple[float, float]:
    best, median = timings(tree, CHILD)
    return best, median


def main() -> None:
    args = tree_pair_arguments(__doc__.splitlines()[0])
    best_ratios, median_ratios = [], []
    for pair in range(1, args.pairs + 1):
        old, new = measure(args.old), measure(args.new)
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
