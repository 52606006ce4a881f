"""The link inspector: what a link is, where it went, its UTM parameters each with the verdict
of the finding about it, and its findings with their fixes."""

from __future__ import annotations

import pytest

from clickaudit.findings import finding
from clickaudit.gui.widgets.inspector import LinkInspector
from clickaudit.model import Link, NotFollowedReason, Outcome, Severity, evolve
from tests.factories import sample_audit


@pytest.fixture
def inspector(qtbot) -> LinkInspector:  # type: ignore[no-untyped-def]
    made = LinkInspector()
    qtbot.addWidget(made)
    return made


def tracked() -> Link:
    return sample_audit().links[0]


def utm_rows(inspector: LinkInspector) -> list[tuple[str, str, str]]:
    model = inspector.utm
    return [
        (model.index(r, 0).data(), model.index(r, 1).data(), model.index(r, 2).data())
        for r in range(model.rowCount())
    ]


def test_with_no_link_chosen_the_inspector_says_what_to_do(inspector: LinkInspector) -> None:
    inspector.show_link(None)
    assert "Select a link" in inspector.title.toPlainText()
    assert inspector.hops.rowCount() == 0 and inspector.utm.rowCount() == 0
    assert inspector.link is None


def test_a_tracked_link_says_who_tracks_it_and_where_it_landed(inspector: LinkInspector) -> None:
    inspector.show_link(tracked())
    title = inspector.title.toPlainText()
    assert "Link 1 · Shop now" in title
    assert "Tracked by SendGrid on u1.ct.sendgrid.net" in title
    assert "Lands on: https://shop.example/sale?utm_source=email (broken)" in title
    assert inspector.hops.rowCount() == 2


def test_inspector_shows_the_utm_parameter_a_finding_is_about(inspector: LinkInspector) -> None:
    about_medium = finding(
        "utm-invalid", "utm_medium='E-Mail': not lower case", "link:1", parameters=("utm_medium",)
    )
    link = evolve(
        tracked(),
        utm={"utm_source": "email", "utm_medium": "E-Mail"},
        findings=(*tracked().findings, about_medium),
    )
    inspector.show_link(link)
    assert utm_rows(inspector) == [
        ("utm_source", "email", "ok"),
        ("utm_medium", "E-Mail", "utm_medium='E-Mail': not lower case"),
    ]
    assert about_medium.severity is Severity.WARNING
    assert not inspector.utm.index(1, 2).data(1).isNull()  # the severity icon


def test_a_finding_whose_message_names_a_parameter_but_is_not_about_it_leaves_it_ok(
    inspector: LinkInspector,
) -> None:
    # the verdict comes from the finding's parameters, never from reading its message
    unrelated = finding("redirect-broken", "utm_source was dropped and the page is 404", "link:1")
    inspector.show_link(evolve(tracked(), findings=(unrelated,)))
    assert utm_rows(inspector) == [("utm_source", "email", "ok")]


def test_a_link_not_followed_says_why(inspector: LinkInspector) -> None:
    link = evolve(
        tracked(),
        chain=(),
        final_url=None,
        outcome=Outcome.NOT_FOLLOWED,
        not_followed=NotFollowedReason.SAFE_MODE,
    )
    inspector.show_link(link)
    assert "Not followed: safe mode: following this tracked link would record a click" in (
        inspector.title.toPlainText()
    )


def test_findings_are_listed_with_their_fixes_and_a_clean_link_says_none(
    inspector: LinkInspector,
) -> None:
    inspector.show_link(tracked())
    text = inspector.findings.toPlainText()
    assert "error redirect-broken: ends in 404" in text and "Fix:" in text
    inspector.show_link(sample_audit().links[3])
    assert inspector.findings.toPlainText() == "No findings."


def test_markup_in_a_links_text_is_shown_as_text(inspector: LinkInspector) -> None:
    inspector.show_link(evolve(tracked(), text="<b>Sale</b> & more"))
    assert "<b>Sale</b> & more" in inspector.title.toPlainText()
