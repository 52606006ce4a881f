"""Filtering the links table: words, a category and a minimum severity, alone or together."""

from __future__ import annotations

from dataclasses import replace

import pytest

from clickaudit.gui.models.links_filter import LinksFilter
from clickaudit.gui.models.links_model import LINK_ROLE, LinksModel
from clickaudit.model import Category
from tests.factories import sample_audit


@pytest.fixture
def proxy() -> LinksFilter:
    model = LinksModel()
    model.set_links(sample_audit().links)
    made = LinksFilter()
    made.setSourceModel(model)
    made.model = model  # type: ignore[attr-defined]  # kept alive beside its proxy
    return made


def shown(proxy: LinksFilter) -> list[int]:
    return [proxy.index(row, 0).data(LINK_ROLE).id for row in range(proxy.rowCount())]


def test_without_a_filter_every_link_is_shown(proxy: LinksFilter) -> None:
    assert shown(proxy) == [1, 2, 3, 4]


def test_words_match_text_href_decoded_destination_esp_and_finding_codes(
    proxy: LinksFilter,
) -> None:
    proxy.set_text("SHOP NOW")
    assert shown(proxy) == [1]
    proxy.set_text("sendgrid")
    assert shown(proxy) == [1]
    proxy.set_text("shop.example/")  # the decoded destination of the Safe Links link
    assert 2 in shown(proxy)
    proxy.set_text("link-merge-tag")
    assert shown(proxy) == [3]
    proxy.set_text("   ")
    assert shown(proxy) == [1, 2, 3, 4]


def test_a_category_shows_only_its_links(proxy: LinksFilter) -> None:
    proxy.set_category(Category.WRAPPED)
    assert shown(proxy) == [2]
    proxy.set_category(None)
    assert len(shown(proxy)) == 4


def test_a_minimum_severity_hides_milder_links(proxy: LinksFilter) -> None:
    proxy.set_minimum_rank(1)  # any finding
    assert shown(proxy) == [1, 3]
    proxy.set_minimum_rank(3)  # errors only: the broken chain and the unresolved merge tag
    assert shown(proxy) == [1, 3]
    model = proxy.sourceModel()
    assert isinstance(model, LinksModel)
    model.set_links(
        [replace(link, findings=()) if link.id == 3 else link for link in model.links()]
    )
    assert shown(proxy) == [1]


def test_filters_combine(proxy: LinksFilter) -> None:
    proxy.set_minimum_rank(1)
    proxy.set_text("button")
    assert shown(proxy) == [3]
    proxy.set_category(Category.TRACKED)
    assert shown(proxy) == []


def test_the_filtered_proxy_passes_the_model_tester(qtmodeltester, proxy: LinksFilter) -> None:  # type: ignore[no-untyped-def]
    proxy.set_text("shop")
    qtmodeltester.check(proxy)
