"""Benchmark: a batch on a worker cluster — 2,000 emails scanned and 200 audited with 1, 2 and 4
worker processes, beside the same batch run locally (one process, no cluster) in the same run.

Prints one table: seconds per run (best and range over the repeats), emails per second, the
speed-up against one worker and against the local run, the CPU the clickaudit process itself
spent per email (for a cluster run, the submitter's: what caps the workers one submitter can
feed; a local scan's --jobs workers are its children and not counted), and the most requests
ever in flight on
the shared tracking host (the simulator counts them; it must never pass --per-host, whatever the
number of workers). Needs redis-server and clickaudit[cluster]. Run on demand:

    .venv/bin/python tests/bench/bench_cluster.py [--scan 2000] [--audit 200] [--workers 1,2,4]
        [--repeat 2] [--per-host 4] [--latency-ms 20]

Audited emails each have three links through one tracking host (which redirects to one of 20
brand hosts) and two direct links to a brand host, so the tracking host's budget is what the
workers share. The simulator runs in this process; workers and submitters are processes of their
own, as on a real cluster (on one machine they share its cores).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from clickaudit.sim.dns import LocalDnsServer
from clickaudit.sim.server import Route, SimServer
from tests.redis_server import redis_server

TRACKER = "click.track.test"
BRANDS = [f"shop{n}.brand.test" for n in range(20)]


def scan_email(n: int) -> str:
    links = "".join(
        f'<p><a href="https://{TRACKER}/ls/click?upn=u{n}-{k}&amp;x=Y{k}">Offer {k}</a> '
        f'<a href="https://{BRANDS[k % 20]}/p/{n}/{k}?utm_source=news&amp;utm_medium=email'
        f'&amp;utm_campaign=c{n}">Item {k}</a></p>\n'
        for k in range(20)
    )
    return (
        f"From: Brand <news@brand.test>\nTo: r{n}@example.org\nSubject: Offer {n}\n"
        f"Message-ID: <{n}@brand.test>\nContent-Type: text/html; charset=utf-8\n\n"
        f'<html><body>{links}<img src="https://{TRACKER}/o/{n}.gif" width=1 height=1>'
        "</body></html>\n"
    )


def audit_email(n: int, port: int) -> str:
    tracked = "".join(
        f'<a href="http://{TRACKER}:{port}/c/{n}-{k}?b={BRANDS[(n + k) % 20]}">Offer {k}</a>\n'
        for k in range(3)
    )
    direct = "".join(
        f'<a href="http://{BRANDS[(n + k) % 20]}:{port}/p/{n}/{k}">Item {k}</a>\n' for k in range(2)
    )
    return (
        f"From: Brand <news@brand.test>\nTo: r{n}@example.org\nSubject: Audit {n}\n"
        f"Message-ID: <a{n}@brand.test>\nContent-Type: text/html; charset=utf-8\n\n"
        f"<html><body>{tracked}{direct}</body></html>\n"
    )


def write_mbox(path: Path, bodies: Iterator[str]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for body in bodies:
            out.write("From news@brand.test Thu Nov 26 00:00:00 2026\n" + body + "\n")
    return path


def clickaudit(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "clickaudit", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@contextmanager
def workers(url: str, count: int) -> Iterator[None]:
    started = [clickaudit("worker", "--cluster", url, "--threads", "2") for _ in range(count)]
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 60
    # ready once each worker's broker has said hello (its heartbeat)
    while client.zcard("clickaudit:dramatiq:__heartbeats__") < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not start")
        time.sleep(0.1)
    try:
        yield
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            process.wait(timeout=120)
        client.delete("clickaudit:dramatiq:__heartbeats__")
        client.close()


def timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds of one clickaudit run, and the CPU seconds its own process used (for a
    cluster run: the submitter's share, which bounds how many workers one submitter can feed)."""
    started = time.perf_counter()
    process = clickaudit(*args)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"clickaudit {' '.join(args[:3])}… exited {process.returncode}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def forget_hosts(url: str) -> None:
    client = redis.Redis.from_url(url)
    keys = client.keys("clickaudit:host:*")
    if keys:
        client.delete(*keys)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scan", type=int, default=2000)
    parser.add_argument("--audit", type=int, default=200)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    options = parser.parse_args()
    counts = [int(n) for n in options.workers.split(",")]

    # the tracker redirects each link to the brand host it carries, as an ESP's click endpoint does
    routes = [
        Route("/c/*", host=TRACKER, action="redirect", to="http://{param:b}:{http}/landing",
              delay_ms=options.latency_ms),
        Route("/p/*", body="<h1>Item</h1>", delay_ms=options.latency_ms),
        Route("/landing", body="<h1>Landing</h1>", delay_ms=options.latency_ms),
    ]  # fmt: skip
    zone = {name: [("A", "127.0.0.1")] for name in [TRACKER, *BRANDS]}
    with (
        tempfile.TemporaryDirectory() as folder,
        redis_server() as url,
        LocalDnsServer(zone) as dns,
        SimServer(routes, tls=False) as sim,
    ):
        scan_box = write_mbox(
            Path(folder, "scan.mbox"), (scan_email(n) for n in range(options.scan))
        )
        audit_box = write_mbox(
            Path(folder, "audit.mbox"),
            (audit_email(n, sim.http_port) for n in range(options.audit)),
        )
        out = ["--format", "jsonl", "--output", os.devnull, "--fail-on", "never"]
        audit_opts = [
            "--no-save", "--allow-private", "--no-domains", "--per-host", str(options.per_host),
            "--nameserver", f"127.0.0.1:{dns.port}",
        ]  # fmt: skip
        jobs = {
            "scan": (options.scan, ["scan", str(scan_box), *out]),
            "audit": (options.audit, ["audit", str(audit_box), *audit_opts, *out]),
        }
        rows: list[tuple[str, str, list[float], int, int, float]] = []

        def measure(mode: str, label: str, cluster: list[str]) -> None:
            emails, args = jobs[mode]
            times, peaks, cpus = [], [], []
            for _ in range(options.repeat):
                forget_hosts(url)
                sim.max_in_flight.clear()
                wall, cpu = timed([*args, *cluster])
                times.append(wall)
                cpus.append(cpu)
                peaks.append(sim.max_in_flight.get(TRACKER, 0))
            rows.append((mode, label, times, emails, max(peaks), min(cpus) / emails * 1000))
            print(f"  {mode:5} {label:>9}: {min(times):7.2f} s", file=sys.stderr)

        for mode in jobs:
            measure(mode, "local", [])
        for count in counts:
            with workers(url, count):
                for mode in jobs:
                    measure(
                        mode, f"{count} worker" + ("s" if count > 1 else ""), ["--cluster", url]
                    )

    print(
        f"\n{options.scan} emails scanned, {options.audit} audited ({options.latency_ms:g} ms per "
        f"request, --per-host {options.per_host}); best of {options.repeat}, range in brackets; "
        f"{os.cpu_count()} cores\n"
    )
    header = (
        f"{'mode':6}{'run':>10}{'seconds':>10}{'range':>18}{'emails/s':>10}"
        f"{'× 1 worker':>12}{'× local':>9}{'CPU ms/email':>14}{'in flight on tracker (max)':>28}"
    )
    print(header)
    print("-" * len(header))
    for mode, label, times, emails, peak, cpu in rows:
        best = min(times)
        one = next((min(r[2]) for r in rows if r[0] == mode and r[1] == "1 worker"), None)
        local = next(min(r[2]) for r in rows if r[0] == mode and r[1] == "local")
        spread = f"[{min(times):.2f}–{max(times):.2f}]"
        speedup = f"{one / best:.2f}" if one else "–"
        peak_text = f"{peak}" if mode == "audit" else "–"
        print(
            f"{mode:6}{label:>10}{best:>10.2f}{spread:>18}{emails / best:>10.1f}"
            f"{speedup:>12}{local / best:>9.2f}{cpu:>14.2f}{peak_text:>28}"
        )


if __name__ == "__main__":
    main()
