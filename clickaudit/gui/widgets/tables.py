"""The one way the app sets up a table of rows: whole-row selection, no row numbers, one line
per row, columns the user can resize, the widths a table starts with."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

Selection = QAbstractItemView.SelectionMode


def row_table(
    model: QAbstractItemModel,
    *,
    widths: Sequence[int] = (),
    row_height: int | None = None,
    selection: QAbstractItemView.SelectionMode = Selection.ExtendedSelection,
    alternating: bool = True,
    stretch_last: bool = True,
) -> QTableView:
    """A table view of ``model`` set up as every table of the app is."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.verticalHeader().hide()
    if row_height is not None:
        view.verticalHeader().setDefaultSectionSize(row_height)
    view.setWordWrap(False)
    view.setAlternatingRowColors(alternating)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(stretch_last)
    for column, width in enumerate(widths):
        view.setColumnWidth(column, width)
    return view
