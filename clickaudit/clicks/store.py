"""Click forensics in the history database, beside the audits: one run per analysis.

``click_runs`` keeps what was analysed (the email's hash, the logs, the totals and the report
without its clicks) and which audit of the same email it used; ``click_events`` keeps every
judged click (the cleaned export) so a later look needs no log. Tables are created by the store's
migration (:func:`create_tables`, schema version 4) and written with sqlite-utils, so Datasette and
``sqlite-utils`` read them as they are.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import sqlite_utils
from sqlite_utils.db import ForeignKey

from clickaudit.clicks.model import ClickReport, JudgedClick
from clickaudit.clicks.report import click_to_dict, report_head
from clickaudit.store.filters import date_range, where_sql
from clickaudit.store.transaction import write_transaction

BATCH = 5_000


def create_tables(db: sqlite_utils.Database) -> None:
    """Create the click tables (the store's migration 4 runs this inside its transaction)."""
    db.table("click_runs").create(
        {
            "id": int,
            "created_at": str,
            "audit_id": int,
            "sha256": str,
            "email_path": str,
            "subject": str,
            "logs": str,
            "formats": str,
            "events_read": int,
            "skipped": int,
            "clicks": int,
            "human": int,
            "scanner": int,
            "likely_scanner": int,
            "unknown": int,
            "unique_clickers": int,
            "unique_human_clickers": int,
            "delivered": int,
            "click_rate_raw": float,
            "click_rate_human": float,
            "report_json": str,
        },
        pk="id",
        # the audit lent its followed chains; deleting it keeps the analysis
        foreign_keys=[ForeignKey("click_runs", "audit_id", "audits", "id", on_delete="SET NULL")],
    )
    db.table("click_runs").create_index(["sha256"])
    db.table("click_events").create(
        {
            "id": int,
            "run_id": int,
            "time": str,
            "seconds_after_delivery": float,
            "recipient": str,
            "ip": str,
            "user_agent": str,
            "url": str,
            "link_id": int,
            "verdict": str,
            "reasons": str,
            "network": str,
            "message": str,
            "esp": str,
            "source": str,
            "line": int,
        },
        pk="id",
        not_null={"run_id", "verdict"},
        foreign_keys=[
            ForeignKey("click_events", "run_id", "click_runs", "id", on_delete="CASCADE")
        ],
    )
    db.table("click_events").create_index(["run_id", "verdict"])


def save_run(
    connection: sqlite3.Connection,
    report: ClickReport,
    source: dict[str, Any],
    clicks: Iterable[JudgedClick],
) -> int:
    """Keep one analysis and all its clicks in one transaction; returns the run's id."""
    db = sqlite_utils.Database(connection, execute_plugins=False)
    head = report_head(report, source)
    s = report.summary
    with write_transaction(connection):
        runs = db.table("click_runs")
        runs.insert(
            {
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "audit_id": report.audit_id,
                "sha256": report.email_sha256,
                "email_path": report.email_path,
                "subject": report.email_subject,
                "logs": json.dumps(list(report.sources)),
                "formats": ",".join(report.stats.formats),
                "events_read": report.stats.read,
                "skipped": report.stats.skipped_total,
                "clicks": s.clicks,
                "human": s.human,
                "scanner": s.scanner,
                "likely_scanner": s.likely_scanner,
                "unknown": s.unknown,
                "unique_clickers": s.unique_clickers,
                "unique_human_clickers": s.unique_human_clickers,
                "delivered": s.delivered,
                "click_rate_raw": s.click_rate_raw,
                "click_rate_human": s.click_rate_human,
                "report_json": json.dumps(head, ensure_ascii=False),
            }
        )
        run_id = int(runs.last_pk or 0)
        events = db.table("click_events")
        iterator = iter(clicks)
        while batch := list(islice(iterator, BATCH)):
            events.insert_all((_row(run_id, click) for click in batch), batch_size=BATCH)
    return run_id


def _row(run_id: int, click: JudgedClick) -> dict[str, Any]:
    data = click_to_dict(click)
    return {
        "run_id": run_id,
        "time": data["time"],
        "seconds_after_delivery": data["seconds_after_delivery"],
        "recipient": data["recipient"],
        "ip": data["ip"],
        "user_agent": data["user_agent"],
        "url": data["url"],
        "link_id": data["link_id"],
        "verdict": data["verdict"],
        "reasons": " ".join(data["reasons"]),
        "network": data["network"],
        "message": data["message"],
        "esp": data["esp"],
        "source": data["source"]["path"],
        "line": data["source"]["line"],
    }


def runs_for(connection: sqlite3.Connection, sha256: str) -> list[dict[str, Any]]:
    """Earlier analyses of the same email, newest first."""
    db = sqlite_utils.Database(connection, execute_plugins=False)
    if not db.table("click_runs").exists():
        return []
    return list(
        db.table("click_runs").rows_where(
            "sha256 = ?", [sha256], order_by="id desc", select="id, created_at, clicks, human"
        )
    )


def latest_head(
    connection: sqlite3.Connection, audit_id: int, sha256: str
) -> dict[str, Any] | None:
    """The newest stored click report (without its clicks) for an audit or its email."""
    db = sqlite_utils.Database(connection, execute_plugins=False)
    if not db.table("click_runs").exists():
        return None
    row = connection.execute(
        "SELECT report_json FROM click_runs WHERE audit_id = ? OR sha256 = ?"
        " ORDER BY id DESC LIMIT 1",
        (audit_id, sha256),
    ).fetchone()
    if row is None:
        return None
    head: dict[str, Any] = json.loads(row[0])
    return head


RUN_COLUMNS = (
    "id, created_at, audit_id, sha256, email_path, subject, logs, formats, clicks, human,"
    " scanner, likely_scanner, unknown, delivered, click_rate_raw, click_rate_human"
)


def list_runs(
    connection: sqlite3.Connection,
    *,
    text: str | None = None,
    esp: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Analyses newest first, as rows of :data:`RUN_COLUMNS`, filtered like the audit history:
    every word of ``text`` in the subject, the email's path or a log's path; ``esp`` through the
    audits of the same email; dates as ISO, inclusive."""
    db = sqlite_utils.Database(connection, execute_plugins=False)
    if not db.table("click_runs").exists():
        return []
    where: list[str] = []
    params: dict[str, object] = {"limit": limit}
    for number, word in enumerate((text or "").split()):
        where.append(
            f"(instr(lower(subject), :w{number}) OR instr(lower(email_path), :w{number})"
            f" OR instr(lower(logs), :w{number}))"
        )
        params[f"w{number}"] = word.lower()
    if esp:
        where.append("sha256 IN (SELECT sha256 FROM audits WHERE lower(esp) = lower(:esp))")
        params["esp"] = esp
    date_range("created_at", since, until, where, params)
    sql = (
        f"SELECT {RUN_COLUMNS} FROM click_runs"
        + where_sql(where)
        + " ORDER BY created_at DESC, id DESC LIMIT :limit"
    )
    return _rows(connection.execute(sql, params))


def run(
    connection: sqlite3.Connection, run_id: int
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """One stored analysis: its row (:data:`RUN_COLUMNS`) and its stored report without its
    clicks, or None if there is none."""
    db = sqlite_utils.Database(connection, execute_plugins=False)
    if not db.table("click_runs").exists():
        return None
    cursor = connection.execute(
        f"SELECT {RUN_COLUMNS}, report_json FROM click_runs WHERE id = ?", (run_id,)
    )
    found = _rows(cursor)
    if not found:
        return None
    row = found[0]
    head: dict[str, Any] = json.loads(row.pop("report_json"))
    return row, head


def _rows(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
