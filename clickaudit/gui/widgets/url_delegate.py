"""Table cells that show a URL shortened to the column's width by the engine's one rule.

Qt's own elision cuts a URL at its right end, so ``…/trail-boots`` and ``…/trail-shoes`` both read
``https://shop.northwind.exampl…``. This delegate asks :func:`clickaudit.url_display.shorten_url`
for the longest form that fits the cell (host, end of path, query keys); the model's text stays
the full URL, so the tooltip and Copy give it whole.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from clickaudit.url_display import shorten_url

_PADDING = 12
_REMEMBERED = 4096  # fitted texts kept: every visible URL cell at a few widths


class UrlDelegate(QStyledItemDelegate):
    """Remembers each URL's fitted text per width and font: a repaint (scrolling, a selection,
    an audit's refresh) measures nothing it has measured before."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fitted: dict[tuple[str, int, str], str] = {}

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        text = option.text
        if not text:
            return
        metrics = option.fontMetrics
        available = option.rect.width() - _PADDING
        if option.features & QStyleOptionViewItem.ViewItemFeature.HasDecoration:
            available -= option.decorationSize.width() + 4
        key = (text, available, option.font.key())
        fitted = self._fitted.get(key)
        if fitted is None:
            if len(self._fitted) >= _REMEMBERED:
                self._fitted.clear()
            fitted = self._fitted[key] = fit_url(text, available, metrics.horizontalAdvance)
        option.text = fitted
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def fit_url(url: str, available: int, measure: Callable[[str], int]) -> str:
    """The longest :func:`shorten_url` form of ``url`` at most ``available`` pixels wide
    (``measure`` gives a text's width in pixels)."""
    if measure(url) <= available:
        return url
    low, high = 8, len(url)
    best = shorten_url(url, low)
    while low <= high:
        middle = (low + high) // 2
        candidate = shorten_url(url, middle)
        if measure(candidate) <= available:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best
