"""Progress events: how a running audit tells its front end what it is doing.

The engine calls a plain callable with :class:`Progress` values; the CLI prints them to stderr,
the GUI's controller turns them into Qt signals. Cancellation goes the other way through a
:class:`CancelToken` that any thread may set.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from clickaudit.errors import Cancelled


@dataclass(frozen=True, slots=True)
class Progress:
    """``stage`` is one of load, extract, classify, pair, follow, domains, judge, store."""

    stage: str
    done: int
    total: int
    item: str = ""


ProgressCallback = Callable[[Progress], None]


def ignore_progress(_: Progress) -> None:
    """The default callback: nobody is watching."""


class CancelToken:
    """A thread-safe cancel flag. The GUI sets it from its thread; async stages also register
    callbacks (e.g. cancelling their asyncio task with ``loop.call_soon_threadsafe``)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._callbacks: list[Callable[[], object]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks = list(self._callbacks)
        for callback in callbacks:
            callback()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def on_cancel(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` when cancelled (at once if already cancelled)."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("the audit was cancelled")
