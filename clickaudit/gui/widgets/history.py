"""Audit history: search past audits and click analyses, open one read-only, compare two, export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clickaudit.clicks.report import percent
from clickaudit.gui.models.records import Column, RecordsModel
from clickaudit.gui.widgets.tables import Selection, row_table

if TYPE_CHECKING:  # the history code loads when the history is first shown, not at start-up
    from clickaudit.history import AuditSummary, ClickRunSummary, HistoryListing

HISTORY_COLUMNS: tuple[Column[AuditSummary], ...] = (
    Column("ID", lambda r: str(r.id)),
    Column("When", lambda r: r.created_at[:19].replace("T", " ")),
    Column("Subject", lambda r: r.subject or r.source_path, tooltip=lambda r: r.source_path),
    Column("ESP", lambda r: r.esp or ""),
    Column("Links", lambda r: str(r.links)),
    Column("Errors", lambda r: str(r.errors)),
    Column("Warnings", lambda r: str(r.warnings)),
)
CLICK_RUN_COLUMNS: tuple[Column[ClickRunSummary], ...] = (
    Column("Run", lambda r: str(r.id)),
    Column("When", lambda r: r.created_at[:19].replace("T", " ")),
    Column("Subject", lambda r: r.subject or r.email_path, tooltip=lambda r: r.email_path),
    Column("Audit", lambda r: "" if r.audit_id is None else str(r.audit_id)),
    Column("Clicks", lambda r: str(r.clicks)),
    Column("People", lambda r: str(r.human)),
    Column("Click rate", lambda r: f"{percent(r.click_rate_raw)} → {percent(r.click_rate_human)}"),
    Column("Logs", lambda r: ", ".join(r.logs), tooltip=lambda r: "\n".join(r.logs)),
)
SUBJECT = 2


class HistoryPanel(QWidget):
    """Asks for rows with ``search_requested(text)``; the window answers with
    :meth:`show_listing`. Past audits and past click analyses are two tabs of one search."""

    search_requested = Signal(str)
    open_requested = Signal(int)  # an audit's id
    compare_requested = Signal(int, int)  # the older audit's id, the newer's
    export_requested = Signal(int)  # an audit's id
    open_click_run_requested = Signal(int)  # a click analysis's id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search subjects, senders, URLs, anchor texts…")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(lambda: self.search_requested.emit(self.search.text()))
        refresh = QPushButton("Search")
        refresh.clicked.connect(lambda: self.search_requested.emit(self.search.text()))
        self.model: RecordsModel[AuditSummary] = RecordsModel(HISTORY_COLUMNS)
        self.table = row_table(self.model, alternating=False, stretch_last=False)
        self.table.doubleClicked.connect(
            lambda index: self.open_requested.emit(self.model.record(index.row()).id)
        )
        self.runs_model: RecordsModel[ClickRunSummary] = RecordsModel(CLICK_RUN_COLUMNS)
        self.runs_table = row_table(
            self.runs_model,
            selection=Selection.SingleSelection,
            alternating=False,
            stretch_last=False,
        )
        self.runs_table.doubleClicked.connect(self._open_run_at)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "Audits")
        self.tabs.addTab(self.runs_table, "Click analyses")
        self.tabs.currentChanged.connect(lambda _: self._update_buttons())
        self.open_button = QPushButton("Open")
        self.compare_button = QPushButton("Compare two")
        self.export_button = QPushButton("Export…")
        self.open_button.clicked.connect(self._open)
        self.compare_button.clicked.connect(self._compare)
        self.export_button.clicked.connect(self._export)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(refresh)
        buttons = QHBoxLayout()
        for button in (self.open_button, self.compare_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def show_listing(self, listing: HistoryListing) -> None:
        self.model.set_records(listing.audits)
        self.runs_model.set_records(listing.click_runs)
        for table in (self.table, self.runs_table):
            table.resizeColumnsToContents()
            table.setColumnWidth(SUBJECT, min(table.columnWidth(SUBJECT), 460))
        self.tabs.setTabText(1, f"Click analyses ({len(listing.click_runs)})")

    def selected_ids(self) -> list[int]:
        """The selected past audits' ids, in the table's order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.record(row).id for row in rows]

    def selected_run_id(self) -> int | None:
        rows = self.runs_table.selectionModel().selectedRows()
        return self.runs_model.record(rows[0].row()).id if rows else None

    def _showing_runs(self) -> bool:
        return self.tabs.currentWidget() is self.runs_table

    def _update_buttons(self) -> None:
        runs = self._showing_runs()
        self.compare_button.setEnabled(not runs)
        self.export_button.setEnabled(not runs)

    def _open_run_at(self, index: QModelIndex) -> None:
        self.open_click_run_requested.emit(self.runs_model.record(index.row()).id)

    def _open(self) -> None:
        if self._showing_runs():
            run_id = self.selected_run_id()
            if run_id is not None:
                self.open_click_run_requested.emit(run_id)
            return
        for audit_id in self.selected_ids()[:1]:
            self.open_requested.emit(audit_id)

    def _compare(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 2:
            older, newer = sorted(ids)
            self.compare_requested.emit(older, newer)

    def _export(self) -> None:
        for audit_id in self.selected_ids()[:1]:
            self.export_requested.emit(audit_id)
