"""Peel a link layer by layer: wrappers, then trackers, then redirectors, to the destination.

What a user asks of every link is "who tracks it and where does it really go": the written link
→ security gateway(s) → the ESP's tracker → maybe another tracker → the destination. Each step
here peels one layer, in a fixed order of questions:

1. a security gateway or link shim (data: ``[[wrapper]]`` in fingerprints.toml) is unwrapped;
2. an ESP's click link (hand fingerprints: host and path rules) is decoded by its format's
   decoder, or else by the generic embedded-URL decoder;
3. a host named by a maintained tracker list (AdGuard, Trocker) is a tracker of that vendor,
   unless the path says it is the vendor's web-view page, asset or unsubscribe page;
4. a link that only looks like a redirector (:func:`clickaudit.shape.tracker_evidence`) is one,
   with the ESP unknown.

Then the URL peeled out is asked the same questions, up to :data:`MAX_LAYERS`. Nothing is
fetched; an opaque layer ends the peeling and the destination stays unknown.
"""

from __future__ import annotations

from typing import NamedTuple

from clickaudit.decode import contains_email_address, decode_tracker
from clickaudit.embedded import find_embedded_url
from clickaudit.esp.fingerprints import Fingerprints, LinkRole, host_and_where
from clickaudit.esp.trackers import TrackerLists
from clickaudit.model import EspSource, Layer, LayerKind
from clickaudit.shape import TrackerEvidence, shape_rules, tracker_evidence
from clickaudit.system_links import system_link_kind
from clickaudit.unwrap import unwrap_once
from clickaudit.urls import query_value, split_url

MAX_LAYERS = 10
# An ESP whose format nobody has documented: look for the destination in every common encoding.
# ESPs with no decoder at all are documented as opaque (the destination is on their server).
GENERIC_DECODER = "generic"


class Peeled(NamedTuple):
    """Everything peeled off one href.

    ``destination`` is the innermost URL recovered (None when nothing was peeled, or when the
    innermost layer keeps its destination on a server); ``esp``/``esp_source``/``tracking_host``
    describe the first tracker layer; ``owner`` names the ESP whose non-click page (web view,
    asset, unsubscribe) the link is, with ``role`` saying which.
    """

    layers: tuple[Layer, ...]
    destination: str | None
    host_hint: str | None = None
    personal_data: bool = False
    esp: str | None = None
    esp_source: EspSource | None = None
    tracking_host: str | None = None
    evidence: TrackerEvidence | None = None
    owner: str | None = None
    role: LinkRole | None = None


