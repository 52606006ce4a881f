"""Scanning a batch of emails, in worker processes when there are several: each email's report
is rendered where it is scanned and comes back as text, in input order, as it finishes.

Workers read their own email (an :class:`~clickaudit.batch.EmailSource` is a file name and a
byte range), so the parent only hands out work and writes reports. Work goes out in chunks of
a few sources, sized from the measured time per source to take about
:data:`CHUNK_SECONDS` each: handing out one email at a time cost the parent and each worker a
pickling and two wake-ups per email, as much as a small email's scan. At most two chunks per
worker are in flight, so memory stays flat however long the batch is.

Before the workers are forked the parent imports the scanning stages and scans a tiny built-in
email once, so the modules and the bundled lists they load lazily are inherited instead of
being imported and parsed again in every worker; the collector is told to leave those objects
alone (``gc.freeze``), so the workers do not copy the pages holding them.

The reports are the same whatever the number of jobs: the same code renders them, only where it
runs differs.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice
from typing import TYPE_CHECKING

from clickaudit.batch import EmailSource, failure_of
from clickaudit.errors import InputError

if TYPE_CHECKING:
    from concurrent.futures import Future  # the workers' pool is imported only when used

    from clickaudit.model import Email

CHUNK_SECONDS = 0.05  # a chunk's work: small against the batch, large against a hand-over
MAX_CHUNK = 64  # sources in one chunk, however small they are
CHUNKS_PER_JOB = 2  # in flight per worker: one being scanned, one waiting behind it

# Scanned in the parent before the workers are forked: every stage and the lists it loads on
# first use are then loaded once, for all of them.
_WARM_UP_EMAIL = (
    b"From: News <news@shop.example>\nTo: you@example.org\nSubject: warm-up\n"
    b"Content-Type: text/html; charset=utf-8\n\n"
    b'<a href="https://u1.ct.sendgrid.net/ls/click?upn=x">Shop</a>'
    b'<img src="https://shop.example/open.gif" width="1" height="1">\n'
)


@dataclass(frozen=True, slots=True)
class ScannedSource:
    """One source's result: its emails' rendered reports and their worst finding's severity
    rank (-1: no finding), or the problem that stopped it (``problem``, naming ``label``)."""

    label: str
    pieces: tuple[str, ...] = ()
    worst: int = -1
    problem: str | None = None


def default_jobs() -> int:
    """The machine's cores (the CPUs this process may use, where the system says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def scan_sources(
    sources: Iterable[EmailSource | InputError], *, fmt: str, width: int = 120, jobs: int = 1
) -> Iterator[ScannedSource]:
    """Scan each source and render its reports in ``fmt`` (see :mod:`clickaudit.report.stream`).

    With ``jobs`` > 1 and more than one source, ``jobs`` worker processes do the work.
    """
    items = iter(sources)
    first = list(islice(items, 2))
    items = chain(first, items)
    if jobs <= 1 or len(first) < 2:
        for item in items:
            yield _scan(item, fmt, width)
        return
    yield from _scan_in_workers(items, fmt=fmt, width=width, jobs=jobs)


def _scan_in_workers(
    items: Iterator[EmailSource | InputError], *, fmt: str, width: int, jobs: int
) -> Iterator[ScannedSource]:
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":
        warm_up(fmt, width)  # loaded once here, inherited by every worker
        gc.freeze()
    context = multiprocessing.get_context(method)
    sizer = _ChunkSizer()
    waiting: deque[Future[_ChunkResult]] = deque()
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=partial(start_worker, method != "fork", fmt, width),
    )
    try:
        for chunk in _chunks(items, sizer):
            waiting.append(pool.submit(_scan_chunk, chunk, fmt, width))
            while len(waiting) >= jobs * CHUNKS_PER_JOB or (waiting and waiting[0].done()):
                yield from _taken(waiting.popleft().result(), sizer)
        while waiting:
            yield from _taken(waiting.popleft().result(), sizer)
    finally:
        # Interrupted (Ctrl-C) or finished: what has not started is dropped, what runs ends.
        pool.shutdown(wait=True, cancel_futures=True)
        if method == "fork":
            gc.unfreeze()


