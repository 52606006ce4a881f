"""The Clicks tab's models: the clicks table, its verdict filter, and the counts per band and
per link that the charts read through bar mappers."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt

from clickaudit.clicks.model import ClickReport, HistogramBin, LinkClicks, Verdict
from clickaudit.clicks.session import analyse_audit
from clickaudit.gui.models.clicks_model import (
    CLICK_ROLE,
    VERDICT_COLOURS,
    VERDICT_COLUMN,
    VERDICT_LABELS,
    ClicksModel,
    HistogramModel,
    LinkCountsModel,
    VerdictFilter,
    seconds_text,
)
from clickaudit.pipeline import scan_path
from tests.conftest import FIXTURES

CLICKS = FIXTURES / "clicks"


@cache
def report() -> ClickReport:
    audit = scan_path(str(CLICKS / "campaign.eml"))[0]
    return analyse_audit(audit, [str(CLICKS / "docs" / "sendgrid_events.json")])


def clicks_model() -> ClicksModel:
    model = ClicksModel()
    model.set_clicks(report().clicks)
    return model


def test_the_models_pass_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = clicks_model()
    assert model.rowCount() == 2
    qtmodeltester.check(model)
    proxy = VerdictFilter()
    proxy.setSourceModel(model)
    proxy.set_verdict(Verdict.HUMAN)
    qtmodeltester.check(proxy)
    histogram = HistogramModel()
    histogram.set_bins(report().histogram)
    qtmodeltester.check(histogram)


def test_each_click_is_a_row_with_its_verdict_in_the_verdicts_colour() -> None:
    model = clicks_model()
    verdicts = {model.index(row, VERDICT_COLUMN).data() for row in range(model.rowCount())}
    assert verdicts == {"human", "scanner"}
    row = next(r for r in range(2) if model.index(r, VERDICT_COLUMN).data() == "scanner")
    brush = model.index(row, VERDICT_COLUMN).data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == VERDICT_COLOURS[Verdict.SCANNER].lower()
    assert model.index(row, 0).data(CLICK_ROLE).verdict is Verdict.SCANNER


def test_the_verdict_filter_shows_one_verdict_or_all() -> None:
    model = clicks_model()
    proxy = VerdictFilter()
    proxy.setSourceModel(model)
    proxy.set_verdict(Verdict.SCANNER)
    assert [proxy.index(r, VERDICT_COLUMN).data() for r in range(proxy.rowCount())] == ["scanner"]
    proxy.set_verdict(None)
    assert proxy.rowCount() == 2


def test_seconds_after_delivery_read_in_the_unit_a_person_uses() -> None:
    assert [seconds_text(s) for s in (None, 3.24, 240, 9000, 260000)] == [
        "",
        "3.2 s",
        "4 min",
        "2.5 h",
        "3.0 d",
    ]


def test_histogram_rows_are_labelled_by_where_each_band_starts_with_the_band_as_tooltip() -> None:
    model = HistogramModel()
    model.set_bins(
        [
            HistogramBin(0, 2, "0–2s", scanner=3),
            HistogramBin(120, 3600, "2m–1h", human=1, unknown=1),
            HistogramBin(86400, None, "1d+", human=2),
        ]
    )
    assert model.labels == ["0", "2m", "1d+"]
    vertical = Qt.Orientation.Vertical
    assert model.headerData(1, vertical, Qt.ItemDataRole.ToolTipRole) == "2m–1h"
    horizontal = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
    assert horizontal == list(VERDICT_LABELS)
    assert model.index(1, 0).data() == 1 and model.maximum_total() == 3


def test_the_links_chart_has_the_most_clicked_links_first_and_none_without_clicks() -> None:
    def link(number: int, human: int, scanner: int) -> LinkClicks:
        return LinkClicks(number, "", None, None, None, human + scanner, human, scanner)

    model = LinkCountsModel()
    model.set_links([link(1, 1, 0), link(2, 0, 0), link(3, 2, 5), link(4, 1, 1)], limit=2)
    assert model.labels == ["#3", "#4"]
    assert model.maximum_total() == 7
