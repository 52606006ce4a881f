"""The part every table model of the app shares: a tuple of immutable rows and column titles.

A subclass says what a cell shows (:meth:`data`); counting, titles and replacing all rows at once
(one model reset) are here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")


class RowsModel(QAbstractTableModel, Generic[R]):
    """Rows of type ``R`` under ``titles``; a new sequence replaces them all at once."""

    def __init__(self, titles: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._titles = tuple(titles)
        self._rows: Sequence[R] = ()

    def _replace_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._rows_replaced()
        self.endResetModel()

    def _rows_replaced(self) -> None:
        """Recompute what a subclass derives from its rows (inside the reset)."""

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def _row_of(self, index: Index) -> R | None:
        """The row ``index`` is in, or None for an index outside the rows."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._titles)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._titles[section]
        return None
