"""Render the main states of the desktop app offscreen to PNG files, to look at them.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUTPUT_FOLDER]

States: loaded (offline scan), audited, the chain timeline of a link that loses its UTMs, a
wrapped link, the findings view, domain panel, history, comparison.
Runs the built-in demo world (simulator and local DNS on 127.0.0.1): no network is used.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu --no-sandbox")

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QWidget

from clickaudit.demo import DemoWorld
from clickaudit.gui.app import application
from clickaudit.gui.window import DiffDialog, MainWindow


def wait(signal: object, timeout_ms: int = 60_000) -> list[object]:
    loop = QEventLoop()
    got: list[object] = []

    def done(*args: object) -> None:
        got.extend(args)
        loop.quit()

    signal.connect(done)  # type: ignore[attr-defined]
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(done)  # type: ignore[attr-defined]
    return got


def settle(ms: int = 1500) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shot(widget: QWidget, folder: Path, name: str) -> None:
    settle()
    path = folder / f"{name}.png"
    widget.grab().save(str(path))
    print(path)


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    app = application()
    with tempfile.TemporaryDirectory() as tmp, DemoWorld() as world:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings_store=settings, settings_override=world.settings)
        window.controller.db_path = str(Path(tmp) / "history.db")
        window.resize(1500, 900)
        window.show()
        assert world.files is not None
        window.open_paths([str(world.files.campaign)])
        wait(window.controller.scan_finished)
        shot(window, folder, "1-loaded")
        window.audit_current()
        wait(window.controller.audit_finished)
        wait(window.controller.saved, 10_000)
        shot(window, folder, "2-audited")
        tab = window.current_tab()
        assert tab is not None
        assert world.files.clicks is not None
        tab.tabs.setCurrentWidget(tab.clicks)
        tab.clicks.analyse([str(world.files.clicks)])  # the demo's synthetic click log
        wait(tab.clicks.analysed)
        shot(window, folder, "2b-clicks")
        tab.tabs.setCurrentIndex(1)
        lost = _link_with(tab, "utm-lost")
        tab.select_link(lost)
        shot(window, folder, "3-timeline-lost-utm")
        wrapped = next(link.id for link in tab.audit.links if link.wrappers)
        tab.select_link(wrapped)
        shot(window, folder, "3b-wrapped-link")
        tab.tabs.setCurrentIndex(0)
        tab.findings.tree.expandAll()
        tab.select_link(_link_with(tab, "redirect-loop"))
        shot(window, folder, "3c-findings")
        tab.findings.tree.collapseAll()
        tab.tabs.setCurrentIndex(2)
        shot(window, folder, "4-domains")
        window.audit_current()
        wait(window.controller.audit_finished)
        wait(window.controller.saved, 10_000)
        window.toggle_history()
        wait(window.controller.history_listed, 10_000)
        shot(window, folder, "5-history")
        window.history.tabs.setCurrentIndex(1)
        shot(window, folder, "5b-history-click-analyses")
        window.compare_stored(1, 2)
        wait(window.controller.comparison_loaded, 10_000)
        dialog = window.findChildren(DiffDialog)[-1]
        shot(dialog, folder, "6-compare")
        window.close()
    app.processEvents()
    return 0


def _link_with(tab, code: str) -> int:  # type: ignore[no-untyped-def]
    return next(link.id for link in tab.audit.links if any(f.code == code for f in link.findings))


if __name__ == "__main__":
    raise SystemExit(main())
