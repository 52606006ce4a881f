"""The main window driven through a stub engine: what the user sees for each answer the engine
gives (audits, failures, progress), with no child process and no network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from clickaudit.errors import StoreError
from clickaudit.events import Progress
from clickaudit.gui.controller import AuditController
from clickaudit.gui.email_tab import EmailTab
from clickaudit.gui.window import DiffDialog, MainWindow, export_format
from clickaudit.history import History
from clickaudit.model import Outcome, evolve
from clickaudit.settings import AuditSettings
from tests.factories import sample_audit
from tests.gui.stub_engine import StubEngine


@pytest.fixture
def engine(tmp_path: Path) -> StubEngine:
    return StubEngine(tmp_path / "history.db")


@pytest.fixture
def stubbed(qtbot, engine: StubEngine, tmp_path: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    controller = AuditController(db_path=engine.db, engine=engine)
    main = MainWindow(
        controller=controller, settings_store=settings, settings_override=AuditSettings()
    )
    qtbot.addWidget(main)
    main.show()
    yield main
    main.controller.shutdown()


def open_stub(qtbot, window: MainWindow, engine: StubEngine) -> EmailTab:  # type: ignore[no-untyped-def]
    engine.scanned["/mail/sale.eml"] = [sample_audit()]
    with qtbot.waitSignal(window.controller.scan_finished):
        window.open_paths(["/mail/sale.eml"])
    tab = window.current_tab()
    assert tab is not None
    return tab


def test_an_opened_file_replaces_the_welcome_with_a_tab_per_email(  # type: ignore[no-untyped-def]
    qtbot, stubbed: MainWindow, engine: StubEngine
) -> None:
    engine.scanned["/mail/two.mbox"] = [sample_audit(), sample_audit()]
    with qtbot.waitSignal(stubbed.controller.scan_finished):
        stubbed.open_paths(["/mail/two.mbox"])
    assert stubbed.tabs.count() == 2
    assert stubbed.tabs.indexOf(stubbed.welcome) == -1
    assert "Opened /mail/two.mbox: 8 links" in stubbed.statusBar().currentMessage()
    assert stubbed._recent()[0] == "/mail/two.mbox"


def test_an_audit_updates_its_tab_and_the_status_bar_counts_its_findings(  # type: ignore[no-untyped-def]
    qtbot, stubbed: MainWindow, engine: StubEngine
) -> None:
    tab = open_stub(qtbot, stubbed, engine)
    audited = sample_audit()
    landed = evolve(audited.links[0], outcome=Outcome.OK, findings=())
    engine.audit_result = [evolve(audited, links=(landed, *audited.links[1:]))]
    with qtbot.waitSignal(stubbed.controller.saved):
        stubbed.audit_current()
    assert tab.model.link(0).outcome is Outcome.OK
    assert "Saved to history as audit 1" in stubbed.statusBar().currentMessage()
    assert stubbed.audit_action.isEnabled() and not stubbed.cancel_action.isEnabled()


def test_progress_names_the_stage_and_counts(  # type: ignore[no-untyped-def]
    qtbot, stubbed: MainWindow, engine: StubEngine
) -> None:
    open_stub(qtbot, stubbed, engine)
    engine.block_until_cancelled = True
    with qtbot.waitSignal(stubbed.controller.audit_progress):
        stubbed.audit_current()
    stubbed._on_progress(Progress("follow", 3, 10))
    assert stubbed.stage.text() == "Following links 3/10"
    assert stubbed.progress.value() == 3 and stubbed.progress.maximum() == 10
    assert stubbed.cancel_action.isEnabled() and not stubbed.audit_action.isEnabled()
    with qtbot.waitSignal(stubbed.controller.audit_cancelled):
        stubbed.cancel_action.trigger()
    assert "nothing was saved" in stubbed.statusBar().currentMessage()
    assert stubbed.progress.isHidden()


def test_a_failed_audit_is_shown_with_the_engines_message(  # type: ignore[no-untyped-def]
    qtbot, stubbed: MainWindow, engine: StubEngine
) -> None:
    open_stub(qtbot, stubbed, engine)
    engine.audit_result = StoreError("/tmp/h.db: the disk is full")
    with qtbot.waitSignal(stubbed.controller.audit_failed):
        stubbed.audit_current()
    assert stubbed.statusBar().currentMessage() == "The audit failed: /tmp/h.db: the disk is full"


def test_a_tab_being_audited_cannot_be_closed(  # type: ignore[no-untyped-def]
    qtbot, stubbed: MainWindow, engine: StubEngine
) -> None:
    tab = open_stub(qtbot, stubbed, engine)
    engine.block_until_cancelled = True
    with qtbot.waitSignal(stubbed.controller.audit_progress):
        stubbed.audit_current()
    stubbed.close_tab(stubbed.tabs.indexOf(tab))
    assert stubbed.tabs.indexOf(tab) >= 0
    with qtbot.waitSignal(stubbed.controller.audit_cancelled):
        stubbed.controller.cancel()
    stubbed.close_tab(stubbed.tabs.indexOf(tab))
    assert stubbed.tabs.indexOf(tab) == -1


def test_comparing_two_past_audits_opens_a_dialog_of_what_changed(  # type: ignore[no-untyped-def]
    qtbot, stubbed: MainWindow, engine: StubEngine
) -> None:
    before = sample_audit()
    fixed = evolve(before.links[0], outcome=Outcome.OK, findings=())
    History(engine.db).save([before, evolve(before, links=(fixed, *before.links[1:]))])
    with qtbot.waitSignal(stubbed.controller.comparison_loaded):
        stubbed.compare_stored(1, 2)
    [dialog] = stubbed.findChildren(DiffDialog)
    assert dialog.windowTitle() == "Audit 1 compared with audit 2"
    assert [m.rowCount() for m in dialog.models] == [4, 4]


def test_a_stored_audit_opens_read_only_and_cannot_be_audited(  # type: ignore[no-untyped-def]
    qtbot, stubbed: MainWindow, engine: StubEngine
) -> None:
    History(engine.db).save([sample_audit()])
    with qtbot.waitSignal(stubbed.controller.stored_audit_loaded):
        stubbed.open_stored(1)
    tab = stubbed.current_tab()
    assert tab is not None and tab.read_only
    assert not stubbed.audit_action.isEnabled() and stubbed.export_action.isEnabled()


def test_the_export_format_follows_the_extension_else_the_chosen_filter() -> None:
    assert export_format("/r/report.json") == "json"
    assert export_format("/r/links.csv") == "csv"
    assert export_format("/r/report", "JSON report (*.json)") == "json"
    assert export_format("/r/report.html", "") == "html"
    assert export_format("/r/report") == "html"
