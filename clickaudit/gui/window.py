"""The main window: open emails as tabs, audit them, watch progress, export, browse history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from clickaudit.events import Progress
from clickaudit.gui.controller import AuditController, Comparison
from clickaudit.gui.email_tab import COLUMN_WIDTHS, EmailTab
from clickaudit.gui.icons import app_icon
from clickaudit.gui.models.links_filter import LinksFilter
from clickaudit.gui.models.links_model import LinksModel
from clickaudit.gui.widgets.bad_files import BadFilesDialog
from clickaudit.gui.widgets.history import HistoryPanel
from clickaudit.gui.widgets.settings_dialog import SettingsDialog, load_settings
from clickaudit.gui.widgets.tables import row_table
from clickaudit.gui.workers import Failure
from clickaudit.model import Audit
from clickaudit.settings import AuditSettings

if TYPE_CHECKING:
    from clickaudit.history import StoredAudit, StoredClickRun

OPEN_FILTER = "Emails (*.eml *.mbox *.html *.htm *.txt);;All files (*)"
EXPORT_FILTER = "HTML report (*.html);;JSON report (*.json);;CSV, one row per link (*.csv)"
MAX_RECENT = 10
STAGES = {
    "classify": "Reading",
    "pair": "Pairing with the template",
    "follow": "Following links",
    "domains": "Checking domains",
    "judge": "Judging",
}


class MainWindow(QMainWindow):
    def __init__(
        self,
        *,
        controller: AuditController | None = None,
        settings_store: QSettings | None = None,
        settings_override: AuditSettings | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("clickaudit")
        self.setWindowIcon(app_icon())
        self.resize(1440, 880)
        self.setAcceptDrops(True)
        self.bad_files = BadFilesDialog(self)
        self.controller = controller or AuditController(self)
        self.controller.setParent(self)
        self.qsettings = settings_store or QSettings()
        self.settings_override = settings_override
        self.audit_when_loaded: set[str] = set()
        # click logs to judge in a file's Clicks tab as soon as it opens (the demo's)
        self.click_logs: dict[str, list[str]] = {}
        self._auditing_tab: EmailTab | None = None

        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.welcome = QLabel(
            "<h2>clickaudit</h2><p>Open an email (Ctrl+O) or drop .eml, .mbox or .html files here."
            "</p><p>Nothing is fetched until you press <b>Audit</b> (Ctrl+R).</p>"
        )
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tabs.addTab(self.welcome, "Welcome")
        self.setCentralWidget(self.tabs)

        self.history = HistoryPanel()
        self.history.search_requested.connect(self.refresh_history)
        self.history.open_requested.connect(self.open_stored)
        self.history.compare_requested.connect(self.compare_stored)
        self.history.export_requested.connect(self.export_stored)
        self.history.open_click_run_requested.connect(self.controller.load_click_run)
        self.history_dock = QDockWidget("History", self)
        self.history_dock.setObjectName("history")
        self.history_dock.setWidget(self.history)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.history_dock)
        self.history_dock.hide()

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        self.stage = QLabel()
        self.statusBar().addPermanentWidget(self.stage)
        self.statusBar().addPermanentWidget(self.progress)
        self._build_actions()
        self._connect_controller()
        self.tabs.currentChanged.connect(lambda _: self._update_actions())
        self._update_actions()

    # --- actions ----------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: Callable[[], object],
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        action.setStatusTip(tip or text)
        action.setToolTip(
            f"{tip or text} ({action.shortcut().toString()})" if shortcut else tip or text
        )
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action(
            "Open…", QKeySequence.StandardKey.Open, self.open_dialog, "Open emails"
        )
        self.audit_action = self._action(
            "Audit", "Ctrl+R", self.audit_current, "Follow every link and check domains"
        )
        self.cancel_action = self._action(
            "Cancel", "Esc", self.controller.cancel, "Stop the running audit"
        )
        self.export_action = self._action("Export…", "Ctrl+E", self.export_current, "Save a report")
        self.history_action = self._action("History", "Ctrl+H", self.toggle_history, "Past audits")
        self.settings_action = self._action(
            "Settings…", "Ctrl+,", self.open_settings, "Audit settings"
        )
        self.close_action = self._action(
            "Close tab",
            QKeySequence.StandardKey.Close,
            lambda: self.close_tab(self.tabs.currentIndex()),
        )
        self.find_action = self._action(
            "Filter links", QKeySequence.StandardKey.Find, self.focus_filter
        )
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.open_action, self.audit_action, self.cancel_action, self.export_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.history_action)
        toolbar.addAction(self.settings_action)
        menu = self.menuBar().addMenu("&File")
        menu.addAction(self.open_action)
        self.recent_menu = menu.addMenu("Open recent")
        self._refresh_recent()
        menu.addAction(self.export_action)
        menu.addAction(self.close_action)
        menu.addSeparator()
        menu.addAction(self._action("Quit", QKeySequence.StandardKey.Quit, self.close))
        audit_menu = self.menuBar().addMenu("&Audit")
        for action in (
            self.audit_action,
            self.cancel_action,
            self.find_action,
            self.settings_action,
        ):
            audit_menu.addAction(action)
        self.menuBar().addMenu("&View").addAction(self.history_action)

    def _connect_controller(self) -> None:
        c = self.controller
        c.scan_finished.connect(self._on_scanned)
        c.scan_failed.connect(self._on_scan_failed)
        c.audit_started.connect(self._on_audit_started)
        c.audit_progress.connect(self._on_progress)
        c.audit_finished.connect(self._on_audited)
        c.audit_failed.connect(self._on_audit_failed)
        c.audit_cancelled.connect(self._on_cancelled)
        c.saved.connect(
            lambda ids: self.statusBar().showMessage(
                f"Saved to history as audit {', '.join(map(str, ids))}", 8000
            )
        )
        c.save_failed.connect(lambda failure: self.show_error(f"Not saved to history: {failure}"))
        c.history_listed.connect(self.history.show_listing)
        c.stored_audit_loaded.connect(self._show_stored)
        c.click_run_loaded.connect(self._show_click_run)
        c.comparison_loaded.connect(self.show_diff)
        c.history_failed.connect(lambda failure: self.show_error(f"History: {failure}"))
        c.exported.connect(lambda path: self.statusBar().showMessage(f"Exported {path}", 8000))
        c.export_failed.connect(lambda failure: self.show_error(f"Export failed: {failure}"))

    def _update_actions(self) -> None:
        tab = self.current_tab()
        busy = self.controller.busy
        self.audit_action.setEnabled(tab is not None and not busy and not tab.read_only)
        self.cancel_action.setEnabled(busy)
        self.export_action.setEnabled(tab is not None)

    # --- files ------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open emails", str(Path.home()), OPEN_FILTER)
        self.open_paths(paths)

    def open_paths(self, paths: Sequence[str], *, audit: bool = False) -> None:
        for path in paths:
            if audit:
                self.audit_when_loaded.add(path)
            self.statusBar().showMessage(f"Reading {path}…")
            self.controller.scan(path)
            self._remember(path)

    def _remember(self, path: str) -> None:
        recent = [p for p in self._recent() if p != path]
        recent.insert(0, path)
        self.qsettings.setValue("recent", recent[:MAX_RECENT])
        self._refresh_recent()

    def _recent(self) -> list[str]:
        value = self.qsettings.value("recent", [])
        return [str(v) for v in (value if isinstance(value, list) else [value] if value else [])]

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        for path in self._recent():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(partial(self.open_paths, [path]))
        self.recent_menu.setEnabled(bool(self._recent()))

    def _on_scanned(self, path: str, audits: list[Audit]) -> None:
        self.statusBar().showMessage(
            f"Opened {path}: {sum(len(a.links) for a in audits)} links", 5000
        )
        if self.tabs.indexOf(self.welcome) >= 0:
            self.tabs.removeTab(self.tabs.indexOf(self.welcome))
        first = None
        for audit in audits:
            tab = self.add_tab(audit)
            first = first or tab
        if first is not None:
            self.tabs.setCurrentWidget(first)
        if path in self.audit_when_loaded and first is not None:
            self.audit_when_loaded.discard(path)
            self.audit_current()

    def add_tab(self, audit: Audit, *, read_only: bool = False) -> EmailTab:
        tab = EmailTab(audit, read_only=read_only)
        # runs in the Clicks tab's thread: the history code loads there, not on the GUI thread
        controller = self.controller
        tab.clicks.analyser = lambda audit, logs, keep: controller.engine.analyse_clicks(
            audit, logs, controller.history if keep else None
        )
        tab.clicks.kept.connect(self._on_clicks_kept)
        tab.clicks.not_kept.connect(
            lambda why: self.statusBar().showMessage(f"Click analysis not saved: {why}", 15000)
        )
        index = self.tabs.addTab(tab, tab.title)
        self.tabs.setTabToolTip(index, audit.email.source.label)
        logs = self.click_logs.get(audit.email.source.path)
        if logs:
            tab.clicks.analyse(logs)
        return tab

    def current_tab(self) -> EmailTab | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, EmailTab) else None

    def close_tab(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is None or widget is self._auditing_tab:
            return
        self.tabs.removeTab(index)
        if widget is not self.welcome:
            widget.deleteLater()

    def focus_filter(self) -> None:
        tab = self.current_tab()
        if tab:
            tab.filter_text.setFocus()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        self.open_paths(paths)

    # --- auditing ---------------------------------------------------------------------------
    def audit_settings(self, tab: EmailTab) -> AuditSettings:
        if self.settings_override is not None:
            return self.settings_override
        # The engine audits an attached (forwarded) email in safe mode (pipeline.settings_for)
        return load_settings(self.qsettings)

    def audit_current(self) -> None:
        tab = self.current_tab()
        if tab is None or tab.read_only:
            return
        if self.controller.audit([tab.audit.email], self.audit_settings(tab)):
            self._auditing_tab = tab

    def _on_audit_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.show()
        self.stage.setText("Starting…")
        self._update_actions()

    def _on_progress(self, event: Progress) -> None:
        label = STAGES.get(event.stage, event.stage.capitalize())
        self.stage.setText(f"{label} {event.done}/{event.total}" if event.total else label)
        if event.total:
            self.progress.setRange(0, event.total)
            self.progress.setValue(event.done)

    def _finish(self) -> None:
        self.progress.hide()
        self.stage.clear()
        self._auditing_tab = None
        self._update_actions()

    def _on_audited(self, audits: list[Audit]) -> None:
        tab = self._auditing_tab
        self._finish()
        if tab is not None and audits and self.tabs.indexOf(tab) >= 0:
            tab.set_audit(audits[0])
            self.tabs.setTabText(self.tabs.indexOf(tab), tab.title)
            counts = [f.severity.value for f in audits[0].all_findings()]
            self.statusBar().showMessage(
                f"Audit done: {counts.count('error')} errors, {counts.count('warning')} warnings",
                10000,
            )
        if self.history_dock.isVisible():
            QTimer.singleShot(200, lambda: self.refresh_history(self.history.search.text()))

    def _on_audit_failed(self, failure: Failure) -> None:
        self._finish()
        self.show_error(f"The audit failed: {failure}")

    def _on_cancelled(self) -> None:
        self._finish()
        self.statusBar().showMessage("Audit cancelled: nothing was saved.", 8000)

    def _on_scan_failed(self, path: str, failure: Failure) -> None:
        self.statusBar().showMessage(f"{path}: {failure}", 15000)
        self.bad_files.add(path, failure.message)

    def _on_clicks_kept(self, run_id: int) -> None:
        self.statusBar().showMessage(f"Click analysis saved to history as run {run_id}", 8000)
        if self.history_dock.isVisible():
            self.refresh_history(self.history.search.text())

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 15000)
        box = QMessageBox(
            QMessageBox.Icon.Warning, "clickaudit", message, QMessageBox.StandardButton.Ok, self
        )
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()

    # --- export, history, settings ------------------------------------------------------------
    def export_current(self) -> None:
        tab = self.current_tab()
        if tab is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export report", str(Path.home() / "clickaudit-report.html"), EXPORT_FILTER
        )
        if path:
            self.export_audit(tab.audit, path, chosen)

    def export_audit(self, audit: Audit, path: str, chosen: str = "") -> None:
        self.controller.export(audit, path, export_format(path, chosen))

    def export_stored(self, audit_id: int) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self,
            "Export report",
            str(Path.home() / f"clickaudit-audit-{audit_id}.html"),
            EXPORT_FILTER,
        )
        if path:
            self.controller.export_stored(audit_id, path, export_format(path, chosen))

    def toggle_history(self) -> None:
        visible = not self.history_dock.isVisible()
        self.history_dock.setVisible(visible)
        if visible:
            self.refresh_history(self.history.search.text())

    def refresh_history(self, text: str = "") -> None:
        from clickaudit.history import HistoryQuery

        self.controller.list_history(HistoryQuery(text=text or None, limit=500))

    def open_stored(self, audit_id: int) -> None:
        self.controller.load_stored_audit(audit_id)

    def compare_stored(self, older: int, newer: int) -> None:
        self.controller.compare_stored(older, newer)

    def _show_stored(self, stored: StoredAudit) -> None:
        tab = self._add_stored_tab(stored.audit)
        if stored.clicks is not None:
            tab.clicks.show_report(stored.clicks)  # its latest stored click analysis

    def _show_click_run(self, stored: StoredClickRun) -> None:
        if stored.audit is None:
            self.show_error(
                f"Click analysis {stored.summary.id}: its email is not in the history and "
                f"{stored.summary.email_path} is gone or changed; open the email to judge its "
                "logs again."
            )
            return
        tab = self._add_stored_tab(stored.audit)
        tab.clicks.show_report(stored.report)
        tab.tabs.setCurrentWidget(tab.clicks)

    def _add_stored_tab(self, audit: Audit) -> EmailTab:
        if self.tabs.indexOf(self.welcome) >= 0:
            self.tabs.removeTab(self.tabs.indexOf(self.welcome))
        tab = self.add_tab(audit, read_only=True)
        self.tabs.setCurrentWidget(tab)
        return tab

    def show_diff(self, comparison: Comparison) -> QDialog:
        dialog = DiffDialog(comparison, self)
        dialog.show()
        return dialog

    def open_settings(self) -> None:
        SettingsDialog(self.qsettings, self).exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.controller.shutdown()
        super().closeEvent(event)


class DiffDialog(QDialog):
    """Two audits of a campaign side by side, with what changed between them."""

    def __init__(self, comparison: Comparison, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from clickaudit.diff import diff_audits, render_diff_text

        a_id, b_id = comparison.older_id, comparison.newer_id
        a, b = comparison.older, comparison.newer
        self.setWindowTitle(f"Audit {a_id} compared with audit {b_id}")
        self.resize(1300, 760)
        self.difference = diff_audits(a, b, a_label=f"audit {a_id}", b_label=f"audit {b_id}")
        sides = QSplitter(Qt.Orientation.Horizontal)
        self.models = []
        for label, audit in ((f"Audit {a_id}", a), (f"Audit {b_id}", b)):
            model = LinksModel(self)
            model.set_links(audit.links)
            proxy = LinksFilter(self)
            proxy.setSourceModel(model)
            view = row_table(proxy, widths=COLUMN_WIDTHS, row_height=24, stretch_last=False)
            view.setSortingEnabled(True)
            view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.addWidget(QLabel(f"<b>{label}</b> · {audit.started_at}"))
            layout.addWidget(view)
            sides.addWidget(box)
            self.models.append(model)
        changes = QTextBrowser()
        changes.setPlainText(render_diff_text(self.difference))
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(sides)
        outer.addWidget(changes)
        layout = QVBoxLayout(self)
        layout.addWidget(outer)


def export_format(path: str, chosen: str = "") -> str:
    """The report format for ``path``: its extension, else the file dialog's chosen filter."""
    if path.endswith(".json") or "JSON" in chosen:
        return "json"
    if path.endswith(".csv") or "CSV" in chosen:
        return "csv"
    return "html"
