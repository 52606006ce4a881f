"""The terminal report: grouped findings, wrapped (never cut) to 80 and 120 columns, URLs that
keep what tells them apart, one severity vocabulary with correct plurals."""

from __future__ import annotations

from pathlib import Path

import pytest

from clickaudit.cli import main

BOOTS = "https://shop.northwind.example/collections/outdoor/trail-boots?utm_source=news&utm_medium=email&utm_campaign=spring"
SHOES = BOOTS.replace("trail-boots", "trail-shoes")


def scan_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, path: Path, columns: int
) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    main(["scan", "--fail-on", "never", str(path)])
    return capsys.readouterr().out


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    relative = "".join(f'<p><a href="/account/{n}">Account page {n}</a></p>' for n in range(6))
    page = tmp_path / "campaign.html"
    page.write_text(
        f'<a href="{BOOTS}">Trail boots</a> <a href="{SHOES}">Trail shoes</a>{relative}'
        '<a href="https://shop.example/gift cards">Gift cards</a>',
        "utf-8",
    )
    return page


@pytest.mark.parametrize("columns", [80, 120])
def test_no_line_is_wider_than_the_terminal(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    campaign: Path,
    columns: int,
) -> None:
    out = scan_text(capsys, monkeypatch, campaign, columns)
    assert max(len(line) for line in out.splitlines()) <= columns


@pytest.mark.parametrize("columns", [80, 120])
def test_identical_findings_are_one_group_with_a_count_and_one_fix(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    campaign: Path,
    columns: int,
) -> None:
    out = scan_text(capsys, monkeypatch, campaign, columns)
    findings = out[out.index("Findings:") :]
    assert findings.count("link-relative") == 1
    headline = next(line for line in findings.splitlines() if "link-relative" in line)
    assert "6 links — link-relative" in headline
    fixes = [line for line in findings.splitlines() if line.lstrip().startswith("fix:")]
    assert len(fixes) == len({line.strip() for line in fixes})  # each fix once
    indent = len(headline) - len(headline.lstrip())
    assert all(len(line) - len(line.lstrip()) > indent for line in fixes)  # fixes sit under


@pytest.mark.parametrize("columns", [80, 120])
def test_destinations_differing_at_the_end_of_the_path_can_be_told_apart(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    campaign: Path,
    columns: int,
) -> None:
    out = scan_text(capsys, monkeypatch, campaign, columns)
    table = out[: out.index("Findings:")]
    joined = "".join(line.strip() for line in table.splitlines())  # rich may wrap a URL
    assert "trail-boots" in joined and "trail-shoes" in joined
    assert "shop.northwind.example" in joined


def test_counts_use_one_vocabulary_with_plurals(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, campaign: Path
) -> None:
    out = scan_text(capsys, monkeypatch, campaign, 120)
    result = next(line for line in out.splitlines() if line.startswith("Result:"))
    assert result.split(None, 1)[1] == "7 errors, 0 warnings, 0 info"
    assert "1 link — link-malformed" in out
    assert "notes" not in out
    assert "1 links" not in out and "1 hops" not in out


def test_plurals_are_right_for_one_and_many() -> None:
    from clickaudit.model import Severity
    from clickaudit.report.groups import count_phrase, id_ranges, plural

    assert count_phrase(Severity.ERROR, 1) == "1 error"
    assert count_phrase(Severity.WARNING, 2) == "2 warnings"
    assert count_phrase(Severity.INFO, 3) == "3 info"
    assert plural(1, "hop") == "1 hop" and plural(0, "hop") == "0 hops"
    assert id_ranges([9, 3, 4, 5, 12]) == "3–5, 9, 12"


def test_at_80_columns_an_audited_link_keeps_its_text_and_its_whole_host() -> None:
    """With the result and worst-finding columns, a table left 4 characters for the text and
    cut the host from the left ('…ample:37141'); narrow terminals stack each link instead."""
    from dataclasses import replace

    from clickaudit.report.text import render
    from tests.factories import sample_audit

    audit = sample_audit()
    long_host = "https://shop.northwind.example:37141/p/trail-shoes?utm_source=news"
    first = replace(audit.links[0], text="Northwind Outfitters", final_url=long_host)
    audit = replace(audit, links=(first, *audit.links[1:]))
    out = render([audit], width=80)
    assert max(len(line) for line in out.splitlines()) <= 80
    rows = out[: out.index("Findings:")] if "Findings:" in out else out
    joined = "".join(line.strip() for line in rows.splitlines())
    assert "“Northwind Outfitters” → https://shop.northwind.example:37141/p/trail-shoes" in joined
    assert "broken (404)" in rows and "redirect-broken" in rows
