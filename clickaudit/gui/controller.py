"""The one object on the GUI thread that starts engine work and turns its results into signals.

It owns a private thread pool (never the global one, so closing the window can wait for exactly
its own work), keeps the cancellation token of the running audit, and is the only writer to the
history database.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from clickaudit.events import CancelToken, Progress
from clickaudit.gui.workers import Worker
from clickaudit.model import Audit, Email
from clickaudit.pipeline import NetworkOverrides, audit_emails, scan_path
from clickaudit.settings import AuditSettings


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
        self.network: NetworkOverrides | None = None
        self._cancel: CancelToken | None = None
        self._workers: set[Worker] = set()

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    def scan(self, path: str) -> None:
        worker = Worker(lambda _progress: scan_path(path))
        worker.signals.finished.connect(lambda audits: self.scan_finished.emit(path, audits))
        worker.signals.failed.connect(lambda message: self.scan_failed.emit(path, message))
        self._start(worker)

    def audit(self, emails: Sequence[Email], settings: AuditSettings, *, save: bool = True) -> bool:
        """Start an audit; False when one is already running."""
        if self._cancel is not None:
            return False
        cancel = CancelToken()
        self._cancel = cancel
        network = self.network

        def job(progress: Any) -> list[Audit]:
            return audit_emails(
                list(emails), settings, progress=progress, cancel=cancel, network=network
            )

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

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel what runs and wait for the pool; called when the window closes."""
        self.cancel()
        done = self.pool.waitForDone(timeout_ms)
        return self.store_pool.waitForDone(timeout_ms) and done

    def _start(self, worker: Worker) -> None:
        self._workers.add(worker)
        for signal in (worker.signals.finished, worker.signals.failed, worker.signals.cancelled):
            signal.connect(lambda *_: self._workers.discard(worker))
        self.pool.start(worker)

    def _on_progress(self, event: Progress) -> None:
        self.audit_progress.emit(event)

    def _on_audited(self, audits: list[Audit], save: bool) -> None:
        self._cancel = None
        if save:
            self._save(audits)
        self.audit_finished.emit(audits)

    def _on_failed(self, message: str) -> None:
        self._cancel = None
        self.audit_failed.emit(message)

    def _on_cancelled(self) -> None:
        self._cancel = None
        self.audit_cancelled.emit()

    def _save(self, audits: list[Audit]) -> None:
        """Writes go through one single-thread pool: off the GUI thread, and never two at once."""
        db_path = self.db_path

        def job(_progress: Any) -> list[int]:
            from clickaudit.store import Store

            with Store.open(db_path) as store:
                return [store.save(audit) for audit in audits]

        worker = Worker(job)
        worker.signals.finished.connect(self.saved.emit)
        worker.signals.failed.connect(self.save_failed.emit)
        self._workers.add(worker)
        worker.signals.finished.connect(lambda *_: self._workers.discard(worker))
        worker.signals.failed.connect(lambda *_: self._workers.discard(worker))
        self.store_pool.start(worker)

    def run_in_store(self, job: Any, on_done: Any, on_failed: Any) -> None:
        """Read from the history database off the GUI thread (history lists, past audits)."""
        worker = Worker(lambda _progress: job())
        worker.signals.finished.connect(on_done)
        worker.signals.failed.connect(on_failed)
        self._workers.add(worker)
        worker.signals.finished.connect(lambda *_: self._workers.discard(worker))
        worker.signals.failed.connect(lambda *_: self._workers.discard(worker))
        self.store_pool.start(worker)

    def history_store_path(self) -> Path | None:
        return Path(self.db_path) if self.db_path else None
