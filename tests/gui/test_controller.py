"""The controller against a stub engine: what the window is told for each operation, with no
child process, no network and no sleep (the stub blocks on events the test controls)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clickaudit.errors import ClickauditError, InputError, StoreError
from clickaudit.events import Progress
from clickaudit.gui.controller import AuditController, Comparison
from clickaudit.gui.engine import Engine
from clickaudit.gui.workers import Failure
from clickaudit.history import History, HistoryListing, HistoryQuery, StoredAudit
from clickaudit.settings import AuditSettings
from tests.factories import sample_audit
from tests.gui.conftest import check_pool_after_test
from tests.gui.stub_engine import StubEngine


@pytest.fixture
def engine(tmp_path: Path) -> StubEngine:
    return StubEngine(tmp_path / "history.db")


@pytest.fixture
def controller(engine: StubEngine) -> Iterator[AuditController]:
    typed: Engine = engine  # the stub satisfies the protocol (checked by mypy here)
    made = AuditController(db_path=engine.db, engine=typed)
    check_pool_after_test(made.pool)
    check_pool_after_test(made.store_pool)
    yield made
    made.shutdown()


def audit_with(controller: AuditController, *, save: bool = True) -> bool:
    return controller.audit([sample_audit().email], AuditSettings(), save=save)


def test_a_scan_hands_the_window_the_path_and_the_engines_audits(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    audits = [sample_audit(), sample_audit()]
    engine.scanned["/mail/a.eml"] = audits
    with qtbot.waitSignal(controller.scan_finished) as blocker:
        controller.scan("/mail/a.eml")
    assert blocker.args == ["/mail/a.eml", audits]


def test_a_failed_scan_gives_the_receiver_the_exception_and_names_the_file_once(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    engine.scanned["/mail/b.eml"] = InputError("/mail/b.eml", "is a PNG image, not an email")
    with qtbot.waitSignal(controller.scan_failed) as blocker:
        controller.scan("/mail/b.eml")
    path, failure = blocker.args
    assert path == "/mail/b.eml" and isinstance(failure, Failure)
    assert failure.message == "is a PNG image, not an email"
    assert isinstance(failure.error, ClickauditError)
    assert isinstance(failure.error.__cause__, InputError)


def test_an_error_about_another_file_keeps_that_files_name(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    engine.scanned["/mail/c.mbox"] = InputError("/mail/c.mbox#3", "is truncated")
    with qtbot.waitSignal(controller.scan_failed) as blocker:
        controller.scan("/mail/c.mbox")
    assert blocker.args[1].message == "/mail/c.mbox#3: is truncated"


def test_a_bug_in_a_scan_reaches_the_receiver_as_itself_and_is_called_unexpected(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    bug = ZeroDivisionError("division by zero")
    engine.scanned["/mail/d.eml"] = bug
    with qtbot.waitSignal(controller.scan_failed) as blocker:
        controller.scan("/mail/d.eml")
    failure = blocker.args[1]
    assert failure.error is bug
    assert failure.message == "Unexpected error: ZeroDivisionError: division by zero"


def test_a_failed_audit_gives_the_receiver_the_exception_and_frees_the_controller(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    error = StoreError("/tmp/h.db: the disk is full")
    engine.audit_result = error
    with qtbot.waitSignal(controller.audit_failed) as blocker:
        assert audit_with(controller)
    assert blocker.args[0].error is error and str(blocker.args[0]) == str(error)
    assert not controller.busy


def test_audit_progress_is_throttled_but_the_last_event_always_arrives(  # type: ignore[no-untyped-def]
    qtbot, engine: StubEngine
) -> None:
    controller = AuditController(db_path=engine.db, engine=engine, progress_interval=3600.0)
    check_pool_after_test(controller.pool)
    engine.progress_events = 1000
    received: list[Progress] = []
    controller.audit_progress.connect(received.append)
    with qtbot.waitSignal(controller.audit_finished):
        audit_with(controller, save=False)
    assert [event.done for event in received] == [1, 1000]  # the first, then nothing but the last
    assert (received[-1].done, received[-1].total) == (1000, 1000)
    controller.shutdown()


def test_cancel_ends_a_running_audit_as_cancelled_and_saves_nothing(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    engine.block_until_cancelled = True
    with qtbot.waitSignal(controller.audit_progress):
        assert audit_with(controller)
    assert controller.busy
    with qtbot.waitSignal(controller.audit_cancelled):
        controller.cancel()
    assert not controller.busy
    controller.shutdown()
    assert History(engine.db).audits() == []


def test_a_second_audit_is_refused_while_one_runs(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    engine.block_until_cancelled = True
    with qtbot.waitSignal(controller.audit_progress):
        assert audit_with(controller)
    assert not audit_with(controller)
    with qtbot.waitSignal(controller.audit_cancelled):
        controller.cancel()


def test_an_audit_is_saved_to_the_history_after_it_is_shown(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    order: list[str] = []
    controller.audit_finished.connect(lambda _: order.append("shown"))
    controller.saved.connect(lambda _: order.append("saved"))
    with qtbot.waitSignal(controller.saved) as blocker:
        audit_with(controller)
    assert order == ["shown", "saved"]
    [row] = History(engine.db).audits()
    assert blocker.args == [[row.id]]


def test_an_audit_asked_not_to_be_saved_is_not(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    with qtbot.waitSignal(controller.audit_finished):
        audit_with(controller, save=False)
    assert controller.shutdown()
    assert History(engine.db).audits() == []


def test_shutdown_writes_an_audit_not_yet_saved_before_returning(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    with qtbot.waitSignal(controller.audit_finished):
        audit_with(controller)
    assert controller.shutdown()  # well before the delayed save would have run
    assert len(History(engine.db).audits()) == 1


def test_shutdown_cancels_a_running_audit_and_waits_for_its_thread(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    engine.block_until_cancelled = True
    with qtbot.waitSignal(controller.audit_progress):
        audit_with(controller)
    assert controller.shutdown(timeout_ms=5000)
    assert controller.pool.activeThreadCount() == 0


def test_the_history_listing_has_the_audits_and_the_query_it_answers(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    History(engine.db).save([sample_audit(), sample_audit()])
    query = HistoryQuery(esp="SendGrid", limit=1)
    with qtbot.waitSignal(controller.history_listed) as blocker:
        controller.list_history(query)
    listing = blocker.args[0]
    assert isinstance(listing, HistoryListing) and listing.query == query
    assert [row.id for row in listing.audits] == [2] and listing.click_runs == []


def test_a_past_audit_and_a_comparison_come_back_typed(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    History(engine.db).save([sample_audit(), sample_audit()])
    with qtbot.waitSignal(controller.stored_audit_loaded) as blocker:
        controller.load_stored_audit(1)
    stored = blocker.args[0]
    assert isinstance(stored, StoredAudit) and stored.id == 1 and stored.clicks is None
    with qtbot.waitSignal(controller.comparison_loaded) as blocker:
        controller.compare_stored(1, 2)
    comparison = blocker.args[0]
    assert isinstance(comparison, Comparison)
    assert (comparison.older_id, comparison.newer_id) == (1, 2)
    assert comparison.older.email.source.sha256 == comparison.newer.email.source.sha256


def test_a_missing_past_audit_is_a_history_failure_carrying_the_store_error(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine
) -> None:
    History(engine.db).save([sample_audit()])
    with qtbot.waitSignal(controller.history_failed) as blocker:
        controller.load_stored_audit(42)
    failure = blocker.args[0]
    assert isinstance(failure.error, StoreError) and "there is no audit 42" in failure.message


def test_export_writes_the_engines_report_and_says_where(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine, tmp_path: Path
) -> None:
    target = tmp_path / "report.csv"
    with qtbot.waitSignal(controller.exported) as blocker:
        controller.export(sample_audit(), str(target), "csv")
    assert blocker.args == [str(target)]
    assert target.read_text("utf-8") == "csv report of 1 audit(s)"


def test_export_of_a_past_audit_reads_it_from_the_history(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, engine: StubEngine, tmp_path: Path
) -> None:
    History(engine.db).save([sample_audit()])
    target = tmp_path / "old.json"
    with qtbot.waitSignal(controller.exported):
        controller.export_stored(1, str(target), "json")
    assert target.read_text("utf-8") == "json report of 1 audit(s)"


def test_an_export_that_cannot_be_written_is_a_failure_and_leaves_no_file(  # type: ignore[no-untyped-def]
    qtbot, controller: AuditController, tmp_path: Path
) -> None:
    target = tmp_path / "no such folder" / "report.html"
    with qtbot.waitSignal(controller.export_failed) as blocker:
        controller.export(sample_audit(), str(target), "html")
    assert isinstance(blocker.args[0].error, OSError)
    assert not target.parent.exists()