def peel(
    href: str,
    fingerprints: Fingerprints,
    trackers: TrackerLists,
    *,
    header_esp: str | None = None,
    text: str = "",
) -> Peeled:
    host, where = host_and_where(href)
    # most URLs (and most destinations peeled out) belong to no wrapper, ESP or list: one
    # per-host memory and one search say so, and only the shape is left to ask
    plain = fingerprints.knows_nothing_of(href) and not trackers.may_know(host)
    if plain and tracker_evidence(href) is None:
        return _PERSONAL if contains_email_address(href) else _NOTHING  # a plain link
    layers: list[Layer] = []
    current = href
    destination: str | None = None
    opaque = False
    hint: str | None = None
    personal = contains_email_address(href)
    esp: str | None = None
    source: EspSource | None = None
    tracking_host: str | None = None
    evidence: TrackerEvidence | None = None
    owner: str | None = None
    role: LinkRole | None = None
    for step in range(MAX_LAYERS):
        if step:  # the href's own host and plainness were found above
            host, where = host_and_where(current)
            plain = fingerprints.knows_nothing_of(current) and not trackers.may_know(host)
        if not plain:
            wrapped = unwrap_once(current, fingerprints)
            if wrapped is not None:
                kind = LayerKind.REDIRECTOR if wrapped.kind == "redirector" else LayerKind.WRAPPER
                layers.append(Layer(kind, wrapped.gateway, current))
                if wrapped.inner is None or wrapped.inner == current:
                    hint = hint or wrapped.host_hint
                    opaque = True
                    break
                destination = current = wrapped.inner
                continue
            match = fingerprints.esp_for_url(current, prefer=header_esp if esp is None else None)
            if match is not None and match.by == "path" and _is_page_host(match.host):
                # view.email.brand.com/?qs=… has SFMC's click path but is the web copy of the email
                if not layers:
                    owner, role = match.esp, LinkRole.VIEW
                break
            if match is not None:
                layers.append(Layer(LayerKind.TRACKER, match.esp, current))
                if esp is None:
                    esp, source, tracking_host = match.esp, EspSource.FINGERPRINT, match.host
                # a documented-opaque format (no decoder) carries nothing to decode
                decoded = decode_tracker(current, fingerprints, match) if match.decoder else None
                inner = decoded.destination if decoded else None
                if decoded is not None:
                    personal = personal or decoded.personal_data
                    hint = hint or decoded.host_hint
                if inner is None and match.decoder == GENERIC_DECODER:
                    embedded = find_embedded_url(current)
                    inner = embedded.url if embedded else None
                if inner and inner != current:
                    destination = current = inner
                    continue
                opaque = True
                break
            listed = (
                _listed_tracker(current, host, where, fingerprints, trackers)
                if trackers.may_know(host)
                else None
            )
            if listed is not None:
                vendor, parameter, listed_role = listed
                if listed_role is not LinkRole.CLICK:
                    if not layers:
                        owner, role = vendor, listed_role
                    break
                layers.append(Layer(LayerKind.TRACKER, vendor, current))
                if esp is None:
                    esp, source, tracking_host = vendor, EspSource.TRACKER_LIST, host
                inner = _parameter_url(current, parameter) if parameter else None
                if inner is None:
                    embedded = find_embedded_url(current)
                    inner = embedded.url if embedded else None
                if inner and inner != current:
                    destination = current = inner
                    continue
                opaque = True
                break
            if not layers:
                owned = _esp_page(current, host, fingerprints)
                if owned is not None:
                    owner, role = owned
                    break
        found = tracker_evidence(current)
        if found is None:
            break
        if system_link_kind(current, text if not layers else "") is not None:
            break  # an unsubscribe or preference page is not a redirector, whatever its shape
        page = fingerprints.page_of_any_esp(current)
        if page is not None:  # an ESP's preference or web-view page on a branded host
            if not layers:
                owner, role = page
            break
        layers.append(Layer(LayerKind.REDIRECTOR, None, current))
        if esp is None and source is None:
            source, tracking_host, evidence = EspSource.SHAPE, host, found
        if found.destination and found.destination != current:
            destination = current = found.destination
            continue
        opaque = True
        break
    # positional: a named tuple built from keywords costs twice as much, once per tracked link
    return Peeled(
        tuple(layers),
        None if opaque or destination == href else destination,
        hint,
        personal,
        esp,
        source,
        tracking_host,
        evidence,
        owner,
        role,
    )


_NOTHING = Peeled(layers=(), destination=None)
_PERSONAL = Peeled(layers=(), destination=None, personal_data=True)


def _listed_tracker(
    url: str, host: str, where: str, fingerprints: Fingerprints, trackers: TrackerLists
) -> tuple[str, str, LinkRole] | None:
    """(vendor, destination parameter, role) when a tracker list names the host."""
    if not host:
        return None
    hit = trackers.click_tracker(host, where.partition("?")[0])
    if hit is None:
        hit = trackers.vendor_for_host(host)
    if hit is None:
        return None
    return hit.vendor, hit.parameter, _role(url, host, hit.vendor, fingerprints)


def _role(url: str, host: str, vendor: str, fingerprints: Fingerprints) -> LinkRole:
    role = fingerprints.role_on_esp_host(vendor, url)
    if role is not LinkRole.CLICK:
        return role
    esp = fingerprints.esp(vendor)
    if esp is not None and esp.click_paths:
        return role  # the vendor's click path would have matched already; keep the list's word
    first = host.split(".", 1)[0]
    if first in shape_rules().page_labels:
        return LinkRole.VIEW  # view.email.brand.com, pages.…, image.…: the ESP's pages
    return role


def _is_page_host(host: str) -> bool:
    return host.split(".", 1)[0] in shape_rules().page_labels


def _esp_page(url: str, host: str, fingerprints: Fingerprints) -> tuple[str, LinkRole] | None:
    """The ESP whose own host this is, when the link is one of its non-click pages."""
    if not host:
        return None
    owner = fingerprints.esp_for_host(host)
    if owner is None:
        return None
    role = fingerprints.role_on_esp_host(owner, url)
    return (owner, role) if role is not LinkRole.CLICK else None


def _parameter_url(url: str, parameter: str) -> str | None:
    try:
        value = query_value(split_url(url).query, parameter)
    except ValueError:
        return None
    if value and value.lower().startswith(("http://", "https://")):
        return value
    return None
