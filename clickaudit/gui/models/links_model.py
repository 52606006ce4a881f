"""The links table: one row per link, sortable by meaningful keys, with severity icons.

Rows are the immutable :class:`clickaudit.model.Link` objects of an audit (or a scan); a new
audit result replaces them all at once. Sorting uses :data:`SORT_ROLE` values (numbers for
ids, statuses and severities) so "worst first" and "status" sort as a person expects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt

from clickaudit.findings import worst
from clickaudit.gui.icons import severity_icon
from clickaudit.gui.models.rows import Index, RowsModel
from clickaudit.model import Link

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
LINK_ROLE = Qt.ItemDataRole.UserRole + 2
SEVERITY_RANK_ROLE = Qt.ItemDataRole.UserRole + 3

COLUMNS = (
    "#",
    "Text",
    "Status",
    "Worst finding",
    "Category",
    "ESP",
    "Destination",
    "Final URL",
    "Hops",
    "UTM (source / medium / campaign)",
    "Tracking host",
)
(ID, TEXT, STATUS, FINDING, CATEGORY, ESP, DESTINATION, FINAL, HOPS, UTM, HOST) = range(
    len(COLUMNS)
)


def category_label(link: Link) -> str:
    if link.reason is not None:
        return f"untrackable: {link.reason.value}"
    return link.category.value if link.category else ""


def utm_label(link: Link) -> str:
    keys = ("utm_source", "utm_medium", "utm_campaign")
    return " / ".join(link.utm.get(k, "–") for k in keys) if link.utm else ""


def _rank(link: Link) -> int:
    top = worst(link.findings)
    return top.severity.rank if top else 0


class LinksModel(RowsModel[Link]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self._sort_keys: dict[int, list[Any]] = {}
        self._ranks: list[int] = []

    def set_links(self, links: Sequence[Link]) -> None:
        self._replace_rows(tuple(links))

    def _rows_replaced(self) -> None:
        # Sorting asks for keys n·log n times; each column's keys are computed once, on first
        # use, so a reset of thousands of rows does not stall the window.
        self._sort_keys = {}
        self._ranks = [_rank(link) for link in self._rows]

    def links(self) -> tuple[Link, ...]:
        return tuple(self._rows)

    def link(self, row: int) -> Link:
        return self.row_at(row)

    def row_of(self, link_id: int) -> int | None:
        for row, link in enumerate(self._rows):
            if link.id == link_id:
                return row
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == SORT_ROLE:  # the hot path while sorting: no more work than a list lookup
            column = index.column()
            keys = self._sort_keys.get(column)
            if keys is None:
                keys = self._sort_keys[column] = [
                    self._sort_key(link, column) for link in self._rows
                ]
            return keys[index.row()]
        link = self._row_of(index)
        if link is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(link, column)
        if role == LINK_ROLE:
            return link
        if role == SEVERITY_RANK_ROLE:
            return self._ranks[index.row()]
        if role == Qt.ItemDataRole.DecorationRole and column == FINDING:
            top = worst(link.findings)
            return severity_icon(top.severity if top else None)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == FINDING and link.findings:
                return "\n".join(
                    f"{f.severity.value}: {f.code} — {f.message}" for f in link.findings
                )
            return self._text(link, column) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (ID, HOPS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(link: Link, column: int) -> str:
        if column == ID:
            return str(link.id)
        if column == TEXT:
            return link.text
        if column == DESTINATION:
            return link.destination or link.href
        if column == HOST:
            return link.tracking_host or ""
        if column == ESP:
            return link.esp or (" > ".join(link.wrappers) if link.wrappers else "")
        if column == CATEGORY:
            return category_label(link)
        if column == FINAL:
            return link.final_url or ""
        if column == STATUS:
            return link.status_label
        if column == HOPS:
            return str(len(link.chain)) if link.chain else ""
        if column == UTM:
            return utm_label(link)
        if column == FINDING:
            top = worst(link.findings)
            return top.code if top else ""
        return ""

    def _sort_key(self, link: Link, column: int) -> Any:
        if column == ID:
            return link.id
        if column == HOPS:
            return len(link.chain)
        if column == STATUS:
            return link.chain[-1].status or 0 if link.chain else -1
        if column == FINDING:
            top = worst(link.findings)
            return (top.severity.rank if top else 0) * 1000 - link.id
        return self._text(link, column).lower()
