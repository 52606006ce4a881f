"""The domain panel: a row per domain with its worst finding's icon, its facts and findings as
children, the worrying ones open."""

from __future__ import annotations

from dataclasses import replace

import pytest

from clickaudit.findings import finding
from clickaudit.gui.widgets.domains import DomainPanel
from clickaudit.model import DomainReport, DomainRole
from tests.factories import sample_audit


@pytest.fixture
def panel(qtbot) -> DomainPanel:  # type: ignore[no-untyped-def]
    made = DomainPanel()
    qtbot.addWidget(made)
    return made


def children(panel: DomainPanel, row: int) -> dict[str, str]:
    item = panel.tree.topLevelItem(row)
    assert item is not None
    return {
        child.text(0): child.text(1)
        for i in range(item.childCount())
        if (child := item.child(i)) is not None
    }


def test_before_an_audit_the_panel_says_how_to_get_domain_checks(panel: DomainPanel) -> None:
    panel.show_domains(())
    item = panel.tree.topLevelItem(0)
    assert item is not None and item.text(0) == "No domain checks yet"
    assert "Ctrl+R" in item.text(1)


def test_each_domain_is_a_row_with_its_roles_and_its_facts(panel: DomainPanel) -> None:
    panel.show_domains(sample_audit().domains)
    assert panel.tree.topLevelItemCount() == 2
    tracking = panel.tree.topLevelItem(0)
    assert tracking is not None and (tracking.text(0), tracking.text(1)) == (
        "u1.ct.sendgrid.net",
        "tracking",
    )
    facts = children(panel, 0)
    assert facts["CNAME"] == "sendgrid.net"
    assert facts["TLS"] == "ok · TLSv1.3 · Test CA · expires 2027-01-01 (37 days)"
    assert facts["Blocklists"] == "not listed"
    sender = children(panel, 1)
    assert sender["SPF"] == "v=spf1 -all"


def test_a_finding_is_a_child_with_its_fix_and_a_warning_opens_its_domain(
    panel: DomainPanel,
) -> None:
    warned = DomainReport(
        "click.shop.example",
        (DomainRole.TRACKING,),
        findings=(finding("tls-expiring", "expires in 5 days", "domain:click.shop.example"),),
    )
    panel.show_domains([warned, sample_audit().domains[1]])
    facts = children(panel, 0)
    assert facts["tls-expiring"].startswith("expires in 5 days — Fix: ")
    top = panel.tree.topLevelItem(0)
    quiet = panel.tree.topLevelItem(1)
    assert top is not None and top.isExpanded()
    assert quiet is not None and not quiet.isExpanded()


def test_a_domain_whose_dns_was_not_checked_says_so_instead_of_blaming_it(
    panel: DomainPanel,
) -> None:
    unchecked = replace(sample_audit().domains[0], dns_error="the resolver is unreachable")
    panel.show_domains([unchecked])
    assert children(panel, 0)["DNS"] == "not checked: the resolver is unreachable"


def test_a_listed_domain_names_its_blocklists(panel: DomainPanel) -> None:
    listed = replace(sample_audit().domains[0], blocklists=("dbl.example",))
    panel.show_domains([listed])
    assert children(panel, 0)["Blocklists"] == "LISTED: dbl.example"
