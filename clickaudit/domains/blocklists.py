"""Domain blocklists over DNS: Spamhaus DBL, SURBL and URIBL, with their answers decoded.

An answer's meaning is in its value, and some values are not listings at all: Spamhaus answers
127.255.255.254 to queries from public resolvers, URIBL answers 127.0.0.1 when it refuses, and
some resolvers answer NXDOMAIN to everything. So each list's test name is asked first; a list
that does not report its test name as listed is "could not check", never "clean".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from clickaudit.domains.dns import DnsCache
from clickaudit.psl import organisational_domain


@dataclass(frozen=True, slots=True)
class Verdict:
    listed: bool
    meaning: str
    unusable: bool = False  # the answer says the query was refused or broken


@dataclass(frozen=True, slots=True)
class BlocklistZone:
    name: str
    zone: str
    test_name: str | None
    decode: Callable[[str], Verdict]


def decode_dbl(value: str) -> Verdict:
    meanings = {
        2: "spam domain",
        4: "phishing domain",
        5: "malware domain",
        6: "botnet C&C domain",
        102: "abused legitimate domain",
        103: "abused redirector",
        104: "abused, phishing",
        105: "abused, malware",
        106: "abused, botnet C&C",
    }
    octets = [int(o) for o in value.split(".")]
    if octets[:3] == [127, 255, 255]:
        return Verdict(
            False, "query refused (public resolver, typo in the zone, or over quota)", True
        )
    if octets[:3] == [127, 0, 1] and octets[3] in meanings:
        return Verdict(True, meanings[octets[3]])
    if octets[:3] == [127, 0, 1] and octets[3] == 255:
        return Verdict(False, "the list says the query was malformed", True)
    return Verdict(False, f"unknown answer {value}", True)


def _bitmask(bits: dict[int, str], refused_bit: int) -> Callable[[str], Verdict]:
    def decode(value: str) -> Verdict:
        last = int(value.split(".")[-1])
        if not value.startswith("127."):
            return Verdict(False, f"unknown answer {value}", True)
        if last & refused_bit:
            return Verdict(False, "query refused (public resolver or over quota)", True)
        names = [name for bit, name in bits.items() if last & bit]
        return Verdict(bool(names), ", ".join(names) or f"unknown answer {value}", not names)

    return decode


decode_surbl = _bitmask(
    {
        4: "disposable email",
        8: "phishing",
        16: "malware",
        32: "click tracker abuse",
        64: "abused",
        128: "cracked site",
    },
    refused_bit=1,
)
decode_uribl = _bitmask({2: "black", 4: "grey", 8: "red"}, refused_bit=1)


def _generic(value: str) -> Verdict:
    if value.startswith("127.") and value != "127.0.0.1":
        return Verdict(True, f"listed ({value})")
    return Verdict(False, f"answer {value}", True)


DEFAULT_ZONES: tuple[BlocklistZone, ...] = (
    BlocklistZone("Spamhaus DBL", "dbl.spamhaus.org", "dbltest.com", decode_dbl),
    BlocklistZone("SURBL", "multi.surbl.org", "test.surbl.org", decode_surbl),
    BlocklistZone("URIBL", "multi.uribl.com", "test.uribl.com", decode_uribl),
)


def zones_from_settings(specs: Sequence[str]) -> tuple[BlocklistZone, ...]:
    """``--blocklist`` values: ``ZONE``, ``NAME=ZONE`` or ``NAME=ZONE@TESTNAME``.

    A known zone (Spamhaus's keyed ``*.dbl.dq.spamhaus.net``, SURBL, URIBL) keeps its decoder.
    """
    if not specs:
        return DEFAULT_ZONES
    zones = []
    for spec in specs:
        name, sep, rest = spec.partition("=")
        zone_part = rest if sep else spec
        label = name if sep else spec
        zone, _, test_name = zone_part.partition("@")
        zone = zone.strip().rstrip(".").lower()
        if "spamhaus" in zone and "dbl" in zone:
            zones.append(BlocklistZone(label, zone, test_name or "dbltest.com", decode_dbl))
        elif "surbl" in zone:
            zones.append(BlocklistZone(label, zone, test_name or "test.surbl.org", decode_surbl))
        elif "uribl" in zone:
            zones.append(BlocklistZone(label, zone, test_name or "test.uribl.com", decode_uribl))
        else:
            zones.append(BlocklistZone(label, zone, test_name or None, _generic))
    return tuple(zones)


class BlocklistChecker:
    """Asks each zone's test name once per audit, then each domain."""

    def __init__(self, dns: DnsCache, zones: Sequence[BlocklistZone]) -> None:
        self.dns = dns
        self.zones = tuple(zones)

    async def usable(self, zone: BlocklistZone) -> bool:
        if zone.test_name is None:
            return True
        lookup = await self.dns.lookup(f"{zone.test_name}.{zone.zone}", "A")
        return any(zone.decode(value).listed for value in lookup.records if _is_ip(value))

    async def check(self, domain: str) -> tuple[list[str], list[str]]:
        """(names of the lists that list the domain with why, names of the lists not checked)."""
        listed: list[str] = []
        unchecked: list[str] = []
        if _is_ip(domain):
            return listed, unchecked
        for zone in self.zones:
            if not await self.usable(zone):
                unchecked.append(zone.name)
                continue
            # The lists hold registered domains (DBL and SURBL also answer for subdomains
            # through wildcards, URIBL does not), so the organisational domain is asked.
            name = organisational_domain(domain)
            lookup = await self.dns.lookup(f"{name}.{zone.zone}", "A")
            if lookup.status.failed:
                unchecked.append(zone.name)
                continue
            verdicts = [zone.decode(value) for value in lookup.records if _is_ip(value)]
            if any(v.unusable and not v.listed for v in verdicts):
                unchecked.append(zone.name)
            hits = [v.meaning for v in verdicts if v.listed]
            if hits:
                listed.append(f"{zone.name} ({', '.join(hits)})")
        return listed, unchecked


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
