"""Findings that need no network: what the classification already says about each link.

This is the judgement half of ``clickaudit scan``. Chains, UTM and domains are judged by their
own modules once the network stages have run; everything here is true of the email as written.
"""

from __future__ import annotations

from collections.abc import Sequence

from clickaudit import urls
from clickaudit.findings import finding
from clickaudit.judge.homographs import homograph_reason
from clickaudit.merge_tags import merge_tag
from clickaudit.model import (
    Category,
    Email,
    EmailNoteKind,
    EspSource,
    Finding,
    LayerKind,
    Link,
    Part,
    UntrackableReason,
    evolve,
)
from clickaudit.shape import tracker_evidence
from clickaudit.url_display import shorten_url

# Schemes a mail client handles on purpose; anything else under reason "scheme" is reported.
BENIGN_SCHEMES = frozenset(
    {"sms", "callto", "facetime", "webcal", "geo", "skype", "whatsapp", "cid"}
)


def judge_link_offline(link: Link, *, message_is_tracked: bool) -> tuple[Finding, ...]:
    """Findings about one classified link, as written in the email."""
    found: list[Finding] = []
    subject = link.subject
    shown = _Shown(link.href)

    if link.category is Category.UNTRACKABLE:
        found.extend(_untrackable_findings(link, shown))
    if link.category in (Category.TRACKED, Category.WRAPPED, Category.DIRECT):
        found.extend(_url_safety_findings(link, shown))

    if link.category is Category.WRAPPED:
        found.append(
            finding(
                "link-wrapped",
                f"{shown} is wrapped by {' → '.join(link.wrappers)}"
                + (f"; it leads to {_short(link.decoded)}" if link.decoded else ""),
                subject,
            )
        )
    if link.esp_source is EspSource.SHAPE:
        found.append(_tracker_unknown(link, shown))
    if link.category is Category.TRACKED and not (link.decoded or link.expected or link.system):
        esp = link.esp or "the ESP"
        found.append(
            finding(
                "link-opaque",
                f"{shown}: {esp} keeps this link's destination on its server"
                + (f" (host hint: {link.host_hint})" if link.host_hint else ""),
                subject,
            )
        )
    if link.personal_data:
        found.append(
            finding("link-personal-data", f"{shown} carries the recipient's identity", subject)
        )
    if (
        message_is_tracked
        and link.category is Category.DIRECT
        and link.part is Part.HTML
        and link.system is None
        and link.esp is None  # the ESP's own page (web view, image): not a link it rewrites
    ):
        found.append(
            finding(
                "link-untracked",
                f"{shown} was not rewritten although other links of this email are tracked",
                subject,
            )
        )
    return tuple(found)


def _tracker_unknown(link: Link, shown: _Shown) -> Finding:
    """Name the evidence: asked again of the redirector layer's URL (a pure function of it)."""
    layer = next(
        (item for item in link.layers if item.kind is LayerKind.REDIRECTOR and not item.name),
        None,
    )
    evidence = tracker_evidence(layer.url) if layer is not None else None
    why = evidence.detail if evidence is not None else "it has the shape of a click redirector"
    return finding(
        "tracker-unknown", f"{shown} is tracked by an unknown redirector: {why}", link.subject
    )


def _untrackable_findings(link: Link, shown: _Shown) -> list[Finding]:
    subject = link.subject
    reason = link.reason
    if reason is UntrackableReason.MALFORMED:
        why = urls.malformed_reason(link.href) or "not a valid URL"
        return [finding("link-malformed", f"{shown}: {why}", subject)]
    if reason is UntrackableReason.FRAGMENT and not link.href.strip():
        label = f' "{link.text}"' if link.text else ""
        return [
            finding(
                "link-empty",
                f'the link{label} has an empty href (href=""): it goes nowhere',
                subject,
            )
        ]
    if reason is UntrackableReason.MERGE_TAG:
        tag = merge_tag(link.href) or "template syntax"
        return [finding("link-merge-tag", f"{shown} still contains {tag}", subject)]
    if reason is UntrackableReason.RELATIVE:
        if urls.is_protocol_relative(link.href):
            why = "has no scheme (//host): mail clients without a base URL cannot open it"
        else:
            why = "has no host: it goes nowhere in an inbox"
        return [finding("link-relative", f"{shown} {why}", subject)]
    if reason is UntrackableReason.SCHEME:
        scheme = (urls.scheme_of(link.href) or "").lower()
        if scheme in BENIGN_SCHEMES:
            return []
        return [finding("link-unsupported-scheme", f"{shown} uses the {scheme}: scheme", subject)]
    if reason is UntrackableReason.OPT_OUT:
        attribute = next(iter(_opt_out_attributes(link)), "an opt-out attribute")
        return [
            finding("link-opted-out", f"{shown} is excluded from tracking by {attribute}", subject)
        ]
    return []


def _opt_out_attributes(link: Link) -> list[str]:
    return [
        f'{name}="{value}"' if value else name
        for name, value in link.attributes.items()
        if "track" in name.lower()
    ]


