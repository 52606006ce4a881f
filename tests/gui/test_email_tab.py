"""One open email: the summary, the links table with its filters, choosing a link everywhere at
once, copying rows, and a new audit of the same email replacing only what it changed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtGui import QGuiApplication

from clickaudit.gui.email_tab import EmailTab
from clickaudit.model import Category, Outcome
from tests.factories import sample_audit


@pytest.fixture
def tab(qtbot) -> EmailTab:  # type: ignore[no-untyped-def]
    made = EmailTab(sample_audit())
    qtbot.addWidget(made)
    made.resize(1400, 800)
    return made


def test_the_summary_counts_links_by_kind_and_findings_by_severity(tab: EmailTab) -> None:
    text = tab.summary.toPlainText()
    assert "Spring sale" in text and "ESP: SendGrid" in text and "audit" in text
    assert "4 links (1 tracked, 1 wrapped, 1 direct, 1 untrackable)" in text
    assert "2 errors" in text


def test_an_email_from_the_history_is_marked_read_only_in_its_title_and_summary(  # type: ignore[no-untyped-def]
    qtbot,
) -> None:
    stored = EmailTab(sample_audit(), read_only=True)
    qtbot.addWidget(stored)
    assert stored.title == "🔒 Spring sale"
    assert "from history (read-only)" in stored.summary.toPlainText()


def test_a_long_subject_is_cut_in_the_tab_title(qtbot) -> None:  # type: ignore[no-untyped-def]
    audit = sample_audit()
    headers = replace(audit.email.headers, subject="A" * 60)
    tab = EmailTab(replace(audit, email=replace(audit.email, headers=headers)))
    qtbot.addWidget(tab)
    assert tab.title == "A" * 40 + "…"


def test_choosing_a_link_shows_it_in_the_inspector_and_says_so(qtbot, tab: EmailTab) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(tab.link_selected) as blocker:
        tab.select_link(2)
    assert blocker.args[0].id == 2
    assert tab.inspector.link is not None and tab.inspector.link.id == 2
    selected = tab.selected_link()
    assert selected is not None and selected.id == 2


def test_choosing_a_link_hidden_by_a_filter_clears_the_filters_to_show_it(tab: EmailTab) -> None:
    tab.category.setCurrentIndex(tab.category.findData(Category.DIRECT))
    tab.filter_text.setText("help")
    assert tab.proxy.rowCount() == 1
    tab.select_link(1)
    assert tab.filter_text.text() == "" and tab.category.currentIndex() == 0
    assert tab.proxy.rowCount() == 4
    selected = tab.selected_link()
    assert selected is not None and selected.id == 1


def test_the_severity_filter_keeps_only_links_with_errors(tab: EmailTab) -> None:
    tab.severity.setCurrentIndex(3)  # errors
    assert tab.proxy.rowCount() == 2


def test_copy_puts_the_selected_rows_on_the_clipboard_as_tab_separated_text(
    tab: EmailTab,
) -> None:
    tab.select_link(1)
    tab.copy_selection()
    header, row = QGuiApplication.clipboard().text().splitlines()
    assert header.split("\t")[:3] == ["#", "Text", "Status"]
    assert row.split("\t")[:2] == ["1", "Shop now"]


def test_a_new_audit_of_the_same_email_updates_the_links_and_keeps_the_message_views(
    tab: EmailTab,
) -> None:
    tab.raw_view.setPlainText("the source as the user scrolled it")
    audit = sample_audit()
    landed = replace(audit.links[0], outcome=Outcome.OK)
    tab.set_audit(replace(audit, links=(landed, *audit.links[1:])))
    assert tab.raw_view.toPlainText() == "the source as the user scrolled it"
    assert tab.model.link(0).outcome is Outcome.OK
    other = replace(audit.email, source=replace(audit.email.source, sha256="b" * 64))
    tab.set_audit(replace(audit, email=other))
    assert tab.raw_view.toPlainText() != "the source as the user scrolled it"
