"""Start the desktop app: ``clickaudit [FILE…]``, ``clickaudit-gui`` or ``clickaudit demo``.

Everything that can go wrong after start-up is shown in the window: an exception that escapes a
slot becomes a message box (and a line on stderr), never a dead window.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from clickaudit.gui.none_refs import keep_none_alive

if TYPE_CHECKING:
    from clickaudit.demo import DemoWorld
    from clickaudit.gui.window import MainWindow

APP_ID = "io.github.clickaudit.ClickAudit"


def prepare_environment() -> None:
    """What QtWebEngine needs before the application object exists, and None kept alive where
    the Qt bindings lose references to it (:mod:`clickaudit.gui.none_refs`)."""
    keep_none_alive()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    QCoreApplication.setOrganizationName("clickaudit")
    QCoreApplication.setOrganizationDomain("clickaudit.github.io")
    QCoreApplication.setApplicationName("clickaudit")


def application(argv: Sequence[str] = ()) -> QApplication:
    prepare_environment()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(["clickaudit", *argv])
    app.setDesktopFileName(APP_ID)
    from clickaudit.gui.icons import app_icon

    app.setWindowIcon(app_icon())
    return app


def _install_excepthook() -> None:
    def show(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        traceback.print_exception(kind, error, tb, file=sys.stderr)
        if QApplication.instance() is not None:
            box = QMessageBox(
                QMessageBox.Icon.Critical, "clickaudit", f"Something went wrong: {error}"
            )
            box.setDetailedText("".join(traceback.format_exception(kind, error, tb)))
            box.exec()

    sys.excepthook = show


def _quit_on_termination(app: QApplication) -> None:
    """SIGTERM and Ctrl+C close the app the normal way, so the demo's temporary folder is
    removed and unsaved audits are written. Python runs signal handlers only when it has the
    interpreter, so a timer hands it control a few times a second while Qt waits for events.
    (A SIGKILL cannot be caught: the next demo removes the folder it left.)"""
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: app.quit())
    ticker = QTimer(app)
    ticker.timeout.connect(lambda: None)
    ticker.start(250)


def demo_window(world: DemoWorld) -> MainWindow:
    """The main window for the demo, kept out of the user's history and recent files: its
    audits and settings live in the demo's temporary folder and go with it."""
    from clickaudit.gui.window import MainWindow

    store = QSettings(str(world.folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings_store=store, settings_override=world.settings)
    window.controller.db_path = str(world.folder / "history.db")
    window.setWindowTitle(
        "clickaudit — demo (simulated network on 127.0.0.1; history kept only for this demo)"
    )
    return window


def main(argv: Sequence[str] | None = None, *, demo: bool = False) -> int:
    files = list(sys.argv[1:] if argv is None else argv)
    from clickaudit.desktop import no_display

    if no_display() and QApplication.instance() is None:
        print(
            "clickaudit: there is no display to open the desktop app on (neither DISPLAY nor "
            "WAYLAND_DISPLAY is set); in a terminal use 'clickaudit scan FILE…' or "
            "'clickaudit audit FILE'.",
            file=sys.stderr,
        )
        return 2
    app = application()
    _install_excepthook()
    from clickaudit.gui.window import MainWindow

    world = None
    settings_override = None
    if demo:
        from clickaudit.demo import DemoWorld

        world = DemoWorld().start()
        settings_override = world.settings
        assert world.files is not None
        files = [str(world.files.campaign)]
    if world is not None:
        window = demo_window(world)
    else:
        window = MainWindow(settings_store=QSettings(), settings_override=settings_override)
    app.aboutToQuit.connect(window.controller.shutdown)  # unsaved audits are written first
    window.show()
    if os.environ.get("CLICKAUDIT_SMOKE_TEST"):
        # CI starts the real app on the demo and expects it to audit and quit by itself.
        window.controller.audit_finished.connect(lambda *_: window.close())
        window.controller.audit_failed.connect(lambda *_: app.exit(1))
    if world is not None and world.files is not None and world.files.clicks is not None:
        window.click_logs[files[0]] = [str(world.files.clicks)]  # the demo's Clicks tab
    window.open_paths(files, audit=demo)
    _quit_on_termination(app)
    try:
        return app.exec()
    finally:
        # Pages must go before QtWebEngine's profile does, or it crashes at interpreter exit.
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if world is not None:
            world.stop()
