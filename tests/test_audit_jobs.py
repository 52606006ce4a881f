"""`clickaudit audit --jobs N`: the offline half of several emails in worker processes, their
links followed at once in one event loop — and as polite as one email at a time: one per-host
limiter for the whole batch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clickaudit.cli import main
from clickaudit.sim.dns import LocalDnsServer
from clickaudit.sim.server import Route, SimServer

TRACKER = "click.track.test"
BRAND = "shop.brand.test"
SLOW = "slow.brand.test"
EMAILS = 8
LINKS = 4
PER_HOST = 2
SLOW_MS = 400


def write_mbox(path: Path, port: int) -> None:
    with path.open("wb") as out:
        for n in range(EMAILS):
            links = "".join(
                f'<a href="http://{TRACKER}:{port}/c/{n}-{k}">Offer {k}</a>\n' for k in range(LINKS)
            )
            slow = f'<a href="http://{SLOW}:{port}/story/{n}">Our story</a>'
            out.write(
                f"From news@brand.test Thu Nov 26 00:00:00 2026\n"
                f"From: Brand <news@brand.test>\nTo: r{n}@example.org\nSubject: Offer {n}\n"
                f"Message-ID: <{n}@brand.test>\nContent-Type: text/html; charset=utf-8\n\n"
                f"<html><body>{links}{slow}</body></html>\n\n".encode()
            )


def without_timings(report: dict[str, Any]) -> dict[str, Any]:
    """A report without what differs from run to run: timestamps and each hop's duration."""
    report = {k: v for k, v in report.items() if k not in ("started_at", "finished_at")}
    report["links"] = [
        {**link, "chain": [{**hop, "ms": None} for hop in link["chain"]]}
        for link in report["links"]
    ]
    return report


def audit(capsys: pytest.CaptureFixture[str], dns_port: int, *args: str) -> tuple[int, str, str]:
    options = [
        "--per-host", str(PER_HOST), "--allow-private", "--no-domains",
        "--nameserver", f"127.0.0.1:{dns_port}", "--timeout", "5", "--no-save",
        "--format", "jsonl", "--fail-on", "never",
    ]  # fmt: skip
    status = main(["audit", *args, *options])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_two_jobs_audit_as_one_does_emails_at_once_and_never_above_the_per_host_ceiling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = [
        Route("/c/*", host=TRACKER, action="redirect", to=f"http://{BRAND}:{{http}}/p?{{query}}",
              delay_ms=30),
        Route("/p", host=BRAND, body="<h1>Landing</h1>", delay_ms=10),
        Route("/story/*", host=SLOW, body="<h1>Since 1907</h1>", delay_ms=SLOW_MS),
    ]  # fmt: skip
    zone = {host: [("A", "127.0.0.1")] for host in (TRACKER, BRAND, SLOW)}
    with LocalDnsServer(zone) as dns, SimServer(routes, tls=False) as sim:
        write_mbox(tmp_path / "campaign.mbox", sim.http_port)
        (tmp_path / "empty.eml").write_bytes(b"")  # a bad file: named, and the rest goes on
        status_1, out_1, err_1 = audit(capsys, dns.port, str(tmp_path), "--jobs", "1")
        one_at_a_time = dict(sim.max_in_flight)
        sim.max_in_flight.clear()
        status_2, out_2, err_2 = audit(capsys, dns.port, str(tmp_path), "--jobs", "2")
        at_once = dict(sim.max_in_flight)
        slow_requests = len(sim.requests_to(SLOW))

    reports_1 = [without_timings(json.loads(line)) for line in out_1.splitlines()]
    reports_2 = [without_timings(json.loads(line)) for line in out_2.splitlines()]
    assert [r["source"]["subject"] for r in reports_2] == [f"Offer {n}" for n in range(EMAILS)]
    assert reports_2 == reports_1
    assert all(link["outcome"] == "ok" for report in reports_2 for link in report["links"]), (
        reports_2
    )
    for err, status in ((err_1, status_1), (err_2, status_2)):
        assert f"{tmp_path / 'empty.eml'}: the file is empty" in err
        assert status == 2  # a file could not be read; the others are reported all the same
    assert slow_requests == 2 * EMAILS
    assert one_at_a_time[SLOW] == 1  # one email at a time: one slow page at a time
    # Several emails are followed at once (the slow host sees more than one of them) and the
    # whole batch keeps one per-host ceiling, not one per email or per worker.
    assert at_once[SLOW] == PER_HOST, at_once
    assert max(at_once.values()) <= PER_HOST, at_once
