"""``clickaudit clicks``: the join, the report's contract, the cleaned export and the history."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import jsonschema
import pytest

from clickaudit.bundled import resource
from clickaudit.clicks.analysis import analyse
from clickaudit.clicks.join import LinkIndex
from clickaudit.clicks.session import merge_followed
from clickaudit.model import Hop, evolve
from clickaudit.pipeline import scan_path
from tests.conftest import FIXTURES, run_clickaudit

CLICKS = FIXTURES / "clicks"
EMAIL = str(CLICKS / "campaign.eml")
DOCS = CLICKS / "docs"
SCHEMA = json.loads(resource("schema", "clicks.schema.json").read_text(encoding="utf-8"))


def test_click_joins_by_destination_by_tracked_url_and_by_sendgrid_offset() -> None:
    index = LinkIndex(scan_path(EMAIL)[0].links)
    assert index.join("https://shop.example.com/boots") == 2
    assert index.join("HTTPS://Shop.Example.com/boots/") == 2
    assert index.join("https://click.example.net/ls/click?upn=opaque123") == 7
    assert index.join("https://shop.example.com/sale?utm_source=news&sg=1") == 1  # query differs
    assert index.join("https://elsewhere.example/", 2, "html") == 3
    assert index.join("https://elsewhere.example/") is None


def test_link_known_only_by_its_followed_destination_joins_after_an_audit() -> None:
    fresh = scan_path(EMAIL)[0]
    followed = evolve(
        fresh,
        links=tuple(
            evolve(
                link,
                chain=(
                    Hop(link.href, 302, "https://shop.example.com/gloves"),
                    Hop("https://shop.example.com/gloves", 200),
                ),
                final_url="https://shop.example.com/gloves",
            )
            if link.id == 7
            else link
            for link in fresh.links
        ),
    )
    assert LinkIndex(fresh.links).join("https://shop.example.com/gloves") is None
    assert (
        LinkIndex(merge_followed(fresh, followed).links).join("https://shop.example.com/gloves")
        == 7
    )


def test_analysis_counts_per_link_and_message_and_rates_from_delivered() -> None:
    audit = scan_path(EMAIL)[0]
    with analyse(
        audit,
        [str(DOCS / "ses_sns_notifications.json"), str(DOCS / "postmark_delivery_and_click.jsonl")],
    ) as analysis:
        report = analysis.report(["x"])
    summary = report.summary
    assert (summary.clicks, summary.scanner, summary.human) == (2, 1, 1)
    assert summary.delivered == 2
    assert summary.click_rate_raw == 0.5 and summary.click_rate_human == 0.5
    jackets = next(link for link in report.links if link.id == 3)
    assert (jackets.clicks, jackets.scanner) == (1, 1)
    assert report.clicks[0].seconds_after_delivery == pytest.approx(1.25)


def test_scanned_unsubscribe_and_one_time_links_are_findings(tmp_path: Path) -> None:
    log = tmp_path / "scan.json"
    events = [
        {
            "event": "delivered",
            "timestamp": 1795512605,
            "email": "a@x.example",
            "sg_message_id": "m1.filter1",
        },
        *(
            {
                "event": "click",
                "timestamp": 1795512606 + n * 0.2,
                "email": "a@x.example",
                "sg_message_id": "m1.filter1",
                "url": url,
                "ip": "40.107.1.1",
                "useragent": "Mozilla/5.0",
            }
            for n, url in enumerate(
                [
                    "https://shop.example.com/account/confirm?token=9f8e7d",
                    "https://mail.shop.example.com/unsubscribe?u=abc123",
                    "https://shop.example.com/boots",
                ]
            )
        ),
    ]
    log.write_text(json.dumps(events))
    with analyse(scan_path(EMAIL)[0], [str(log)]) as analysis:
        report = analysis.report([str(log)])
    assert [(f.code, f.subject) for f in report.findings] == [
        ("unsubscribe-scanned", "link:5"),
        ("unsubscribe-scanned", "link:8"),
    ]
    assert "one-time" in report.findings[0].message and "unsubscribe" in report.findings[1].message


def test_json_report_follows_the_contract_and_validates(tmp_path: Path) -> None:
    result = run_clickaudit(
        "clicks",
        str(DOCS / "sendgrid_events.json"),
        str(DOCS / "sendgrid_malformed.json"),
        "--email",
        EMAIL,
        "--format",
        "json",
        "--no-save",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["events"]["format"] == "sendgrid"
    assert [s["line"] for s in report["events"]["skipped"]] == [3, 4, 5]
    assert "3 record(s) skipped" in result.stderr
    [scanner] = [c for c in report["clicks"] if c["verdict"] == "scanner"]
    assert scanner["reasons"] == ["scanner-network", "delivery-seconds"]
    assert scanner["seconds_after_delivery"] == 2
    assert set(report["summary"]) >= {
        "clicks",
        "human",
        "scanner",
        "likely_scanner",
        "unknown",
        "unique_human_clickers",
        "delivered",
        "click_rate_raw",
        "click_rate_human",
    }


def test_cleaned_csv_export_has_every_click_with_verdict_and_reasons() -> None:
    result = run_clickaudit(
        "clicks",
        str(DOCS / "mandrill_events.json"),
        "--email",
        EMAIL,
        "--format",
        "csv",
        "--no-save",
        "--redact",
    )
    assert result.returncode == 0, result.stderr
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["verdict"], row["reasons"], row["network"]) == (
        "scanner",
        "scanner-network delivery-seconds",
        "barracuda-egd",
    )
    assert row["recipient"] == "[email]"


def test_text_report_shows_rates_before_and_after(tmp_path: Path) -> None:
    result = run_clickaudit(
        "clicks",
        str(DOCS / "ses_firehose.jsonl"),
        "--email",
        EMAIL,
        "--delivered",
        "4",
        "--no-save",
    )
    assert result.returncode == 0, result.stderr
    assert "click rate: raw 25.0% → human 0.0%" in result.stdout


def test_analysis_is_kept_in_the_history_beside_the_audit(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    assert (
        run_clickaudit("audit", EMAIL, "--safe", "--db", str(db), "--fail-on", "never").returncode
        == 0
    )
    result = run_clickaudit(
        "clicks", str(DOCS / "sendgrid_events.json"), "--email", EMAIL, "--db", str(db)
    )
    assert result.returncode == 0, result.stderr
    connection = sqlite3.connect(db)
    [(audit_id, clicks, human)] = connection.execute(
        "SELECT audit_id, clicks, human FROM click_runs"
    ).fetchall()
    assert (audit_id, clicks, human) == (1, 2, 1)
    verdicts = [
        row[0] for row in connection.execute("SELECT verdict FROM click_events ORDER BY id")
    ]
    assert verdicts == ["scanner", "human"]


def test_a_save_that_fails_is_exit_2_after_the_report(tmp_path: Path) -> None:
    db = tmp_path / "not-a-db.db"
    db.write_text("plain text, not SQLite")
    result = run_clickaudit(
        "clicks", str(DOCS / "brevo_events.jsonl"), "--email", EMAIL, "--db", str(db)
    )
    assert result.returncode == 2
    assert "click rate" in result.stdout
    assert "not a clickaudit database" in result.stderr
    assert db.read_text() == "plain text, not SQLite"


def test_missing_log_is_exit_2_naming_the_file(tmp_path: Path) -> None:
    result = run_clickaudit("clicks", str(tmp_path / "nope.json"), "--email", EMAIL, "--no-save")
    assert result.returncode == 2
    assert "nope.json" in result.stderr


def test_the_text_report_never_calls_send_events_deliveries() -> None:
    """A log with a 'processed' and a 'delivered' event per message read 'deliveries: 2' above
    'delivered: 1': the first counts every send and delivery event, the second the messages."""
    result = run_clickaudit(
        "clicks", str(DOCS / "sendgrid_events.json"), "--email", EMAIL, "--no-save"
    )
    assert result.returncode == 0, result.stderr
    assert "deliveries:" not in result.stdout
    assert "send and delivery events: " in result.stdout


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.json", ""),
        ("other.json", '[{"foo": 1}]'),
        ("unmapped.csv", "a,b\n1,2\n"),
    ],
)
def test_a_log_with_no_event_of_a_known_format_is_exit_2_naming_it(
    tmp_path: Path, name: str, content: str
) -> None:
    """A wrong file (or a CSV without --map) must not read as 'no clicks, all fine' and be kept."""
    log = tmp_path / name
    log.write_text(content, encoding="utf-8")
    db = tmp_path / "history.db"
    result = run_clickaudit("clicks", str(log), "--email", EMAIL, "--db", str(db))
    assert result.returncode == 2
    assert f"{log}: no event of a known click-log format" in result.stderr
    assert _click_runs_kept(db) == 0


def _click_runs_kept(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as connection:
        table = "SELECT 1 FROM sqlite_master WHERE name = 'click_runs'"
        if not connection.execute(table).fetchone():
            return 0
        return int(connection.execute("SELECT COUNT(*) FROM click_runs").fetchone()[0])


def test_a_log_of_opens_only_is_read_not_refused(tmp_path: Path) -> None:
    """Zero clicks is an answer when the log holds the ESP's other events."""
    log = tmp_path / "opens.json"
    log.write_text(
        json.dumps(
            [
                {
                    "email": "a@example.com",
                    "timestamp": 1700000000,
                    "event": "open",
                    "sg_message_id": "x",
                }
            ]
        ),
        encoding="utf-8",
    )
    result = run_clickaudit("clicks", str(log), "--email", EMAIL, "--no-save")
    assert result.returncode == 0, result.stderr
