"""Benchmark: scanning a batch — a 2,028-message mbox of the real-email corpus — against the
floor, in one run.

The floor is what any scan must at least do: the standard library's email parser on each
message, and lxml parsing each HTML part. clickaudit runs through its CLI (``clickaudit scan
BOX --format jsonl --jobs N``, start-up included) with one job and with two. Each run's wall
time, CPU seconds and peak memory (of the whole process tree) are printed, with ratios to the
floor; targets: ≤ 1.3× with one job, ≤ 0.7× with two, ≤ 300 MB. Run on demand:

    .venv/bin/python -m tests.bench.bench_batch [--messages 2028] [--repeat 3] [--jobs 1,2]
        [--old OLD_TREE]   # also the scans of another source tree (git archive REV | tar -x)

With ``--audit N`` it audits N generated emails instead (``clickaudit audit BOX --jobs J``
against the local simulator and DNS server: three links through one tracking host, which
redirects to one of 20 brand hosts, and two direct links each, every request taking
``--latency-ms``), and prints each --jobs value's time, emails per second, speed-up against
--jobs 1 and the most requests the tracking host ever had in flight (never above --per-host,
whatever the number of jobs):

    .venv/bin/python -m tests.bench.bench_batch --audit 200 [--jobs 1,2,4] [--per-host 4]
"""

from __future__ import annotations

import argparse
import mailbox
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(os.environ.get("CLICKAUDIT_CORPUS", "/work/shared/corpus/real"))
FLOOR = """
import email, email.policy, mailbox, sys
import lxml.etree
box = mailbox.mbox(sys.argv[1], create=False)
parser = lxml.etree.HTMLParser(recover=True)
for key in box.keys():
    message = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            lxml.etree.fromstring(payload, parser)
"""


# The command line of another source tree (``--old``): its clickaudit, checked to be the one run.
FROM_TREE = """
import sys
tree = sys.argv[1]
sys.path.insert(0, tree)
import clickaudit
assert clickaudit.__file__.startswith(tree), clickaudit.__file__
from clickaudit.cli import main
sys.exit(main(sys.argv[2:]))
"""


def build_mbox(corpus: Path, count: int, target: Path) -> None:
    emails = sorted(corpus.glob("*.eml"))
    box = mailbox.mbox(str(target))
    box.lock()
    for n in range(count):
        box.add(emails[n % len(emails)].read_bytes())
    box.flush()
    box.unlock()
    box.close()


