"""Filtering the links table: free text, a category, and a minimum severity."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel

from clickaudit.gui.models.links_model import LINK_ROLE, SEVERITY_RANK_ROLE, SORT_ROLE
from clickaudit.model import Category, Link


class LinksFilter(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._text = ""
        self._category: Category | None = None
        self._min_rank = 0

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().lower()
        self._end_filter_change()

    def set_category(self, category: Category | None) -> None:
        self.beginFilterChange()
        self._category = category
        self._end_filter_change()

    def set_minimum_rank(self, rank: int) -> None:
        """0 shows everything; 1 links with any finding; 2 warnings and up; 3 errors only."""
        self.beginFilterChange()
        self._min_rank = rank
        self._end_filter_change()

    def _end_filter_change(self) -> None:
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not (self._text or self._category or self._min_rank):
            return True  # no filter: no per-row work
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        link: Link = model.data(index, LINK_ROLE)
        if link is None:
            return False
        if self._category is not None and link.category is not self._category:
            return False
        if self._min_rank and (model.data(index, SEVERITY_RANK_ROLE) or 0) < self._min_rank:
            return False
        if self._text:
            haystack = " ".join(
                filter(
                    None,
                    (
                        link.text,
                        link.href,
                        link.decoded,
                        link.final_url,
                        link.esp,
                        link.tracking_host,
                        " ".join(f.code for f in link.findings),
                    ),
                )
            ).lower()
            return self._text in haystack
        return True
