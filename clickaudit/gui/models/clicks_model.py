"""The judged clicks of a click analysis as a Qt table (one row per click)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from clickaudit.clicks.model import HistogramBin, JudgedClick, LinkClicks, Verdict
from clickaudit.clicks.report import iso
from clickaudit.gui.models.rows import Index, RowsModel

COLUMNS = (
    "Time",
    "After delivery",
    "Verdict",
    "Reasons",
    "Link",
    "Recipient",
    "IP",
    "Network",
    "User agent",
)
VERDICT_COLUMN = 2
CLICK_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
VERDICT_COLOURS = {
    Verdict.HUMAN: "#2e7d32",
    Verdict.SCANNER: "#c62828",
    Verdict.LIKELY_SCANNER: "#ef6c00",
    Verdict.UNKNOWN: "#757575",
}


def seconds_text(seconds: float | None) -> str:
    """``3.2 s``, ``4 min``, ``2.5 h``, ``3 d``; empty without a delivery time."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


class ClicksModel(RowsModel[JudgedClick]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)

    def set_clicks(self, clicks: Sequence[JudgedClick]) -> None:
        self._replace_rows(clicks)

    def click_at(self, row: int) -> JudgedClick:
        return self.row_at(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        click = self._row_of(index)
        if click is None:
            return None
        column = index.column()
        if role == CLICK_ROLE:
            return click
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(click, column)
        if role == SORT_ROLE:
            if column == 0:
                return click.event.time or 0.0
            if column == 1:
                return (
                    -1.0 if click.seconds_after_delivery is None else click.seconds_after_delivery
                )
            if column == 4:
                return click.link_id or 0
            return self._text(click, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == VERDICT_COLUMN:
            return QBrush(QColor(VERDICT_COLOURS[click.verdict]))
        if role == Qt.ItemDataRole.ToolTipRole and column in (3, 8):
            return self._text(click, column)
        return None

    @staticmethod
    def _text(click: JudgedClick, column: int) -> str:
        event = click.event
        if column == 0:
            return (iso(event.time) or "").replace("T", " ").removesuffix("Z")
        if column == 1:
            return seconds_text(click.seconds_after_delivery)
        if column == 2:
            return click.verdict.value
        if column == 3:
            return ", ".join(reason.value for reason in click.reasons)
        if column == 4:
            return "" if click.link_id is None else str(click.link_id)
        if column == 5:
            return event.recipient
        if column == 6:
            return event.ip
        if column == 7:
            return click.network or ""
        return event.user_agent


class VerdictFilter(QSortFilterProxyModel):
    """Shows the clicks of one verdict (or all), sortable by each column's natural order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._verdict: Verdict | None = None
        self.setSortRole(SORT_ROLE)

    def set_verdict(self, verdict: Verdict | None) -> None:
        self.beginFilterChange()
        self._verdict = verdict
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._verdict is None:
            return True
        model = self.sourceModel()
        assert isinstance(model, ClicksModel)
        return model.click_at(source_row).verdict is self._verdict


VERDICT_ORDER = (Verdict.HUMAN, Verdict.LIKELY_SCANNER, Verdict.SCANNER, Verdict.UNKNOWN)
VERDICT_LABELS = ("human", "likely scanner", "scanner", "unknown")


Counts = tuple[int, int, int, int]  # per verdict, in VERDICT_ORDER


class _CountsModel(RowsModel[Counts]):
    """Rows of counts per verdict (columns in :data:`VERDICT_ORDER`): what a bar mapper reads."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(VERDICT_LABELS, parent)
        self._labels: list[str] = []

    def _set(self, labels: list[str], counts: list[Counts]) -> None:
        self._labels = labels
        self._replace_rows(counts)

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return self._labels[section]
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        counts = self._row_of(index)
        if counts is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        return counts[index.column()]

    def maximum_total(self) -> int:
        return max((sum(row) for row in self._rows), default=0)


def _band_start(seconds: float) -> str:
    if seconds == 0:
        return "0"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


class HistogramModel(_CountsModel):
    """Clicks per band of seconds after delivery (rows), per verdict (columns)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tooltips: list[str] = []

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltips[section]
        return super().headerData(section, orientation, role)

    def set_bins(self, bins: Sequence[HistogramBin]) -> None:
        """Rows labelled by where each band starts (``0``, ``2s``, … ``3d+``): a chart's
        category is a few pixels wide; the full band (``2–5s``) is the row's tooltip."""
        self._tooltips = [b.label for b in bins]
        self._set(
            [_band_start(b.start) + ("+" if b.end is None else "") for b in bins],
            [(b.human, b.likely_scanner, b.scanner, b.unknown) for b in bins],
        )


class LinkCountsModel(_CountsModel):
    """Clicks per link of the email that has any (rows), per verdict (columns)."""

    def set_links(self, links: Sequence[LinkClicks], limit: int | None = None) -> None:
        """The links with clicks, most clicked first (the first ``limit`` of them)."""
        clicked = sorted((link for link in links if link.clicks), key=lambda link: -link.clicks)
        clicked = clicked[:limit] if limit is not None else clicked
        self._set(
            [f"#{link.id}" for link in clicked],
            [(link.human, link.likely_scanner, link.scanner, link.unknown) for link in clicked],
        )
