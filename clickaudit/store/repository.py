"""The audit history: every audit kept in SQLite, written in one transaction at its end.

A crash or a cancel mid-write leaves the database as it was; several windows or a CLI run beside
the app share one file (WAL, busy timeout). The full JSON report of each audit is kept so
``show`` reproduces it exactly, and its links, hops, domains and findings are kept as rows (via
sqlite-utils) for search, diffs and Datasette. Opening is :mod:`clickaudit.store.opening`'s job:
a damaged or foreign file is refused untouched, and reading never writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from clickaudit.errors import StoreError
from clickaudit.model import Audit
from clickaudit.paths import default_db_path
from clickaudit.report.json_report import audit_from_dict, audit_to_dict, summary
from clickaudit.store import rows
from clickaudit.store.filters import date_range, where_sql
from clickaudit.store.opening import Found, open_for_reading, open_for_writing
from clickaudit.store.transaction import write_transaction

SEARCH_INDEX = "audit_search_fts"  # made by sqlite-utils' enable_fts on audit_search


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
    """One connection to a history database.

    ``with Store.open(path) as store:`` to save (and read); ``Store.open(path, read_only=True)``
    to only read, which works on a read-only disk and never changes the file. ``found`` says what
    was at the path: a caller tells the user when an empty file was taken as a new database.
    """

    def __init__(
        self, connection: sqlite3.Connection, path: Path, found: Found, *, read_only: bool
    ) -> None:
        self._db = connection
        self._tables = Database(connection, execute_plugins=False)
        self.path = path
        self.found = found
        self.read_only = read_only

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> Store:
        """Open the database at ``path`` or the default, creating and migrating it for writing.

        Raises:
            StoreError: the file is not a SQLite database, is damaged, is from a newer
            clickaudit, or cannot be created or written (the message names the file and the
            problem; the file is left as it was).
        """
        target = Path(path) if path is not None else default_db_path()
        opener = open_for_reading if read_only else open_for_writing
        connection, found = opener(target)
        return cls(connection, target, found, read_only=read_only)

    def close(self) -> None:
        self._db.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection, for table modules beside the audits (click forensics)."""
        return self._db

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _reporting(self, doing: str) -> Iterator[None]:
        """SQLite's errors as a StoreError naming the file and what failed."""
        try:
            yield
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: {doing}: {error}") from None

    # --- writing --------------------------------------------------------------------------
    def save(self, audit: Audit, *, label: str | None = None) -> int:
        """Keep an audit; returns its id. All or nothing: one transaction."""
        if self.read_only:
            raise StoreError(f"{self.path}: the audit was not saved: opened read-only")
        report_json = json.dumps(audit_to_dict(audit), ensure_ascii=False)
        counts = summary(audit)
        with self._reporting("the audit was not saved"), write_transaction(self._db):
            audit_id = self._insert(audit, report_json, counts, label)
        return audit_id

    def _insert(
        self, audit: Audit, report_json: str, counts: dict[str, int], label: str | None
    ) -> int:
        tables = self._tables
        audits = tables.table("audits").insert(rows.audit_row(audit, report_json, counts, label))
        audit_id = audits.last_rowid
        assert audit_id is not None  # an INSERT that returned has a row id
        tables.table("links").insert_all(rows.link_rows(audit, audit_id))
        tables.table("hops").insert_all(rows.hop_rows(audit, audit_id))
        tables.table("domains").insert_all(rows.domain_rows(audit, audit_id))
        tables.table("findings").insert_all(rows.finding_rows(audit, audit_id))
        tables.table("audit_search").insert(rows.search_row(audit, audit_id, label))
        return audit_id

    def delete(self, audit_id: int) -> None:
        """Forget an audit; its rows and its search entry go with it (foreign-key cascade)."""
        if self.read_only:
            raise StoreError(f"{self.path}: audit {audit_id} was not deleted: opened read-only")
        with self._reporting(f"audit {audit_id} was not deleted"), write_transaction(self._db):
            self._db.execute("DELETE FROM audits WHERE id = ?", (audit_id,))

    # --- reading --------------------------------------------------------------------------
    def report(self, audit_id: int) -> dict[str, Any]:
        """The JSON report exactly as it was when the audit ran."""
        with self._reporting(f"cannot read audit {audit_id}"):
            row = self._db.execute(
                "SELECT report_json FROM audits WHERE id = ?", (audit_id,)
            ).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: there is no audit {audit_id}")
        data: dict[str, Any] = json.loads(row[0])
        return data

    def get(self, audit_id: int) -> Audit:
        return audit_from_dict(self.report(audit_id))

    def newest_audit_id(self, sha256: str) -> int | None:
        """The newest audit of the email with this SHA-256, if any."""
        with self._reporting("cannot read the history"):
            row = self._db.execute(
                "SELECT id FROM audits WHERE sha256 = ? ORDER BY id DESC LIMIT 1", (sha256,)
            ).fetchone()
        return None if row is None else int(row[0])

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
        where: list[str] = []
        params: dict[str, object] = {"limit": limit}
        if text:
            # The index enable_fts made, asked directly: a filter needs no rank or content row.
            where.append(
                f"a.id IN (SELECT rowid FROM {SEARCH_INDEX} WHERE {SEARCH_INDEX} MATCH :query)"
            )
            params["query"] = _fts_query(text)
        if esp:
            where.append("lower(a.esp) = lower(:esp)")
            params["esp"] = esp
        date_range("a.created_at", since, until, where, params)
        sql = (
            "SELECT id, created_at, subject, from_addr, esp, source_path, links, errors, warnings,"
            " infos, label FROM audits a"
            + where_sql(where)
            + " ORDER BY a.created_at DESC, a.id DESC LIMIT :limit"
        )
        with self._reporting("cannot read the history"):
            found = self._db.execute(sql, params).fetchall()
        return [
            HistoryRow(
                r[0], r[1], r[2] or "", r[3] or "", r[4], r[5], r[6], r[7], r[8], r[9], r[10]
            )
            for r in found
        ]


def _fts_query(text: str) -> str:
    """Each word as a quoted prefix term, so URLs and punctuation never break the FTS syntax."""
    words = [w.replace('"', '""') for w in text.split() if w.strip()]
    return " ".join(f'"{w}"*' for w in words) or '""'
