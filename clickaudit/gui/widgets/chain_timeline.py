"""A redirect chain as a timeline: the layers line on top, then one row per hop.

The layers line reads "written link → Safe Links (wrapper) → SendGrid (tracker) → destination";
each hop row has its status, kind, time and what changed against the hop before (a UTM parameter
lost at a hop is red at that hop). The table is as tall as its hops (up to ``MAX_ROWS``), so a
three-hop chain leaves the room below to the UTM table and the findings.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from clickaudit.gui.models.timeline_model import (
    CHANGES,
    KIND,
    MS,
    NOTE,
    NUMBER,
    STATUS,
    URL,
    TimelineModel,
)
from clickaudit.gui.widgets.url_delegate import UrlDelegate
from clickaudit.gui.widgets.wrapping_text import WrappingText
from clickaudit.model import Link
from clickaudit.report.timeline import hop_rows, layers
from clickaudit.url_display import shorten_url

MAX_ROWS = 8


def fit_table_height(view: QTableView, max_rows: int) -> None:
    """Make ``view`` exactly as tall as its rows (at least one, at most ``max_rows``)."""
    rows = max(1, min(view.model().rowCount(), max_rows))
    height = view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth()
    height += sum(view.rowHeight(r) for r in range(min(rows, view.model().rowCount())))
    if view.model().rowCount() == 0:
        height += view.verticalHeader().defaultSectionSize()
    if view.horizontalScrollBar().isVisible() or view.model().rowCount() > max_rows:
        height += view.horizontalScrollBar().sizeHint().height()
    view.setFixedHeight(height)


class ChainTimeline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layers = WrappingText(max_height=90)
        self.model = TimelineModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setItemDelegateForColumn(URL, UrlDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(URL, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        for column, width in (
            (NUMBER, 26),
            (STATUS, 50),
            (KIND, 48),
            (MS, 40),
            (CHANGES, 170),
            (NOTE, 64),
        ):
            self.table.setColumnWidth(column, width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.layers)
        layout.addWidget(self.table)
        self.show_link(None)

    def show_link(self, link: Link | None) -> None:
        if link is None:
            self.layers.setHtml("")
            self.model.set_rows(())
        else:
            self.layers.setHtml(_layers_html(link))
            self.model.set_rows(hop_rows(link))
        fit_table_height(self.table, MAX_ROWS)


def _layers_html(link: Link) -> str:
    steps = []
    for layer in layers(link):
        text = f"<b>{escape(layer.label)}</b>"
        if layer.url and layer.kind in ("written", "destination"):
            text += (
                f" <span title='{escape(layer.url)}'>{escape(shorten_url(layer.url, 48))}</span>"
            )
        steps.append(text)
    return " → ".join(steps)
