"""The cluster's job protocol: what a submitter stores and queues, what a worker does with it.

The queue is Dramatiq's in-memory StubBroker; the batch itself lives in a real redis-server on
127.0.0.1 (the store's Lua scripts are part of what is tested).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker

from clickaudit.cluster.batch_store import BatchStore, UnknownBatch
from clickaudit.cluster.broker import declare_actor, send_job
from clickaudit.cluster.jobs import QUEUE, BatchSpec, EmailUnit, JobInfo, spec_for
from clickaudit.cluster.submit import Cluster, new_batch_id, read_units
from clickaudit.cluster.work import JobRunner, load_job_email, settings_for_worker
from clickaudit.errors import InputError
from clickaudit.model import Audit
from clickaudit.settings import AuditSettings
from clickaudit.wire import from_wire

EMAIL = b"""From: News <news@shop.example>
To: someone@example.org
Subject: Offer {n}
Content-Type: text/html; charset=utf-8

<html><body><a href="https://shop.example/item/{n}?utm_source=news">Item {n}</a>
<a href="https://shop.example/unsubscribe?u={n}">Unsubscribe</a></body></html>
"""


def never_called(what: object) -> None:
    """A callback the run must not make: an error or duplicate here fails the test."""
    pytest.fail(f"unexpected callback with {what!r}")


def email(n: int) -> bytes:
    return EMAIL.replace(b"{n}", str(n).encode())


@pytest.fixture
def store(redis_url: str) -> Iterator[BatchStore]:
    client = redis.Redis.from_url(redis_url)
    yield BatchStore(client)
    client.close()


@pytest.fixture
def stub_broker() -> Iterator[StubBroker]:
    broker = StubBroker()
    broker.emit_after("process_boot")
    yield broker
    broker.flush_all()
    broker.close()


def run_worker(broker: StubBroker) -> None:
    """Process everything queued, then stop the worker's threads."""
    worker = Worker(broker, worker_timeout=50, worker_threads=2)
    worker.start()
    try:
        broker.join(QUEUE, fail_fast=True)
        worker.join()
    finally:
        worker.stop()


def queue_batch(
    store: BatchStore, broker: StubBroker, spec: BatchSpec, units: list[EmailUnit]
) -> str:
    batch = new_batch_id()
    store.create(batch, spec)
    for seq, unit in enumerate(units):
        assert store.add_email(batch, unit, seq)
        send_job(broker, batch, unit.sha256)
        store.count_sent(batch)
    store.seal(batch, len(units))
    return batch


def test_a_scan_job_stores_the_same_report_a_local_scan_makes(
    store: BatchStore, stub_broker: StubBroker, redis_url: str, tmp_path: Path
) -> None:
    from clickaudit.load import load_bytes
    from clickaudit.pipeline import scan_email

    runner = JobRunner(store, redis_url, tmp_path)
    declare_actor(stub_broker, runner.run)
    unit = EmailUnit("offer.eml", "eml", 0, email(1))
    batch = queue_batch(store, stub_broker, spec_for("scan", {}), [unit])
    run_worker(stub_broker)

    result = store.result(batch, unit.sha256)
    assert result is not None and result["status"] == "done"
    (report,) = result["audits"]
    remote = from_wire(Audit, report)
    local = scan_email(load_bytes(email(1), "offer.eml", kind="eml")[0])
    assert remote.email == local.email
    assert remote.links == local.links and remote.findings == local.findings
    assert remote.email.source.sha256 == unit.sha256
    assert store.status(batch).done == 1 and store.status(batch).pending == 0
    assert store.email(batch, unit.sha256) is None  # the bytes go once the result is stored


def test_a_scan_batch_gets_its_report_rendered_by_the_worker(
    store: BatchStore, stub_broker: StubBroker, redis_url: str, tmp_path: Path
) -> None:
    """A scan keeps nothing but its report: the worker renders it, the submitter only writes."""
    from clickaudit.load import load_bytes
    from clickaudit.pipeline import scan_email
    from clickaudit.report.stream import render_piece

    runner = JobRunner(store, redis_url, tmp_path)
    declare_actor(stub_broker, runner.run)
    unit = EmailUnit("offer.eml", "file", 0, email(8))
    spec = spec_for("scan", {}, report={"format": "text", "width": 100})
    batch = queue_batch(store, stub_broker, spec, [unit])
    run_worker(stub_broker)

    result = store.result(batch, unit.sha256)
    assert result is not None and "audits" not in result
    local = scan_email(load_bytes(email(8), "offer.eml", kind="eml")[0])
    assert result["pieces"] == [render_piece(local, "text", width=100)]
    assert result["worst"] == max((f.severity.rank for f in local.all_findings()), default=-1)


