"""The audit history: every audit kept in SQLite, written in one transaction at its end.

A crash or a cancel mid-write leaves the database as it was; several windows or a CLI run beside
the app share one file (WAL, busy timeout). The full JSON report of each audit is kept so
``show`` reproduces it exactly, and its links, hops, domains and findings are kept as rows for
search, diffs and Datasette. A file that is not a clickaudit database is never touched.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clickaudit import __version__
from clickaudit.errors import StoreError
from clickaudit.model import Audit
from clickaudit.paths import default_db_path
from clickaudit.report.json_report import audit_from_dict, audit_to_dict, summary
from clickaudit.store.schema import LATEST, MIGRATIONS

BUSY_TIMEOUT_MS = 15_000


@dataclass(frozen=True, slots=True)
class HistoryRow:
    id: int
    created_at: str
    subject: str
    from_: str
    esp: str | None
    source_path: str
    links: int
    errors: int
    warnings: int
    infos: int
    label: str | None


class Store:
    """One connection to a history database; use ``with Store.open(path) as store:``."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> Store:
        """Open (creating and migrating as needed) the database at ``path`` or the default.

        Raises:
            StoreError: the file is not a SQLite database, is from a newer clickaudit, or cannot
            be created or written (the message names the file and the problem).
        """
        target = Path(path) if path is not None else default_db_path()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"{target.parent}: cannot create the folder: {error.strerror}"
            ) from None
        if target.exists() and target.stat().st_size > 0:
            with open(target, "rb") as handle:
                if handle.read(16) != b"SQLite format 3\x00":
                    raise StoreError(f"{target}: not a clickaudit database (left untouched)")
        try:
            connection = sqlite3.connect(
                target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except sqlite3.Error as error:
            raise StoreError(f"{target}: cannot open: {error}") from None
        try:
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            store = cls(connection, target)
            store._refuse_newer()  # before anything writes to the file, WAL mode included
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA journal_mode = WAL")
            store._migrate()
        except sqlite3.DatabaseError as error:
            connection.close()
            raise StoreError(f"{target}: {error}") from None
        except StoreError:
            connection.close()
            raise
        return store

    def _refuse_newer(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > LATEST:
            raise StoreError(
                f"{self.path}: made by a newer clickaudit (schema {version}, this one knows "
                f"{LATEST}); it was not changed"
            )

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == LATEST:
            return
        if version == 0 and self._has_tables():
            raise StoreError(f"{self.path}: a SQLite file that is not a clickaudit database")
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for number in range(version, LATEST):
                MIGRATIONS[number](self._db)
            self._db.execute(f"PRAGMA user_version = {LATEST}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _has_tables(self) -> bool:
        row = self._db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        return bool(row[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- writing --------------------------------------------------------------------------
    def save(self, audit: Audit, *, label: str | None = None) -> int:
        """Keep an audit; returns its id. All or nothing: one transaction."""
        report = audit_to_dict(audit)
        counts = summary(audit)
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                audit_id = self._insert(audit, report, counts, label)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self.path}: the audit was not saved: {error}") from None
        return audit_id

    def _insert(
        self, audit: Audit, report: dict[str, Any], counts: dict[str, int], label: str | None
    ) -> int:
        email = audit.email
        cursor = self._db.execute(
            "INSERT INTO audits (created_at, finished_at, source_path, source_kind, sha256,"
            " subject, from_addr, esp, tool_version, settings_json, links, errors, warnings, infos,"
            " report_json, label) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                audit.started_at,
                audit.finished_at,
                email.source.label,
                email.source.kind,
                email.source.sha256,
                email.headers.subject,
                email.headers.from_,
                audit.esp,
                __version__,
                json.dumps(audit.settings),
                counts["links"],
                counts["errors"],
                counts["warnings"],
                counts["infos"],
                json.dumps(report, ensure_ascii=False),
                label,
            ),
        )
        audit_id = int(cursor.lastrowid or 0)
        for link in audit.links:
            last = link.chain[-1].status if link.chain else None
            row = self._db.execute(
                "INSERT INTO links (audit_id, link_no, part, element, text, href, category, reason,"
                " esp, decoded, expected, final_url, outcome, final_status)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    audit_id,
                    link.id,
                    link.part.value,
                    link.element.value,
                    link.text,
                    link.href,
                    link.category.value if link.category else None,
                    link.reason.value if link.reason else None,
                    link.esp,
                    link.decoded,
                    link.expected,
                    link.final_url,
                    link.outcome,
                    last,
                ),
            )
            self._db.executemany(
                "INSERT INTO hops (link_row_id, hop_no, url, status, location, kind, ms,"
                " remote_address, tls_version, error) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        row.lastrowid,
                        number,
                        hop.url,
                        hop.status,
                        hop.location,
                        hop.kind.value,
                        hop.ms,
                        hop.remote_address,
                        hop.tls_version,
                        hop.error,
                    )
                    for number, hop in enumerate(link.chain, start=1)
                ],
            )
        self._db.executemany(
            "INSERT INTO domains (audit_id, name, roles, cname, esp, tls_ok, tls_days_left,"
            " blocklists)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    audit_id,
                    d.name,
                    ",".join(r.value for r in d.roles),
                    " ".join(d.cname),
                    d.esp,
                    None if d.tls is None else int(d.tls.ok),
                    d.tls.days_left if d.tls else None,
                    ", ".join(d.blocklists),
                )
                for d in audit.domains
            ],
        )
        self._db.executemany(
            "INSERT INTO findings (audit_id, subject, code, severity, message) VALUES (?,?,?,?,?)",
            [
                (audit_id, f.subject, f.code, f.severity.value, f.message)
                for f in audit.all_findings()
            ],
        )
        urls = " ".join(
            " ".join(filter(None, (link.href, link.decoded, link.final_url)))
            for link in audit.links
        )
        texts = " ".join(link.text for link in audit.links)
        self._db.execute(
            "INSERT INTO audits_fts (rowid, subject, from_addr, urls, texts, esp, label)"
            " VALUES (?,?,?,?,?,?,?)",
            (audit_id, email.headers.subject, email.headers.from_, urls, texts, audit.esp, label),
        )
        return audit_id

    def delete(self, audit_id: int) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("DELETE FROM audits_fts WHERE rowid = ?", (audit_id,))
            self._db.execute("DELETE FROM audits WHERE id = ?", (audit_id,))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    # --- reading --------------------------------------------------------------------------
    def report(self, audit_id: int) -> dict[str, Any]:
        """The JSON report exactly as it was when the audit ran."""
        row = self._db.execute(
            "SELECT report_json FROM audits WHERE id = ?", (audit_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: there is no audit {audit_id}")
        data: dict[str, Any] = json.loads(row[0])
        return data

    def get(self, audit_id: int) -> Audit:
        return audit_from_dict(self.report(audit_id))

    def history(
        self,
        *,
        text: str | None = None,
        esp: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 100,
    ) -> list[HistoryRow]:
        """Audits newest first, filtered by full text, ESP and date (ISO, inclusive)."""
        where, params = [], []
        if text:
            where.append("a.id IN (SELECT rowid FROM audits_fts WHERE audits_fts MATCH ?)")
            params.append(_fts_query(text))
        if esp:
            where.append("lower(a.esp) = lower(?)")
            params.append(esp)
        if since:
            where.append("a.created_at >= ?")
            params.append(since)
        if until:
            where.append("a.created_at <= ?")
            params.append(until + ("T23:59:59" if len(until) == 10 else ""))
        sql = (
            "SELECT id, created_at, subject, from_addr, esp, source_path, links, errors, warnings,"
            " infos, label FROM audits a"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY a.created_at DESC, a.id DESC LIMIT ?"
        )
        rows = self._db.execute(sql, (*params, limit)).fetchall()
        return [
            HistoryRow(
                r["id"],
                r["created_at"],
                r["subject"] or "",
                r["from_addr"] or "",
                r["esp"],
                r["source_path"],
                r["links"],
                r["errors"],
                r["warnings"],
                r["infos"],
                r["label"],
            )
            for r in rows
        ]


def _fts_query(text: str) -> str:
    """Each word as a quoted prefix term, so URLs and punctuation never break the FTS syntax."""
    words = [w.replace('"', '""') for w in text.split() if w.strip()]
    return " ".join(f'"{w}"*' for w in words) or '""'
