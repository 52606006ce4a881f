"""Benchmark: scanning a batch — a 2,028-message mbox of the real-email corpus — against the
floor, in one run.

The floor is what any scan must at least do: the standard library's email parser on each
message, and lxml parsing each HTML part. clickaudit runs through its CLI (``clickaudit scan
BOX --format jsonl --jobs N``, start-up included) with one job and with two. Each run's wall
time, CPU seconds and peak memory (of the whole process tree) are printed, with ratios to the
floor; targets: ≤ 1.3× with one job, ≤ 0.7× with two, ≤ 300 MB. Run on demand:

    .venv/bin/python -m tests.bench.bench_batch [--messages 2028] [--repeat 3] [--jobs 1,2]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2028)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--jobs", default="1,2", help="the --jobs values to run (default 1,2)")
    args = parser.parse_args()
    clickaudit = str(Path(sys.executable).parent / "clickaudit")
    with tempfile.TemporaryDirectory() as folder:
        box = Path(folder) / "batch.mbox"
        build_mbox(args.corpus, args.messages, box)
        print(f"{args.messages} messages, {box.stat().st_size / 1e6:.1f} MB mbox, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before")  # fmt: skip
        commands = {"floor (email + lxml)": [sys.executable, "-c", FLOOR, str(box)]}
        for jobs in args.jobs.split(","):
            commands[f"clickaudit --jobs {jobs}"] = [
                clickaudit, "scan", str(box), "--format", "jsonl", "-j", jobs,
            ]  # fmt: skip
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
