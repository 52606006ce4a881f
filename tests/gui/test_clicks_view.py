"""The Clicks tab: rates before and after, the two charts through their models, reasons shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clickaudit.clicks.model import Verdict
from clickaudit.gui.models.clicks_model import CLICK_ROLE
from clickaudit.gui.widgets.clicks_view import ClicksView
from clickaudit.pipeline import scan_path
from tests.conftest import FIXTURES

CLICKS = FIXTURES / "clicks"


@pytest.fixture
def view(qtbot):  # type: ignore[no-untyped-def]
    widget = ClicksView()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    widget.set_audit(scan_path(str(CLICKS / "campaign.eml"))[0])
    return widget


def analyse(qtbot, view: ClicksView, *logs: Path):  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.analysed, timeout=60_000) as blocker:
        view.analyse([str(p) for p in logs])
    return blocker.args[0]


def test_before_a_log_is_opened_the_tab_says_what_to_do(view: ClicksView) -> None:
    assert "Open the ESP's click log" in view.summary.text()
    assert view.proxy.rowCount() == 0


def test_a_log_shows_rates_charts_and_every_click(qtbot, view: ClicksView) -> None:  # type: ignore[no-untyped-def]
    report = analyse(
        qtbot,
        view,
        CLICKS / "docs" / "ses_firehose.jsonl",
        CLICKS / "docs" / "postmark_delivery_and_click.jsonl",
    )
    assert "50.0%" in view.summary.text()  # 2 clickers of 2 delivered, as the ESP counts
    assert view.proxy.rowCount() == 2
    assert view.histogram_model.rowCount() == len(report.histogram)
    assert view.links_model.labels == ["#3", "#4"]
    assert [s.label() for s in view.timing_series.barSets()] == [
        "human",
        "likely scanner",
        "scanner",
        "unknown",
    ]
    assert view.timing_series.barSets()[2].sum() == 1  # the scanner's click, in its time band


def test_selecting_a_scanner_click_spells_out_its_reasons(qtbot, view: ClicksView) -> None:  # type: ignore[no-untyped-def]
    analyse(qtbot, view, CLICKS / "docs" / "mandrill_events.json")
    view.table.selectRow(0)
    click = view.proxy.index(0, 0).data(CLICK_ROLE)
    assert click.verdict is Verdict.SCANNER
    text = view.detail.text()
    assert "scanner-network" in text and "mail-security gateway" in text
    assert "barracuda-egd" in text


def test_verdict_filter_shows_only_that_verdict(qtbot, view: ClicksView) -> None:  # type: ignore[no-untyped-def]
    analyse(qtbot, view, CLICKS / "docs" / "sendgrid_events.json")
    assert view.proxy.rowCount() == 2
    view.verdict.setCurrentIndex(view.verdict.findData(Verdict.HUMAN.value))
    assert view.proxy.rowCount() == 1
    assert view.proxy.index(0, 2).data() == "human"


def test_an_unreadable_log_is_said_in_the_tab(qtbot, view: ClicksView, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.failed, timeout=30_000):
        view.analyse([str(tmp_path / "missing.json")])
    assert "could not be read" in view.summary.text()
    assert "missing.json" in view.summary.text()


def test_clicks_model_passes_the_model_tester(qtbot, qtmodeltester, view: ClicksView) -> None:  # type: ignore[no-untyped-def]
    analyse(qtbot, view, CLICKS / "docs" / "sendgrid_events.json")
    assert view.clicks_model.rowCount() > 0  # the tester walks real rows, not an empty model
    qtmodeltester.check(view.clicks_model)
    qtmodeltester.check(view.histogram_model)


def test_email_tab_has_a_clicks_tab(qtbot) -> None:  # type: ignore[no-untyped-def]
    from clickaudit.gui.email_tab import EmailTab

    tab = EmailTab(scan_path(str(CLICKS / "campaign.eml"))[0])
    qtbot.addWidget(tab)
    names = [tab.tabs.tabText(i) for i in range(tab.tabs.count())]
    assert "Clicks" in names
    assert tab.clicks.audit is tab.audit


def test_a_newer_audit_of_the_email_judges_the_loaded_log_again(qtbot, view: ClicksView) -> None:  # type: ignore[no-untyped-def]
    from clickaudit.model import evolve

    first = analyse(qtbot, view, CLICKS / "docs" / "sendgrid_events.json")
    assert first.summary.clicks == 2
    assert view.audit is not None
    audited = evolve(view.audit, started_at="2026-11-24T10:00:00Z")
    with qtbot.waitSignal(view.analysed, timeout=60_000) as blocker:
        view.set_audit(audited)
    assert blocker.args[0].summary.clicks == 2
    assert view.audit is audited


def test_a_stored_analysis_shows_its_rates_and_charts(qtbot, view: ClicksView) -> None:  # type: ignore[no-untyped-def]
    from clickaudit.clicks.report import report_from_head, report_head

    report = analyse(qtbot, view, CLICKS / "docs" / "ses_firehose.jsonl")
    stored = report_from_head(json.loads(json.dumps(report_head(report, {"path": "x"}))))
    view.show_report(stored)
    assert "50.0%" not in view.summary.text()  # one delivery, one scanner click: 100% → 0%
    assert "100.0%" in view.summary.text() and "0.0%" in view.summary.text()
    assert view.proxy.rowCount() == 0 and "stored analysis" in view.shown.text()
    assert view.links_model.labels == ["#3"]


def test_reopening_a_past_audit_shows_its_stored_click_analysis(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from clickaudit.clicks.analysis import analyse as judge
    from clickaudit.clicks.store import save_run
    from clickaudit.report.json_report import audit_to_dict
    from clickaudit.store import Store

    audit = scan_path(str(CLICKS / "campaign.eml"))[0]
    log = str(CLICKS / "docs" / "sendgrid_events.json")
    with Store.open(window.controller.db_path) as store:
        audit_id = store.save(audit)
        with judge(audit, [log]) as analysis:
            report = analysis.report([log])
            save_run(store.connection, report, audit_to_dict(audit)["source"], analysis.judged())
    window.open_stored(audit_id)
    qtbot.waitUntil(
        lambda: window.current_tab() is not None and window.current_tab().read_only, timeout=10_000
    )
    clicks = window.current_tab().clicks
    assert clicks.report is not None and clicks.report.summary.clicks == 2
    assert "stored analysis" in clicks.shown.text()
