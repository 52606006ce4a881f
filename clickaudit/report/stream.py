"""Reports written as each email finishes, so a batch of any size is never held in memory.

``jsonl`` is one report per line, flushed as it comes. ``json`` keeps the contract — one object
for one email, an array for several — written element by element: byte for byte what
:func:`clickaudit.report.json_report.dumps` gives for the whole list. ``text`` is the text
report's blocks, separated by a blank line as :func:`clickaudit.report.text.render` does.

Rendering one email's report is :func:`render_piece`, so worker processes can render and the
writer only writes.
"""

from __future__ import annotations

import json
from typing import TextIO

from clickaudit.model import Audit

STREAMED_FORMATS = ("text", "json", "jsonl")


def render_piece(audit: Audit, fmt: str, *, width: int = 120) -> str:
    """One email's part of a streamed report in ``fmt`` (one of :data:`STREAMED_FORMATS`)."""
    if fmt == "jsonl":
        from clickaudit.report.json_report import dumps_line

        return dumps_line(audit)
    if fmt == "json":
        from clickaudit.report.json_report import audit_to_dict

        return json.dumps(audit_to_dict(audit), indent=2, ensure_ascii=False)
    from clickaudit.report.text import render_one

    return render_one(audit, width=width)


class ReportWriter:
    """Writes rendered pieces to ``out`` as they come; :meth:`close` ends the report."""

    def __init__(self, out: TextIO, fmt: str) -> None:
        if fmt not in STREAMED_FORMATS:
            raise ValueError(f"{fmt} reports are not streamed")
        self._out = out
        self._fmt = fmt
        self._count = 0
        self._first: str | None = None  # json: held until a second email makes it an array

    def write(self, piece: str) -> None:
        self._count += 1
        if self._fmt == "jsonl":
            self._out.write(piece + "\n")
        elif self._fmt == "text":
            self._out.write(("\n\n" if self._count > 1 else "") + piece)
        elif self._count == 1:
            self._first = piece
            return
        else:
            if self._first is not None:
                self._out.write("[\n" + _indent(self._first))
                self._first = None
            self._out.write(",\n" + _indent(piece))
        self._out.flush()

    def close(self) -> None:
        """End the report: ``[]`` for no email in JSON, the lone object for one, ``]`` for an
        array; the text report's final newline."""
        if self._fmt == "json":
            if self._count == 0:
                self._out.write("[]\n")
            elif self._first is not None:
                self._out.write(self._first + "\n")
            else:
                self._out.write("\n]\n")
        elif self._fmt == "text" and self._count:
            self._out.write("\n")
        self._out.flush()

    @property
    def count(self) -> int:
        return self._count


def _indent(text: str) -> str:
    """An array element as json.dumps(indent=2) lays it out (JSON strings hold no newline)."""
    return "  " + text.replace("\n", "\n  ")
