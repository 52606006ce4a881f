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
from PySide6.QtCore import QSettings

from clickaudit.gui.app import prepare_environment

prepare_environment()


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
