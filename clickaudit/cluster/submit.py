"""The submitter's side of a cluster batch: read the emails, queue them, collect the results.

Results are collected in the order workers finish them, from an append-only list, so a submitter
that crashed or was interrupted reconnects with ``--resume BATCH`` and reads from the start,
skipping what it already saved (the batch remembers what was collected).
"""

from __future__ import annotations

import mailbox
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from clickaudit.cluster.batch_store import BatchStatus, BatchStore, UnknownBatch
from clickaudit.cluster.broker import make_broker, send_job
from clickaudit.cluster.jobs import BatchSpec, EmailUnit, JobInfo
from clickaudit.errors import ClickauditError, InputError

POLL_S = 0.1


def read_units(paths: Iterable[str]) -> Iterator[EmailUnit | InputError]:
    """Each email's bytes, a file or an mbox message at a time; an unreadable file is yielded as
    its error and the rest go on. (The loader's own reading: the same limits and messages.)"""
    from clickaudit.load import _kind_of, _read

    for path in paths:
        file = Path(path)
        try:
            data = _read(file, path)
            kind = _kind_of(file, data)
        except InputError as error:
            yield error
            continue
        if kind != "mbox":
            yield EmailUnit(path, kind, 0, data)
            continue
        del data
        try:
            box = mailbox.mbox(path, create=False)
            keys = list(box.keys())
        except (OSError, mailbox.Error) as error:
            yield InputError(path, f"is not a readable mbox: {error}")
            continue
        if not keys:
            yield InputError(path, "is an mbox with no messages")
        for index, key in enumerate(keys):
            yield EmailUnit(path, "mbox", index, box.get_bytes(key))
        box.close()


def new_batch_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True, slots=True)
class Collected:
    """One email's result as it arrived: its audits (wire form), or why it failed."""

    sha256: str
    info: JobInfo
    reports: tuple[dict[str, Any], ...]
    error: str | None

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

    def submit(
        self,
        batch: str,
        units: Iterable[EmailUnit | InputError],
        spec: BatchSpec,
        *,
        on_error: Callable[[InputError], None],
        on_duplicate: Callable[[EmailUnit], None],
    ) -> None:
        """Queue every email as batch ``batch`` (:func:`new_batch_id`). Emails with the same bytes
        are queued once."""
        self.store.create(batch, spec)
        seq = 0
        for unit in units:
            if isinstance(unit, InputError):
                on_error(unit)
                continue
            if not self.store.add_email(batch, unit, seq):
                on_duplicate(unit)
                continue
            send_job(self._broker, batch, unit.sha256)
            self.store.count_sent(batch)
            seq += 1
        self.store.seal(batch, seq)

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
        already = self.store.collected(batch)
        jobs = self.store.jobs(batch)
        position = 0
        while True:
            shas = self.store.finished(batch, position)
            position += len(shas)
            fresh = [sha for sha in shas if sha not in already]
            for sha, result in zip(fresh, self.store.results(batch, fresh), strict=True):
                info = jobs.get(sha) or self.store.job(batch, sha)
                if info is None or result is None:
                    continue
                yield Collected(
                    sha,
                    info,
                    tuple(result.get("audits", ())),
                    result.get("error") if result.get("status") == "failed" else None,
                )
            total = self.store.sealed(batch)
            if on_progress is not None:
                on_progress(position, total if total is not None else len(jobs))
            if total is not None and position >= total:
                return
            if not shas:
                time.sleep(POLL_S)
                if total is None:  # the submitter is still queueing (or died): see what it added
                    jobs = self.store.jobs(batch)

    def mark_collected(self, batch: str, sha: str) -> None:
        self.store.mark_collected(batch, sha)

    def status(self, batch: str) -> BatchStatus:
        return self.store.status(batch)


__all__ = ["Cluster", "Collected", "UnknownBatch", "new_batch_id", "read_units"]