def start_worker(warm: bool, fmt: str | None = None, width: int = 120) -> None:
    """A worker process's start: Ctrl-C is the parent's to handle (it stops handing out work and
    waits for what is under way; a worker interrupted mid-task left the pool waiting for it
    forever), and a spawned worker warms up here (a forked one inherited the parent's)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if warm:
        warm_up(fmt, width)


def warm_up(fmt: str | None, width: int = 120) -> None:
    """Import the scanning stages and load what they load on first use (fingerprints, tracker
    lists, the public suffix list) by scanning a tiny built-in email, and rendering its report
    in ``fmt`` unless None."""
    from clickaudit.esp.fingerprints import load_fingerprints
    from clickaudit.load import load_message_bytes
    from clickaudit.scanning import scan_email

    for email in load_message_bytes(_WARM_UP_EMAIL, "warm-up.eml"):
        if fmt is None:
            scan_email(email, load_fingerprints())
        else:
            _render(email, fmt, width)


@dataclass(frozen=True, slots=True)
class _ChunkResult:
    results: tuple[ScannedSource, ...]
    seconds: float  # the worker's time on the chunk's sources


class _ChunkSizer:
    """How many sources the next chunk holds: enough for :data:`CHUNK_SECONDS` of work at the
    time per source measured so far (one source until something is measured)."""

    def __init__(self) -> None:
        self._sources = 0
        self._seconds = 0.0

    def record(self, result: _ChunkResult) -> None:
        self._sources += sum(1 for r in result.results if r.problem is None)
        self._seconds += result.seconds

    def size(self) -> int:
        if not self._sources or self._seconds <= 0:
            return 1
        per_source = self._seconds / self._sources
        return max(1, min(MAX_CHUNK, int(CHUNK_SECONDS / per_source)))


def _chunks(
    items: Iterator[EmailSource | InputError], sizer: _ChunkSizer
) -> Iterator[tuple[EmailSource | ScannedSource, ...]]:
    """The sources in chunks of the sizer's current size; an input that could not be found
    travels as its problem, so every result comes back in input order."""
    while True:
        chunk = tuple(
            ScannedSource(item.path, problem=item.problem) if isinstance(item, InputError) else item
            for item in islice(items, sizer.size())
        )
        if not chunk:
            return
        yield chunk


def _taken(result: _ChunkResult, sizer: _ChunkSizer) -> tuple[ScannedSource, ...]:
    sizer.record(result)
    return result.results


def _scan_chunk(
    chunk: tuple[EmailSource | ScannedSource, ...], fmt: str, width: int
) -> _ChunkResult:
    started = time.perf_counter()
    results = tuple(
        item if isinstance(item, ScannedSource) else _scan(item, fmt, width) for item in chunk
    )
    return _ChunkResult(results, time.perf_counter() - started)


def _scan(item: EmailSource | InputError, fmt: str, width: int) -> ScannedSource:
    if isinstance(item, InputError):
        return ScannedSource(item.path, problem=item.problem)
    pieces = []
    worst = -1
    try:
        for email in item.load():
            piece, email_worst = _render(email, fmt, width)
            pieces.append(piece)
            worst = max(worst, email_worst)
    except Exception as error:  # the engine's errors, and a bug met on one strange email
        where, problem = failure_of(item, error, "scanned")
        return ScannedSource(where, problem=problem)
    return ScannedSource(item.label, tuple(pieces), worst)


def _render(email: Email, fmt: str, width: int) -> tuple[str, int]:
    """One email scanned and rendered: its report piece and its worst finding's rank."""
    from clickaudit.esp.fingerprints import load_fingerprints
    from clickaudit.report.stream import render_piece
    from clickaudit.scanning import scan_email

    audit = scan_email(email, load_fingerprints())
    worst = max((f.severity.rank for f in audit.all_findings()), default=-1)
    return render_piece(audit, fmt, width=width), worst
