"""Benchmark: the classify stage's CPU time in two source trees, same run, alternating.

Issue 16's cost (tracker lists, layered peeling, shape rules, generic decoding) sits in the
classify stage, and the commits after it build on it, so no tree "main without issue 16" exists to
time whole scans against. This times what changed: ``classify`` of fresh 5,000-link emails (as
bench_scan makes them, each extracted first and not timed; collector paused as a scan pauses it),
and the whole scan of the same emails (best of five each: other load only adds), in alternating
child processes per tree. It prints the classify stage's extra time as a share of the old tree's
whole scan. Run on demand:

    .venv/bin/python -m tests.bench.bench_classify_ab OLD_TREE [NEW_TREE] [--pairs 5]

OLD_TREE / NEW_TREE are checkouts (``git worktree add /tmp/old <commit>``); NEW_TREE defaults
to this one.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from tests.bench.ab_trees import timings, tree_pair_arguments

CHILD = """
from clickaudit.classify import classify
from clickaudit.esp.fingerprints import load_fingerprints
from clickaudit.extract import extract
from clickaudit.load import load_path
from clickaudit.pipeline import scan_path
fingerprints = load_fingerprints()
stage, whole = [], []
for index, path in enumerate(paths):
    email = load_path(path)[0]
    extraction = extract(email)
    gc.disable()
    start = time.process_time()
    classify(email, extraction.links, extraction.images, fingerprints)
    spent = time.process_time() - start
    gc.enable()
    if index:
        stage.append(spent)
for index, path in enumerate(paths):
    start = time.process_time()
    scan_path(path)
    spent = time.process_time() - start
    if index:
        whole.append(spent)
print(min(stage), min(whole))
"""


def measure(tree: Path) -> tuple[float, float]:
    stage, whole = timings(tree, CHILD)
    return stage, whole


def main() -> None:
    args = tree_pair_arguments(__doc__.splitlines()[0])
    shares, ratios = [], []
    for pair in range(1, args.pairs + 1):
        old, new = measure(args.old), measure(args.new)
        shares.append((new[0] - old[0]) / old[1])
        ratios.append(new[0] / old[0])
        print(
            f"pair {pair}: classify old {old[0] * 1000:.1f} ms new {new[0] * 1000:.1f} ms | "
            f"scan old {old[1] * 1000:.0f} ms new {new[1] * 1000:.0f} ms | "
            f"classify's extra = {shares[-1]:+.1%} of the old scan",
            flush=True,
        )
    print(
        f"classify new/old {statistics.median(ratios):.3f} "
        f"(range {min(ratios):.3f}-{max(ratios):.3f}); its extra time as a share of the old "
        f"scan {statistics.median(shares):+.1%} (range {min(shares):+.1%} to {max(shares):+.1%}, "
        f"{args.pairs} pairs)"
    )


if __name__ == "__main__":
    main()
