"""The history database's schema, as migrations numbered by ``PRAGMA user_version``.

Migration *n* takes a database from version *n* - 1 to *n*; each is a function of a sqlite-utils
:class:`~sqlite_utils.Database`, written with its table API (``create``, ``add_column``,
``transform``, ``enable_fts``) so the file stays plain tables that sqlite-utils and Datasette read
as they are. To change the schema, append a migration to :data:`MIGRATIONS` (other stores, such as
click analyses, add their tables the same way); never edit one that has shipped.

:func:`migrate` runs the missing ones in one ``BEGIN IMMEDIATE`` transaction and reads the version
again inside it, so when several processes open a new file at once, one creates the schema and the
others wait (busy timeout) and find it made.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.db import ForeignKey

from clickaudit.errors import StoreError
from clickaudit.store.transaction import write_transaction

Migration = Callable[[Database], None]


def _belongs_to_audit(table: str) -> ForeignKey:
    """``audit_id`` references the audit, and goes with it when the audit is deleted."""
    return ForeignKey(table, "audit_id", "audits", "id", on_delete="CASCADE")


def _create_audits_and_their_rows(db: Database) -> None:
    """Version 1: audits with their links, hops, domains and findings."""
    db.table("audits").create(
        {
            "id": int,
            "created_at": str,
            "finished_at": str,
            "source_path": str,
            "source_kind": str,
            "sha256": str,
            "subject": str,
            "from_addr": str,
            "esp": str,
            "tool_version": str,
            "settings_json": str,
            "links": int,
            "errors": int,
            "warnings": int,
            "infos": int,
            "report_json": str,
        },
        pk="id",
        not_null={
            "created_at",
            "source_path",
            "links",
            "errors",
            "warnings",
            "infos",
            "report_json",
        },
        defaults={"links": 0, "errors": 0, "warnings": 0, "infos": 0},
    )
    db.table("audits").create_index(["created_at"], index_name="audits_created_at")
    db.table("audits").create_index(["sha256"], index_name="audits_sha256")
    db.table("links").create(
        {
            "id": int,
            "audit_id": int,
            "link_no": int,
            "part": str,
            "element": str,
            "text": str,
            "href": str,
            "category": str,
            "reason": str,
            "esp": str,
            "decoded": str,
            "expected": str,
            "final_url": str,
            "outcome": str,
            "final_status": int,
        },
        pk="id",
        not_null={"audit_id", "link_no"},
        foreign_keys=[_belongs_to_audit("links")],
    )
    db.table("links").create_index(["audit_id"], index_name="links_audit_id")
    db.table("hops").create(
        {
            "id": int,
            "link_row_id": int,
            "hop_no": int,
            "url": str,
            "status": int,
            "location": str,
            "kind": str,
            "ms": float,
            "remote_address": str,
            "tls_version": str,
            "error": str,
        },
        pk="id",
        not_null={"link_row_id", "hop_no"},
        foreign_keys=[ForeignKey("hops", "link_row_id", "links", "id", on_delete="CASCADE")],
    )
    db.table("hops").create_index(["link_row_id"], index_name="hops_link_row_id")
    db.table("domains").create(
        {
            "id": int,
            "audit_id": int,
            "name": str,
            "roles": str,
            "cname": str,
            "esp": str,
            "tls_ok": int,
            "tls_days_left": int,
            "blocklists": str,
        },
        pk="id",
        not_null={"audit_id"},
        foreign_keys=[_belongs_to_audit("domains")],
    )
    db.table("domains").create_index(["audit_id"], index_name="domains_audit_id")
    db.table("findings").create(
        {"id": int, "audit_id": int, "subject": str, "code": str, "severity": str, "message": str},
        pk="id",
        not_null={"audit_id", "code", "severity"},
        foreign_keys=[_belongs_to_audit("findings")],
    )
    db.table("findings").create_index(["audit_id", "severity", "code"], index_name="findings_audit")


def _add_labels(db: Database) -> None:
    """Version 2: a label per audit ("before fix"). Version 2 also made a search table, which
    version 3 replaces; a database still at version 1 goes straight to version 3's."""
    db.table("audits").add_column("label", str)


