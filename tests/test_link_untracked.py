"""link-untracked: a link the ESP did not rewrite while it rewrote the others. Only a known ESP's
or tracker's rewriting counts: a short link someone pasted is not click tracking being on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clickaudit.cli import main

EMAIL = """From: Shop <news@shop.example>
To: someone@example.org
Subject: Spring
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<p><a href="{tracked}">Spring sale</a> <a href="https://shop.example/about">About us</a></p>
"""


def _codes(tmp_path: Path, capsys: pytest.CaptureFixture[str], tracked: str) -> dict[str, list]:
    path = tmp_path / "spring.eml"
    path.write_text(EMAIL.format(tracked=tracked), "utf-8")
    main(["scan", "--format", "json", "--fail-on", "never", str(path)])
    report = json.loads(capsys.readouterr().out)
    return {link["href"]: [f["code"] for f in link["findings"]] for link in report["links"]}


def test_a_link_left_beside_an_esps_tracked_links_is_untracked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = _codes(tmp_path, capsys, "https://u123.ct.sendgrid.net/ls/click?upn=abc")
    assert "link-untracked" in codes["https://shop.example/about"]


def test_a_short_link_does_not_make_the_other_links_untracked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = _codes(tmp_path, capsys, "https://bit.ly/3xYzAbC")
    assert "tracker-unknown" in codes["https://bit.ly/3xYzAbC"]
    assert "link-untracked" not in codes["https://shop.example/about"]
