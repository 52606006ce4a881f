"""Rich text that wraps anywhere and is as tall as its text, never as wide as its longest word.

A QLabel with word wrap asks for the width of its longest unbreakable word: one Safe Links or
Vade-wrapped URL (thousands of characters, no break points) made the main window 4,000 px wide
and kept its minimum width there. This widget wraps such a URL inside whatever width the layout
gives it, grows in height with its text up to ``max_height`` (then scrolls), and copies the text
exactly as written (no zero-width spaces are inserted to make it wrap).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget


class WrappingText(QTextBrowser):
    """A read-only, label-like text view whose width never follows its content.

    Args:
        max_height: the tallest it grows before it scrolls instead.
    """

    def __init__(self, parent: QWidget | None = None, *, max_height: int = 240) -> None:
        super().__init__(parent)
        self._max_height = max_height
        self.setReadOnly(True)
        self.setOpenLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Maximum)
        self.viewport().setAutoFillBackground(False)
        self.document().setDocumentMargin(2)
        self.document().documentLayout().documentSizeChanged.connect(
            lambda _size: self.updateGeometry()
        )

    def content_height(self) -> int:
        """The height the text needs at the current width, frame included."""
        return int(self.document().size().height()) + 2 * self.frameWidth() + 2

    def sizeHint(self) -> QSize:
        return QSize(120, min(self.content_height(), self._max_height))

    def minimumSizeHint(self) -> QSize:
        return QSize(
            60, min(self.content_height(), self._max_height, 3 * self.fontMetrics().height())
        )
