"""WrappingText: a URL with no break points wraps inside the width it is given."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from clickaudit.gui.widgets.wrapping_text import WrappingText


def test_an_unbreakable_url_wraps_instead_of_widening_the_widget(qtbot) -> None:  # type: ignore[no-untyped-def]
    url = "https://eu1.safelinks.example/?url=" + "x" * 3000
    text = WrappingText()
    qtbot.addWidget(text)
    text.setPlainText(url)
    text.resize(300, 100)
    text.show()
    QApplication.processEvents()
    assert text.minimumSizeHint().width() < 100
    assert text.sizeHint().width() < 300
    one_line = text.fontMetrics().height()
    assert text.content_height() > 5 * one_line  # it wrapped onto many lines
    assert text.sizeHint().height() <= 240  # and scrolls past its cap


def test_copying_gives_the_url_exactly_as_written(qtbot) -> None:  # type: ignore[no-untyped-def]
    url = "https://shop.example.com/" + "y" * 500 + "?utm_source=news"
    text = WrappingText()
    qtbot.addWidget(text)
    text.setPlainText(url)
    text.selectAll()
    text.copy()
    assert QApplication.clipboard().text() == url
