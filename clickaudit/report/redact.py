"""Redaction for reports that leave the company: recipients' addresses and tokens masked.

A pure function over the audit model, so every report format redacts the same way. Email
addresses anywhere become ``[email]``; values of parameters that identify a recipient and long
opaque tokens in tracking URLs become ``[token]``, keeping scheme, host and path shape so the
report stays useful.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlunsplit

from clickaudit.model import Audit, DomainReport, Email, Finding, Headers, Hop, Link, evolve
from clickaudit.urls import split_url

EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}(?:@|%40)[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}")
IDENTITY_PARAMS = frozenset(
    {
        "e",
        "email",
        "_e",
        "upn",
        "qs",
        "r",
        "recipient",
        "subscriber",
        "uid",
        "user_id",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "vero_id",
        "ck_subscriber_id",
        "sig",
        "signature",
        "token",
        "t",
        "p",
        "_t",
        "_m",
        "j",
        "data",
        "sdata",
        "ust",
        "usg",
    }
)
OPAQUE = re.compile(r"[A-Za-z0-9_\-~.=%]{16,}")


def redact_text(text: str) -> str:
    return EMAIL.sub("[email]", text)


def redact_url(url: str | None) -> str | None:
    if not url:
        return url
    try:
        parts = split_url(url)
    except ValueError:
        return redact_text(url)
    if not parts.scheme.startswith("http"):
        return redact_text(url)
    segments = [
        "[token]" if OPAQUE.fullmatch(segment) and not _looks_like_word(segment) else segment
        for segment in parts.path.split("/")
    ]
    query = [
        (name, "[token]" if name.lower() in IDENTITY_PARAMS or OPAQUE.fullmatch(value) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    rebuilt = urlunsplit(
        (parts.scheme, parts.netloc, "/".join(segments), urlencode(query, safe="[]"), "")
    )
    return redact_text(rebuilt)


def _looks_like_word(segment: str) -> bool:
    """Readable slugs (winter-sale-2026-outerwear) stay; random tokens go."""
    return bool(re.fullmatch(r"[a-z]+(?:[-_.][a-z0-9]+)*", segment))


def _finding(f: Finding) -> Finding:
    message = EMAIL.sub("[email]", f.message)
    message = re.sub(r"https?://\S+", lambda m: redact_url(m.group(0)) or "", message)
    return evolve(f, message=message)


def _link(link: Link) -> Link:
    return evolve(
        link,
        href=redact_url(link.href) if link.href.startswith("http") else redact_text(link.href),
        decoded=redact_url(link.decoded),
        expected=redact_url(link.expected),
        final_url=redact_url(link.final_url),
        chain=tuple(_hop(h) for h in link.chain),
        notes=tuple(redact_text(n) for n in link.notes),
        findings=tuple(_finding(f) for f in link.findings),
        text=redact_text(link.text),
    )


def _hop(hop: Hop) -> Hop:
    return evolve(hop, url=redact_url(hop.url) or "", location=redact_url(hop.location))


def _headers(headers: Headers) -> Headers:
    return evolve(
        headers,
        to="[recipient]" if headers.to else "",
        list_unsubscribe=", ".join(
            f"<{redact_url(u) if u.startswith('http') else redact_text(u)}>"
            for u in re.findall(r"<([^>]+)>", headers.list_unsubscribe)
        ),
        authentication_results=tuple(redact_text(v) for v in headers.authentication_results),
    )


def redact_audit(audit: Audit) -> Audit:
    email: Email = evolve(
        audit.email,
        headers=_headers(audit.email.headers),
        raw="",
        parts=(),
        notes=tuple(evolve(n, text=redact_text(n.text)) for n in audit.email.notes),
    )
    domains: tuple[DomainReport, ...] = tuple(
        evolve(d, findings=tuple(_finding(f) for f in d.findings)) for d in audit.domains
    )
    return evolve(
        audit,
        email=email,
        links=tuple(_link(link) for link in audit.links),
        images=tuple(evolve(i, src=redact_url(i.src) or "") for i in audit.images),
        findings=tuple(_finding(f) for f in audit.findings),
        domains=domains,
    )
