"""Say what each link is, offline: tracked (by which ESP), wrapped, direct, or untrackable (why).

The order of the questions matters and mirrors what an ESP does when it rewrites a template:
an unfilled merge tag, a fragment, mailto/tel, a relative or other-scheme link and a malformed
URL are left alone (untrackable); a link with a per-link opt-out attribute is skipped; a link
wrapped by a security gateway is unwrapped, and what is inside is classified in turn; a link on
an ESP's click host, or with an ESP's click path on a branded host, is tracked, and its
destination is decoded where the format carries it. Everything else is direct.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from clickaudit.decode import contains_email_address, decode_tracker
from clickaudit.esp.fingerprints import EspMatch, Fingerprints, load_fingerprints
from clickaudit.model import Category, Element, Email, Image, Link, Part, UntrackableReason, evolve
from clickaudit.unwrap import unwrap
from clickaudit.urls import (
    host_of,
    is_fragment,
    is_relative,
    malformed_reason,
    merge_tag,
    scheme_of,
    system_link_kind,
)

MAX_NESTED_TRACKERS = 5


@dataclass(frozen=True, slots=True)
class Classification:
    links: tuple[Link, ...]
    images: tuple[Image, ...]
    esp: str | None  # the ESP that sent the email, by headers or by most of its tracked links


def classify(
    email: Email,
    links: Sequence[Link],
    images: Sequence[Image] = (),
    fingerprints: Fingerprints | None = None,
) -> Classification:
    fingerprints = fingerprints or load_fingerprints()
    header_esp = fingerprints.esp_for_headers(email.headers)
    classified = tuple(classify_link(link, fingerprints, header_esp=header_esp) for link in links)
    classified_images = tuple(classify_image(image, fingerprints) for image in images)
    return Classification(
        links=classified,
        images=classified_images,
        esp=sending_esp(classified, classified_images, header_esp),
    )


def sending_esp(
    links: Sequence[Link], images: Sequence[Image], header_esp: str | None
) -> str | None:
    """Who sent the email: the ESP most of its links are tracked by.

    Headers often name the relay underneath (Iterable and Marketo send through SES, Customer.io
    through Mailgun), so they only break ties; with no tracked link, the open pixel decides.
    """
    counts = Counter(link.esp for link in links if link.esp)
    if counts:
        best = max(counts.values())
        leaders = [esp for esp, count in counts.items() if count == best]
        return header_esp if header_esp in leaders else leaders[0]
    if header_esp:
        return header_esp
    return next((image.esp for image in images if image.pixel and image.esp), None)


def classify_link(link: Link, fingerprints: Fingerprints, *, header_esp: str | None = None) -> Link:
    href = link.href.strip()
    system = "unsubscribe" if link.element is Element.LIST_UNSUBSCRIBE else None
    reason = _untrackable_reason(href, link, fingerprints)
    if reason is not None:
        on_esp_host = (
            fingerprints.esp_for_url(href) if reason is UntrackableReason.MALFORMED else None
        )
        return evolve(
            link,
            category=Category.UNTRACKABLE,
            reason=reason,
            esp=on_esp_host.esp if on_esp_host else None,
            system=system
            or (system_link_kind(href, link.text) if reason is UntrackableReason.OPT_OUT else None),
            personal_data=contains_email_address(href) and reason is not UntrackableReason.MAILTO,
        )
    innermost, gateways, host_hint = unwrap(href, fingerprints)
    notes: list[str] = []
    if link.attributes.get("data-saferedirecturl"):
        notes.append("Gmail added data-saferedirecturl (the email was forwarded from Gmail)")
    target = innermost if gateways else href
    match = fingerprints.esp_for_url(target, prefer=header_esp)
    decoded: str | None = (
        innermost if gateways and host_hint is None and innermost != href else None
    )
    esp = tracking_host = None
    personal = contains_email_address(href)
    if match is not None:
        esp, tracking_host = match.esp, match.host
        decoded, personal, hint, chain = _decode_nested(target, fingerprints, header_esp, match)
        host_hint = host_hint or hint
        if len(chain) > 1:
            notes.append("nested trackers: " + " → ".join(chain))
    category = Category.WRAPPED if gateways else Category.TRACKED if match else Category.DIRECT
    destination_for_kind = decoded or (href if category is Category.DIRECT else target)
    system = system or system_link_kind(destination_for_kind, link.text)
    if system is None and esp and fingerprints.is_system_path(esp, target):
        system = "unsubscribe"
    return evolve(
        link,
        category=category,
        reason=None,
        esp=esp,
        tracking_host=tracking_host,
        wrappers=gateways,
        decoded=decoded,
        host_hint=host_hint,
        system=system,
        personal_data=personal,
        notes=(*link.notes, *notes),
    )


def _untrackable_reason(
    href: str, link: Link, fingerprints: Fingerprints
) -> UntrackableReason | None:
    if merge_tag(href) is not None:
        return UntrackableReason.MERGE_TAG
    if not href or is_fragment(href):
        return UntrackableReason.FRAGMENT
    scheme = scheme_of(href)
    if scheme == "mailto":
        return UntrackableReason.MAILTO
    if scheme == "tel":
        return UntrackableReason.TEL
    if scheme is None:
        return UntrackableReason.RELATIVE if is_relative(href) else UntrackableReason.MALFORMED
    if scheme not in ("http", "https"):
        return UntrackableReason.SCHEME
    if malformed_reason(href) is not None:
        return UntrackableReason.MALFORMED
    if link.part is not Part.HEADER and fingerprints.opt_out_attribute(link.attributes):
        return UntrackableReason.OPT_OUT
    return None


def _decode_nested(
    url: str, fingerprints: Fingerprints, header_esp: str | None, first: EspMatch | None = None
) -> tuple[str | None, bool, str | None, list[str]]:
    """Decode a tracker, and the tracker or wrapper it leads to, up to a small depth.

    Mandrill wrapping Postmark, or SES inside Proofpoint, are real; the destination reported is
    the innermost one that could be recovered.
    """
    chain: list[str] = []
    destination: str | None = None
    personal = False
    hint: str | None = None
    current = url
    for _ in range(MAX_NESTED_TRACKERS):
        if first is not None and not chain:
            match: EspMatch | None = first  # the caller has just asked
        else:
            match = fingerprints.esp_for_url(current, prefer=header_esp if not chain else None)
        if match is None:
            inner, gateways, gateway_hint = unwrap(current, fingerprints)
            if gateways and inner != current:
                chain.extend(gateways)
                destination, current = inner, inner
                hint = hint or gateway_hint
                continue
            break
        chain.append(match.esp)
        decoded = decode_tracker(current, fingerprints, match)
        if decoded is None:
            break
        personal = personal or decoded.personal_data
        hint = hint or decoded.host_hint
        if not decoded.destination or decoded.destination == current:
            break
        destination = current = decoded.destination
    return destination, personal, hint, chain


def classify_image(image: Image, fingerprints: Fingerprints) -> Image:
    esp = fingerprints.esp_for_open_pixel(image.src)
    if esp:
        reason = image.reason or f"{esp} open-tracking URL"
        return evolve(image, pixel=True, esp=esp, reason=reason)
    if image.pixel:
        host = host_of(image.src)
        owner = fingerprints.esp_for_host(host) if host else None
        return evolve(image, esp=owner or image.esp)
    return image
