"""Progress on stderr for a person at a terminal: one line, rewritten in place.

Nothing is printed when stderr is not a terminal, so logs and CI output stay clean.
"""

from __future__ import annotations

import math
import shutil
import sys
from collections.abc import Callable
from typing import TextIO

from clickaudit.events import Progress


class ProgressLine:
    """A progress callback that draws ``stage done/total item`` on one terminal line."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty()
        self._drawn = False

    def __call__(self, event: Progress) -> None:
        if not self._enabled:
            return
        width = shutil.get_terminal_size((100, 24)).columns - 1
        counts = f"{event.done}/{event.total}" if event.total else ""
        text = f"{event.stage:<8} {counts:>9}  {event.item}" if counts else f"{event.item}"
        self._stream.write("\r" + text[:width].ljust(width))
        self._stream.flush()
        self._drawn = True

    def clear(self) -> None:
        """Erase the line before the report is printed."""
        if self._drawn:
            width = shutil.get_terminal_size((100, 24)).columns - 1
            self._stream.write("\r" + " " * width + "\r")
            self._stream.flush()
            self._drawn = False


class BatchProgress:
    """``1,234/20,000 emails  212.0/s  ETA 1:19`` on one terminal line while a batch runs;
    nothing when stderr is not a terminal. Redrawn at most ten times a second.

    The rate is counted from the first email finished, not from the start: what comes before it
    (loading the stages, starting the workers) is paid once, and counted in, it made the first
    seconds' ETA read an hour for a batch of a minute. Until a second of steady work has been
    seen only the counts are shown."""

    RATE_AFTER = 1.0  # seconds of steady work before a rate and an ETA are worth showing

    def __init__(
        self,
        total: int | None,
        stream: TextIO | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import time

        self._clock = clock or time.monotonic
        self._stream = stream or sys.stderr
        self.enabled = self._stream.isatty()
        self._total = total
        self._done = 0
        self._first: tuple[float, int] | None = None  # when the first emails finished, how many
        self._drawn_at: float | None = None
        self._line = ProgressLine(self._stream)

    def advance(self, count: int = 1) -> None:
        self._done += count
        now = self._clock()
        if self._first is None:
            self._first = (now, self._done)
        if not self.enabled or (self._drawn_at is not None and now - self._drawn_at < 0.1):
            return
        self._drawn_at = now
        counts = f"{self._done:,}/{self._total:,}" if self._total else f"{self._done:,}"
        text = f"{counts} emails"
        first_at, first_done = self._first
        if now - first_at >= self.RATE_AFTER:
            rate = (self._done - first_done) / (now - first_at)
            text += f"  {rate:,.1f}/s"
            if self._total and rate > 0:
                left = math.ceil(max(self._total - self._done, 0) / rate)
                text += f"  ETA {int(left // 60)}:{int(left % 60):02d}"
        self._line(Progress("scan", 0, 0, text))

    def clear(self) -> None:
        self._line.clear()
