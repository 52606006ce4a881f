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

from clickaudit.decode import contains_email_address
from clickaudit.esp.fingerprints import Fingerprints, LinkRole, load_fingerprints
from clickaudit.esp.trackers import TrackerLists, load_tracker_lists
from clickaudit.merge_tags import merge_tag
from clickaudit.model import (
    Category,
    Element,
    Email,
    EspSource,
    Image,
    Layer,
    LayerKind,
    Link,
    Part,
    UntrackableReason,
    evolve,
)
from clickaudit.peel import peel
from clickaudit.psl import organisational_domain
from clickaudit.shape import TrackerEvidence, tracker_evidence
from clickaudit.system_links import system_link_kind
from clickaudit.unwrap import unwrap_once
from clickaudit.urls import host_of, is_fragment, is_relative, malformed_reason, scheme_of

__all__ = ["TrackerEvidence", "classify", "classify_link", "tracker_evidence"]


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
    trackers: TrackerLists | None = None,
) -> Classification:
    fingerprints = fingerprints or load_fingerprints()
    trackers = trackers if trackers is not None else load_tracker_lists()
    header_esp = fingerprints.esp_for_headers(email.headers)
    classified = tuple(
        classify_link(link, fingerprints, header_esp=header_esp, trackers=trackers)
        for link in links
    )
    if header_esp:
        classified = name_branded_trackers(classified, header_esp, email.headers.from_domain)
    classified_images = tuple(classify_image(image, fingerprints, trackers) for image in images)
    return Classification(
        links=classified,
        images=classified_images,
        esp=sending_esp(classified, classified_images, header_esp),
    )


def name_branded_trackers(
    links: tuple[Link, ...], header_esp: str, from_domain: str
) -> tuple[Link, ...]:
    """A link tracked by its shape on a subdomain of the sender's own domain
    (``click.news.shop.example`` in a mail from ``news@shop.example``) is the branded tracking
    domain of the ESP the headers name: ``esp_source`` says ``header``."""
    sender = organisational_domain(from_domain) if from_domain else ""
    if not sender:
        return links
    out = []
    for link in links:
        if link.esp_source is not EspSource.SHAPE:
            out.append(link)
            continue
        at = next(
            (
                i
                for i, layer in enumerate(link.layers)
                if layer.kind is LayerKind.REDIRECTOR and layer.name is None
            ),
            None,
        )
        host = host_of(link.layers[at].url) or "" if at is not None else ""
        if at is not None and host != sender and host.endswith("." + sender):
            layers = list(link.layers)
            layers[at] = Layer(LayerKind.TRACKER, header_esp, layers[at].url)
            link = evolve(link, esp=header_esp, esp_source=EspSource.HEADER, layers=tuple(layers))
        out.append(link)
    return tuple(out)


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