def test_a_redelivered_email_is_stored_once(
    store: BatchStore, stub_broker: StubBroker, redis_url: str, tmp_path: Path
) -> None:
    """A message delivered twice (its worker died after storing, before acknowledging) finds
    its result and does not store or announce a second one."""
    runs: list[str] = []
    runner = JobRunner(store, redis_url, tmp_path)

    def counting_run(batch: str, sha: str) -> None:
        runs.append(sha)
        runner.run(batch, sha)

    declare_actor(stub_broker, counting_run)
    unit = EmailUnit("offer.eml", "eml", 0, email(2))
    batch = queue_batch(store, stub_broker, spec_for("scan", {}), [unit])
    send_job(stub_broker, batch, unit.sha256)  # the redelivery
    run_worker(stub_broker)

    assert runs == [unit.sha256, unit.sha256]
    assert store.finished(batch, 0) == [unit.sha256]
    assert store.status(batch).done == 1


def test_storing_a_result_twice_keeps_the_first(store: BatchStore) -> None:
    batch = new_batch_id()
    store.create(batch, spec_for("scan", {}))
    assert store.store_result(batch, "ab" * 32, {"status": "done", "audits": []})
    assert not store.store_result(batch, "ab" * 32, {"status": "failed", "error": "late"})
    assert store.result(batch, "ab" * 32) == {"status": "done", "audits": []}
    assert store.finished(batch, 0) == ["ab" * 32]


