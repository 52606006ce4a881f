"""The desktop app's tests run offscreen; QtWebEngine needs its flags before QApplication exists."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault(
    "QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox --disable-background-networking"
)

import pytest
from PySide6.QtCore import QSettings, QThreadPool

from clickaudit.gui.app import prepare_environment

prepare_environment()


WORKERS_GRACE_MS = 3000
_pools_to_check: list[QThreadPool] = []


def check_pool_after_test(pool: QThreadPool) -> QThreadPool:
    """Have the dangling-worker check look at ``pool`` too (a controller made without a parent,
    which no window's children list)."""
    _pools_to_check.append(pool)
    return pool


@pytest.fixture(autouse=True)
def no_dangling_workers(qapp: object) -> Iterator[None]:
    """Every test here has the application (widgets, icons and models need it). A test fails if it leaves work running in Qt's global pool or any pool of a widget or
    controller it made: a worker that outlives its test reports to objects that are gone (or
    into the next test). Each pool gets a short grace to finish what it was finishing."""
    yield
    from PySide6.QtWidgets import QApplication

    pools = [QThreadPool.globalInstance(), *_pools_to_check]
    for widget in QApplication.topLevelWidgets():
        pools.extend(widget.findChildren(QThreadPool))
    _pools_to_check.clear()
    dangling = []
    for pool in pools:
        try:
            pool.waitForDone(WORKERS_GRACE_MS)
            active = pool.activeThreadCount()
        except RuntimeError:  # its C++ object is already gone, and its threads with it
            continue
        if active:
            owner = pool.parent()
            dangling.append(f"{type(owner).__name__ if owner else 'global'} pool: {active}")
    if dangling:
        pytest.fail("workers still running after the test: " + "; ".join(dangling))


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A main window with its own settings file and history database."""
    from clickaudit.gui.window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    main = MainWindow(settings_store=settings)
    main.controller.db_path = str(tmp_path / "history.db")
    qtbot.addWidget(main)
    main.show()
    yield main
    main.controller.shutdown()


@pytest.fixture(autouse=True, scope="session")
def delete_every_window_before_exit() -> Iterator[None]:
    """QtWebEngine crashes at interpreter exit if a page outlives its profile: delete every
    widget (and so every page) while the application still exists."""
    yield
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
