"""The audit history as typed operations: the one door the command line and the app go through.

:mod:`clickaudit.store` knows tables and transactions; this module knows what a user asks of a
history — list past audits and click analyses with a filter, take one back, keep new ones — and
answers with typed values, never rows or JSON to pick apart. Each call opens the database for
its own duration (reads read-only: they work on a read-only disk and never change the file), so a
service is cheap to make, safe to hand to another thread, and never holds the file open.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from clickaudit.clicks.model import ClickReport, JudgedClick
from clickaudit.errors import StoreError
from clickaudit.model import Audit
from clickaudit.store import HistoryRow, Store

AuditSummary = HistoryRow
"""One past audit as a list shows it: id, when, subject, sender, ESP, path, counts, label."""


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """Which past audits and analyses to list: every word of ``text`` (subjects, senders, URLs,
    anchor texts), one ESP, ISO dates (``until`` inclusive), newest first, at most ``limit``."""

    text: str | None = None
    esp: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True)
class ClickRunSummary:
    """One stored click analysis as a list shows it."""

    id: int
    created_at: str
    audit_id: int | None  # the audit whose followed chains it used, if any (and not deleted)
    sha256: str
    email_path: str
    subject: str
    logs: tuple[str, ...]
    formats: tuple[str, ...]
    clicks: int
    human: int
    scanner: int
    likely_scanner: int
    unknown: int
    delivered: int | None
    click_rate_raw: float | None
    click_rate_human: float | None


@dataclass(frozen=True, slots=True)
class HistoryListing:
    """What a history list shows for one query: past audits and past click analyses."""

    query: HistoryQuery
    audits: list[AuditSummary]
    click_runs: list[ClickRunSummary]


@dataclass(frozen=True, slots=True)
class StoredAudit:
    """A past audit taken back, with the newest click analysis of its email (if any)."""

    id: int
    audit: Audit
    clicks: ClickReport | None


@dataclass(frozen=True, slots=True)
class StoredClickRun:
    """A past click analysis taken back (without its clicks, which stay in ``click_events``),
    with the audit it was judged against when the history still has it."""

    summary: ClickRunSummary
    report: ClickReport
    audit: Audit | None


class History:
    """The history database at ``path`` (``None``: the user's default, CLICKAUDIT_DB overrides).

    Every operation raises :class:`~clickaudit.errors.StoreError` with a message naming the file
    and the problem when the database cannot be read or written.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = path

    def _reading(self) -> Store:
        return Store.open(self.path, read_only=True)

    # --- reading ----------------------------------------------------------------------------
    def audits(self, query: HistoryQuery | None = None) -> list[AuditSummary]:
        """Past audits, newest first, that match ``query``."""
        with self._reading() as store:
            return _audits(store, query or HistoryQuery())

    def click_runs(self, query: HistoryQuery | None = None) -> list[ClickRunSummary]:
        """Past click analyses, newest first, that match ``query`` (its words in the subject,
        the email's path or a log's path; its ESP through audits of the same email)."""
        with self._reading() as store:
            return _click_runs(store, query or HistoryQuery())

    def listing(self, query: HistoryQuery | None = None) -> HistoryListing:
        """Past audits and past click analyses that match ``query``, read at one moment."""
        q = query or HistoryQuery()
        with self._reading() as store:
            return HistoryListing(q, _audits(store, q), _click_runs(store, q))

    def report(self, audit_id: int) -> dict[str, Any]:
        """A past audit's JSON report exactly as it was saved (``show --format json``)."""
        with self._reading() as store:
            return store.report(audit_id)

    def audit(self, audit_id: int) -> Audit:
        """A past audit."""
        with self._reading() as store:
            return store.get(audit_id)

    def audits_by_id(self, audit_ids: Sequence[int]) -> list[Audit]:
        """Several past audits in the order asked (a comparison's two), read at one moment."""
        with self._reading() as store:
            return [store.get(audit_id) for audit_id in audit_ids]

    def stored_audit(self, audit_id: int, *, redact_clicks: bool = False) -> StoredAudit:
        """A past audit with the newest click analysis of it or of its email (recipients and
        URLs masked when ``redact_clicks``)."""
        from clickaudit.clicks.report import report_from_head
        from clickaudit.clicks.store import latest_head

        with self._reading() as store:
            audit = store.get(audit_id)
            with _reporting(store, "cannot read the click analyses"):
                head = latest_head(store.connection, audit_id, audit.email.source.sha256)
        clicks = None if head is None else report_from_head(head, redact=redact_clicks)
        return StoredAudit(audit_id, audit, clicks)

    def click_run(self, run_id: int) -> StoredClickRun:
        """A past click analysis; its audit is the one it used, else the newest audit of the
        same email, else None (the email was only ever scanned)."""
        from clickaudit.clicks.report import report_from_head

        with self._reading() as store:
            row, head = _click_run(store, run_id)
            summary = _run_summary(row)
            audit_id = summary.audit_id or store.newest_audit_id(summary.sha256)
            audit = None if audit_id is None else store.get(audit_id)
        return StoredClickRun(summary, report_from_head(head), audit)

    def click_report(self, run_id: int) -> dict[str, Any]:
        """A past click analysis's JSON report as it was saved, without its ``clicks`` list."""
        with self._reading() as store:
            return _click_run(store, run_id)[1]

    def newest_audit_id(self, sha256: str) -> int | None:
        """The id of the newest past audit of the email with this hash, if any."""
        with self._reading() as store:
            return store.newest_audit_id(sha256)

    # --- writing ----------------------------------------------------------------------------
    def save(self, audits: Iterable[Audit], *, label: str | None = None) -> list[int]:
        """Keep audits, each in its own transaction; returns their ids in order."""
        with Store.open(self.path) as store:
            return [store.save(audit, label=label) for audit in audits]

    def save_clicks(
        self, report: ClickReport, source: dict[str, Any], clicks: Iterable[JudgedClick]
    ) -> int:
        """Keep a click analysis and all its judged clicks in one transaction; returns its id.
        ``source`` is the email's ``source`` object as the JSON report writes it."""
        from clickaudit.clicks.store import save_run

        with Store.open(self.path) as store, _reporting(store, "the click analysis was not saved"):
            return save_run(store.connection, report, source, clicks)


def _audits(store: Store, q: HistoryQuery) -> list[AuditSummary]:
    return store.history(text=q.text, esp=q.esp, since=q.since, until=q.until, limit=q.limit)


def _click_runs(store: Store, q: HistoryQuery) -> list[ClickRunSummary]:
    from clickaudit.clicks.store import list_runs

    with _reporting(store, "cannot read the click analyses"):
        rows = list_runs(
            store.connection, text=q.text, esp=q.esp, since=q.since, until=q.until, limit=q.limit
        )
    return [_run_summary(row) for row in rows]


def _click_run(store: Store, run_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from clickaudit.clicks.store import run

    with _reporting(store, f"cannot read click analysis {run_id}"):
        found = run(store.connection, run_id)
    if found is None:
        raise StoreError(f"{store.path}: there is no click analysis {run_id}")
    return found


@contextlib.contextmanager
def _reporting(store: Store, doing: str) -> Iterator[None]:
    """SQLite's errors as a StoreError naming the file and what failed."""
    try:
        yield
    except sqlite3.Error as error:
        raise StoreError(f"{store.path}: {doing}: {error}") from None


def _run_summary(row: dict[str, Any]) -> ClickRunSummary:
    logs = row.get("logs") or "[]"
    return ClickRunSummary(
        id=int(row["id"]),
        created_at=str(row["created_at"] or ""),
        audit_id=None if row["audit_id"] is None else int(row["audit_id"]),
        sha256=str(row["sha256"] or ""),
        email_path=str(row["email_path"] or ""),
        subject=str(row["subject"] or ""),
        logs=tuple(str(log) for log in json.loads(logs)),
        formats=tuple(f for f in str(row["formats"] or "").split(",") if f),
        clicks=int(row["clicks"] or 0),
        human=int(row["human"] or 0),
        scanner=int(row["scanner"] or 0),
        likely_scanner=int(row["likely_scanner"] or 0),
        unknown=int(row["unknown"] or 0),
        delivered=None if row["delivered"] is None else int(row["delivered"]),
        click_rate_raw=row["click_rate_raw"],
        click_rate_human=row["click_rate_human"],
    )