def _url_safety_findings(link: Link, shown: _Shown) -> list[Finding]:
    found: list[Finding] = []
    subject = link.subject
    parsed = urls.parse_url(link.href)
    if parsed and parsed.scheme == "http":
        what = "tracking link" if link.category is Category.TRACKED else "link"
        found.append(finding("link-insecure", f"{shown}: this {what} uses plain http", subject))
    elif link.decoded and link.decoded.lower().startswith("http://"):
        found.append(
            finding(
                "link-insecure",
                f"{shown} leads to a plain-http destination: {_short(link.decoded)}",
                subject,
            )
        )
    if link.decoded and urls.is_relative(link.decoded):
        found.append(
            finding(
                "link-relative",
                f"{shown} leads to the relative address {_short(link.decoded)}: the template "
                "had a relative link, so the tracker redirects nowhere",
                subject,
            )
        )
    checked = (
        (link.href,) if not link.decoded or link.decoded == link.href else (link.href, link.decoded)
    )
    for url in checked:  # the link as written, then where it leads (in that order, every run)
        target = parsed if url is link.href else urls.parse_url(url)
        if target is None:
            continue
        if target.username or target.password:
            found.append(
                finding(
                    "link-credentials", f"{_short(url)} has credentials before its host", subject
                )
            )
        why = homograph_reason(target.host) if target.host else None
        if why:
            found.append(
                finding("link-homograph", f"{target.host_unicode or target.host}: {why}", subject)
            )
    destination = link.destination
    if destination and link.text:
        other = urls.text_shows_other_domain(link.text, destination)
        if other:
            target = urls.parse_url(destination)
            goes_to = target.host if target else "another domain"
            found.append(
                finding(
                    "link-text-mismatch",
                    f"the text shows {other} but the link goes to {goes_to}",
                    subject,
                )
            )
    return found


def judge_message_offline(email: Email, links: Sequence[Link]) -> tuple[Finding, ...]:
    """Message-level findings: no links, charset trouble, broken MIME, unsubscribe headers."""
    found: list[Finding] = []
    if not links:
        found.append(finding("email-no-links", f"{email.source.label} has no links"))
    for part in email.parts:
        if part.charset_note:
            found.append(
                finding("email-charset-fallback", f"{part.content_type} part: {part.charset_note}")
            )
    for note in email.notes:
        if note.kind is EmailNoteKind.MALFORMED_MIME:
            found.append(finding("email-malformed", note.text))
    found.extend(_unsubscribe_findings(email, links))
    found.extend(_text_twin_findings(links))
    return tuple(found)


def _unsubscribe_findings(email: Email, links: Sequence[Link]) -> list[Finding]:
    if email.source.kind not in ("eml", "mbox"):
        return []  # an HTML or text file has no headers to judge
    headers = email.headers
    bulk = bool(headers.esp_headers) or any(link.category is Category.TRACKED for link in links)
    if not headers.list_unsubscribe:
        if bulk:
            return [
                finding(
                    "list-unsubscribe-missing",
                    "this bulk email has no List-Unsubscribe header",
                )
            ]
        return []
    if "http" in headers.list_unsubscribe.lower() and not headers.list_unsubscribe_post:
        return [
            finding(
                "list-unsubscribe-no-one-click",
                "List-Unsubscribe has an https URL but there is no List-Unsubscribe-Post header",
            )
        ]
    return []


def _text_twin_findings(links: Sequence[Link]) -> list[Finding]:
    opted_out = {
        link.href
        for link in links
        if link.part is Part.HTML and link.reason is UntrackableReason.OPT_OUT
    }
    found = []
    for link in links:
        if (
            link.part is Part.TEXT
            and link.href in opted_out
            and link.reason is not UntrackableReason.OPT_OUT
        ):
            found.append(
                finding(
                    "link-duplicate-tracking",
                    f"{_short(link.href)} is opted out in HTML but bare in the text part",
                    link.subject,
                )
            )
    return found


def judge_offline(
    email: Email, links: Sequence[Link]
) -> tuple[tuple[Link, ...], tuple[Finding, ...]]:
    """Attach offline findings to every link; return the links and the message-level findings."""
    # "Click tracking is on" means a known ESP or tracker rewrote links. A short link or a
    # redirector nobody named (esp None) is one link someone chose, not the ESP's rewriting:
    # it must not make every other link of the email "not rewritten".
    message_is_tracked = any(
        link.category is Category.TRACKED and link.esp is not None for link in links
    )
    judged = []
    for link in links:
        found = judge_link_offline(link, message_is_tracked=message_is_tracked)
        # a link with nothing to say is kept as it is: it is immutable, so sharing is safe
        judged.append(evolve(link, findings=link.findings + found) if found else link)
    return tuple(judged), judge_message_offline(email, judged)


class _Shown:
    """A link's href as finding messages show it, shortened only when a message is written:
    most links get no finding, and shortening every href cost more than judging it."""

    __slots__ = ("_text", "_url")

    def __init__(self, url: str) -> None:
        self._url = url
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = _short(self._url)
        return self._text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _short(url: str | None, limit: int = 90) -> str:
    return shorten_url(url, limit) if url else ""
