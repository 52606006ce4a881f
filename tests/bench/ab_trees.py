"""Time the same code in two source trees, in alternating child processes.

Both A/B benchmarks (bench_scan_ab, bench_classify_ab) need the same frame: a child interpreter
that imports ``clickaudit`` from one tree (and checks that it did), five fresh 5,000-link emails
as bench_scan makes them plus one to warm up, and the pair of trees given on the command line.
Each benchmark supplies only the code that times something and prints its numbers.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent.parent

_PREAMBLE = """
import gc, sys, tempfile, time, statistics
from pathlib import Path
sys.path.insert(0, {tree!r})
sys.path.insert(1, {here!r})
from tests.bench.bench_scan import make_email_html
import clickaudit
assert clickaudit.__file__.startswith({tree!r}), clickaudit.__file__
folder = Path(tempfile.mkdtemp())
paths = []
for run in range(6):
    path = folder / f"c{{run}}.html"
    path.write_text(make_email_html(5000, 2_000_000, seed=100 + run), "utf-8")
    paths.append(path)
"""


def timings(tree: Path, body: str) -> list[float]:
    """Run ``body`` (after the common preamble: ``paths`` holds the six emails) with ``tree``'s
    clickaudit; the numbers it prints on one line."""
    code = _PREAMBLE.format(tree=str(tree), here=str(HERE)) + body
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [float(value) for value in out.stdout.split()]


def tree_pair_arguments(description: str) -> argparse.Namespace:
    """``OLD_TREE [NEW_TREE] [--pairs N]``, NEW_TREE defaulting to this checkout."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=HERE)
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args()
    args.old, args.new = args.old.resolve(), args.new.resolve()
    return args
