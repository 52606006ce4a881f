"""Safe mode's gate: a URL is requested only when it is known not to be a tracker.

Support staff audit a customer's email with ``--safe`` so that no click lands in the customer's
analytics. Recognising trackers and sparing them is not enough — what is not recognised would
be clicked. So safe mode fails closed: before *every* request (a link's first URL and every
redirect target) the URL must show no tracker shape (:func:`tracker_shape`: an ESP's click or
open host or path, a security gateway, a listed tracking host, or a link that only looks like a
click redirector), and its host must have been checked in DNS with a CNAME chain that points at
no ESP or listed tracker.
A host whose lookup failed is not known to be safe, so it is not requested either. The answers
are typed (:class:`SafeRefusal`); the report says "not verified in safe mode" for the unknown and
"a tracker" for the known.

The gate does its own CNAME lookups, cached per audit: it does not depend on the domain checks
(``--no-domains``) nor on how many hosts those check.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from clickaudit.domains.dns import DnsCache
from clickaudit.esp.fingerprints import Fingerprints
from clickaudit.esp.trackers import TrackerLists, load_tracker_lists
from clickaudit.model import NotFollowedReason
from clickaudit.shape import tracker_evidence
from clickaudit.urls import parse_url


@dataclass(frozen=True, slots=True)
class SafeRefusal:
    """Why safe mode does not request a URL: ``reason`` is typed, ``why`` is for people."""

    reason: NotFollowedReason  # SAFE_MODE: a tracker; NOT_VERIFIED_SAFE: not known not to be
    why: str


def tracker_shape(
    url: str, fingerprints: Fingerprints, trackers: TrackerLists | None = None
) -> str | None:
    """Might this URL be a tracker, by its form alone? What it looks like, or None.

    The one question safe mode asks of a URL's shape, with everything classification knows:
    ESP fingerprints (click, open and other hosts and paths), security gateways, the vendored
    tracker lists, and the "looks tracked" evidence of :func:`clickaudit.shape.tracker_evidence`
    for trackers nobody listed.
    """
    match = fingerprints.esp_for_url(url)
    if match is not None:
        return f"{match.esp}'s click tracker"
    wrapper = fingerprints.wrapper_for_url(url)
    if wrapper is not None:
        return f"a {wrapper.name} link"
    parsed = parse_url(url)
    host = parsed.host if parsed else None
    owner = fingerprints.esp_for_host(host) if host else None
    if owner is not None:
        return f"on {owner}'s host {host}"
    trackers = trackers if trackers is not None else load_tracker_lists()
    if host and parsed is not None:
        listed = trackers.vendor_for_host(host) or trackers.click_tracker(host, parsed.path)
        if listed is not None:
            return f"{listed.vendor}'s tracking host (listed: {listed.listed})"
    evidence = tracker_evidence(url)
    if evidence is not None:
        return f"shaped like a click tracker ({evidence.detail})"
    return None


class SafeModeGate:
    """Asked before every request in safe mode: ``await gate.refusal(url)`` is None only when
    the URL is known not to be a tracker."""

    def __init__(
        self, fingerprints: Fingerprints, dns: DnsCache, trackers: TrackerLists | None = None
    ) -> None:
        self._fingerprints = fingerprints
        self._dns = dns
        self._trackers = trackers if trackers is not None else load_tracker_lists()

    async def refusal(self, url: str) -> SafeRefusal | None:
        shape = tracker_shape(url, self._fingerprints, self._trackers)
        if shape is not None:
            return SafeRefusal(NotFollowedReason.SAFE_MODE, f"safe mode: it is {shape}")
        parsed = parse_url(url)
        host = parsed.host if parsed else None
        if not host:
            return SafeRefusal(NotFollowedReason.NOT_VERIFIED_SAFE, "not verified: it has no host")
        if _is_literal(host):
            return None  # an address has no CNAME; its shape was checked above
        lookup = await self._dns.lookup(host, "A")
        if not lookup.exists:
            return SafeRefusal(
                NotFollowedReason.NOT_VERIFIED_SAFE,
                f"not verified in safe mode: the DNS check of {host} failed ({lookup.status})",
            )
        esp = self._fingerprints.esp_for_cname(lookup.cname_chain) or next(
            filter(None, map(self._trackers.vendor_for_cname, lookup.cname_chain)), None
        )
        if esp is not None:
            return SafeRefusal(
                NotFollowedReason.SAFE_MODE,
                f"safe mode: {host}'s CNAME points at {esp} (a branded tracking domain)",
            )
        return None


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
