"""The findings tree's model: one row per code with its count, a child per finding that knows
its link, message-level findings named by what they are about."""

from __future__ import annotations

from dataclasses import replace

from clickaudit.findings import finding
from clickaudit.gui.models.findings_model import (
    CODE_ROLE,
    FINDING,
    FIX,
    LINK_ID_ROLE,
    SEVERITY,
    FindingsModel,
)
from clickaudit.model import Audit
from tests.factories import sample_audit


def audit_with_two_broken_links() -> Audit:
    audit = sample_audit()
    second = replace(
        audit.links[3], findings=(finding("redirect-broken", "ends in 410", "link:4"),)
    )
    return replace(audit, links=(*audit.links[:3], second))


def test_the_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = FindingsModel()
    model.set_audit(audit_with_two_broken_links())
    qtmodeltester.check(model)


def test_identical_codes_are_one_row_with_a_child_per_link() -> None:
    model = FindingsModel()
    model.set_audit(audit_with_two_broken_links())
    row = model.group_row("redirect-broken")
    assert row is not None
    head = model.item(row, FINDING)
    assert head.rowCount() == 2 and "2 links" in head.text()
    children = [head.child(i, FINDING) for i in range(head.rowCount())]
    assert [c.data(LINK_ID_ROLE) for c in children] == [1, 4]
    assert children[0].text() == "Link 1: ends in 404"
    assert head.data(LINK_ID_ROLE) == 1  # choosing the group selects its first link
    assert model.item(row, SEVERITY).text() == "error"
    assert model.item(row, FIX).text()


def test_a_finding_about_the_message_or_a_domain_is_named_by_its_subject() -> None:
    model = FindingsModel()
    model.set_audit(sample_audit())
    row = model.group_row("tracking-domain-shared")
    assert row is not None
    child = model.item(row, FINDING).child(0, FINDING)
    assert child.text() == "Domain u1.ct.sendgrid.net: shared"
    assert child.data(LINK_ID_ROLE) is None and child.data(CODE_ROLE) == "tracking-domain-shared"


def test_an_unknown_code_has_no_row_and_a_new_audit_replaces_the_groups() -> None:
    model = FindingsModel()
    model.set_audit(audit_with_two_broken_links())
    assert model.group_row("no-such-code") is None
    model.set_audit(replace(sample_audit(), links=(), findings=(), domains=()))
    assert model.rowCount() == 0 and model.groups == []
