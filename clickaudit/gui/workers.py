"""Work off the GUI thread: a QRunnable that runs one engine call and reports through signals.

Workers never touch widgets. Their signals are emitted from the pool thread and delivered to
the GUI thread by Qt's queued connections; the controller is the only receiver.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

from clickaudit.errors import Cancelled, ClickauditError


def describe(error: BaseException) -> str:
    """What to tell the user about a failed job: the engine's own message for its errors (they
    name the file and the problem), the exception's type and text for anything else (a bug)."""
    if isinstance(error, ClickauditError):
        return str(error)
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    return f"Unexpected error: {detail}"


class WorkerSignals(QObject):
    finished = Signal(object)
    failed = Signal(object)  # the exception itself: receivers decide how to show it (describe)
    cancelled = Signal()
    progress = Signal(object)


class Worker(QRunnable):
    """Runs ``job(progress_callback)``; the result, error or cancellation arrives as a signal."""

    def __init__(self, job: Callable[[Callable[[Any], None]], Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.signals = WorkerSignals()
        self._job = job

    def run(self) -> None:
        try:
            result = self._job(self.signals.progress.emit)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as error:  # a bug too: shown in the window, never a silent dead worker
            self.signals.failed.emit(error)
        else:
            self.signals.finished.emit(result)
