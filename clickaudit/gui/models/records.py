"""A read-only table model over a sequence of records, with columns given as functions.

Used for the small tables of the inspector and the domain panel (hops, UTM parameters,
findings), which need no more than display text, a tooltip and an icon per cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    text: Callable[[R], str]
    icon: Callable[[R], QIcon | None] | None = None
    tooltip: Callable[[R], str] | None = None


class RecordsModel(QAbstractTableModel, Generic[R]):
    def __init__(
        self,
        columns: Sequence[Column[R]],
        records: Sequence[R] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._records: tuple[R, ...] = tuple(records)

    def set_records(self, records: Sequence[R]) -> None:
        self.beginResetModel()
        self._records = tuple(records)
        self.endResetModel()

    def record(self, row: int) -> R:
        return self._records[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(record) if column.tooltip else column.text(record)
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(record)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section].title
        return None
