"""The chain timeline's model: a row per hop, with what each hop changed in its query."""

from __future__ import annotations

from PySide6.QtCore import Qt

from clickaudit.gui.models.timeline_model import (
    CHANGES,
    KIND,
    LOST,
    MS,
    NEW_HOST,
    NUMBER,
    STATUS,
    URL,
    TimelineModel,
)
from clickaudit.model import Hop, HopKind, Link, evolve
from clickaudit.report.timeline import hop_rows
from tests.factories import sample_audit


def chain_losing_utm_medium() -> Link:
    hops = (
        Hop(
            "https://t.esp.example/c?x=1",
            302,
            "https://shop.example/a?utm_medium=email",
            HopKind.HTTP,
            12.0,
        ),
        Hop(
            "https://shop.example/a?utm_medium=email",
            301,
            "https://shop.example/b",
            HopKind.HTTP,
            8.4,
        ),
        Hop("https://shop.example/b", None, None, HopKind.HTTP, 5.0, error="timed out"),
    )
    return evolve(sample_audit().links[0], chain=hops, final_url=None)


def model_of(link: Link) -> TimelineModel:
    model = TimelineModel()
    model.set_rows(hop_rows(link))
    return model


def test_the_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(model_of(chain_losing_utm_medium()))


def test_each_hop_is_a_row_with_its_number_status_kind_and_time() -> None:
    model = model_of(chain_losing_utm_medium())
    assert model.rowCount() == 3
    assert [model.index(0, c).data() for c in (NUMBER, STATUS, KIND, MS)] == [
        "1",
        "302",
        "http",
        "12",
    ]
    assert model.index(2, STATUS).data() == "—"  # no answer
    assert model.index(1, URL).data() == "https://shop.example/a?utm_medium=email"


def test_a_utm_parameter_lost_at_a_hop_is_red_at_that_hop() -> None:
    model = model_of(chain_losing_utm_medium())
    lost_at = [
        row
        for row in range(model.rowCount())
        if "lost utm_medium" in model.index(row, CHANGES).data()
    ]
    assert len(lost_at) == 1
    brush = model.index(lost_at[0], CHANGES).data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color() == LOST


def test_a_hop_to_another_host_is_tinted_and_the_changes_header_explains_the_signs() -> None:
    model = model_of(chain_losing_utm_medium())
    assert model.index(1, URL).data(Qt.ItemDataRole.ForegroundRole).color() == NEW_HOST
    tip = model.headerData(CHANGES, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "added (+)" in tip


def test_a_link_never_followed_has_no_rows() -> None:
    assert model_of(sample_audit().links[3]).rowCount() == 0
