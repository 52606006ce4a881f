"""The chain as a timeline: what each hop changed against the one before, and the layers line."""

from __future__ import annotations

from clickaudit.model import Category, Element, Hop, Link, Outcome, Part
from clickaudit.report.timeline import Change, hop_rows, layers

CLICK = "https://click.shop.example/ls/click?upn=abc"
LANDING = "https://shop.example/sale?utm_source=news&utm_medium=email&utm_campaign=spring&id=1"
REGION = "https://shop.example/uk/sale?id=2"


def tracked_link(*urls: str) -> Link:
    return Link(
        id=7,
        part=Part.HTML,
        element=Element.A,
        href=urls[0],
        text="Sale",
        category=Category.TRACKED,
        esp="SendGrid",
        tracking_host="click.shop.example",
        chain=tuple(Hop(url, 302 if i < len(urls) - 1 else 200) for i, url in enumerate(urls)),
        final_url=urls[-1],
        outcome=Outcome.OK,
    )


def test_a_utm_parameter_lost_at_hop_three_is_reported_at_hop_three() -> None:
    rows = hop_rows(tracked_link(CLICK, LANDING, REGION))
    assert [r.utm_lost for r in rows] == [(), (), ("utm_source", "utm_medium", "utm_campaign")]
    third = {c.name: c for c in rows[2].changes}
    assert third["id"].change is Change.CHANGED and (third["id"].before, third["id"].after) == (
        "1",
        "2",
    )


def test_the_first_hop_changes_nothing_and_each_new_host_is_marked() -> None:
    rows = hop_rows(tracked_link(CLICK, LANDING, REGION))
    assert rows[0].changes == () and rows[0].new_host
    assert rows[1].new_host and not rows[2].new_host
    labels = rows[1].changes_label.split()
    assert "−upn" in labels and "+utm_source" in labels


def test_the_layers_line_reads_written_tracker_destination() -> None:
    line = layers(tracked_link(CLICK, LANDING))
    assert [layer.label for layer in line] == ["written link", "SendGrid (tracker)", "destination"]
    assert line[0].url == CLICK and line[-1].url == LANDING


def test_a_wrapped_link_names_its_wrapper_before_the_tracker() -> None:
    from clickaudit.model import evolve

    link = evolve(tracked_link(CLICK, LANDING), wrappers=("Microsoft Safe Links",))
    assert [layer.kind for layer in layers(link)] == [
        "written",
        "wrapper",
        "tracker",
        "destination",
    ]
