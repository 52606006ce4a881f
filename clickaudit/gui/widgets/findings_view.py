"""The findings of one email, grouped by code, worst first; choosing one shows its link.

Signals:
    link_chosen(int): the user selected a finding (or a group) about a link; the email tab
        selects that link in its table, which shows it in the preview and the link view.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QVBoxLayout, QWidget

from clickaudit.gui.models.findings_model import (
    FINDING,
    LINK_ID_ROLE,
    SEVERITY,
    FindingsModel,
)
from clickaudit.model import Audit


class FindingsView(QWidget):
    link_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = FindingsModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(FINDING, QHeaderView.ResizeMode.Interactive)
        header.setSortIndicator(SEVERITY, Qt.SortOrder.DescendingOrder)
        self.tree.setSortingEnabled(True)
        self.tree.setColumnWidth(FINDING, 360)
        self.tree.setColumnWidth(SEVERITY, 80)
        self.tree.selectionModel().currentRowChanged.connect(self._on_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)

    def show_audit(self, audit: Audit) -> None:
        self.model.set_audit(audit)
        self.tree.sortByColumn(
            self.tree.header().sortIndicatorSection(), self.tree.header().sortIndicatorOrder()
        )

    def show_link(self, link_id: int) -> None:
        """Mark the findings about ``link_id`` (the table's selection) without emitting."""
        selection = self.tree.selectionModel()
        self.tree.blockSignals(True)
        selection.blockSignals(True)
        try:
            selection.clearSelection()
            first: QModelIndex | None = None
            for row in range(self.model.rowCount()):
                group = self.model.index(row, FINDING)
                for child_row in range(self.model.rowCount(group)):
                    child = self.model.index(child_row, FINDING, group)
                    if child.data(LINK_ID_ROLE) == link_id:
                        selection.select(
                            child,
                            QItemSelectionModel.SelectionFlag.Select
                            | QItemSelectionModel.SelectionFlag.Rows,
                        )
                        first = first or child
            if first is not None:
                selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
                self.tree.scrollTo(first)
        finally:
            selection.blockSignals(False)
            self.tree.blockSignals(False)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        link_id = current.siblingAtColumn(FINDING).data(LINK_ID_ROLE)
        if isinstance(link_id, int):
            self.link_chosen.emit(link_id)
