"""Benchmark: click logs imported and judged, against reading the same file with json/csv alone.

A synthetic SendGrid log (clickaudit.sim.clicklog: deliveries, gateway scans, people) is written
once as a JSON array and once as CSV; each run measures, in the same process and on the same
file, the bare parse (``json.load`` / ``csv.DictReader`` over every row) and the whole analysis
(stream, detect, join, judge, totals) — events per second and the ratio, repeated, with the
range. The cloud database's one-off load is taken out of the loop (done before timing) and
reported on its own, as is the peak RSS. Run on demand:

    .venv/bin/python -m tests.bench.bench_clicks [--events 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from clickaudit.clicks.analysis import analyse
from clickaudit.clicks.csv_format import parse_mapping
from clickaudit.clicks.networks import cloud_provider
from clickaudit.model import Audit
from clickaudit.pipeline import scan_path
from clickaudit.sim.clicklog import CampaignShape, events, write_json_array

URLS = [f"https://shop.example.com/p/{n}?utm_source=news" for n in range(8)]


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def write_logs(folder: Path, count: int) -> tuple[Path, Path]:
    shape = CampaignShape(URLS, recipients=count)  # more recipients than needed: cut at count
    json_path = folder / "events.json"
    with json_path.open("w") as out:
        write_json_array(out, events(shape), limit=count)
    csv_path = folder / "events.csv"
    with csv_path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["timestamp", "event", "email", "url", "ip", "useragent", "message_id"])
        for n, record in enumerate(events(shape)):
            if n >= count:
                break
            writer.writerow(
                [
                    record["timestamp"],
                    record["event"],
                    record["email"],
                    record.get("url", ""),
                    record.get("ip", ""),
                    record.get("useragent", ""),
                    record["sg_message_id"],
                ]
            )
    return json_path, csv_path


def email(folder: Path) -> Audit:
    page = folder / "campaign.html"
    page.write_text(
        "".join(f'<p><a href="{url}">Product {n}</a></p>' for n, url in enumerate(URLS))
    )
    return scan_path(str(page))[0]


def report(name: str, count: int, baseline: list[float], ours: list[float]) -> None:
    def rate(times: list[float]) -> str:
        return f"{count / min(times):>10,.0f}/s (range {count / max(times):,.0f}–{count / min(times):,.0f})"

    ratio = statistics.median(ours) / statistics.median(baseline)
    print(f"{name:<5} parse only     {rate(baseline)}")
    print(f"{name:<5} import+judge   {rate(ours)}   {ratio:.1f}x the parse's time (median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    cloud_provider("3.5.140.1")
    print(f"cloud ranges loaded once in {time.perf_counter() - started:.2f} s")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        json_path, csv_path = write_logs(folder, args.events)
        audit = email(folder)
        print(
            f"{args.events:,} events: {json_path.stat().st_size / 1e6:.0f} MB JSON, "
            f"{csv_path.stat().st_size / 1e6:.0f} MB CSV; best of {args.repeat}"
        )

        def parse_json() -> None:
            with json_path.open() as handle:
                json.load(handle)

        def parse_csv() -> None:
            with csv_path.open(newline="") as handle:
                for _ in csv.DictReader(handle):
                    pass

        def judge(path: Path, mapping: dict[str, str] | None = None) -> Callable[[], None]:
            def run() -> None:
                with analyse(audit, [str(path)], mapping=mapping) as analysis:
                    analysis.report([str(path)])

            return run

        report(
            "json",
            args.events,
            timed(parse_json, args.repeat),
            timed(judge(json_path), args.repeat),
        )
        mapping = parse_mapping("message_id=message_id")
        report(
            "csv",
            args.events,
            timed(parse_csv, args.repeat),
            timed(judge(csv_path, mapping), args.repeat),
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS of the whole run: {peak:.0f} MiB (json.load holds the whole file; the "
        "analysis streams)"
    )


if __name__ == "__main__":
    main()
