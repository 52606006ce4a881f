"""Benchmark: loading the vendored tracker lists and looking hosts up in them.

The issue's budget: loading costs at most 50 ms, and a host lookup is O(1) (a dict probe per
label of the host). Loading is measured in a fresh interpreter each time (the lists are cached
after the first load), repeated; lookups over hosts that are and are not listed. Run on demand:

    .venv/bin/python tests/bench/bench_trackers.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

LOAD = (
    "import time, clickaudit.esp.trackers as t\n"
    "s = time.perf_counter(); t.load_tracker_lists(); print(time.perf_counter() - s)\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    loads = [
        float(
            subprocess.run(
                [sys.executable, "-c", LOAD], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(args.repeat)
    ]
    print(
        f"load: best {min(loads) * 1000:.1f} ms, median {statistics.median(loads) * 1000:.1f} ms,"
        f" worst {max(loads) * 1000:.1f} ms ({args.repeat} fresh interpreters; budget 50 ms)"
    )

    from clickaudit.esp.trackers import load_tracker_lists

    lists = load_tracker_lists()
    listed = list(lists.hosts)[:20_000]
    unlisted = [f"www{n}.shop{n}.example.com" for n in range(20_000)]
    for name, hosts in (("listed", listed), ("unlisted", unlisted)):
        lists = type(lists)(
            lists.hosts, lists.cname_targets, [], lists.apex
        )  # a fresh lookup memory
        start = time.perf_counter()
        for host in hosts:
            lists.vendor_for_host("x." + host)
        elapsed = time.perf_counter() - start
        print(f"lookup ({name}, subdomain walk): {elapsed / len(hosts) * 1e6:.2f} µs a host")


if __name__ == "__main__":
    main()
