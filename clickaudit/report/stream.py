"""Reports written as each email finishes, so a batch of any size is never held in memory.

``jsonl`` is one report per line, flushed as it comes. ``json`` keeps the contract — one object
for one email, an array for several — written element by element: byte for byte what
:func:`clickaudit.report.json_report.dumps` gives for the whole list. ``text`` is the text
report's blocks, separated by a blank line as :func:`clickaudit.report.text.render` does.

Rendering one email's report is :func:`render_piece`, so worker processes can render and the
writer only writes.

HTML, CSV and JUnit reports are whole documents whose start depends on every email (the page's
title, the JUnit totals): :class:`DocumentWriter` renders each audit as it comes into a spool —
memory up to :data:`SPOOL_IN_MEMORY`, a temporary file beyond — and writes the document when the
batch ends, so these reports too are made in bounded memory, byte for byte what
:func:`clickaudit.report.render` gives for the whole list.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from typing import TextIO

from clickaudit.model import Audit, Severity

STREAMED_FORMATS = ("text", "json", "jsonl")
DOCUMENT_FORMATS = ("html", "csv", "junit")
SPOOL_IN_MEMORY = 8 << 20  # characters of a document's body kept in memory before spilling


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


class DocumentWriter:
    """Makes an HTML, CSV or JUnit report of a batch of any size: :meth:`add` each audit as it
    is made, then :meth:`write_to` writes the document (once). ``fail_on``: the severity a
    JUnit test case fails at."""

    def __init__(self, fmt: str, *, fail_on: Severity | None) -> None:
        if fmt not in DOCUMENT_FORMATS:
            raise ValueError(f"{fmt} reports are not documents made at the end")
        self._fmt = fmt
        self._fail_on = fail_on
        self._body = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by write_to/discard
            max_size=SPOOL_IN_MEMORY, mode="w+", encoding="utf-8", newline=""
        )
        self._count = 0
        self._first: Audit | None = None  # HTML: a report of one email is titled with it
        self._tests = self._failures = 0  # JUnit: the root's totals

    def add(self, audit: Audit) -> None:
        from clickaudit.report import csv_report, html, junit  # on use: a document is rare

        self._count += 1
        if self._fmt == "csv":
            self._body.write(csv_report.rows(audit))
        elif self._fmt == "html":
            if self._count == 1:
                self._first = audit
            else:
                self._first = None
                self._body.write("\n")
            self._body.write(html.section(audit))
        else:
            suite = junit.suite(audit, fail_on=self._fail_on)
            self._tests += suite.tests
            self._failures += suite.failures
            self._body.write(junit.body_of(suite))

    def write_to(self, out: TextIO) -> None:
        """Write the document to ``out``: its start, every audit's part, its end."""
        from clickaudit.report import csv_report, html, junit

        if self._fmt == "csv":
            start, end = csv_report.header(), ""
        elif self._fmt == "html":
            start, end = html.head(html.title_of(self._first)), html.tail()
        else:
            if self._count == 0:
                start, end = junit.render([]), ""
            else:
                start, end = junit.head(self._tests, self._failures), junit.TAIL
        out.write(start)
        self._body.seek(0)
        shutil.copyfileobj(self._body, out)
        out.write(end)
        out.flush()
        self._body.close()

    @property
    def ends_with_newline(self) -> bool:
        """Whether the document's last character is a newline (a JUnit document's is not)."""
        return self._fmt != "junit"

    def discard(self) -> None:
        """Drop what was spooled (the document will not be written)."""
        self._body.close()
