"""Auditing a batch of emails: the offline half in worker processes, the following in one
event loop, polite as one.

``audit --jobs N`` (N > 1) loads, extracts and classifies emails in N worker processes (as
``scan --jobs`` does) and follows several emails' links at once in this process's event loop.
All of them go through one :class:`~clickaudit.pipeline.AuditRun`: one HTTP transport and ONE
per-host limiter for the whole batch, so a tracking host that every email links to never sees
more than the per-host ceiling in flight, however many emails are under way — N processes each
following with its own limiter would multiply it by N. The workers never touch the network.

Results come back in input order, each source's as soon as it and those before it are done;
at most :data:`EMAILS_PER_JOB` × N emails are under way at once, so memory stays flat however
long the batch is. A source that cannot be read (or is not an email) comes back as its problem,
naming it, and the rest of the batch goes on. With one job, emails are audited one after
another in this process, exactly as :func:`clickaudit.pipeline.audit_emails` does.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from clickaudit.batch import EmailSource, failure_of
from clickaudit.errors import ClickauditError, InputError
from clickaudit.events import ProgressCallback, ignore_progress
from clickaudit.pipeline import (
    AuditRun,
    Classified,
    NetworkOverrides,
    audit_classified,
    audit_run,
    classify_email,
    now_iso,
)
from clickaudit.settings import AuditSettings

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from clickaudit.model import Audit

EMAILS_PER_JOB = 4  # emails under way at once per job: classified, being followed or waiting


@dataclass(frozen=True, slots=True)
class AuditedSource:
    """One source's audits, or the problem that stopped it (``problem``, naming ``label``)."""

    label: str
    audits: tuple[Audit, ...] = ()
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class _ClassifiedSource:
    """What a worker sends back: a source's emails after the offline stages, or its problem."""

    label: str
    emails: tuple[Classified, ...] = ()
    problem: str | None = None
    started: str = ""


def audit_sources(
    sources: Iterable[EmailSource | InputError],
    settings: AuditSettings,
    *,
    jobs: int,
    on_audited: Callable[[AuditedSource], None],
    progress: ProgressCallback = ignore_progress,
    network: NetworkOverrides | None = None,
) -> None:
    """Audit every source, calling ``on_audited`` with each one's result, in input order.

    ``progress`` gets the stages of each email when they are audited one at a time (one job, or
    a single source); with several at once their stages would interleave, so it gets none.

    Raises:
        PolicyError: the UTM policy cannot be used (before anything is audited).
        InputError: the template cannot be read (likewise).
    """
    items = iter(sources)
    first = list(islice(items, 2))
    items = chain(first, items)
    if jobs <= 1 or len(first) < 2:
        asyncio.run(_audit_all(items, settings, None, 1, on_audited, progress, network))
        return
    with _classifying_workers(jobs) as pool:
        asyncio.run(
            _audit_all(
                items, settings, pool, jobs * EMAILS_PER_JOB, on_audited, ignore_progress, network
            )
        )


async def _audit_all(
    items: Iterator[EmailSource | InputError],
    settings: AuditSettings,
    pool: Executor | None,
    at_once: int,
    on_audited: Callable[[AuditedSource], None],
    progress: ProgressCallback,
    network: NetworkOverrides | None,
) -> None:
    async with audit_run(settings, network) as run:
        under_way: deque[asyncio.Task[AuditedSource]] = deque()
        try:
            for item in items:
                under_way.append(asyncio.create_task(_audit_source(item, run, pool, progress)))
                while under_way and (len(under_way) >= at_once or under_way[0].done()):
                    on_audited(await under_way.popleft())
            while under_way:
                on_audited(await under_way.popleft())
        finally:
            for task in under_way:
                task.cancel()
            await asyncio.gather(*under_way, return_exceptions=True)


async def _audit_source(
    item: EmailSource | InputError,
    run: AuditRun,
    pool: Executor | None,
    progress: ProgressCallback,
) -> AuditedSource:
    if pool is None:
        classified = classify_source(item)
    else:
        loop = asyncio.get_running_loop()
        wired = await loop.run_in_executor(pool, _classify_in_worker, item)
        classified = wired.unwired()
    if classified.problem is not None:
        return AuditedSource(classified.label, problem=classified.problem)
    audits = []
    for email in classified.emails:
        try:
            audits.append(
                await audit_classified(email, run, started=classified.started, progress=progress)
            )
        except InputError as error:
            return AuditedSource(error.path, problem=error.problem)
        except ClickauditError as error:
            return AuditedSource(classified.label, problem=str(error))
    return AuditedSource(classified.label, tuple(audits))


def classify_source(item: EmailSource | InputError) -> _ClassifiedSource:
    """The offline half of a source's emails (run in a worker when there are several jobs)."""
    from clickaudit.esp.fingerprints import load_fingerprints

    if isinstance(item, InputError):
        return _ClassifiedSource(item.path, problem=item.problem)
    started = now_iso()
    try:
        emails = item.load()
        fingerprints = load_fingerprints()
        classified = tuple(classify_email(email, fingerprints) for email in emails)
    except Exception as error:  # the engine's errors, and a bug met on one strange email
        where, problem = failure_of(item, error, "audited")
        return _ClassifiedSource(where, problem=problem)
    return _ClassifiedSource(item.label, classified, started=started)


@dataclass(frozen=True, slots=True)
class _WiredSource:
    """A classified source as it crosses from a worker: the emails in the wire form (the model
    holds read-only mappings, which pickle refuses; the wire form is lossless)."""

    label: str
    emails: tuple[Any, ...]
    problem: str | None
    started: str

    def unwired(self) -> _ClassifiedSource:
        from clickaudit.model import Email, Image, Link
        from clickaudit.wire import from_wire

        emails = tuple(
            Classified(
                from_wire(Email, email),
                tuple(from_wire(Link, link) for link in links),
                tuple(from_wire(Image, image) for image in images),
                esp,
            )
            for email, links, images, esp in self.emails
        )
        return _ClassifiedSource(self.label, emails, self.problem, self.started)


def _classify_in_worker(item: EmailSource | InputError) -> _WiredSource:
    from clickaudit.wire import to_wire

    done = classify_source(item)
    emails = tuple(
        (to_wire(c.email), to_wire(c.links), to_wire(c.images), c.esp) for c in done.emails
    )
    return _WiredSource(done.label, emails, done.problem, done.started)


@contextmanager
def _classifying_workers(jobs: int) -> Iterator[Executor]:
    """A pool of ``jobs`` worker processes for the offline half, started before the event loop
    (forking a process that runs an event loop and holds sockets is asking for trouble) and
    after the stages are imported and warmed up here, so every worker inherits them."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from clickaudit.scan_batch import start_worker, warm_up

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":
        warm_up(None)
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=partial(start_worker, method != "fork"),
    )
    try:
        pool.submit(int).result()  # forked now: before any event loop or socket exists
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
