"""The demo's synthetic click log tells the story: the ESP's rate and the people's rate differ,
and every machine verdict says why. The HTML section draws both charts inline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clickaudit.bundled import read_text
from clickaudit.clicks.model import Verdict
from clickaudit.clicks.session import analyse_audit
from clickaudit.pipeline import scan_path
from clickaudit.report.clicks_html import render_page


def filled(text: str) -> str:
    return text.replace("@HTTPS@", "8443").replace("@HTTP@", "8080")


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("demo")
    email = folder / "campaign.eml"
    log = folder / "northwind-clicks.synthetic.json"
    email.write_text(filled(read_text("samples", "northwind", "campaign.eml.in")))
    log.write_text(filled(read_text("samples", "northwind", "clicks.synthetic.json.in")))
    return analyse_audit(scan_path(str(email))[0], [str(log)])


def test_the_demo_log_says_it_is_synthetic() -> None:
    first = json.loads(read_text("samples", "northwind", "clicks.synthetic.json.in"))[0]
    assert "synthetic" in first["note"]


def test_demo_raw_and_human_click_rates_differ(demo_report) -> None:  # type: ignore[no-untyped-def]
    summary = demo_report.summary
    assert demo_report.stats.unmatched == 0 and demo_report.stats.skipped_total == 0
    assert summary.delivered == 400
    assert summary.click_rate_raw is not None and summary.click_rate_human is not None
    assert summary.click_rate_raw > 3 * summary.click_rate_human > 0
    assert summary.scanner > summary.human > 0
    assert summary.likely_scanner > 0  # the open-time checkers: only their burst tells


def test_every_machine_verdict_in_the_demo_shows_its_reasons(demo_report) -> None:  # type: ignore[no-untyped-def]
    machine = [c for c in demo_report.clicks if c.verdict is not Verdict.HUMAN]
    assert machine and all(c.reasons for c in machine)
    seen = {reason.value for c in machine for reason in c.reasons}
    assert {
        "scanner-network",
        "burst",
        "delivery-seconds",
        "scanner-agent",
        "all-links",
        "cloud-network",
    } <= seen


def test_html_section_has_both_charts_inline_and_loads_nothing(demo_report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = render_page(demo_report)
    assert page.count("<svg") == 2
    assert "Clicks by seconds after delivery" in page and "Clicks per link" in page
    assert "<script" not in page and "src=" not in page and "url(" not in page
