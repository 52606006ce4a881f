"""Only globally routable unicast addresses are ever connected to, unless --allow-private.

The guard is an allow-list: carrier-grade NAT (where cloud metadata lives), site-local IPv6,
multicast, and private IPv4 smuggled inside IPv6 (IPv4-mapped, 6to4, Teredo, NAT64) are all
refused, whether the email names the address literally, DNS answers with it, or a redirect
leads there. The end-to-end scenarios run in a sealed network namespace where the refused
addresses exist on loopback, so a broken guard would visibly reach them and nothing else.
"""

from __future__ import annotations

import asyncio

import pytest

from clickaudit.net.address_policy import is_allowed_address, refusal_reason
from tests.sealed import run_sealed

REFUSED = {
    "100.100.100.200": "carrier-grade NAT",
    "100.64.0.1": "carrier-grade NAT",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "192.168.1.1": "private",
    "127.0.0.1": "loopback",
    "169.254.169.254": "link-local",
    "0.0.0.0": "unspecified",
    "224.0.0.251": "multicast",
    "239.255.255.250": "multicast",
    "255.255.255.255": "broadcast",
    "192.0.2.10": "private",  # documentation
    "198.18.0.1": "private",  # benchmarking
    "240.0.0.1": "reserved",
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fec0::1": "site-local",
    "fd00::1": "private",
    "ff02::1": "multicast",
    "ff0e::1": "multicast",
    "2001:db8::1": "private",
    "::ffff:10.0.0.1": "IPv4-mapped embedding 10.0.0.1: private",
    "::ffff:100.100.100.200": "IPv4-mapped embedding 100.100.100.200: carrier-grade NAT",
    "2002:a00:1::1": "6to4 embedding 10.0.0.1: private",
    "2002:a9fe:a9fe::1": "6to4 embedding 169.254.169.254: link-local",
    "2002:6464:64c8::1": "6to4 embedding 100.100.100.200: carrier-grade NAT",
    "2001:0:4136:e378:8000:63bf:f5ff:fffe": "Teredo embedding 10.0.0.1: private",
    "64:ff9b::a9fe:a9fe": "NAT64 embedding 169.254.169.254: link-local",
    "64:ff9b::7f00:1": "NAT64 embedding 127.0.0.1: loopback",
    "64:ff9b:1::a00:1": "local-use NAT64",
    "::10.0.0.1": "IPv4-compatible",
}

ALLOWED = [
    "8.8.8.8",
    "93.184.216.34",
    "11.0.0.1",
    "2606:4700::6810:84e5",
    "2002:808:808::1",
    "64:ff9b::808:808",
    "::ffff:8.8.8.8",
    "2a00:1450:4001::1",
]


@pytest.mark.parametrize(("address", "why"), REFUSED.items())
def test_every_address_that_is_not_global_unicast_is_refused(address: str, why: str) -> None:
    reason = refusal_reason(address)
    assert reason is not None and reason.startswith(why), (address, reason)
    assert not is_allowed_address(address)
    assert is_allowed_address(address, allow_private=True)


@pytest.mark.parametrize("address", ALLOWED)
def test_globally_routable_unicast_addresses_are_allowed(address: str) -> None:
    assert refusal_reason(address) is None
    assert is_allowed_address(address)


def test_text_that_is_not_an_address_is_refused() -> None:
    assert refusal_reason("localhost") is not None
    assert refusal_reason("0x7f.1") is not None


# --- end to end, sealed --------------------------------------------------------------------
PUBLIC = "11.0.0.1"  # a globally routable address, added to loopback inside the sealed namespace
TRAPS = {
    "cgnat.example": "100.100.100.200",
    "sitelocal.example": "fec0::1",
    "sixtofour.example": "2002:a00:1::1",
    "nat64.example": "64:ff9b::a9fe:a9fe",
    "mapped.example": "::ffff:100.64.0.7",
}


def test_private_ranges_are_refused_literally_by_dns_and_by_redirect() -> None:
    output = run_sealed(
        "tests.test_address_policy",
        "sealed_private_ranges_scenario",
        [PUBLIC, "100.100.100.200", "100.64.0.7", "fec0::1", "2002:a00:1::1", "10.0.0.1"],
    )
    assert "sealed scenario passed" in output


def sealed_private_ranges_scenario() -> None:
    """Runs inside the sealed namespace (see :func:`tests.sealed.run_sealed`)."""
    from clickaudit.follow import Follower
    from clickaudit.net.nameservers import Nameserver
    from clickaudit.net.transport import DnsAddressResolver
    from clickaudit.settings import AuditSettings
    from clickaudit.sim import Route, SimServer
    from clickaudit.sim.dns import LocalDnsServer

    zone = {name: [("AAAA" if ":" in a else "A", a)] for name, a in TRAPS.items()}
    zone["shop.example"] = [("A", PUBLIC)]
    routes = [
        Route(path=f"/to-{name}", action="redirect", to=f"http://{name}:{{http}}/secret")
        for name in TRAPS
    ]
    routes += [
        Route(path="/to-literal", action="redirect", to="http://100.100.100.200:{http}/x"),
        Route(path="/to-6to4-literal", action="redirect", to="http://[2002:a00:1::1]:{http}/x"),
        Route(path="*"),
    ]
    with LocalDnsServer(zone) as dns, SimServer(routes, tls=False, bind=PUBLIC) as sim:
        port = sim.http_port
        settings = AuditSettings(
            allow_private=False,
            timeout=2.0,
            nameservers=(Nameserver("127.0.0.1", dns.port),),
        )

        async def chains() -> dict[str, tuple[str, str | None]]:
            resolver = DnsAddressResolver(settings.nameservers, timeout=2.0)
            starts = [f"http://{name}:{port}/secret" for name in TRAPS]
            starts += [f"http://shop.example:{port}/to-{name}" for name in TRAPS]
            starts += [
                f"http://shop.example:{port}/to-literal",
                f"http://shop.example:{port}/to-6to4-literal",
                f"http://100.100.100.200:{port}/x",
                f"http://[fec0::1]:{port}/x",
                f"http://[2002:a00:1::1]:{port}/x",
            ]
            async with Follower(settings, resolver=resolver) as follower:
                results = await asyncio.gather(*(follower.follow(u) for u in starts))
            return {r.start: (r.outcome, r.hops[-1].error) for r in results}

        outcomes = asyncio.run(chains())
        secrets = [r for r in sim.request_log if r.path in ("/secret", "/x")]
    assert all(outcome == "private" for outcome, _ in outcomes.values()), outcomes
    assert not secrets, f"refused addresses were requested: {secrets}"
    assert len(sim.request_log) == 7, "every redirect on the public host was requested"
    print("sealed scenario passed")
