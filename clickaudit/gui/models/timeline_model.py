"""The hops of one redirect chain as table rows, with what each hop changed highlighted.

Rows are :class:`clickaudit.report.timeline.HopRow` facts (the HTML report draws the same ones).
A UTM parameter lost at a hop is shown red at that hop; other parameter changes are tinted so
the eye finds the hops where something happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from clickaudit.gui.models.rows import Index, RowsModel
from clickaudit.report.timeline import Change, HopRow

COLUMNS = ("#", "Status", "Kind", "ms", "URL", "Changes", "Note")
NUMBER, STATUS, KIND, MS, URL, CHANGES, NOTE = range(len(COLUMNS))
LOST = QColor("#b42318")
LOST_BACKGROUND = QColor("#fee4e2")
CHANGED_BACKGROUND = QColor("#fef0c7")
NEW_HOST = QColor("#175cd3")


class TimelineModel(RowsModel[HopRow]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)

    def set_rows(self, rows: Sequence[HopRow]) -> None:
        self._replace_rows(tuple(rows))

    def row(self, number: int) -> HopRow:
        return self.row_at(number)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return "Query parameters added (+), removed (−) or changed (~) since the hop before"
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self._row_of(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == CHANGES:
                return _changes_tooltip(row) or None
            return _text(row, column) or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == CHANGES and row.utm_lost:
                return QBrush(LOST)
            if column == URL and row.new_host:
                return QBrush(NEW_HOST)
        if role == Qt.ItemDataRole.BackgroundRole and column == CHANGES:
            if row.utm_lost:
                return QBrush(LOST_BACKGROUND)
            if row.changes:
                return QBrush(CHANGED_BACKGROUND)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (NUMBER, MS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _text(row: HopRow, column: int) -> str:
    hop = row.hop
    if column == NUMBER:
        return str(row.number)
    if column == URL:
        return hop.url
    if column == STATUS:
        return str(hop.status) if hop.status else "—"
    if column == KIND:
        return hop.kind.value
    if column == MS:
        return f"{hop.ms:.0f}"
    if column == CHANGES:
        if row.utm_lost:
            kept = " ".join(c.label for c in row.changes if c.name not in row.utm_lost)
            return f"lost {', '.join(row.utm_lost)}" + (f" · {kept}" if kept else "")
        return row.changes_label
    if column == NOTE:
        return hop.error or (f"→ {hop.location}" if hop.location else "")
    return ""


def _changes_tooltip(row: HopRow) -> str:
    lines = []
    for c in row.changes:
        if c.change is Change.ADDED:
            lines.append(f"added {c.name}={c.after}")
        elif c.change is Change.REMOVED:
            lost = " (UTM lost here)" if c.name in row.utm_lost else ""
            lines.append(f"removed {c.name}={c.before}{lost}")
        else:
            lines.append(f"changed {c.name}: {c.before} → {c.after}")
    return "\n".join(lines)
