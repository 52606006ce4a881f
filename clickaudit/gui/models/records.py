"""A read-only table model over a sequence of records, with columns given as functions.

Used for the small tables of the inspector and the domain panel (hops, UTM parameters,
findings), which need no more than display text, a tooltip and an icon per cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QIcon

from clickaudit.gui.models.rows import Index, RowsModel

R = TypeVar("R")


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    text: Callable[[R], str]
    icon: Callable[[R], QIcon | None] | None = None
    tooltip: Callable[[R], str] | None = None


class RecordsModel(RowsModel[R]):
    def __init__(
        self,
        columns: Sequence[Column[R]],
        records: Sequence[R] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__([column.title for column in columns], parent)
        self._columns = tuple(columns)
        self._rows = tuple(records)

    def set_records(self, records: Sequence[R]) -> None:
        self._replace_rows(tuple(records))

    def record(self, row: int) -> R:
        return self.row_at(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        record = self._row_of(index)
        if record is None:
            return None
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(record) if column.tooltip else column.text(record)
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(record)
        return None
