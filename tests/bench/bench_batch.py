"""Benchmark: scanning a batch — a 2,028-message mbox of the real-email corpus — against the
floor, in one run.

The floor is what any scan must at least do: the standard library's email parser on each
message, and lxml parsing each HTML part. clickaudit runs through its CLI (``clickaudit scan
BOX --format jsonl --jobs N``, start-up included) with one job and with two. Each run's wall
time, CPU seconds and peak memory (of the whole process tree) are printed, with ratios to the
floor; targets: ≤ 1.3× with one job, ≤ 0.7× with two, ≤ 300 MB. Run on demand:

    .venv/bin/python tests/bench/bench_batch.py [--messages 2028] [--repeat 2] [--corpus DIR]
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
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    clickaudit = str(Path(sys.executable).parent / "clickaudit")
    with tempfile.TemporaryDirectory() as folder:
        box = Path(folder) / "batch.mbox"
        build_mbox(args.corpus, args.messages, box)
        print(f"{args.messages} messages, {box.stat().st_size / 1e6:.1f} MB mbox")
        commands = {
            "floor (email + lxml)": [sys.executable, "-c", FLOOR, str(box)],
            "clickaudit --jobs 1": [clickaudit, "scan", str(box), "--format", "jsonl", "-j", "1"],
            "clickaudit --jobs 2": [clickaudit, "scan", str(box), "--format", "jsonl", "-j", "2"],
        }
        results = {name: [run(command) for _ in range(args.repeat)] for name, command in commands.items()}  # fmt: skip
        floor = min(wall for wall, _, _ in results["floor (email + lxml)"])
        print(f"{'':<22} {'wall s (min–max)':>17} {'× floor':>8} {'CPU s':>7} {'peak MB':>8}")
        for name, runs in results.items():
            walls = [wall for wall, _, _ in runs]
            print(
                f"{name:<22} {min(walls):>8.2f}–{max(walls):<8.2f} {min(walls) / floor:>8.2f} "
                f"{min(cpu for _, cpu, _ in runs):>7.2f} {max(mb for _, _, mb in runs):>8.0f}"
            )


if __name__ == "__main__":
    main()
