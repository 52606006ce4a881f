"""The one object on the GUI thread that starts engine work and turns its results into signals.

It owns a private thread pool (never the global one, so closing the window can wait for exactly
its own work), keeps the cancellation token of the running audit, and is the only writer to the
history database.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from clickaudit.audit_process import audit_apart
from clickaudit.errors import ClickauditError, InputError
from clickaudit.events import CancelToken, Progress
from clickaudit.gui.workers import Worker, describe
from clickaudit.model import Audit, Email
from clickaudit.pipeline import scan_path
from clickaudit.settings import AuditSettings

T = TypeVar("T")

PROGRESS_INTERVAL_S = 0.05
SAVE_DELAY_MS = 300


class _Throttle:
    """Lets an event through at most every ``interval`` seconds (and always the last one)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last = 0.0

    def due(self, final: bool) -> bool:
        now = time.monotonic()
        if final or now - self.last >= self.interval:
            self.last = now
            return True
        return False


class AuditController(QObject):
    scan_finished = Signal(str, object)  # path, list[Audit]
    scan_failed = Signal(str, str)  # path, message
    audit_started = Signal()
    audit_progress = Signal(object)  # Progress
    audit_finished = Signal(object)  # list[Audit]
    audit_failed = Signal(str)
    audit_cancelled = Signal()
    saved = Signal(object)  # list of audit ids
    save_failed = Signal(str)

    def __init__(
        self, parent: QObject | None = None, *, db_path: str | os.PathLike[str] | None = None
    ) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(4)
        self.store_pool = QThreadPool(self)
        self.store_pool.setMaxThreadCount(1)
        self.db_path = db_path
        self._cancel: CancelToken | None = None
        self._workers: set[Worker] = set()
        self._pending_saves: list[list[Audit]] = []

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    def scan(self, path: str) -> None:
        """Scan ``path`` offline; ``scan_failed`` carries the path and the problem (the problem
        alone when the engine's error is about that very file, so the path is said once)."""

        def job(_progress: object) -> object:
            try:
                return scan_path(path)
            except InputError as error:
                if error.path != path:
                    raise
                raise ClickauditError(error.problem) from error

        worker = Worker(job)
        worker.signals.finished.connect(lambda audits: self.scan_finished.emit(path, audits))
        worker.signals.failed.connect(lambda error: self.scan_failed.emit(path, describe(error)))
        self._start(worker)

    def audit(self, emails: Sequence[Email], settings: AuditSettings, *, save: bool = True) -> bool:
        """Start an audit; False when one is already running."""
        if self._cancel is not None:
            return False
        cancel = CancelToken()
        self._cancel = cancel

        throttled = _Throttle(PROGRESS_INTERVAL_S)

        def job(progress: Any) -> list[Audit]:
            def report(event: Progress) -> None:
                if throttled.due(event.done >= event.total):
                    progress(event)

            # Always in a child process: the audit's work never competes with the window's
            # thread for the interpreter lock, and the app audits exactly as the CLI does.
            return audit_apart(list(emails), settings, progress=report, cancel=cancel)

        worker = Worker(job)
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(lambda audits: self._on_audited(audits, save))
        worker.signals.failed.connect(self._on_failed)
        worker.signals.cancelled.connect(self._on_cancelled)
        self.audit_started.emit()
        self._start(worker)
        return True

    def cancel(self) -> None:
        """Thread-safe: the engine cancels its tasks from its own loop."""
        if self._cancel is not None:
            self._cancel.cancel()

    def _flush_saves(self) -> None:
        while self._pending_saves:
            self._save(self._pending_saves.pop(0))

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel what runs, write audits not yet saved, and wait; called when the window closes."""
        self.cancel()
        self._flush_saves()
        done = self.pool.waitForDone(timeout_ms)
        return self.store_pool.waitForDone(timeout_ms) and done

    def start(self, worker: Worker) -> None:
        """Run a worker in the pool, keeping it (and its signals) alive until it has reported:
        a worker nobody holds is collected and its result never arrives."""
        self._start(worker)

    def _start(self, worker: Worker) -> None:
        self._workers.add(worker)
        for signal in (worker.signals.finished, worker.signals.failed, worker.signals.cancelled):
            signal.connect(lambda *_: self._workers.discard(worker))
        self.pool.start(worker)

    def _on_progress(self, event: Progress) -> None:
        self.audit_progress.emit(event)

    def _on_audited(self, audits: list[Audit], save: bool) -> None:
        self._cancel = None
        self.audit_finished.emit(audits)
        if save:
            # After the window has shown the result: serialising a large audit in the store's
            # thread would otherwise compete for the interpreter lock with the table's refresh.
            self._pending_saves.append(audits)
            QTimer.singleShot(SAVE_DELAY_MS, self, self._flush_saves)

    def _on_failed(self, error: BaseException) -> None:
        self._cancel = None
        self.audit_failed.emit(describe(error))

    def _on_cancelled(self) -> None:
        self._cancel = None
        self.audit_cancelled.emit()

    def _save(self, audits: list[Audit]) -> None:
        """Writes go through one single-thread pool: off the GUI thread, and never two at once."""
        db_path = self.db_path

        def job(_progress: object) -> list[int]:
            from clickaudit.store import Store

            with Store.open(db_path) as store:
                return [store.save(audit) for audit in audits]

        worker = Worker(job)
        worker.signals.finished.connect(self.saved.emit)
        worker.signals.failed.connect(lambda error: self.save_failed.emit(describe(error)))
        self._workers.add(worker)
        worker.signals.finished.connect(lambda *_: self._workers.discard(worker))
        worker.signals.failed.connect(lambda *_: self._workers.discard(worker))
        self.store_pool.start(worker)

    def run_in_store(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], object],
        on_failed: Callable[[str], object],
    ) -> None:
        """Read from the history database off the GUI thread (history lists, past audits):
        ``job``'s result goes to ``on_done``, or what went wrong, described, to ``on_failed``."""
        worker = Worker(lambda _progress: job())
        worker.signals.finished.connect(on_done)
        worker.signals.failed.connect(lambda error: on_failed(describe(error)))
        self._workers.add(worker)
        worker.signals.finished.connect(lambda *_: self._workers.discard(worker))
        worker.signals.failed.connect(lambda *_: self._workers.discard(worker))
        self.store_pool.start(worker)
