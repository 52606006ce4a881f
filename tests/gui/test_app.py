"""The desktop app driven as a user would: open, audit against the simulator, inspect, filter,
cancel, reopen from history, export; models pass Qt's model tester; the preview fetches nothing."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWebEngineCore import QWebEnginePage

from clickaudit.demo import DemoWorld
from clickaudit.errors import ClickauditError
from clickaudit.gui.email_tab import EmailTab
from clickaudit.gui.models.links_filter import LinksFilter
from clickaudit.gui.models.links_model import LinksModel
from clickaudit.gui.models.records import Column, RecordsModel
from clickaudit.gui.preview_html import LINK_PREFIX
from clickaudit.gui.widgets.preview import EmailPreview
from clickaudit.load import load_bytes
from clickaudit.model import Category
from clickaudit.pipeline import scan_path
from clickaudit.sim import Route, SimServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "emails"


@pytest.fixture(scope="module")
def demo() -> object:
    with DemoWorld() as world:
        yield world


def open_file(qtbot, window, path: Path) -> EmailTab:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.controller.scan_finished, timeout=20_000):
        window.open_paths([str(path)])
    tab = window.current_tab()
    assert isinstance(tab, EmailTab)
    return tab


def test_the_models_pass_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    [audit] = scan_path(FIXTURES / "qp_soft_breaks.eml")
    model = LinksModel()
    model.set_links(audit.links)
    qtmodeltester.check(model)
    proxy = LinksFilter()
    proxy.setSourceModel(model)
    proxy.set_text("shop")
    qtmodeltester.check(proxy)
    records = RecordsModel([Column("A", str)], [1, 2, 3])
    qtmodeltester.check(records)


def test_opening_a_file_shows_its_links_and_filters_them(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    tab = open_file(qtbot, window, FIXTURES / "vml_button.html")
    assert tab.model.rowCount() == 3
    tab.filter_text.setText("outlook")
    assert tab.proxy.rowCount() == 1
    tab.filter_text.clear()
    tab.category.setCurrentIndex(tab.category.findData(Category.UNTRACKABLE))
    assert tab.proxy.rowCount() == 0
    assert window.tabs.tabText(window.tabs.currentIndex()) == "VML button"


def test_a_bad_file_is_a_message_not_a_crash(qtbot, window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.eml"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    with qtbot.waitSignal(window.controller.scan_failed, timeout=10_000) as blocker:
        window.open_paths([str(bad)])
    failure = blocker.args[1]
    assert isinstance(failure.error, ClickauditError) and "PNG image" in failure.message
    assert "PNG image" in window.statusBar().currentMessage()


def test_auditing_the_demo_shows_chains_and_domains(qtbot, window, demo) -> None:  # type: ignore[no-untyped-def]
    window.settings_override = demo.settings
    tab = open_file(qtbot, window, demo.files.campaign)
    with qtbot.waitSignals(
        [window.controller.audit_finished, window.controller.saved], timeout=60_000
    ):
        window.audit_current()
    loop = next(link for link in tab.audit.links if link.outcome == "loop")
    tab.select_link(loop.id)
    assert tab.inspector.link is not None and tab.inspector.link.id == loop.id
    assert tab.inspector.hops.rowCount() == len(loop.chain) >= 3
    assert "redirect-loop" in tab.inspector.findings.toPlainText()
    names = [
        item.text(0)
        for i in range(tab.domains.tree.topLevelItemCount())
        if (item := tab.domains.tree.topLevelItem(i)) is not None
    ]
    assert "click.northwind.example" in names and "deals.partner-outlet.example" in names
    assert not window.cancel_action.isEnabled() and window.audit_action.isEnabled()


def test_cancel_stops_an_audit_within_a_second(qtbot, window, demo) -> None:  # type: ignore[no-untyped-def]
    window.settings_override = replace(
        demo.settings, timeout=30.0, chain_timeout=60.0, check_domains=False
    )
    open_file(qtbot, window, demo.files.campaign)
    with qtbot.waitSignal(
        window.controller.audit_progress,
        check_params_cb=lambda event: event.stage == "follow",
        timeout=30_000,
    ):
        window.audit_current()  # cancelled while it follows links, not before it starts
    assert window.cancel_action.isEnabled()
    started = time.monotonic()
    with qtbot.waitSignal(window.controller.audit_cancelled, timeout=5_000):
        window.cancel_action.trigger()
    assert time.monotonic() - started < 1.0
    assert "cancelled" in window.statusBar().currentMessage()


def test_history_reopens_a_past_audit_read_only_and_exports_it(  # type: ignore[no-untyped-def]
    qtbot, window, demo, tmp_path: Path
) -> None:
    window.settings_override = replace(demo.settings, check_domains=False)
    open_file(qtbot, window, demo.files.campaign)
    with qtbot.waitSignal(window.controller.saved, timeout=60_000):
        window.audit_current()
    window.toggle_history()
    qtbot.waitUntil(lambda: window.history.model.rowCount() == 1, timeout=10_000)
    window.open_stored(window.history.model.record(0).id)
    qtbot.waitUntil(
        lambda: window.current_tab() is not None and window.current_tab().read_only, timeout=10_000
    )
    assert not window.audit_action.isEnabled()
    target = tmp_path / "report.html"
    window.export_audit(window.current_tab().audit, str(target))
    # the window says where it wrote, once the file is complete
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == f"Exported {target}", timeout=10_000
    )
    assert "<!DOCTYPE html>" in target.read_text("utf-8")


def test_clicking_a_link_in_the_preview_selects_it_in_the_table(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    tab = open_file(qtbot, window, FIXTURES / "vml_button.html")
    area = next(link for link in tab.audit.links if link.text == "Area link")
    accepted = tab.preview.page().acceptNavigationRequest(
        QUrl(f"{LINK_PREFIX}{area.id}"),
        QWebEnginePage.NavigationType.NavigationTypeLinkClicked,
        True,
    )
    assert accepted is False
    assert (selected := tab.selected_link()) is not None and selected.id == area.id


PAGE = """<html><head><link rel="stylesheet" href="http://tracker.example:{port}/style.css"></head>
<body><img src="http://tracker.example:{port}/open.gif" width="1" height="1">
<a href="http://tracker.example:{port}/click">click</a></body></html>"""


def test_the_preview_fetches_nothing_until_images_are_loaded_on_purpose(qtbot) -> None:  # type: ignore[no-untyped-def]
    with SimServer([Route(path="*", body="x")], tls=False) as sim:
        html = PAGE.replace("tracker.example", "127.0.0.1").format(port=sim.http_port)
        [email] = load_bytes(html.encode(), "pixel.html", kind="html")
        preview = EmailPreview()
        qtbot.addWidget(preview)
        with qtbot.waitSignal(preview.loadFinished, timeout=20_000):
            preview.show_email(email, ())
        # the blocker refuses each remote URL before any request is made: once both are
        # refused, the page has asked for all it will ask for
        qtbot.waitUntil(
            lambda: (
                {"open.gif", "style.css"}
                <= {url.rsplit("/", 1)[-1] for url in preview.blocker.blocked}
            ),
            timeout=10_000,
        )
        assert sim.request_log == []
        with qtbot.waitSignal(preview.loadFinished, timeout=20_000):
            preview.set_load_images(True)
        qtbot.waitUntil(lambda: any(r.path == "/open.gif" for r in sim.request_log), timeout=10_000)
        assert not any(r.path == "/style.css" for r in sim.request_log)
        preview.close()


def test_clicking_a_column_header_sorts_and_number_order_comes_back(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    tab = open_file(qtbot, window, FIXTURES / "vml_button.html")
    header = tab.table.horizontalHeader()
    header.setSortIndicator(1, Qt.SortOrder.AscendingOrder)  # by anchor text
    texts = [tab.proxy.index(row, 1).data() for row in range(tab.proxy.rowCount())]
    assert texts == sorted(texts, key=str.lower)
    header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    assert [tab.proxy.index(row, 0).data() for row in range(tab.proxy.rowCount())] == [
        "3",
        "2",
        "1",
    ]
    header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    assert [tab.proxy.index(row, 0).data() for row in range(tab.proxy.rowCount())] == [
        "1",
        "2",
        "3",
    ]
