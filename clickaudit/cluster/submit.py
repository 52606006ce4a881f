"""The submitter's side of a cluster batch: read the emails, queue them, collect the results.

Results are collected in the order workers finish them, from an append-only list, so a submitter
that crashed or was interrupted reconnects with ``--resume BATCH`` and reads from the start,
skipping what it already saved (the batch remembers what was collected).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import redis

from clickaudit.cluster.batch_store import BatchStatus, BatchStore, UnknownBatch
from clickaudit.cluster.broker import make_broker, send_job
from clickaudit.cluster.jobs import BatchSpec, EmailUnit, JobInfo
from clickaudit.errors import ClickauditError, InputError

POLL_S = 0.1
MAX_WAITING_EMAILS = 2000
MAX_WAITING_BYTES = 256 * 1024 * 1024


def read_units(inputs: Iterable[str]) -> Iterator[EmailUnit | InputError]:
    """Each email's bytes, one source at a time (files, folders, globs, mbox messages, Maildirs:
    :func:`clickaudit.batch.read_sources`); what cannot be read is yielded as its error and the
    rest go on."""
    from clickaudit.batch import read_sources

    for source in read_sources(inputs):
        if isinstance(source, InputError):
            yield source
            continue
        try:
            data = source.read()
        except InputError as error:
            yield error
            continue
        yield EmailUnit(source.path, source.kind, source.index, data)


def new_batch_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True, slots=True)
class Collected:
    """One email's result as it arrived: its audits (wire form) or, for a batch whose workers
    render the report, its pieces and worst severity's rank; or why it failed."""

    sha256: str
    info: JobInfo
    reports: tuple[dict[str, Any], ...]
    error: str | None
    pieces: tuple[str, ...] | None = None
    worst: int = -1

    @property
    def label(self) -> str:
        return self.info.label


class Cluster:
    """The cluster at ``url`` (``redis://HOST:PORT/DB``) as the submitter sees it."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.client = redis.Redis.from_url(url)
            self.client.ping()
        except (redis.RedisError, ValueError) as error:
            raise ClickauditError(f"{url}: cannot reach the cluster's Redis: {error}") from None
        self.store = BatchStore(self.client)
        self._broker = make_broker(url)

    def close(self) -> None:
        self._broker.close()
        self.client.close()

    def run(
        self,
        batch: str,
        units: Iterable[EmailUnit | InputError],
        spec: BatchSpec,
        *,
        on_error: Callable[[InputError], None],
        on_duplicate: Callable[[EmailUnit], None],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[Collected]:
        """Queue every email as batch ``batch`` (:func:`new_batch_id`) and yield the results as
        they finish. Emails with the same bytes are queued once.

        Queueing waits while :data:`MAX_WAITING_EMAILS` emails (or :data:`MAX_WAITING_BYTES`)
        are queued without a result, so Redis never holds a whole mailbox export at once.
        """
        self.store.create(batch, spec)
        collector = _Collector(self.store, batch)
        waiting: dict[str, int] = {}  # queued emails without a result: sha256 → size
        seq = 0
        last_poll = time.monotonic()

        def take(items: list[Collected]) -> Iterator[Collected]:
            yield from items
            if on_progress is not None:
                on_progress(collector.position, seq)

        for unit in units:
            if isinstance(unit, InputError):
                on_error(unit)
                continue
            while waiting and (
                len(waiting) >= MAX_WAITING_EMAILS
                or sum(waiting.values()) + len(unit.data) > MAX_WAITING_BYTES
            ):
                finished, items = collector.poll()
                for sha in finished:
                    waiting.pop(sha, None)
                yield from take(items)
                if not finished:
                    time.sleep(POLL_S)
            if not self.store.add_email(batch, unit, seq):
                on_duplicate(unit)
                continue
            send_job(self._broker, batch, unit.sha256)
            self.store.count_sent(batch)
            waiting[unit.sha256] = len(unit.data)
            seq += 1
            if time.monotonic() - last_poll >= POLL_S:
                last_poll = time.monotonic()
                finished, items = collector.poll()
                for sha in finished:
                    waiting.pop(sha, None)
                yield from take(items)
        self.store.seal(batch, seq)
        yield from collector.until_done(on_progress)

    def resume(self, batch: str) -> BatchStatus:
        """Reconnect to a batch. A submission that was cut off is sealed with the emails it had,
        and the one email it may have stored but not queued is queued (a duplicate is harmless:
        results are stored once)."""
        status = self.store.status(batch)  # raises UnknownBatch
        if status.sealed:
            return status
        sent = self.store.sent(batch)
        for sha, info in self.store.jobs(batch).items():
            if info.seq >= sent and not self.store.has_result(batch, sha):
                send_job(self._broker, batch, sha)
        self.store.seal(batch, status.total)
        return self.store.status(batch)

    def collect(
        self, batch: str, *, on_progress: Callable[[int, int], None] | None = None
    ) -> Iterator[Collected]:
        """Results as they finish, each once (those already collected are skipped), until the
        batch has no email pending. Wait forever otherwise: workers may come later."""
        return _Collector(self.store, batch).until_done(on_progress)

    def mark_collected(self, batch: str, item: Collected) -> None:
        """The submitter has this result (saved, reported): Redis may drop a done one's report."""
        self.store.mark_collected(batch, item.sha256, drop_result=item.error is None)

    def status(self, batch: str) -> BatchStatus:
        return self.store.status(batch)

    def collected_seqs(self, batch: str) -> set[int]:
        """Places in the batch (``JobInfo.seq``) whose results were collected before."""
        infos = self.store.jobs_for(batch, sorted(self.store.collected(batch)))
        return {info.seq for info in infos if info is not None}


class _Collector:
    """Reads a batch's finished list from where it last stopped; skips what was collected."""

    def __init__(self, store: BatchStore, batch: str) -> None:
        self.store = store
        self.batch = batch
        self.position = 0
        self._already = store.collected(batch)

    def poll(self) -> tuple[list[str], list[Collected]]:
        """(sha256s finished since the last poll, the results among them not yet collected)."""
        shas = self.store.finished(self.batch, self.position)
        self.position += len(shas)
        fresh = [sha for sha in shas if sha not in self._already]
        items = []
        infos = self.store.jobs_for(self.batch, fresh)
        for sha, info, result in zip(
            fresh, infos, self.store.results(self.batch, fresh), strict=True
        ):
            if info is None or result is None:
                continue
            error = result.get("error") if result.get("status") == "failed" else None
            pieces = result.get("pieces")
            items.append(
                Collected(
                    sha,
                    info,
                    tuple(result.get("audits", ())),
                    error,
                    tuple(pieces) if pieces is not None else None,
                    int(result.get("worst", -1)),
                )
            )
        return shas, items

    def until_done(
        self, on_progress: Callable[[int, int], None] | None = None
    ) -> Iterator[Collected]:
        while True:
            shas, items = self.poll()
            yield from items
            total = self.store.sealed(self.batch)
            if on_progress is not None:
                known = total if total is not None else self.store.status(self.batch).total
                on_progress(self.position, known)
            if total is not None and self.position >= total:
                return
            if not shas:
                time.sleep(POLL_S)


__all__ = ["Cluster", "Collected", "UnknownBatch", "new_batch_id", "read_units"]
