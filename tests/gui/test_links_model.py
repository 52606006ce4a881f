"""The links table's model: a row per link, what each column says, and sorting as a person
expects (numbers as numbers, the worst finding first)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from clickaudit.gui.models.links_filter import LinksFilter
from clickaudit.gui.models.links_model import (
    CATEGORY,
    DESTINATION,
    FINAL,
    FINDING,
    HOPS,
    ID,
    LINK_ROLE,
    SEVERITY_RANK_ROLE,
    STATUS,
    TEXT,
    UTM,
    LinksModel,
)
from clickaudit.model import Audit, Outcome
from tests.factories import sample_audit


@pytest.fixture
def audit() -> Audit:
    return sample_audit()


@pytest.fixture
def model(audit: Audit) -> LinksModel:
    made = LinksModel()
    made.set_links(audit.links)
    return made


def text(model: LinksModel, row: int, column: int) -> str:
    return str(model.index(row, column).data() or "")


def test_the_model_passes_the_model_tester(qtmodeltester, model: LinksModel) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(model)


def test_each_link_is_a_row_with_its_number_text_status_hops_and_worst_finding(
    model: LinksModel, audit: Audit
) -> None:
    tracked = audit.links[0]
    assert model.rowCount() == len(audit.links) == 4
    assert [text(model, 0, c) for c in (ID, TEXT, HOPS, FINDING)] == [
        "1",
        "Shop now",
        "2",
        "redirect-broken",
    ]
    assert text(model, 0, STATUS) == tracked.status_label
    assert text(model, 0, UTM) == "email / – / –"
    assert model.index(0, 0).data(LINK_ROLE) is tracked


def test_the_destination_column_says_where_a_link_goes_when_anything_says_so(
    model: LinksModel, audit: Audit
) -> None:
    assert text(model, 1, DESTINATION) == "https://shop.example/"  # decoded from Safe Links
    # a chain that ended broken is no destination: the tracked href is all that is known
    assert text(model, 0, DESTINATION) == audit.links[0].href
    assert text(model, 0, FINAL) == "https://shop.example/sale?utm_source=email"
    landed = replace(audit.links[0], outcome=Outcome.OK)
    model.set_links((landed,))
    assert text(model, 0, DESTINATION) == "https://shop.example/sale?utm_source=email"


def test_an_untrackable_link_says_why_in_its_category(model: LinksModel) -> None:
    assert text(model, 2, CATEGORY) == "untrackable: merge-tag"
    assert text(model, 3, CATEGORY) == "direct"


def test_the_worst_finding_has_its_severity_icon_and_every_finding_in_its_tooltip(
    model: LinksModel,
) -> None:
    index = model.index(0, FINDING)
    assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert index.data(Qt.ItemDataRole.ToolTipRole).startswith("error: redirect-broken")
    assert model.index(0, FINDING).data(SEVERITY_RANK_ROLE) == 3
    assert model.index(3, FINDING).data(SEVERITY_RANK_ROLE) == 0


def test_numbers_sort_as_numbers_and_worst_first_puts_errors_on_top(audit: Audit) -> None:
    links = [replace(link, id=link.id * 5) for link in audit.links]  # ids 5, 10, 15, 20
    model = LinksModel()
    model.set_links(links)
    proxy = LinksFilter()
    proxy.setSourceModel(model)
    proxy.sort(ID, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, ID).data() for r in range(4)] == ["20", "15", "10", "5"]
    proxy.sort(FINDING, Qt.SortOrder.DescendingOrder)
    ranks = [proxy.index(r, 0).data(SEVERITY_RANK_ROLE) for r in range(4)]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] == 3


def test_a_link_is_found_by_its_id_and_an_unknown_id_is_none(model: LinksModel) -> None:
    assert model.row_of(3) == 2
    assert model.row_of(99) is None


def test_a_new_result_replaces_every_row_in_one_reset(qtbot, model: LinksModel) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(model.modelReset):
        model.set_links(sample_audit().links[:1])
    assert model.rowCount() == 1
