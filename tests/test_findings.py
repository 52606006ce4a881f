"""The finding catalogue: every code DESIGN.md promises exists, with a severity, meaning and fix."""

from __future__ import annotations

import re

import pytest

from clickaudit.findings import CATALOGUE, finding, worst
from clickaudit.model import Severity

DESIGN_CODES = (
    "link-malformed",
    "link-relative",
    "link-merge-tag",
    "link-unsupported-scheme",
    "link-insecure",
    "link-text-mismatch",
    "link-untracked",
    "redirect-loop",
    "redirect-too-long",
    "redirect-blocked",
    "redirect-broken",
    "redirect-timeout",
    "redirect-downgrade",
    "redirect-unreachable",
    "destination-mismatch",
    "utm-missing",
    "utm-invalid",
    "utm-inconsistent",
    "utm-lost",
    "tracking-domain-misaligned",
    "tracking-domain-shared",
    "dns-nxdomain",
    "dns-cname-mismatch",
    "tls-invalid",
    "tls-hostname-mismatch",
    "tls-expiring",
    "tls-unavailable",
    "spf-missing",
    "spf-too-many-lookups",
    "dmarc-missing",
    "dmarc-weak",
    "dkim-missing",
    "blocklisted",
    "address-private",
)


def test_every_code_of_the_design_is_in_the_catalogue() -> None:
    assert [code for code in DESIGN_CODES if code not in CATALOGUE] == []


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_each_entry_is_complete(code: str) -> None:
    check = CATALOGUE[code]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code)
    assert check.code == code
    assert check.title and check.explanation.endswith((".", ")")) and check.fix


def test_finding_takes_severity_and_fix_from_the_catalogue() -> None:
    f = finding("redirect-loop", "a → b → a", "link:2")
    assert (f.severity, f.fix, f.subject) == (
        Severity.ERROR,
        CATALOGUE["redirect-loop"].fix,
        "link:2",
    )


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError):
        finding("redirect-loopy", "typo")


def test_worst_prefers_errors_then_warnings() -> None:
    info = finding("link-opaque", "x")
    warning = finding("link-insecure", "y")
    error = finding("redirect-broken", "z")
    assert worst([info, warning, error, info]) is error
    assert worst([info, warning]) is warning
    assert worst([]) is None
