"""The history panel: past audits and past click analyses from one search, opened, compared and
exported by id; and in the window, a click analysis the app makes is kept and listed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtTest import QTest

from clickaudit.gui.widgets.history import HistoryPanel
from clickaudit.history import AuditSummary, ClickRunSummary, HistoryListing, HistoryQuery
from tests.conftest import FIXTURES

CLICKS = FIXTURES / "clicks"


def summary(audit_id: int, subject: str = "Spring sale") -> AuditSummary:
    return AuditSummary(
        audit_id,
        f"2026-11-2{audit_id}T10:00:00",
        subject,
        "news@shop.example",
        "SendGrid",
        f"/mail/{audit_id}.eml",
        12,
        1,
        2,
        0,
        None,
    )


def run(run_id: int, audit_id: int | None) -> ClickRunSummary:
    return ClickRunSummary(
        run_id,
        "2026-11-25T11:00:00",
        audit_id,
        "a" * 64,
        "/mail/1.eml",
        "Spring sale",
        ("/logs/sendgrid.json",),
        ("sendgrid",),
        40,
        10,
        25,
        5,
        0,
        100,
        0.4,
        0.1,
    )


@pytest.fixture
def panel(qtbot) -> HistoryPanel:  # type: ignore[no-untyped-def]
    made = HistoryPanel()
    qtbot.addWidget(made)
    made.resize(900, 400)
    made.show()
    made.show_listing(
        HistoryListing(HistoryQuery(), [summary(3), summary(2), summary(1)], [run(7, 1)])
    )
    return made


def select(panel: HistoryPanel, *rows: int) -> None:
    selection = panel.table.selectionModel()
    for row in rows:
        selection.select(
            panel.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def double_click(qtbot, table, row: int) -> None:  # type: ignore[no-untyped-def]
    rect = table.visualRect(table.model().index(row, 1))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_listing_fills_both_tables_and_counts_the_click_analyses(panel: HistoryPanel) -> None:
    assert [panel.model.index(r, 0).data() for r in range(3)] == ["3", "2", "1"]
    assert panel.model.index(0, 1).data() == "2026-11-23 10:00:00"
    assert panel.runs_model.index(0, 6).data() == "40.0% → 10.0%"
    assert panel.tabs.tabText(1) == "Click analyses (1)"


def test_return_in_the_search_field_asks_for_those_words(qtbot, panel: HistoryPanel) -> None:  # type: ignore[no-untyped-def]
    panel.search.setText("spring sale")
    with qtbot.waitSignal(panel.search_requested) as blocker:
        QTest.keyClick(panel.search, Qt.Key.Key_Return)
    assert blocker.args == ["spring sale"]


def test_double_clicking_a_past_audit_opens_it(qtbot, panel: HistoryPanel) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(panel.open_requested) as blocker:
        double_click(qtbot, panel.table, 1)
    assert blocker.args == [2]


def test_compare_two_gives_the_older_first_whatever_the_selection_order(  # type: ignore[no-untyped-def]
    qtbot, panel: HistoryPanel
) -> None:
    select(panel, 0, 2)
    with qtbot.waitSignal(panel.compare_requested) as blocker:
        panel.compare_button.click()
    assert blocker.args == [1, 3]


def test_compare_needs_exactly_two_audits(qtbot, panel: HistoryPanel) -> None:  # type: ignore[no-untyped-def]
    select(panel, 0)
    with qtbot.assertNotEmitted(panel.compare_requested):
        panel.compare_button.click()


def test_export_asks_for_the_selected_audit(qtbot, panel: HistoryPanel) -> None:  # type: ignore[no-untyped-def]
    select(panel, 1)
    with qtbot.waitSignal(panel.export_requested) as blocker:
        panel.export_button.click()
    assert blocker.args == [2]


def test_on_the_click_analyses_tab_open_asks_for_the_run_and_compare_is_off(  # type: ignore[no-untyped-def]
    qtbot, panel: HistoryPanel
) -> None:
    panel.tabs.setCurrentIndex(1)
    assert not panel.compare_button.isEnabled() and not panel.export_button.isEnabled()
    panel.runs_table.selectRow(0)
    with qtbot.waitSignal(panel.open_click_run_requested) as blocker:
        panel.open_button.click()
    assert blocker.args == [7]
    with qtbot.waitSignal(panel.open_click_run_requested) as blocker:
        double_click(qtbot, panel.runs_table, 0)
    assert blocker.args == [7]


def test_a_click_analysis_made_in_the_app_is_kept_listed_and_reopened(  # type: ignore[no-untyped-def]
    qtbot, window, tmp_path: Path
) -> None:
    email = CLICKS / "campaign.eml"
    with qtbot.waitSignal(window.controller.scan_finished, timeout=20_000):
        window.open_paths([str(email)])
    tab = window.current_tab()
    with qtbot.waitSignal(tab.clicks.kept, timeout=60_000) as blocker:
        tab.clicks.analyse([str(CLICKS / "docs" / "sendgrid_events.json")])
    run_id = blocker.args[0]
    assert f"run {run_id}" in window.statusBar().currentMessage()
    # a newer audit of the email judges the logs again, shown but not kept a second time
    with qtbot.assertNotEmitted(tab.clicks.kept), qtbot.waitSignal(tab.clicks.analysed):
        tab.clicks.set_audit(tab.audit)
    assert len(window.controller.history.click_runs()) == 1
    with qtbot.waitSignal(window.controller.history_listed, timeout=10_000):
        window.toggle_history()
    assert window.history.runs_model.rowCount() == 1
    assert window.history.runs_model.record(0).id == run_id
    with qtbot.waitSignal(window.controller.click_run_loaded, timeout=10_000) as loaded:
        window.controller.load_click_run(run_id)
    # never audited: the email is scanned again from where it was, offline
    assert loaded.args[0].audit.email.source.path == str(email)
    reopened = window.current_tab()
    assert reopened is not tab and reopened.read_only
    assert reopened.tabs.currentWidget() is reopened.clicks
    assert reopened.clicks.report is not None and reopened.clicks.report.summary.clicks == 2


def test_a_click_analysis_whose_email_is_gone_says_so(  # type: ignore[no-untyped-def]
    qtbot, window, tmp_path: Path
) -> None:
    from clickaudit.clicks.session import analyse_email, save_analysis

    email = tmp_path / "sent.eml"
    email.write_bytes((CLICKS / "campaign.eml").read_bytes())
    db = str(window.controller.db_path)
    with analyse_email(str(email), [str(CLICKS / "docs" / "sendgrid_events.json")]) as session:
        run_id = save_analysis(session, db)
    email.unlink()
    with qtbot.waitSignal(window.controller.click_run_loaded, timeout=10_000) as loaded:
        window.controller.load_click_run(run_id)
    assert loaded.args[0].audit is None
    assert "is gone or changed" in window.statusBar().currentMessage()
