"""The history service (clickaudit.history): typed answers for the command line and the app, and
the history command listing click analyses beside the audits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clickaudit.cli import main
from clickaudit.clicks.session import analyse_and_keep, analyse_email, save_analysis
from clickaudit.errors import StoreError
from clickaudit.history import History, HistoryQuery, StoredAudit
from clickaudit.pipeline import scan_path
from clickaudit.report.json_report import audit_to_dict
from tests.conftest import FIXTURES
from tests.factories import sample_audit

CLICKS = FIXTURES / "clicks"
EMAIL = str(CLICKS / "campaign.eml")
SENDGRID_LOG = str(CLICKS / "docs" / "sendgrid_events.json")


def analysed_history(tmp_path: Path) -> tuple[History, int, int]:
    """A history with the campaign's audit and one click analysis of it."""
    history = History(tmp_path / "history.db")
    [audit_id] = history.save(scan_path(EMAIL))
    with analyse_email(EMAIL, [SENDGRID_LOG], db=str(history.path)) as session:
        run_id = save_analysis(session, str(history.path))
    return history, audit_id, run_id


def test_saved_audits_are_listed_newest_first_and_come_back_whole(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    first, second = history.save([sample_audit(), sample_audit()])
    assert [row.id for row in history.audits()] == [second, first]
    assert audit_to_dict(history.audit(first)) == audit_to_dict(sample_audit())
    assert history.report(first)["source"]["esp"] == "SendGrid"
    assert [a.email.source.sha256 for a in history.audits_by_id([second, first])] == [
        sample_audit().email.source.sha256
    ] * 2


def test_the_query_filters_by_esp_and_limits_the_list(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    history.save([sample_audit()] * 3)
    assert len(history.audits(HistoryQuery(esp="sendgrid", limit=2))) == 2
    assert history.audits(HistoryQuery(esp="Mailchimp")) == []
    assert history.audits(HistoryQuery(until="2000-01-01")) == []


def test_a_missing_audit_is_a_store_error_naming_the_file(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    history.save([sample_audit()])
    with pytest.raises(StoreError, match=r"h\.db: there is no audit 99"):
        history.audit(99)
    with pytest.raises(StoreError, match="there is no click analysis 7"):
        history.click_run(7)


def test_reading_an_absent_history_lists_nothing_and_creates_no_file(tmp_path: Path) -> None:
    history = History(tmp_path / "none.db")
    assert history.audits() == [] and history.click_runs() == []
    assert not (tmp_path / "none.db").exists()


def test_a_click_analysis_is_listed_with_its_audit_and_counts(tmp_path: Path) -> None:
    history, audit_id, run_id = analysed_history(tmp_path)
    [run] = history.click_runs()
    assert (run.id, run.audit_id, run.clicks, run.human) == (run_id, audit_id, 2, 1)
    assert run.logs == (SENDGRID_LOG,) and run.formats == ("sendgrid",)
    assert history.click_runs(HistoryQuery(text="sendgrid_events")) == [run]
    assert history.click_runs(HistoryQuery(text="no-such-words")) == []
    assert history.click_runs(HistoryQuery(until="2000-01-01")) == []
    assert history.click_runs(HistoryQuery(since=run.created_at[:10])) == [run]
    assert history.click_runs(HistoryQuery(esp="SendGrid")) == [run]  # through its audit
    assert history.click_runs(HistoryQuery(esp="Mailchimp")) == []


def test_a_past_audit_comes_back_with_its_newest_click_analysis(tmp_path: Path) -> None:
    history, audit_id, _ = analysed_history(tmp_path)
    stored = history.stored_audit(audit_id)
    assert isinstance(stored, StoredAudit) and stored.id == audit_id
    assert stored.clicks is not None and stored.clicks.summary.human == 1


def test_a_past_click_analysis_comes_back_with_the_audit_it_used(tmp_path: Path) -> None:
    history, audit_id, run_id = analysed_history(tmp_path)
    stored = history.click_run(run_id)
    assert stored.audit is not None and stored.summary.audit_id == audit_id
    assert stored.report.summary.clicks == 2
    assert history.click_report(run_id)["kind"] == "clicks"


def test_an_analysis_made_in_the_app_is_kept_naming_the_saved_audit(tmp_path: Path) -> None:
    history = History(tmp_path / "h.db")
    [audit] = scan_path(EMAIL)
    [audit_id] = history.save([audit])
    kept = analyse_and_keep(audit, [SENDGRID_LOG], history)
    assert kept.run_id is not None and kept.not_kept is None
    assert kept.report.audit_id == audit_id
    [run] = history.click_runs()
    assert (run.id, run.clicks) == (kept.run_id, 2)


def test_an_analysis_that_cannot_be_kept_is_still_reported_with_the_reason(tmp_path: Path) -> None:
    db = tmp_path / "text.db"
    db.write_text("plain text, not SQLite")
    [audit] = scan_path(EMAIL)
    kept = analyse_and_keep(audit, [SENDGRID_LOG], History(db))
    assert kept.run_id is None and kept.not_kept is not None and "text.db" in kept.not_kept
    assert kept.report.summary.clicks == 2
    assert db.read_text() == "plain text, not SQLite"


def test_the_history_command_lists_click_analyses_after_the_audits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history, audit_id, run_id = analysed_history(tmp_path)
    db = str(history.path)
    assert main(["history", "--db", db]) == 0
    text = capsys.readouterr().out
    audits, clicks = text.split("Click analyses")
    assert f"{audit_id:>5}  " in audits
    assert f"{run_id:>5}  " in clicks and "100.0%" in clicks
    assert main(["history", "--db", db, "--clicks", "--format", "json"]) == 0
    [run] = json.loads(capsys.readouterr().out)
    assert (run["id"], run["audit_id"], run["human"]) == (run_id, audit_id, 1)
    assert main(["history", "--db", db, "--format", "json"]) == 0
    assert [row["id"] for row in json.loads(capsys.readouterr().out)] == [audit_id]


def test_show_clicks_prints_a_stored_analysis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history, _, run_id = analysed_history(tmp_path)
    assert main(["show", "--clicks", str(run_id), "--db", str(history.path)]) == 0
    assert "click rate" in capsys.readouterr().out.lower()
    fmt = ["--format", "json"]
    assert main(["show", "--clicks", str(run_id), "--db", str(history.path), *fmt]) == 0
    head = json.loads(capsys.readouterr().out)
    assert head["summary"]["clicks"] == 2 and "clicks" not in head


def test_an_exported_html_report_ends_with_the_emails_latest_click_analysis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history, audit_id, _ = analysed_history(tmp_path)
    target = tmp_path / "report.html"
    args = ["export", str(audit_id), "--db", str(history.path), "--output", str(target)]
    assert main([*args, "--format", "html"]) == 0
    page = target.read_text("utf-8")
    assert "click rate (people)" in page and page.rstrip().endswith("</html>")
    assert main([*args, "--format", "json"]) == 0
    assert "click rate" not in target.read_text("utf-8")


def test_the_diff_command_reads_both_audits_through_the_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = History(tmp_path / "h.db")
    first, second = history.save([sample_audit(), sample_audit()])
    assert main(["diff", str(first), str(second), "--db", str(history.path)]) == 0
    assert "no differences" in capsys.readouterr().out
    assert main(["diff", str(first), "9", "--db", str(history.path)]) == 2
    assert "there is no audit 9" in capsys.readouterr().err
