"""Work off the GUI thread: a QRunnable that runs one engine call and reports through signals.

Workers never touch widgets. Their signals are emitted from the pool thread and delivered to
the GUI thread by Qt's queued connections. A worker is generic over its job's result, and its
``on_*`` methods connect receivers with types, so a receiver of the wrong type is a mypy error
rather than a surprise at run time; a failure reaches receivers as a :class:`Failure`, which
carries the exception itself beside what to tell the user.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Signal

from clickaudit.errors import Cancelled, ClickauditError
from clickaudit.events import Progress, ProgressCallback

T = TypeVar("T")


def describe(error: BaseException) -> str:
    """What to tell the user about a failed job: the engine's own message for its errors (they
    name the file and the problem), the exception's type and text for anything else (a bug)."""
    if isinstance(error, ClickauditError):
        return str(error)
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    return f"Unexpected error: {detail}"


@dataclass(frozen=True, slots=True)
class Failure:
    """A job that failed: the exception (receivers may test its type, tests may re-raise it)
    and the sentence shown to the user (:func:`describe`)."""

    error: BaseException
    message: str

    @classmethod
    def of(cls, error: BaseException) -> Failure:
        return cls(error, describe(error))

    def __str__(self) -> str:
        return self.message


class WorkerSignals(QObject):
    finished = Signal(object)  # the job's result
    failed = Signal(object)  # the exception itself
    cancelled = Signal()
    progress = Signal(object)  # Progress


class Worker(QRunnable, Generic[T]):
    """Runs ``job(progress_callback)``; the result, error or cancellation arrives as a signal."""

    def __init__(self, job: Callable[[ProgressCallback], T]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.signals = WorkerSignals()
        self._job = job

    def on_finished(self, receiver: Callable[[T], object]) -> None:
        self.signals.finished.connect(receiver)

    def on_failed(self, receiver: Callable[[Failure], object]) -> None:
        self.signals.failed.connect(lambda error: receiver(Failure.of(error)))

    def on_cancelled(self, receiver: Callable[[], object]) -> None:
        self.signals.cancelled.connect(receiver)

    def on_progress(self, receiver: Callable[[Progress], object]) -> None:
        self.signals.progress.connect(receiver)

    def on_ended(self, receiver: Callable[[], object]) -> None:
        """``receiver`` runs once the worker has reported, whichever way it ended."""
        for signal in (self.signals.finished, self.signals.failed, self.signals.cancelled):
            signal.connect(lambda *_: receiver())

    def run(self) -> None:
        try:
            result = self._job(self.signals.progress.emit)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as error:  # a bug too: shown in the window, never a silent dead worker
            self.signals.failed.emit(error)
        else:
            self.signals.finished.emit(result)
