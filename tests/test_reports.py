"""Reports people hand on: HTML with nothing to load, CSV one row per link, redaction of every
address and token, and a history database other tools can read as it is."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import sqlite_utils

from clickaudit.report import csv_report, html, json_report
from clickaudit.report.csv_report import COLUMNS
from clickaudit.report.redact import redact_audit
from clickaudit.store import Store
from tests.factories import sample_audit

RECIPIENT_AUDIT = sample_audit()


def test_the_html_report_loads_nothing_and_reads_in_order() -> None:
    page = html.render([RECIPIENT_AUDIT])
    assert not re.search(r"<(img|script|link|iframe|object|embed)\b", page, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "default-src 'none'" in page and "@media print" in page
    order = [
        page.index(marker)
        for marker in ('class="cards"', "<h2>Findings", "<h2>Links", "<h2>Domains")
    ]
    assert order == sorted(order)


def test_the_html_cards_add_up_to_the_links() -> None:
    """Tracked, wrapped, direct and untrackable are every link: the page once left direct out."""
    page = html.render([RECIPIENT_AUDIT])
    cards = dict(
        (label, int(number))
        for number, label in re.findall(r'<div class="n">(\d+)</div>([A-Za-z]+)</div>', page)
    )
    counts = json_report.summary(RECIPIENT_AUDIT)
    assert cards["Direct"] == counts["direct"]
    parts = ("Tracked", "Wrapped", "Direct", "Untrackable")
    assert sum(cards[label] for label in parts) == cards["Links"]


def test_csv_has_one_row_per_link_with_stable_columns() -> None:
    rows = list(csv.DictReader(io.StringIO(csv_report.render([RECIPIENT_AUDIT]))))
    assert len(rows) == len(RECIPIENT_AUDIT.links)
    assert tuple(rows[0]) == COLUMNS
    assert rows[0]["final_status"] == "404" and rows[0]["esp"] == "SendGrid"


def test_redaction_removes_every_address_and_token_in_every_format() -> None:
    leaky = RECIPIENT_AUDIT.links[0]
    from dataclasses import replace

    audit = replace(
        RECIPIENT_AUDIT,
        links=(
            replace(
                leaky,
                href="https://email.shop.example/c/eJxTOKENTOKENTOKENTOKEN?r=jane%40example.com&upn=u001.SECRETSECRETSECRET",
            ),
            *RECIPIENT_AUDIT.links[1:],
        ),
    )
    redacted = redact_audit(audit)
    for output in (
        json_report.dumps([redacted]),
        csv_report.render([redacted]),
        html.render([redacted]),
    ):
        assert "jane" not in output and "example.com" not in output.replace("shop.example", "")
        assert "SECRETSECRET" not in output and "TOKENTOKEN" not in output
    assert "shop.example" in json_report.dumps([redacted])  # hosts stay: the report stays useful


def test_the_history_database_is_readable_with_sqlite_utils(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Store.open(path) as store:
        store.save(RECIPIENT_AUDIT)
    db = sqlite_utils.Database(path)
    assert {"audits", "links", "hops", "domains", "findings"} <= set(db.table_names())
    assert db["links"].count == len(RECIPIENT_AUDIT.links)
    assert [fk.other_table for fk in db.table("links").foreign_keys] == ["audits"]
    # Full-text search travels with the file, and sqlite-utils searches it as its own.
    assert db.table("audit_search").detect_fts() == "audit_search_fts"
    assert [r["audit_id"] for r in db.table("audit_search").search("SendGrid")] == [1]
    [row] = list(db.query("select subject, esp from audits"))
    assert row == {"subject": RECIPIENT_AUDIT.email.headers.subject, "esp": "SendGrid"}