def run(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB, the largest process of the tree)."""
    started = time.perf_counter()
    before = os.times()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    after = os.times()
    assert status == 0 or os.waitstatus_to_exitcode(status) in (0, 1), command
    cpu = usage.ru_utime + usage.ru_stime
    # grandchildren (worker processes) are reaped by the child: count them via the tree
    cpu = max(cpu, after.children_user + after.children_system
              - before.children_user - before.children_system)  # fmt: skip
    return wall, cpu, usage.ru_maxrss / 1024


TRACKER = "click.track.test"
BRANDS = [f"shop{n}.brand.test" for n in range(20)]


def audit_email(n: int, port: int) -> str:
    tracked = "".join(
        f'<a href="http://{TRACKER}:{port}/c/{n}-{k}?b={BRANDS[(n + k) % 20]}">Offer {k}</a>\n'
        for k in range(3)
    )
    direct = "".join(
        f'<a href="http://{BRANDS[(n + k) % 20]}:{port}/p/{n}/{k}">Item {k}</a>\n' for k in range(2)
    )
    return (
        "From news@brand.test Thu Nov 26 00:00:00 2026\n"
        f"From: Brand <news@brand.test>\nTo: r{n}@example.org\nSubject: Audit {n}\n"
        f"Message-ID: <a{n}@brand.test>\nContent-Type: text/html; charset=utf-8\n\n"
        f"<html><body>{tracked}{direct}</body></html>\n\n"
    )


def bench_audit(args: argparse.Namespace) -> None:
    from clickaudit.sim.dns import LocalDnsServer
    from clickaudit.sim.server import Route, SimServer

    clickaudit = str(Path(sys.executable).parent / "clickaudit")
    routes = [
        Route("/c/*", host=TRACKER, action="redirect", to="http://{param:b}:{http}/landing",
              delay_ms=args.latency_ms),
        Route("/p/*", body="<h1>Item</h1>", delay_ms=args.latency_ms),
        Route("/landing", body="<h1>Landing</h1>", delay_ms=args.latency_ms),
    ]  # fmt: skip
    zone = {name: [("A", "127.0.0.1")] for name in [TRACKER, *BRANDS]}
    jobs = args.jobs.split(",")
    rows = ([("old", [])] if args.old else []) + [(j, ["--jobs", j]) for j in jobs]
    times: dict[str, list[float]] = {label: [] for label, _ in rows}
    peaks: dict[str, int] = {label: 0 for label, _ in rows}
    with (
        tempfile.TemporaryDirectory() as folder,
        LocalDnsServer(zone) as dns,
        SimServer(routes, tls=False) as sim,
    ):
        box = Path(folder) / "audit.mbox"
        box.write_text("".join(audit_email(n, sim.http_port) for n in range(args.audit)))
        audit = [
            "audit", str(box), "--no-save", "--allow-private", "--no-domains",
            "--per-host", str(args.per_host), "--nameserver", f"127.0.0.1:{dns.port}",
            "--format", "jsonl", "--fail-on", "never",
        ]  # fmt: skip
        for _ in range(args.repeat):
            for label, extra in rows:
                sim.max_in_flight.clear()
                if label == "old":
                    tree = str(args.old.resolve())
                    command = [sys.executable, "-c", FROM_TREE, tree, *audit]
                else:
                    command = [clickaudit, *audit, *extra]
                times[label].append(run(command)[0])
                peaks[label] = max(peaks[label], sim.max_in_flight.get(TRACKER, 0))
    base = min(times[jobs[0]])
    print(f"{args.audit} emails audited ({args.latency_ms:g} ms a request, --per-host "
          f"{args.per_host}), {os.cpu_count()} CPUs; best of {args.repeat} (range)")  # fmt: skip
    ideal = args.audit * 3 * args.latency_ms / 1000 / args.per_host
    print(f"the tracking host's budget alone takes {ideal:.2f} s (3 requests an email, "
          f"--per-host {args.per_host} in flight)")  # fmt: skip
    print(f"{'':<22} {'wall s (min–max)':>17} {'emails/s':>9} {'speed-up':>9} {'tracker max':>12}")
    for label, _ in rows:
        best = min(times[label])
        name = "old tree (no --jobs)" if label == "old" else f"clickaudit --jobs {label}"
        print(
            f"{name:<22} {best:>8.2f}–{max(times[label]):<8.2f} "
            f"{args.audit / best:>9.1f} {base / best:>8.2f}× {peaks[label]:>12}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2028)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--jobs", default="1,2", help="the --jobs values to run (default 1,2)")
    parser.add_argument("--audit", type=int, default=0, help="audit this many emails instead")
    parser.add_argument(
        "--old",
        type=Path,
        help="also run the scans with the clickaudit of this source tree (before/after, one run)",
    )
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    if args.audit:
        bench_audit(args)
        return
    clickaudit = str(Path(sys.executable).parent / "clickaudit")
    with tempfile.TemporaryDirectory() as folder:
        box = Path(folder) / "batch.mbox"
        build_mbox(args.corpus, args.messages, box)
        print(f"{args.messages} messages, {box.stat().st_size / 1e6:.1f} MB mbox, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before")  # fmt: skip
        commands = {"floor (email + lxml)": [sys.executable, "-c", FLOOR, str(box)]}
        for jobs in args.jobs.split(","):
            scan = ["scan", str(box), "--format", "jsonl", "-j", jobs]
            if args.old:
                commands[f"old --jobs {jobs}"] = [sys.executable, "-c", FROM_TREE, str(args.old.resolve()), *scan]  # fmt: skip
            commands[f"clickaudit --jobs {jobs}"] = [clickaudit, *scan]
        # Round robin, so a change in the machine's load touches every command alike; each
        # ratio is to the floor of the same round.
        results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                results[name].append(run(command))
        floors = [wall for wall, _, _ in results["floor (email + lxml)"]]
        print(f"load average {os.getloadavg()[0]:.2f} after; ratios are per round (min–max)")
        print(f"{'':<22} {'wall s (min–max)':>17} {'× floor':>11} {'CPU s':>12} {'peak MB':>8}")
        for name, runs in results.items():
            walls = [wall for wall, _, _ in runs]
            ratios = [wall / floor for wall, floor in zip(walls, floors, strict=True)]
            cpus = [cpu for _, cpu, _ in runs]
            print(
                f"{name:<22} {min(walls):>8.2f}–{max(walls):<8.2f} "
                f"{min(ratios):>5.2f}–{max(ratios):<5.2f} {min(cpus):>5.2f}–{max(cpus):<6.2f} "
                f"{max(mb for _, _, mb in runs):>8.0f}"
            )


if __name__ == "__main__":
    main()
