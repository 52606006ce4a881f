"""Progress on stderr for a person at a terminal: one line, rewritten in place.

Nothing is printed when stderr is not a terminal, so logs and CI output stay clean.
"""

from __future__ import annotations

import shutil
import sys
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
        text = f"{event.stage:<8} {counts:>9}  {event.item}"
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
