"""ChainTimeline: the layers line, a row per hop, a lost UTM red at the hop that lost it, and a
table as tall as its hops."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from clickaudit.gui.models.timeline_model import CHANGES, LOST, TimelineModel
from clickaudit.gui.widgets.chain_timeline import ChainTimeline
from clickaudit.gui.widgets.inspector import LinkInspector
from clickaudit.report.timeline import hop_rows
from tests.test_timeline import CLICK, LANDING, REGION, tracked_link


def test_the_model_passes_the_model_tester(qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = TimelineModel()
    model.set_rows(hop_rows(tracked_link(CLICK, LANDING, REGION)))
    qtmodeltester.check(model)


def test_a_utm_lost_at_hop_three_is_red_at_hop_three_only(qtbot) -> None:  # type: ignore[no-untyped-def]
    timeline = ChainTimeline()
    qtbot.addWidget(timeline)
    timeline.show_link(tracked_link(CLICK, LANDING, REGION))
    model = timeline.model
    assert model.rowCount() == 3
    colours = [model.index(r, CHANGES).data(Qt.ItemDataRole.ForegroundRole) for r in range(3)]
    assert colours[0] is None and colours[1] is None
    assert colours[2].color() == LOST
    assert model.index(2, CHANGES).data().startswith("lost utm_source, utm_medium, utm_campaign")


def test_the_layers_line_is_on_top(qtbot) -> None:  # type: ignore[no-untyped-def]
    timeline = ChainTimeline()
    qtbot.addWidget(timeline)
    timeline.show_link(tracked_link(CLICK, LANDING))
    text = timeline.layers.toPlainText()
    assert text.index("written link") < text.index("SendGrid (tracker)") < text.index("destination")


def test_a_three_hop_chain_leaves_the_room_to_the_findings(qtbot) -> None:  # type: ignore[no-untyped-def]
    inspector = LinkInspector()
    qtbot.addWidget(inspector)
    inspector.resize(600, 900)
    inspector.show()
    inspector.show_link(tracked_link(CLICK, LANDING, REGION))
    QApplication.processEvents()
    table = inspector.timeline.table
    assert table.height() < 900 // 4
    assert inspector.findings.height() > table.height()
    # every hop is visible without scrolling
    assert table.verticalScrollBar().maximum() == 0
