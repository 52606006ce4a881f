"""Benchmark: start-up — ``clickaudit scan one.eml`` against ``python -c "import lxml.etree"``
(the least any scan must import), in one run, alternating so both see the same machine.

Target: ``scan one.eml`` ≤ 200 ms wall. Also shown: ``clickaudit --help`` and the imports of
``audit`` (which loads the network stack a scan must not). Run on demand:

    .venv/bin/python -m tests.bench.bench_startup [--repeat 15] [--old OLD_TREE] [EMAIL]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

FIXTURE = Path(__file__).parents[1] / "fixtures" / "emails" / "qp_soft_breaks.eml"


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("email", nargs="?", default=str(FIXTURE))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--old", type=Path, help="also start the scan from this source tree, and this one alike"
    )
    args = parser.parse_args()
    python = sys.executable
    clickaudit = str(Path(python).parent / "clickaudit")
    commands = {
        'python -c "import lxml.etree"': [python, "-c", "import lxml.etree"],
        "clickaudit scan one.eml": [clickaudit, "scan", args.email],
        "clickaudit scan one.eml --format json": [clickaudit, "scan", args.email, "--format", "json"],
        "clickaudit --help": [clickaudit, "--help"],
        "import of audit's stages": [python, "-c", "import clickaudit.pipeline"],
    }  # fmt: skip
    if args.old:
        from tests.bench.bench_batch import FROM_TREE

        here = str(Path(__file__).resolve().parents[2])
        for label, tree in (("old tree", str(args.old.resolve())), ("this tree", here)):
            commands[f"{label}: scan one.eml"] = [python, "-c", FROM_TREE, tree, "scan", args.email]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            times[name].append(wall(command))
    floor = statistics.median(times['python -c "import lxml.etree"'])
    print(f"{'':<40} {'min ms':>7} {'median':>7} {'max':>7} {'× lxml':>7}")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(
            f"{name:<40} {min(samples) * 1000:>7.0f} {median * 1000:>7.0f} "
            f"{max(samples) * 1000:>7.0f} {median / floor:>7.1f}"
        )


if __name__ == "__main__":
    main()
