"""A real cluster on this machine: redis-server, three ``clickaudit worker`` processes, the
simulator, and a submitter auditing a 300-email mbox. One worker is SIGKILLed mid-batch.

What must hold: every email is stored exactly once (history and report), the tracking host never
has more requests in flight than the submitter's ``--per-host``, and the submitter's rules travel
with the work (no unsubscribe link is requested; the workers may reach 127.0.0.1 only because
the submitter allowed it).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from clickaudit.sim.dns import LocalDnsServer
from clickaudit.sim.server import Route, SimServer
from clickaudit.store import Store

EMAILS = 300
LINKS = 3
PER_HOST = 4
TRACKER = "click.track.test"
BRAND = "shop.brand.test"


def write_mbox(path: Path, port: int) -> None:
    with path.open("wb") as out:
        for n in range(EMAILS):
            links = "".join(
                f'<a href="http://{TRACKER}:{port}/c/{n}-{k}">Offer {k}</a>\n' for k in range(LINKS)
            )
            unsubscribe = f'<a href="http://{TRACKER}:{port}/unsub?u={n}">Unsubscribe</a>'
            out.write(
                f"From news@brand.test Thu Nov 26 00:00:00 2026\n"
                f"From: Brand <news@brand.test>\nTo: r{n}@example.org\nSubject: Offer {n}\n"
                f"Message-ID: <{n}@brand.test>\nContent-Type: text/html; charset=utf-8\n\n"
                f"<html><body>{links}{unsubscribe}</body></html>\n\n".encode()
            )


def clickaudit(*args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "clickaudit", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


@pytest.fixture
def workers(redis_url: str, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started = [
        clickaudit(
            "worker", "--cluster", redis_url, "--threads", "2", "--heartbeat-timeout", "3",
            log=tmp_path / f"worker{n}.log",
        )
        for n in range(3)
    ]  # fmt: skip
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_batch_survives_a_killed_worker_stores_each_email_once_and_keeps_one_host_budget(
    redis_url: str, workers: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    routes = [
        Route("/c/*", host=TRACKER, action="redirect", to=f"http://{BRAND}:{{http}}/p?{{query}}",
              delay_ms=15),
        Route("/unsub*", host=TRACKER, body="<h1>You are unsubscribed</h1>"),
        Route("/p", host=BRAND, body="<h1>Landing</h1>"),
    ]  # fmt: skip
    zone = {TRACKER: [("A", "127.0.0.1")], BRAND: [("A", "127.0.0.1")]}
    with LocalDnsServer(zone) as dns, SimServer(routes, tls=False) as sim:
        mbox = tmp_path / "campaigns.mbox"
        write_mbox(mbox, sim.http_port)
        db, report = tmp_path / "history.db", tmp_path / "report.jsonl"
        submitter = clickaudit(
            "audit", "--cluster", redis_url, str(mbox),
            "--per-host", str(PER_HOST), "--allow-private", "--no-domains",
            "--nameserver", f"127.0.0.1:{dns.port}", "--timeout", "5",
            "--db", str(db), "--format", "jsonl", "--output", str(report), "--fail-on", "never",
            "--redact",
            log=tmp_path / "submitter.log",
        )  # fmt: skip
        try:
            client = redis.Redis.from_url(redis_url)
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline:
                finished = [k for k in client.keys("clickaudit:batch:*:finished")]
                if finished and client.llen(finished[0]) >= EMAILS // 6:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the cluster did not start auditing: " + _logs(tmp_path))
            held = _acks_of(client, tmp_path / "worker0.log")
            while client.scard(held) == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert client.scard(held) > 0, "the worker to kill holds no email"
            workers[0].send_signal(signal.SIGKILL)  # mid-batch, mid-email: no goodbye
            workers[0].wait(timeout=10)
            status = submitter.wait(timeout=90)
        finally:
            if submitter.poll() is None:
                submitter.kill()
                submitter.wait()
        assert status == 0, _logs(tmp_path)
        max_in_flight = dict(sim.max_in_flight)
        unsubscribes = sim.requests_to(TRACKER, "/unsub")

    text = report.read_text("utf-8")
    assert "@example.org" not in text  # --redact applies to the streamed report
    lines = text.splitlines()
    sources = [json.loads(line)["source"] for line in lines]
    assert len(lines) == EMAILS
    assert sorted(source["index"] for source in sources) == list(range(EMAILS))
    assert len({source["sha256"] for source in sources}) == EMAILS
    for line in lines:
        links = json.loads(line)["links"]
        followed = [link for link in links if "/c/" in link["href"]]
        assert len(followed) == LINKS and all(link["outcome"] == "ok" for link in followed)

    with Store.open(db) as store:
        rows = store.history(limit=10 * EMAILS)
        reports = [store.report(row.id) for row in rows]
        stored = [report["source"] for report in reports]
    assert all("@example.org" in json.dumps(report) for report in reports)  # history: as is
    assert len(rows) == EMAILS
    assert sorted(source["index"] for source in stored) == list(range(EMAILS))

    assert 1 <= max_in_flight[TRACKER] <= PER_HOST, max_in_flight
    assert max_in_flight[BRAND] <= PER_HOST, max_in_flight
    assert unsubscribes == []  # the submitter's rule, applied by every worker
    log = (tmp_path / "submitter.log").read_text("utf-8")
    assert f"{EMAILS} done, 0 failed, 0 pending of {EMAILS}" in log


def _acks_of(client: redis.Redis, log: Path) -> str:
    """The Redis set of messages a worker has taken and not yet acknowledged."""
    match = re.search(r"clickaudit worker ([0-9a-f-]+):", log.read_text("utf-8"))
    assert match, log.read_text("utf-8")
    return f"clickaudit:dramatiq:__acks__.{match.group(1)}.clickaudit"


def _logs(folder: Path) -> str:
    return "\n".join(
        f"--- {path.name}\n{path.read_text('utf-8', 'replace')[-3000:]}"
        for path in sorted(folder.glob("*.log"))
    )
