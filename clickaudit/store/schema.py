"""The history database's schema, as an ordered list of migrations.

Version 1 kept audits, emails' facts, links, hops, domains and findings. Version 2 added a label
per audit and full-text search over subjects, senders, URLs and anchor texts. A database is
migrated forward in one transaction when it is opened; one from a newer clickaudit is refused.
Plain tables with foreign keys, so sqlite-utils and Datasette read the file as it is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

V1 = """
CREATE TABLE audits (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    source_path TEXT NOT NULL,
    source_kind TEXT,
    sha256 TEXT,
    subject TEXT,
    from_addr TEXT,
    esp TEXT,
    tool_version TEXT,
    settings_json TEXT,
    links INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    infos INTEGER NOT NULL DEFAULT 0,
    report_json TEXT NOT NULL
);
CREATE INDEX audits_created_at ON audits(created_at);
CREATE INDEX audits_sha256 ON audits(sha256);
CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    link_no INTEGER NOT NULL,
    part TEXT, element TEXT, text TEXT, href TEXT, category TEXT, reason TEXT, esp TEXT,
    decoded TEXT, expected TEXT, final_url TEXT, outcome TEXT, final_status INTEGER
);
CREATE INDEX links_audit_id ON links(audit_id);
CREATE TABLE hops (
    id INTEGER PRIMARY KEY,
    link_row_id INTEGER NOT NULL REFERENCES links(id) ON DELETE CASCADE,
    hop_no INTEGER NOT NULL,
    url TEXT, status INTEGER, location TEXT, kind TEXT, ms REAL, remote_address TEXT,
    tls_version TEXT, error TEXT
);
CREATE INDEX hops_link_row_id ON hops(link_row_id);
CREATE TABLE domains (
    id INTEGER PRIMARY KEY,
    audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    name TEXT, roles TEXT, cname TEXT, esp TEXT, tls_ok INTEGER, tls_days_left INTEGER,
    blocklists TEXT
);
CREATE INDEX domains_audit_id ON domains(audit_id);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    audit_id INTEGER NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    subject TEXT, code TEXT NOT NULL, severity TEXT NOT NULL, message TEXT
);
CREATE INDEX findings_audit ON findings(audit_id, severity, code);
"""

V2 = """
ALTER TABLE audits ADD COLUMN label TEXT;
CREATE VIRTUAL TABLE audits_fts USING fts5(subject, from_addr, urls, texts, esp, label);
INSERT INTO audits_fts(rowid, subject, from_addr, urls, texts, esp, label)
SELECT a.id, a.subject, a.from_addr,
       (SELECT group_concat(coalesce(href, '') || ' ' || coalesce(decoded, '') || ' ' ||
                            coalesce(final_url, ''), ' ') FROM links WHERE audit_id = a.id),
       (SELECT group_concat(text, ' ') FROM links WHERE audit_id = a.id),
       a.esp, NULL
FROM audits a;
"""


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def apply(connection: sqlite3.Connection) -> None:
        for statement in sql.split(";\n"):
            if statement.strip():
                connection.execute(statement)

    return apply


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_script(V1), _script(V2))
LATEST = len(MIGRATIONS)
