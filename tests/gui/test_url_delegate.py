"""UrlDelegate: a URL cell shows the engine's shortened form that fits, the model keeps it whole."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect
from PySide6.QtGui import QFontMetrics, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from clickaudit.gui.widgets.url_delegate import UrlDelegate, fit_url

BOOTS = (
    "https://shop.northwind.example/collections/outdoor/trail-boots"
    "?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale_2026"
)


def test_a_narrow_cell_keeps_the_host_and_the_end_of_the_path(qtbot) -> None:  # type: ignore[no-untyped-def]
    metrics = QFontMetrics(QApplication.font())
    width = metrics.horizontalAdvance("shop.northwind.example/…/trail-boots?utm_source&…") + 2
    shown = fit_url(BOOTS, width, metrics.horizontalAdvance)
    assert metrics.horizontalAdvance(shown) <= width
    assert shown.startswith("shop.northwind.example/") and "trail-boots" in shown


def test_the_delegate_draws_short_text_while_the_model_keeps_the_full_url(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = QStandardItemModel()
    model.appendRow(QStandardItem(BOOTS))
    index = model.index(0, 0, QModelIndex())
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 260, 20)
    option.fontMetrics = QFontMetrics(QApplication.font())
    UrlDelegate().initStyleOption(option, index)
    assert option.text != BOOTS and "trail-boots" in option.text
    assert model.data(index) == BOOTS


def test_a_narrow_cell_keeps_a_host_with_its_port_readable(qtbot) -> None:  # type: ignore[no-untyped-def]
    url = "https://shop.northwind.example:36475/products/trail-boots?utm_source=email"
    metrics = QFontMetrics(QApplication.font())
    width = metrics.horizontalAdvance("shop.northwind.example:36475/…/trail-boots?…") + 2
    shown = fit_url(url, width, metrics.horizontalAdvance)
    assert shown.startswith("shop.northwind.example:36475/") and "trail-boots" in shown
    without_port = fit_url(
        url, metrics.horizontalAdvance("shop.northwind.example/…?…") + 2, metrics.horizontalAdvance
    )
    assert without_port.startswith("shop.northwind.example/")
    narrower = fit_url(
        url, metrics.horizontalAdvance("…northwind.example/…?…") + 2, metrics.horizontalAdvance
    )
    assert narrower.startswith("…northwind.example")


def test_in_the_links_table_a_narrow_destination_column_shows_the_host_first(qtbot) -> None:  # type: ignore[no-untyped-def]
    from clickaudit.gui.email_tab import EmailTab
    from clickaudit.gui.models.links_model import DESTINATION
    from clickaudit.model import evolve
    from tests.factories import sample_audit

    audit = sample_audit()
    decoded = "https://shop.northwind.example:36475/collections/outdoor/trail-boots?utm_source=x"
    wrapped = evolve(audit.links[1], decoded=decoded)
    tab = EmailTab(evolve(audit, links=(audit.links[0], wrapped, *audit.links[2:])))
    qtbot.addWidget(tab)
    tab.resize(1400, 800)
    tab.show()
    index = tab.proxy.index(1, DESTINATION)
    assert index.data() == decoded
    option = QStyleOptionViewItem()
    tab.table.initViewItemOption(option)
    option.rect = tab.table.visualRect(index)
    tab.url_delegate.initStyleOption(option, index)
    assert option.text.startswith("shop.northwind.example"), option.text  # at the app's width
    assert option.text.endswith("oots?…")  # and the end of its last path segment
    assert option.fontMetrics.horizontalAdvance(option.text) <= option.rect.width()


def test_a_repaint_fits_each_url_only_once_per_width(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from clickaudit.gui.widgets import url_delegate

    fitted: list[int] = []

    def counting(url: str, available: int, measure):  # type: ignore[no-untyped-def]
        fitted.append(available)
        return fit_url(url, available, measure)

    monkeypatch.setattr(url_delegate, "fit_url", counting)
    model = QStandardItemModel()
    model.appendRow(QStandardItem(BOOTS))
    index = model.index(0, 0, QModelIndex())
    delegate = UrlDelegate()
    for width in (260, 260, 260, 300, 260):
        option = QStyleOptionViewItem()
        option.rect = QRect(0, 0, width, 20)
        option.fontMetrics = QFontMetrics(QApplication.font())
        delegate.initStyleOption(option, index)
        assert "trail-boots" in option.text
    assert len(fitted) == 2  # once at 260 pixels, once at 300
