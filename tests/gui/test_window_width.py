"""No widget sizes itself to a URL: a link whose URL has no break points leaves the window alone."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from clickaudit.gui.email_tab import EmailTab


def _unbreakable_url(length: int) -> str:
    inner = "https%3A%2F%2Fshop.example.com%2F" + "A" * length
    return (
        "https://nam02.safelinks.protection.outlook.com/?url="
        + inner
        + "&data=05%7C01%7C"
        + "B" * 200
        + "&reserved=0"
    )[:length]


def test_selecting_a_4000_character_url_leaves_the_window_width_alone(  # type: ignore[no-untyped-def]
    qtbot, window, tmp_path: Path
) -> None:
    url = _unbreakable_url(4000)
    assert len(url) == 4000
    email = tmp_path / "wrapped.html"
    email.write_text(
        f'<html><body><p><a href="{url}">{url}</a></p>'
        f'<p><a href="https://shop.example.com/x">Shop</a></p></body></html>',
        encoding="utf-8",
    )
    window.resize(1200, 800)
    with qtbot.waitSignal(window.controller.scan_finished, timeout=20_000):
        window.open_paths([str(email)])
    tab = window.current_tab()
    assert isinstance(tab, EmailTab)
    QApplication.processEvents()
    width, minimum = window.width(), window.minimumSizeHint().width()
    for index in range(tab.tabs.count()):
        tab.tabs.setCurrentIndex(index)
        tab.select_link(tab.audit.links[0].id)
        QApplication.processEvents()
        assert window.width() == width
        assert window.minimumSizeHint().width() == minimum
        assert window.minimumWidth() <= width
        assert minimum < 1200
    assert url in tab.inspector.title.toPlainText()  # the link view shows it whole, wrapped
