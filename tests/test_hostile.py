"""Hostile input: no email, URL, policy or SPF record makes the engine raise anything but its own
errors, hang, or take unbounded memory; the URL checks agree with the WHATWG URL test data."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickaudit import urls
from clickaudit.classify import classify_link
from clickaudit.domains.auth import check_spf
from clickaudit.domains.dns import Lookup
from clickaudit.errors import ClickauditError, InputError, PolicyError
from clickaudit.esp.fingerprints import load_fingerprints
from clickaudit.extract import extract
from clickaudit.judge.domains import spf_findings
from clickaudit.judge.offline import judge_offline
from clickaudit.load import load_bytes
from clickaudit.merge_tags import merge_tag
from clickaudit.model import Category, Element, Link, LookupStatus, Part
from clickaudit.pipeline import scan_email
from clickaudit.unwrap import unwrap
from clickaudit.utm import parse_policy

FP = load_fingerprints()
# CLICKAUDIT_FUZZ_EXAMPLES raises the count for a long run on demand (CI keeps the default).
FUZZ = settings(
    max_examples=int(os.environ.get("CLICKAUDIT_FUZZ_EXAMPLES", "200")),
    derandomize="CLICKAUDIT_FUZZ_EXAMPLES" not in os.environ,  # CI: the same inputs every run
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def scan_bytes(data: bytes, kind: str | None = None) -> None:
    for email in load_bytes(data, "fuzz.eml", kind=kind):
        audit = scan_email(email, FP)
        assert audit.email is email


@FUZZ
@given(st.binary(max_size=4000))
def test_any_bytes_load_or_give_an_input_error(data: bytes) -> None:
    try:
        scan_bytes(data)
    except InputError as error:
        assert error.problem


MIME_PIECES = st.sampled_from(
    [
        b"From: a@b.example\r\n",
        b"Content-Type: multipart/mixed; boundary=x\r\n",
        b"Content-Type: text/html; charset=utf-8\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b'Content-Type: text/plain; charset="no-such"\r\n',
        b"\r\n",
        b"--x\r\n",
        b"--x--\r\n",
        b'<a href="https://e.example/=\r\n3D?x">t</a>',
        b"aGVsbG8=\r\n",
        b"=E9=\r\n",
        b"\x00",
        b'<v:roundrect href="https://v.example">',
        b"<!--[if mso]>",
        b"<![endif]-->",
    ]
)


@FUZZ
@given(st.lists(MIME_PIECES, max_size=60))
def test_mime_shaped_garbage_is_read_as_far_as_possible(pieces: list[bytes]) -> None:
    with contextlib.suppress(InputError):
        scan_bytes(b"".join(pieces), "eml")


@FUZZ
@given(st.text(max_size=3000))
def test_any_html_text_is_extracted(text: str) -> None:
    try:
        [email] = load_bytes(text.encode("utf-8", "surrogatepass"), "f.html", kind="html")
    except InputError:
        return  # empty or binary-looking: refused with a message, which is the contract
    links = extract(email).links
    judge_offline(email, [classify_link(link, FP) for link in links])


@FUZZ
@given(st.text(max_size=500))
def test_any_href_is_classified(href: str) -> None:
    link = classify_link(Link(1, Part.HTML, Element.A, href), FP)
    assert isinstance(link.category, Category)
    unwrap(href, FP)
    urls.malformed_reason(href)
    merge_tag(href)


@FUZZ
@given(
    st.from_regex(
        r"https://(urldefense\.com/v3/__|eur01\.safelinks\.protection\.outlook\.com/\?url=|"
        r"x\.r\.us-east-1\.awstrack\.me/L0/|email\.x\.example/c/eJ|mandrillapp\.com/track/click/1/h\?p=)"
        r"[A-Za-z0-9%*_!;:/?=&.~-]{0,200}",
        fullmatch=True,
    )
)
def test_wrappers_and_trackers_with_broken_payloads_never_raise(href: str) -> None:
    classify_link(Link(1, Part.HTML, Element.A, href), FP)


@FUZZ
@given(st.text(max_size=600))
def test_any_policy_text_is_parsed_or_a_policy_error(text: str) -> None:
    with contextlib.suppress(PolicyError):
        parse_policy(text, "fuzz.toml")


class FakeDns:
    """SPF records from a dictionary, as the DNS cache would answer them."""

    def __init__(self, records: dict[str, list[str]]) -> None:
        self.records = records

    async def txt(self, name: str) -> Lookup:
        return await self.lookup(name, "TXT")

    async def lookup(self, name: str, rdtype: str) -> Lookup:
        found = self.records.get(name)
        if found is None:
            return Lookup(name, rdtype, status=LookupStatus.NXDOMAIN)
        return Lookup(name, rdtype, tuple(found) if rdtype == "TXT" else ("192.0.2.1",))


SPF_TERMS = st.sampled_from(
    [
        "include:a.example",
        "include:b.example",
        "a",
        "mx",
        "ptr",
        "exists:%{i}.x",
        "ip4:1.2.3.4",
        "ip6:::1",
        "-all",
        "~all",
        "+all",
        "?all",
        "redirect=b.example",
        "exp=x",
        "bogus",
        "a:/24",
        "include:",
        "=",
        "v=spf1",
    ]
)


@FUZZ
@given(st.lists(SPF_TERMS, max_size=25), st.lists(SPF_TERMS, max_size=25))
def test_any_spf_record_is_judged_without_error(first: list[str], second: list[str]) -> None:
    dns = FakeDns(
        {
            "shop.example": ["v=spf1 " + " ".join(first)],
            "a.example": ["v=spf1 include:shop.example " + " ".join(second)],
            "b.example": ["v=spf1 " + " ".join(second)],
        }
    )
    facts = asyncio.run(check_spf("shop.example", dns))  # type: ignore[arg-type]
    assert isinstance(facts.as_report(), dict)
    assert all(f.code.startswith("spf-") for f in spf_findings(facts, "domain:shop.example"))


WHATWG = Path(__file__).parent / "fixtures" / "whatwg" / "urltestdata.json"  # BSD-3, see README

# Inputs the URL Standard accepts (browsers repair them) but RFC 3986 does not. An email link
# that needs repairing breaks in some mail client or ESP, so clickaudit reports these on purpose.
DELIBERATELY_STRICTER = re.compile(
    r"space or line break|unencoded|bad percent-escape|control character|must be followed by '//'"
    r"|unusual form|invalid host name '(\.{1,2}|xn--)'"
)


def whatwg_absolute_web_urls() -> list[dict[str, object]]:
    data = json.loads(WHATWG.read_text("utf-8"))
    return [
        entry
        for entry in data
        if isinstance(entry, dict)
        and entry.get("base") is None
        and str(entry["input"]).lower().lstrip().startswith(("http:", "https:"))
    ]


def test_every_url_the_standard_rejects_is_reported() -> None:
    rejected = [e for e in whatwg_absolute_web_urls() if e.get("failure")]
    missed = [
        e["input"]
        for e in rejected
        if not urls.malformed_reason(str(e["input"])) and urls.parse_url(str(e["input"]))
    ]
    assert len(rejected) > 100
    assert missed == []


def test_every_valid_url_parses_alike_or_is_reported_for_an_argued_reason() -> None:
    disagreements: list[tuple[str, ...] | tuple[str, str | None]] = []
    for entry in whatwg_absolute_web_urls():
        if entry.get("failure"):
            continue
        text = str(entry["input"])
        reason = urls.malformed_reason(text)
        parsed = urls.parse_url(text)
        if reason or parsed is None:
            if not (reason and DELIBERATELY_STRICTER.search(reason)):
                disagreements.append((text, reason))
            continue
        if (parsed.host, urls.normalise_path(parsed.path)) != (
            str(entry["hostname"]).lower(),
            entry["pathname"],
        ):
            disagreements.append((text, parsed.host, urls.normalise_path(parsed.path)))
    assert disagreements == []


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "10,000 parts",
            b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            + b"".join(
                b"--b\r\nContent-Type: text/plain\r\n\r\nhttps://p%d.example/\r\n" % n
                for n in range(10_000)
            )
            + b"--b--\r\n",
        ),
        (
            "truncated base64",
            b"From: a@b.example\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGEgaHJlZj0iaHR0cHM6Ly9hLmV4YW1wbGUvIj5hPC9hPjxwPm1vcmUgdGV4dCB0aGF0IGlzIGN1d",
        ),
        (
            "missing boundary",
            b'From: a@b.example\r\nContent-Type: multipart/alternative\r\n\r\n<a href="https://x.example/">x</a>',
        ),
        (
            "HTML nested 100,000 deep",
            b"<html><body>" + b"<div>" * 100_000 + b'<a href="https://deep.example/">d</a>',
        ),
        (
            "50 MB body",
            b"From: a@b.example\r\nContent-Type: text/plain\r\n\r\nhttps://big.example/\r\n"
            + b"x" * 50_000_000,
        ),
        ("64 KB URL", b'<a href="https://long.example/' + b"a" * 65_536 + b'">long</a>'),
        (
            "invalid charset",
            b'From: a@b.example\r\nContent-Type: text/html; charset=klingon\r\n\r\n<a href="https://c.example/">\xff\xfe</a>',
        ),
    ],
)
def test_hostile_emails_give_a_result(name: str, data: bytes) -> None:
    kind = "html" if data.startswith(b"<") else None
    audits = [scan_email(email, FP) for email in load_bytes(data, f"{name}.eml", kind=kind)]
    assert audits and any(audit.links for audit in audits)
    if name == "truncated base64":
        assert any("base64" in note.text for audit in audits for note in audit.email.notes)


@pytest.mark.timeout(60)
def test_message_rfc822_nested_50_deep() -> None:
    message = b"From: a@b.example\r\nContent-Type: text/plain\r\n\r\nhttps://leaf.example/\r\n"
    for _ in range(50):
        message = b"From: a@b.example\r\nContent-Type: message/rfc822\r\n\r\n" + message
    emails = load_bytes(message, "nested.eml")
    assert 1 < len(emails) <= 22


def test_homographs_and_credentials_are_flagged() -> None:
    html = '<a href="https://аpple.example/">apple</a> <a href="https://bank.example@evil.example/">bank</a>'
    [email] = load_bytes(html.encode(), "phish.html", kind="html")
    audit = scan_email(email, FP)
    codes = {f.code for link in audit.links for f in link.findings}
    assert {"link-homograph", "link-credentials"} <= codes


def test_engine_errors_are_the_only_errors_for_unreadable_paths(tmp_path: Path) -> None:
    from clickaudit.load import load_path

    for path in (tmp_path / "missing.eml", tmp_path):
        with pytest.raises(ClickauditError):
            load_path(path)
