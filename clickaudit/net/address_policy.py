"""Which addresses an audit may connect to: an allow-list of globally routable unicast.

A hostile email chooses the URLs an audit requests, so every address the engine is about to
connect to — a literal host, a DNS answer, a redirect target's — passes this check first. A
deny-list of "private" ranges always misses one (100.64.0.0/10 carrier-grade NAT, where cloud
metadata services such as 100.100.100.200 live; fec0::/10 site-local; 6to4 wrapping 10.0.0.1);
so the rule is the other way round: only an address that is globally routable *unicast* is
allowed, and an IPv6 address that embeds an IPv4 address (IPv4-mapped ``::ffff:0:0/96``, 6to4
``2002::/16``, Teredo ``2001::/32``, NAT64 ``64:ff9b::/96``) is judged by the IPv4 address the
traffic would really reach. ``--allow-private`` (tests, the demo, an intranet audit) lifts the
rule.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: last 32 bits are IPv4
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: never global
_SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598 carrier-grade NAT
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")  # RFC 3879, deprecated but still routed inside
_BROADCAST = ipaddress.IPv4Address("255.255.255.255")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291 2.5.5.1, deprecated


@lru_cache(maxsize=4096)
def refusal_reason(address: str) -> str | None:
    """Why an audit may not connect to ``address``, or None when it is globally routable unicast.

    The reason names the range ("carrier-grade NAT (100.64.0.0/10)", "6to4 embedding
    10.0.0.1: private") so a report can say exactly what was refused. Text that is not an IP
    address is refused too: nothing is connected to that was not understood.
    """
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    return _reason(ip)


def is_allowed_address(address: str, *, allow_private: bool = False) -> bool:
    """True when an audit may connect to ``address`` under the settings."""
    return allow_private or refusal_reason(address) is None


def _reason(ip: IPAddress) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            kind, inner = embedded
            why = _reason(inner)
            return f"{kind} embedding {inner}: {why}" if why else None
        if ip in _NAT64_LOCAL_USE:
            return "local-use NAT64 (64:ff9b:1::/48)"
        if ip in _SITE_LOCAL:
            return "site-local (fec0::/10)"
        if ip in _IPV4_COMPATIBLE and not ip.is_unspecified and not ip.is_loopback:
            return "IPv4-compatible (::/96, deprecated)"
    elif ip in _SHARED_ADDRESS_SPACE:
        return "carrier-grade NAT (100.64.0.0/10)"
    if ip == _BROADCAST:
        return "broadcast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "not globally routable"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 address carries traffic to, and how it is embedded."""
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped", ip.ipv4_mapped
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    if ip.teredo is not None:
        # The client address is what the traffic reaches; a Teredo server that is not global
        # is as bad, so the worse of the two decides.
        server, client = ip.teredo
        return ("Teredo", client) if _reason(client) or not _reason(server) else ("Teredo", server)
    if ip in _NAT64_WELL_KNOWN:
        return "NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None
