"""SPF evaluation costs what a receiver's would: RFC 7208 4.6.4's budget of 10 DNS-querying
terms and 2 void lookups holds for the whole evaluation, across every include and redirect,
and the evaluation stops where a receiver would return permerror."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from clickaudit.domains.auth import check_spf
from clickaudit.domains.dns import DnsCache
from clickaudit.judge.domains import spf_findings
from clickaudit.net.nameservers import Nameserver, make_resolver
from clickaudit.sim.dns import LocalDnsServer

WIDTH = 8
DEPTH = 4  # 8 + 64 + 512 + 4,096 includes if nothing stopped the walk


def _tree() -> dict[str, list[tuple[str, str]]]:
    zone: dict[str, list[tuple[str, str]]] = {}
    level = ["wide.example"]
    for depth in range(DEPTH + 1):
        below = []
        for name in level:
            children = [f"n{i}.{name}" for i in range(WIDTH)] if depth < DEPTH else []
            terms = " ".join(f"include:{child}" for child in children)
            zone[name] = [("TXT", f"v=spf1 {terms} ip4:192.0.2.1 -all".replace("  ", " "))]
            below.extend(children)
        level = below
    return zone


ZONE = {
    **_tree(),
    "voids.example": [
        (
            "TXT",
            "v=spf1 a:none1.voids.example mx:none2.voids.example a:none3.voids.example "
            "a:none4.voids.example include:after.voids.example -all",
        )
    ],
    "after.voids.example": [("TXT", "v=spf1 -all")],
    "redirects.example": [("TXT", "v=spf1 redirect=r1.redirects.example")],
    **{
        f"r{n}.redirects.example": [
            ("TXT", f"v=spf1 ip4:192.0.2.{n} redirect=r{n + 1}.redirects.example")
        ]
        for n in range(1, 40)
    },
}


@pytest.fixture(scope="module")
def dns() -> Iterator[LocalDnsServer]:
    with LocalDnsServer(ZONE) as server:
        yield server


def evaluate(dns: LocalDnsServer, domain: str) -> tuple[dict[str, object], set[str], int]:
    async def run() -> tuple[dict[str, object], set[str], int]:
        cache = DnsCache(make_resolver([Nameserver("127.0.0.1", dns.port)], timeout=2.0))
        facts = await check_spf(domain, cache)
        found = spf_findings(facts, f"domain:{domain}")
        return facts.as_report(), {f.code for f in found}, cache.queries

    return asyncio.run(run())


def test_an_include_tree_eight_wide_stops_at_the_eleventh_lookup(dns: LocalDnsServer) -> None:
    result, codes, queries = evaluate(dns, "wide.example")
    assert "spf-too-many-lookups" in codes
    assert result["lookups"] == 11
    # the record itself, then one TXT query per include up to the limit: nothing more
    assert queries <= 11
    asked = [name for name, _ in dns.query_log if name.endswith("wide.example")]
    assert len(asked) <= 11


def test_a_third_void_lookup_stops_the_evaluation(dns: LocalDnsServer) -> None:
    result, codes, _ = evaluate(dns, "voids.example")
    assert "spf-void-lookups" in codes
    assert result["void_lookups"] == 3
    asked = {name for name, _ in dns.query_log}
    assert "none4.voids.example" not in asked
    assert "after.voids.example" not in asked


def test_a_redirect_chain_spends_the_same_budget(dns: LocalDnsServer) -> None:
    result, codes, queries = evaluate(dns, "redirects.example")
    assert "spf-too-many-lookups" in codes
    assert result["lookups"] == 11
    assert queries <= 12