def test_an_email_that_cannot_be_read_is_a_failed_result_naming_it(
    store: BatchStore, stub_broker: StubBroker, redis_url: str, tmp_path: Path
) -> None:
    runner = JobRunner(store, redis_url, tmp_path)
    declare_actor(stub_broker, runner.run)
    good = EmailUnit("good.eml", "eml", 0, email(3))
    binary = EmailUnit("photo.eml", "eml", 0, b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    batch = queue_batch(store, stub_broker, spec_for("scan", {}), [good, binary])
    run_worker(stub_broker)

    status = store.status(batch)
    assert (status.done, status.failed, status.pending) == (1, 1, 0)
    ((label, error),) = status.errors
    assert label == "photo.eml" and "photo.eml" in error
    assert status.finished


def test_batch_status_counts_pending_emails_and_an_unfinished_submission(
    store: BatchStore,
) -> None:
    batch = new_batch_id()
    store.create(batch, spec_for("scan", {}))
    units = [EmailUnit(f"{n}.eml", "eml", 0, email(n)) for n in range(3)]
    for seq, unit in enumerate(units):
        store.add_email(batch, unit, seq)
    store.store_result(batch, units[0].sha256, {"status": "done", "audits": []})
    status = store.status(batch)
    assert (status.done, status.failed, status.pending, status.sealed) == (1, 0, 2, False)
    assert "did not finish" in status.summary()
    with pytest.raises(UnknownBatch):
        store.status("no-such-batch")


def test_the_same_email_twice_in_a_batch_is_queued_once(store: BatchStore) -> None:
    batch = new_batch_id()
    store.create(batch, spec_for("scan", {}))
    assert store.add_email(batch, EmailUnit("a.eml", "eml", 0, email(4)), 0)
    assert not store.add_email(batch, EmailUnit("copy.eml", "eml", 0, email(4)), 1)
    assert store.status(batch).total == 1


def test_settings_travel_with_the_batch_not_the_workers_defaults(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[policy]\nrequired = ["utm_source"]\n', "utf-8")
    submitted = AuditSettings(
        safe=True,
        allow_private=True,
        follow_unsubscribe=False,
        per_host=3,
        concurrency=7,
        timeout=4.0,
        max_hops=6,
        policy_path=str(policy),
        blocklist_zones=("dbl.example",),
    )
    spec = BatchSpec.from_json(spec_for("audit", submitted.to_dict()).to_json())
    policy.unlink()  # the worker never reads the submitter's file system
    applied = settings_for_worker(spec, tmp_path / "worker")

    assert applied.policy_path is not None and applied.policy_path != str(policy)
    assert Path(applied.policy_path).read_text("utf-8").startswith("[policy]")
    from dataclasses import replace

    assert replace(applied, policy_path=str(policy)) == submitted


def test_an_mbox_message_keeps_its_mbox_and_position(fixtures: Path) -> None:
    units = [u for u in read_units([str(fixtures / "emails" / "two_messages.mbox")])]
    assert [(u.kind, u.index) for u in units if isinstance(u, EmailUnit)] == [
        ("mbox", 0),
        ("mbox", 1),
    ]
    second = units[1]
    assert isinstance(second, EmailUnit)
    (loaded,) = load_job_email(JobInfo(second.name, "mbox", 1, 1), second.data)
    from clickaudit.load import load_path

    local = load_path(fixtures / "emails" / "two_messages.mbox")[1]
    assert loaded.source == local.source


def test_unreadable_inputs_are_reported_and_the_rest_are_read(tmp_path: Path) -> None:
    good = tmp_path / "good.eml"
    good.write_bytes(email(5))
    units = list(read_units([str(tmp_path / "missing.eml"), str(good)]))
    assert isinstance(units[0], InputError) and "no such file" in units[0].problem
    assert (
        isinstance(units[1], EmailUnit) and units[1].sha256 == EmailUnit("", "", 0, email(5)).sha256
    )


def test_a_submitter_resumes_without_collecting_twice(redis_url: str) -> None:
    cluster = Cluster(redis_url)
    try:
        batch = new_batch_id()
        units = [EmailUnit(f"{n}.eml", "eml", 0, email(n)) for n in range(3)]
        store = cluster.store
        for unit in units:  # the workers are quicker than the submitter
            store.store_result(batch, unit.sha256, {"status": "done", "audits": []})
        running = cluster.run(
            batch, units, spec_for("scan", {}), on_error=never_called, on_duplicate=never_called
        )
        first = next(running)
        cluster.mark_collected(batch, first)
        assert store.result(batch, first.sha256) is None  # collected: Redis lets it go
        # the submitter dies here; a new one reconnects
        again = Cluster(redis_url)
        assert again.resume(batch).sealed
        resumed = [item.sha256 for item in again.collect(batch)]
        again.close()
        assert first.sha256 not in resumed
        assert sorted([first.sha256, *resumed]) == sorted(u.sha256 for u in units)
    finally:
        cluster.close()


def test_the_submitter_never_queues_more_than_its_window_without_results(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis holds a bounded number of emails waiting for a worker, not the whole mailbox."""
    import threading

    from clickaudit.cluster import submit

    monkeypatch.setattr(submit, "MAX_WAITING_EMAILS", 3)
    cluster = Cluster(redis_url)
    batch = new_batch_id()
    units = [EmailUnit(f"{n}.eml", "eml", 0, email(n)) for n in range(12)]
    most_waiting = 0
    stop = threading.Event()

    def slow_worker() -> None:
        nonlocal most_waiting
        client = redis.Redis.from_url(redis_url)
        store = BatchStore(client)
        while not stop.is_set():
            jobs = store.jobs(batch)
            waiting = [sha for sha in jobs if not store.has_result(batch, sha)]
            most_waiting = max(most_waiting, len(waiting))
            if waiting:
                store.store_result(batch, waiting[0], {"status": "done", "audits": []})
            time.sleep(0.02)
        client.close()

    worker = threading.Thread(target=slow_worker)
    worker.start()
    try:
        collected = list(
            cluster.run(
                batch, units, spec_for("scan", {}), on_error=never_called, on_duplicate=never_called
            )
        )
    finally:
        stop.set()
        worker.join()
        cluster.close()
    assert len(collected) == 12
    assert 1 <= most_waiting <= 3


def test_a_cut_off_submission_is_sealed_and_its_last_email_queued_on_resume(
    redis_url: str,
) -> None:
    cluster = Cluster(redis_url)
    try:
        batch = new_batch_id()
        cluster.store.create(batch, spec_for("scan", {}))
        unit = EmailUnit("a.eml", "eml", 0, email(6))
        cluster.store.add_email(batch, unit, 0)  # stored, then the submitter died: never queued
        status = cluster.resume(batch)
        assert status.sealed and status.total == 1 and status.pending == 1
        queued = redis.Redis.from_url(redis_url).lrange("clickaudit:dramatiq:" + QUEUE, 0, -1)
        assert len(queued) == 1
    finally:
        cluster.close()


def test_without_cluster_nothing_of_it_is_imported(tmp_path: Path) -> None:
    path = tmp_path / "one.eml"
    path.write_bytes(email(7))
    code = (
        "import sys\n"
        "from clickaudit.cli import main\n"
        f"main(['scan', {str(path)!r}, '--format', 'json', '--output', {str(tmp_path / 'r.json')!r}])\n"
        f"main(['audit', {str(path)!r}, '--no-follow', '--no-domains', '--no-save',"
        f" '--output', {str(tmp_path / 'a.txt')!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dramatiq', 'redis')"
        " or m.startswith('clickaudit.cluster'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_reports_are_written_in_the_order_of_the_inputs_whatever_order_workers_finish_in() -> None:
    from clickaudit.commands.cluster_run import _InOrder

    written: list[str] = []

    class Writer:
        def write(self, piece: str) -> None:
            written.append(piece)

    in_order = _InOrder(Writer(), done={1})  # place 1 was reported before a resume
    in_order.put(3, ["d"])
    in_order.put(0, ["a"])
    assert written == ["a"]
    in_order.put(2, ["c1", "c2"])  # an email with an attached one: two reports
    assert written == ["a", "c1", "c2", "d"]
    in_order.put(5, ["f"])  # 4 failed or never came: the batch ended without it
    in_order.finish()
    assert written == ["a", "c1", "c2", "d", "f"]
