"""Audit history: search past audits, open one read-only, compare two, export."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clickaudit.gui.models.records import Column, RecordsModel

HISTORY_COLUMNS = (
    Column("ID", lambda r: str(r.id)),
    Column("When", lambda r: r.created_at[:19].replace("T", " ")),
    Column("Subject", lambda r: r.subject or r.source_path, tooltip=lambda r: r.source_path),
    Column("ESP", lambda r: r.esp or ""),
    Column("Links", lambda r: str(r.links)),
    Column("Errors", lambda r: str(r.errors)),
    Column("Warnings", lambda r: str(r.warnings)),
)


class HistoryPanel(QWidget):
    """Asks for rows with ``search_requested(text)``; the window answers with :meth:`show_rows`."""

    search_requested = Signal(str)
    open_requested = Signal(int)
    compare_requested = Signal(int, int)
    export_requested = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search subjects, senders, URLs, anchor texts…")
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(lambda: self.search_requested.emit(self.search.text()))
        refresh = QPushButton("Search")
        refresh.clicked.connect(lambda: self.search_requested.emit(self.search.text()))
        self.model = RecordsModel(HISTORY_COLUMNS)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.doubleClicked.connect(
            lambda index: self.open_requested.emit(self.model.record(index.row()).id)
        )
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
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def show_rows(self, rows: list[Any]) -> None:
        self.model.set_records(rows)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(2, min(self.table.columnWidth(2), 460))

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.record(row).id for row in rows]

    def _open(self) -> None:
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
