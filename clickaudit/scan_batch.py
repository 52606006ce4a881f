"""Scanning a batch of emails, in worker processes when there are several: each email's report
is rendered where it is scanned and comes back as text, in input order, as it finishes.

Workers read their own email (an :class:`~clickaudit.batch.EmailSource` is a file name and a
byte range), so the parent only hands out work and writes reports; at most a few emails per
worker are in flight, so memory stays flat however long the batch is. The reports are the same
whatever the number of jobs: the same code renders them, only where it runs differs.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import TYPE_CHECKING

from clickaudit.batch import EmailSource
from clickaudit.errors import ClickauditError, InputError

if TYPE_CHECKING:
    from concurrent.futures import Future  # the workers' pool is imported only when used

IN_FLIGHT_PER_JOB = 4


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
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    from clickaudit.esp.fingerprints import load_fingerprints

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    if method == "fork":
        load_fingerprints()  # loaded once here, inherited by every worker
    context = multiprocessing.get_context(method)
    waiting: deque[Future[ScannedSource]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for item in items:
            if isinstance(item, InputError):
                done: Future[ScannedSource] = Future()
                done.set_result(_scan(item, fmt, width))
                waiting.append(done)
            else:
                waiting.append(pool.submit(_scan, item, fmt, width))
            while len(waiting) >= jobs * IN_FLIGHT_PER_JOB or (waiting and waiting[0].done()):
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()


def _scan(item: EmailSource | InputError, fmt: str, width: int) -> ScannedSource:
    from clickaudit.esp.fingerprints import load_fingerprints
    from clickaudit.report.stream import render_piece
    from clickaudit.scanning import scan_email

    if isinstance(item, InputError):
        return ScannedSource(item.path, problem=item.problem)
    try:
        emails = item.load()
    except InputError as error:
        return ScannedSource(error.path, problem=error.problem)
    except ClickauditError as error:
        return ScannedSource(item.label, problem=str(error))
    fingerprints = load_fingerprints()
    pieces = []
    worst = -1
    for email in emails:
        audit = scan_email(email, fingerprints)
        pieces.append(render_piece(audit, fmt, width=width))
        worst = max(worst, max((f.severity.rank for f in audit.all_findings()), default=-1))
    return ScannedSource(item.label, tuple(pieces), worst)
