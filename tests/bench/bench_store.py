"""Benchmark: the history of 2,000 audits of 200 links each — listing and searching.

Reports the time of the history listing and of a full-text search, next to a bare
``SELECT count(*)`` on the same database as the baseline measured in the same run (targets:
both under 100 ms). Run on demand:  .venv/bin/python -m tests.bench.bench_store [--audits 2000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from clickaudit.model import Category, Element, Link, Part
from clickaudit.store import Store
from tests.factories import sample_audit


def best_ms(work, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=2000)
    parser.add_argument("--links", type=int, default=200)
    args = parser.parse_args()
    base = sample_audit()
    links = tuple(
        Link(
            n,
            Part.HTML,
            Element.A,
            f"https://shop{n % 17}.example/p/{n}?utm_campaign=c{n}",
            text=f"Product {n}",
            category=Category.DIRECT,
        )
        for n in range(1, args.links + 1)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.db"
        started = time.perf_counter()
        with Store.open(path) as store:
            for n in range(args.audits):
                audit = replace(
                    base,
                    links=links,
                    started_at=f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+00:00",
                )
                store.save(audit, label="needle" if n == args.audits // 2 else None)
        fill = time.perf_counter() - started
        raw = sqlite3.connect(path)
        baseline = best_ms(lambda: raw.execute("SELECT count(*) FROM audits").fetchone())
        with Store.open(path) as store:
            listing = best_ms(lambda: store.history(limit=100))
            search = best_ms(lambda: store.history(text="needle", limit=100))
            url_search = best_ms(lambda: store.history(text="shop3.example", limit=100))
        size = path.stat().st_size / 1e6
        print(f"{args.audits} audits × {args.links} links stored in {fill:.1f} s ({size:.0f} MB)")
        print(f"baseline SELECT count(*): {baseline:7.2f} ms")
        print(f"history listing (100):    {listing:7.2f} ms  (target < 100 ms)")
        print(f"search 'needle':          {search:7.2f} ms  (target < 100 ms)")
        print(f"search a URL fragment:    {url_search:7.2f} ms")


if __name__ == "__main__":
    main()