def classify_link(
    link: Link,
    fingerprints: Fingerprints,
    *,
    header_esp: str | None = None,
    trackers: TrackerLists | None = None,
) -> Link:
    href = link.href.strip()
    system = "unsubscribe" if link.element is Element.LIST_UNSUBSCRIBE else link.system
    reason = _untrackable_reason(href, link, fingerprints)
    if reason is UntrackableReason.MALFORMED and _wrapper_still_opens(href, fingerprints):
        reason = None  # a stray % in a gateway's own parameters must not hide the inner URL
    if reason is not None:
        on_esp_host = (
            fingerprints.esp_for_url(href) if reason is UntrackableReason.MALFORMED else None
        )
        return evolve(
            link,
            category=Category.UNTRACKABLE,
            reason=reason,
            esp=on_esp_host.esp if on_esp_host else None,
            esp_source=EspSource.FINGERPRINT if on_esp_host else None,
            system=system
            or (system_link_kind(href, link.text) if reason is UntrackableReason.OPT_OUT else None),
            personal_data=reason is not UntrackableReason.MAILTO and contains_email_address(href),
        )
    peeled = peel(
        href,
        fingerprints,
        trackers if trackers is not None else load_tracker_lists(),
        header_esp=header_esp,
        text=link.text,
    )
    if not peeled.layers and peeled.owner is None:
        return evolve(  # a plain link: nothing was peeled off
            link,
            category=Category.DIRECT,
            reason=None,
            system=system or system_link_kind(href, link.text),
            personal_data=peeled.personal_data,
            notes=_gmail_note(link),
        )
    notes: list[str] = []
    if link.attributes.get("data-saferedirecturl"):
        notes.append("Gmail added data-saferedirecturl (the email was forwarded from Gmail)")
    layers = peeled.layers
    wrappers: tuple[str, ...] = ()
    category = Category.DIRECT
    first_tracker = None
    for index, layer in enumerate(layers):
        if layer.kind is LayerKind.TRACKER or (
            layer.kind is LayerKind.REDIRECTOR and layer.name is None
        ):
            first_tracker = layer
            if index:
                wrappers = tuple(item.name or "" for item in layers[:index])
            category = Category.WRAPPED if index else Category.TRACKED
            if len(layers) > index + 1:
                notes.append(
                    "nested trackers: "
                    + " → ".join(item.name or "unknown redirector" for item in layers[index:])
                )
            break
    else:
        if layers:
            wrappers = tuple(item.name or "" for item in layers)
            category = Category.WRAPPED
    esp, esp_source = peeled.esp, peeled.esp_source
    if esp is None and peeled.owner is not None:
        esp, esp_source = peeled.owner, EspSource.FINGERPRINT
        if fingerprints.esp(peeled.owner) is None:
            esp_source = EspSource.TRACKER_LIST
    decoded = peeled.destination
    destination_for_kind = decoded or href
    if peeled.role is LinkRole.VIEW:
        system = system or "view-online"
    system = system or system_link_kind(destination_for_kind, link.text)
    if peeled.role is LinkRole.SYSTEM:
        system = system or "unsubscribe"
    if (
        system is None
        and first_tracker is not None
        and first_tracker.kind is LayerKind.TRACKER
        and first_tracker.name
        and fingerprints.is_system_path(first_tracker.name, first_tracker.url)
    ):
        system = "unsubscribe"
    return evolve(
        link,
        category=category,
        reason=None,
        esp=esp,
        esp_source=esp_source,
        tracking_host=peeled.tracking_host,
        wrappers=wrappers,
        decoded=decoded,
        host_hint=peeled.host_hint,
        system=system,
        personal_data=peeled.personal_data,
        notes=(*link.notes, *notes),
        layers=layers,
    )


def _gmail_note(link: Link) -> tuple[str, ...]:
    if link.attributes.get("data-saferedirecturl"):
        return (
            *link.notes,
            "Gmail added data-saferedirecturl (the email was forwarded from Gmail)",
        )
    return link.notes


def _wrapper_still_opens(href: str, fingerprints: Fingerprints) -> bool:
    try:
        layer = unwrap_once(href, fingerprints)
    except ValueError:
        return False
    return layer is not None and layer.inner is not None and malformed_reason(layer.inner) is None


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


def classify_image(
    image: Image, fingerprints: Fingerprints, trackers: TrackerLists | None = None
) -> Image:
    esp = fingerprints.esp_for_open_pixel(image.src)
    if esp is None and trackers is not None:
        esp = _listed_open_pixel(image.src, trackers, looks_like_pixel=image.pixel)
    if esp:
        reason = image.reason or f"{esp} open-tracking URL"
        return evolve(image, pixel=True, esp=esp, reason=reason)
    if image.pixel:
        host = host_of(image.src)
        owner = fingerprints.esp_for_host(host) if host else None
        return evolve(image, esp=owner or image.esp)
    return image


def _listed_open_pixel(src: str, trackers: TrackerLists, *, looks_like_pixel: bool) -> str | None:
    """MailTrackerBlocker's and Trocker's open-pixel patterns (vendor names such as Yesware)."""
    lowered = src.strip()
    if not lowered.lower().startswith(("http://", "https://", "//")):
        return None
    without_scheme = lowered.split("//", 1)[1]
    host, _, rest = without_scheme.partition("/")
    return trackers.open_tracker(
        without_scheme,
        host.lower(),
        "/" + rest.partition("?")[0],
        looks_like_pixel=looks_like_pixel,
    )
