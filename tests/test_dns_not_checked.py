"""When the resolver cannot be asked, the audit says so once and blames no domain."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import jsonschema
import pytest

from clickaudit.bundled import read_text
from clickaudit.cli import main

SCHEMA = json.loads(read_text("schema", "report.schema.json"))
EMAIL = b"""From: Shop <news@shop.example>
To: someone@example.org
Subject: Spring sale
Content-Type: text/html; charset=utf-8

<a href="https://www.shop.example/sale?utm_source=news&utm_medium=email&utm_campaign=spring">Sale</a>
"""


def closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def audit(capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str) -> str:
    email = tmp_path / "sale.eml"
    email.write_bytes(EMAIL)
    main(
        [
            "audit",
            str(email),
            "--no-save",
            "--allow-private",
            "--timeout",
            "2",
            "--nameserver",
            f"127.0.0.1:{closed_udp_port()}",
            "--format",
            fmt,
            "--fail-on",
            "never",
        ]
    )
    return capsys.readouterr().out


def test_json_says_once_that_dns_was_not_checked_and_blames_no_domain(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = json.loads(audit(capsys, tmp_path, "json"))
    jsonschema.validate(report, SCHEMA)
    codes = [f["code"] for f in report["findings"]]
    assert codes.count("dns-not-checked") == 1
    assert report["domains"], "the domains are still listed"
    for domain in report["domains"]:
        assert domain["dns_checked"] is False and domain["dns_error"]
        assert not {f["code"] for f in domain["findings"]} & {
            "dns-servfail",
            "spf-missing",
            "dmarc-missing",
            "blocklist-unchecked",
        }


@pytest.mark.parametrize("columns", [80, 120])
def test_the_text_summary_agrees_with_the_json(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    columns: int,
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    out = audit(capsys, tmp_path, "text")
    assert "dns-not-checked" in out
    assert "no SPF" not in out and "no DMARC" not in out
    assert "check the domain's DNS servers" not in out.lower()
    assert "shop.example: sender; not checked (DNS)" in out