def _search_with_sqlite_utils_and_hops_by_audit(db: Database) -> None:
    """Version 3: full-text search through sqlite-utils, and hops keyed by audit and link number.

    Search: one row per audit in ``audit_search`` (subject, sender, every URL and anchor text,
    ESP, label) indexed by ``enable_fts`` with triggers, replacing version 2's standalone FTS
    table. Hops: ``audit_id`` and ``link_no`` instead of the links table's row id, so a hop is
    found without a join and saving needs no row id back per link; the old column carries a
    foreign key, which SQLite's ALTER TABLE cannot drop, hence ``transform``.
    """
    if db.table("audits_fts").exists():
        db.execute("DROP TABLE audits_fts")
    db.table("audit_search").create(
        {
            "audit_id": int,
            "subject": str,
            "from_addr": str,
            "urls": str,
            "texts": str,
            "esp": str,
            "label": str,
        },
        pk="audit_id",
        foreign_keys=[_belongs_to_audit("audit_search")],
    )
    db.execute(
        "INSERT INTO audit_search (audit_id, subject, from_addr, urls, texts, esp, label)"
        " SELECT a.id, a.subject, a.from_addr,"
        " (SELECT group_concat(coalesce(href, '') || ' ' || coalesce(decoded, '') || ' ' ||"
        "  coalesce(final_url, ''), ' ') FROM links WHERE audit_id = a.id),"
        " (SELECT group_concat(text, ' ') FROM links WHERE audit_id = a.id),"
        " a.esp, a.label FROM audits a"
    )
    db.table("audit_search").enable_fts(
        ["subject", "from_addr", "urls", "texts", "esp", "label"], create_triggers=True
    )

    hops = db.table("hops")
    hops.add_column("audit_id", int)
    hops.add_column("link_no", int)
    db.execute(
        "UPDATE hops SET (audit_id, link_no) ="
        " (SELECT audit_id, link_no FROM links WHERE links.id = hops.link_row_id)"
    )
    db.execute("DELETE FROM hops WHERE audit_id IS NULL")  # orphans of a link long gone
    db.execute("DROP INDEX IF EXISTS hops_link_row_id")
    hops.transform(
        drop={"link_row_id"},
        not_null={"audit_id", "link_no", "hop_no"},
        foreign_keys=[_belongs_to_audit("hops")],
        column_order=["id", "audit_id", "link_no", "hop_no"],
    )
    hops.create_index(["audit_id", "link_no"], index_name="hops_audit_link")


def _click_forensics(db: Database) -> None:
    """Version 4: analysed click logs beside the audits (:mod:`clickaudit.clicks.store`)."""
    from clickaudit.clicks.store import create_tables

    create_tables(db)


MIGRATIONS: tuple[Migration, ...] = (
    _create_audits_and_their_rows,
    _add_labels,
    _search_with_sqlite_utils_and_hops_by_audit,
    _click_forensics,
)
LATEST = len(MIGRATIONS)


def version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def refuse_newer(connection: sqlite3.Connection, path: object) -> int:
    """The file's schema version; a file from a newer clickaudit is refused before any write."""
    found = version(connection)
    if found > LATEST:
        raise StoreError(
            f"{path}: made by a newer clickaudit (schema {found}, this one knows {LATEST}); "
            "it was not changed"
        )
    return found


def migrate(connection: sqlite3.Connection, path: object) -> int:
    """Bring the database to :data:`LATEST`, safe against other processes doing the same;
    returns the version it was at (0: this call created the schema).

    The connection must be in autocommit mode (``isolation_level=None``) with foreign keys off,
    so ``transform`` can rebuild tables without firing cascades.
    """
    found = version(connection)
    if found == LATEST:
        return found
    with write_transaction(connection):  # one writer at a time; the others wait here
        found = refuse_newer(connection, path)  # again: another process may have migrated
        if found == 0 and _has_tables(connection):
            raise StoreError(
                f"{path}: a SQLite file that is not a clickaudit database (left untouched)"
            )
        db = Database(connection, execute_plugins=False)
        for migration in MIGRATIONS[found:]:
            migration(db)
        connection.execute(f"PRAGMA user_version = {LATEST}")
    return found


def _has_tables(connection: sqlite3.Connection) -> bool:
    row = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return bool(row[0])
