"""The one object on the GUI thread that starts engine work and turns its results into signals.

It owns a private thread pool (never the global one, so closing the window can wait for exactly
its own work), keeps the cancellation token of the running audit, and is the only writer to the
history database besides the Clicks tab's analyses. It reaches the engine only through an
:class:`~clickaudit.gui.engine.Engine` (the real one unless a test hands it a stub), and every
operation answers with a typed signal: a result, a :class:`~clickaudit.gui.workers.Failure`
carrying the exception, a :class:`~clickaudit.events.Progress`.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from clickaudit.atomic_write import write_text_atomically
from clickaudit.errors import ClickauditError, InputError
from clickaudit.events import CancelToken, Progress, ProgressCallback
from clickaudit.gui.engine import Engine, LocalEngine
from clickaudit.gui.workers import Failure, Worker
from clickaudit.model import Audit, Email
from clickaudit.settings import AuditSettings

if TYPE_CHECKING:
    from clickaudit.history import History, HistoryQuery, StoredClickRun

T = TypeVar("T")

PROGRESS_INTERVAL_S = 0.05
SAVE_DELAY_MS = 300


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two past audits of a campaign, the older first."""

    older_id: int
    newer_id: int
    older: Audit
    newer: Audit


class _Throttle:
    """Lets an event through at most every ``interval`` seconds, always the first (the bar moves
    at once) and the last (it ends full)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last = -math.inf

    def due(self, final: bool) -> bool:
        now = time.monotonic()
        if final or now - self.last >= self.interval:
            self.last = now
            return True
        return False


class AuditController(QObject):
    scan_finished = Signal(str, object)  # path, list[Audit]
    scan_failed = Signal(str, object)  # path, Failure
    audit_started = Signal()
    audit_progress = Signal(object)  # Progress
    audit_finished = Signal(object)  # list[Audit]
    audit_failed = Signal(object)  # Failure
    audit_cancelled = Signal()
    saved = Signal(object)  # list[int]: the saved audits' ids
    save_failed = Signal(object)  # Failure
    history_listed = Signal(object)  # HistoryListing
    stored_audit_loaded = Signal(object)  # StoredAudit
    click_run_loaded = Signal(object)  # StoredClickRun
    comparison_loaded = Signal(object)  # Comparison
    history_failed = Signal(object)  # Failure
    exported = Signal(str)  # the path written
    export_failed = Signal(object)  # Failure

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        db_path: str | os.PathLike[str] | None = None,
        engine: Engine | None = None,
        progress_interval: float = PROGRESS_INTERVAL_S,
    ) -> None:
        super().__init__(parent)
        self.engine: Engine = engine or LocalEngine()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(4)
        self.store_pool = QThreadPool(self)
        self.store_pool.setMaxThreadCount(1)
        self.db_path = db_path
        self.progress_interval = progress_interval
        self._cancel: CancelToken | None = None
        self._workers: set[QRunnable] = set()
        self._pending_saves: list[list[Audit]] = []

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    @property
    def history(self) -> History:
        """The history service over this controller's database."""
        return self.engine.history(self.db_path)

    # --- scanning and auditing ----------------------------------------------------------------
    def scan(self, path: str) -> None:
        """Scan ``path`` offline; ``scan_failed`` carries the path and the failure (its message
        the problem alone when the engine's error is about that very file, so the path is said
        once)."""
        engine = self.engine

        def job(_progress: ProgressCallback) -> list[Audit]:
            try:
                return engine.scan(path)
            except InputError as error:
                if error.path != path:
                    raise
                raise ClickauditError(error.problem) from error

        worker = Worker(job)
        worker.on_finished(lambda audits: self.scan_finished.emit(path, audits))
        worker.on_failed(lambda failure: self.scan_failed.emit(path, failure))
        self._start(worker, self.pool)

    def audit(self, emails: Sequence[Email], settings: AuditSettings, *, save: bool = True) -> bool:
        """Start an audit; False when one is already running."""
        if self._cancel is not None:
            return False
        cancel = CancelToken()
        self._cancel = cancel
        throttled = _Throttle(self.progress_interval)
        engine, emails = self.engine, list(emails)

        def job(progress: ProgressCallback) -> list[Audit]:
            def report(event: Progress) -> None:
                if throttled.due(event.done >= event.total):
                    progress(event)

            return engine.audit(emails, settings, report, cancel)

        worker = Worker(job)
        worker.on_progress(self.audit_progress.emit)
        worker.on_finished(lambda audits: self._on_audited(audits, save))
        worker.on_failed(self._on_failed)
        worker.on_cancelled(self._on_cancelled)
        self.audit_started.emit()
        self._start(worker, self.pool)
        return True

    def cancel(self) -> None:
        """Thread-safe: the engine cancels its tasks from its own loop."""
        if self._cancel is not None:
            self._cancel.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel what runs, write audits not yet saved, and wait; called when the window closes."""
        self.cancel()
        self._flush_saves()
        done = self.pool.waitForDone(timeout_ms)
        return self.store_pool.waitForDone(timeout_ms) and done

    def _on_audited(self, audits: list[Audit], save: bool) -> None:
        self._cancel = None
        self.audit_finished.emit(audits)
        if save:
            # After the window has shown the result: serialising a large audit in the store's
            # thread would otherwise compete for the interpreter lock with the table's refresh.
            self._pending_saves.append(audits)
            QTimer.singleShot(SAVE_DELAY_MS, self, self._flush_saves)

    def _on_failed(self, failure: Failure) -> None:
        self._cancel = None
        self.audit_failed.emit(failure)

    def _on_cancelled(self) -> None:
        self._cancel = None
        self.audit_cancelled.emit()

    # --- the history ------------------------------------------------------------------------
    def _flush_saves(self) -> None:
        while self._pending_saves:
            self._save(self._pending_saves.pop(0))

    def _save(self, audits: list[Audit]) -> None:
        """Writes go through one single-thread pool: off the GUI thread, and never two at once."""
        self._in_history(
            lambda history: history.save(audits), self.saved.emit, self.save_failed.emit
        )

    def list_history(self, query: HistoryQuery) -> None:
        """Past audits and click analyses matching ``query``: ``history_listed``."""
        self._in_history(
            lambda history: history.listing(query),
            self.history_listed.emit,
            self.history_failed.emit,
        )

    def load_stored_audit(self, audit_id: int) -> None:
        """A past audit with its newest click analysis: ``stored_audit_loaded``."""
        self._in_history(
            lambda history: history.stored_audit(audit_id),
            self.stored_audit_loaded.emit,
            self.history_failed.emit,
        )

    def load_click_run(self, run_id: int) -> None:
        """A past click analysis with the audit it used: ``click_run_loaded``. An analysis of an
        email never audited comes with the email scanned again, offline, if it is still where
        it was and unchanged (the same SHA-256); else with no audit."""
        engine = self.engine

        def job(history: History) -> StoredClickRun:
            stored = history.click_run(run_id)
            if stored.audit is not None:
                return stored
            try:
                scanned = engine.scan(stored.summary.email_path)
            except ClickauditError:
                return stored
            same = [a for a in scanned if a.email.source.sha256 == stored.summary.sha256]
            return replace(stored, audit=same[0]) if same else stored

        self._in_history(job, self.click_run_loaded.emit, self.history_failed.emit)

    def compare_stored(self, older: int, newer: int) -> None:
        """Two past audits: ``comparison_loaded``."""

        def job(history: History) -> Comparison:
            first, second = history.audits_by_id([older, newer])
            return Comparison(older, newer, first, second)

        self._in_history(job, self.comparison_loaded.emit, self.history_failed.emit)

    # --- reports ----------------------------------------------------------------------------
    def export(self, audit: Audit, path: str, fmt: str) -> None:
        """Write ``audit``'s report in ``fmt`` to ``path`` (whole or not at all): ``exported``."""
        engine = self.engine

        def job(_progress: ProgressCallback) -> str:
            write_text_atomically(path, engine.render([audit], fmt))
            return path

        worker = Worker(job)
        worker.on_finished(self.exported.emit)
        worker.on_failed(self.export_failed.emit)
        self._start(worker, self.pool)

    def export_stored(self, audit_id: int, path: str, fmt: str) -> None:
        """Write a past audit's report in ``fmt`` to ``path``: ``exported``."""
        engine = self.engine

        def job(history: History) -> str:
            write_text_atomically(path, engine.render([history.audit(audit_id)], fmt))
            return path

        self._in_history(job, self.exported.emit, self.export_failed.emit)

    # --- workers ----------------------------------------------------------------------------
    def _in_history(
        self,
        job: Callable[[History], T],
        on_done: Callable[[T], object],
        on_failed: Callable[[Failure], object],
    ) -> None:
        """Run ``job`` on this controller's history in the store's single thread: reads and
        writes of the history (and the loading of its code) never run on the GUI thread, and
        never two at once."""
        engine, db_path = self.engine, self.db_path
        worker = Worker(lambda _progress: job(engine.history(db_path)))
        worker.on_finished(on_done)
        worker.on_failed(on_failed)
        self._start(worker, self.store_pool)

    def _start(self, worker: Worker[T], pool: QThreadPool) -> None:
        """Run a worker, keeping it (and its signals) alive until it has reported: a worker
        nobody holds is collected and its result never arrives."""
        self._workers.add(worker)
        worker.on_ended(lambda: self._workers.discard(worker))
        pool.start(worker)
