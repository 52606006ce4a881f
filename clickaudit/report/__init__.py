"""Reports: JSON (the contract), text (for people at a terminal), and the formats built on them.

:func:`render` is the one way to turn audits into a whole report: the command line, the app's
export and the cluster's submitter all call it, so a format looks the same wherever it is made.
(Reports written as each email finishes are :mod:`clickaudit.report.stream`'s pieces.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from clickaudit.model import Severity

if TYPE_CHECKING:
    from clickaudit.model import Audit

FORMATS = ("text", "json", "jsonl", "html", "csv", "junit")


def render(
    audits: Sequence[Audit],
    fmt: str,
    *,
    fail_on: Severity | None = Severity.ERROR,
    width: int | None = None,
    redact: bool = False,
) -> str:
    """The whole report of ``audits`` in ``fmt`` (one of :data:`FORMATS`).

    ``fail_on`` is the severity a JUnit test case fails at (``None``: never); ``width`` the text
    report's columns (``None``: the terminal's); ``redact`` hides personal data first, as
    :func:`clickaudit.report.redact.redact_audit` does."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (one of {', '.join(FORMATS)})")
    if redact:
        from clickaudit.report.redact import redact_audit

        audits = [redact_audit(audit) for audit in audits]
    if fmt == "jsonl":
        from clickaudit.report.json_report import dumps_line

        return "".join(dumps_line(audit) + "\n" for audit in audits)
    if fmt == "json":
        from clickaudit.report import json_report

        return json_report.dumps(audits)
    if fmt == "junit":
        from clickaudit.report import junit

        return junit.render(audits, fail_on=fail_on)
    if fmt == "html":
        from clickaudit.report import html

        return html.render(audits)
    if fmt == "csv":
        from clickaudit.report import csv_report

        return csv_report.render(audits)
    from clickaudit.report import text

    return text.render(audits, width=width)
