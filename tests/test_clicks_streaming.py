"""A million-event click log is imported and judged in bounded memory (measured, not assumed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

EMAIL = FIXTURES / "clicks" / "campaign.eml"
MEASURE = """
import resource, sys
from clickaudit.clicks.analysis import analyse
from clickaudit.clicks.networks import cloud_provider
from clickaudit.pipeline import scan_path
cloud_provider("3.5.140.1")  # the cloud database is a fixed cost: load it before the baseline
audit = scan_path(sys.argv[1])[0]
with analyse(audit, [sys.argv[2]]) as analysis:
    report = analysis.report([sys.argv[2]], keep=100)
    print(report.stats.read, report.summary.clicks, sum(1 for _ in analysis.judged()),
          resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write_log(path: Path, events: int) -> None:
    """SendGrid events as a real log mixes them: per message processed, delivered, two opens
    and one click (a click in five events), a million lines in a JSON array."""
    urls = [
        "https://shop.example.com/boots",
        "https://shop.example.com/jackets",
        "https://blog.example.com/story",
    ]
    agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"
    with path.open("w") as out:
        out.write("[\n")
        for number in range(events // 5):
            head = f'"email": "r{number}@x.example", "sg_message_id": "m{number}.filter1"'
            at = 1795512600 + number
            rows = [
                f'{{"event": "processed", "timestamp": {at}, {head}}}',
                f'{{"event": "delivered", "timestamp": {at + 2}, {head}}}',
                f'{{"event": "open", "timestamp": {at + 40}, {head}, "useragent": "{agent}"}}',
                f'{{"event": "open", "timestamp": {at + 90}, {head}, "useragent": "{agent}"}}',
                f'{{"event": "click", "timestamp": {at + 95}, {head}, "url": "{urls[number % 3]}", '
                f'"ip": "81.2.{number % 250}.9", "useragent": "{agent}"}}',
            ]
            out.write(("," if number else "") + ",\n".join(rows) + "\n")
        out.write("]\n")


def measure(log: Path) -> tuple[int, int, int, int]:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(EMAIL), str(log)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    read, clicks, judged, peak_kib = (int(v) for v in result.stdout.split())
    return read, clicks, judged, peak_kib


@pytest.mark.timeout(900)  # a minute alone; far longer on a loaded machine
def test_a_million_events_stream_in_bounded_memory(tmp_path: Path) -> None:
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    write_log(small, 10_000)
    write_log(large, 1_000_000)
    small_read, _, _, small_peak = measure(small)
    read, clicks, judged, peak = measure(large)
    assert (small_read, read) == (10_000, 1_000_000)
    assert clicks == judged == 200_000
    growth_mib = (peak - small_peak) / 1024
    # a million events as Python objects would take several hundred MiB; streamed through
    # the scratch database the peak grows by SQLite's page cache and a batch, nothing per event.
    assert growth_mib < 64, f"peak RSS grew by {growth_mib:.0f} MiB from 10k to 1M events"
