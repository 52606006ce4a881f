"""A hop's time limit starts when its request starts: links waiting behind the per-host limit
are not reported as timeouts without ever having been requested (issue 18, defect 12)."""

from __future__ import annotations

import asyncio

from clickaudit.follow import ChainResult, Follower
from clickaudit.net.transport import StaticResolver
from clickaudit.settings import AuditSettings
from clickaudit.sim import Route, SimServer

LINKS = 8
DELAY_MS = 400  # eight of them one at a time take 3.2 s, over twice the chain limit below


def test_links_queued_behind_the_per_host_limit_are_requested_not_timed_out() -> None:
    settings = AuditSettings(
        allow_private=True, per_host=1, concurrency=20, timeout=1.5, chain_timeout=1.5
    )
    with SimServer([Route(path="/slow", delay_ms=DELAY_MS)], tls=False) as sim:

        async def run() -> list[ChainResult]:
            async with Follower(
                settings, resolver=StaticResolver({}, default=["127.0.0.1"])
            ) as follower:
                urls = [sim.url("shop.example", f"/slow?n={n}") for n in range(LINKS)]
                return await asyncio.gather(*(follower.follow(url) for url in urls))

        results = asyncio.run(run())
        served = len(sim.requests_to("shop.example", "/slow"))
    assert [r.outcome for r in results] == ["ok"] * LINKS, [r.hops[-1].error for r in results]
    assert served == LINKS
    # each hop's time is its own request's, not the wait for its turn
    assert all(r.hops[0].ms < settings.timeout * 1000 for r in results)


def test_a_chain_still_stops_at_its_own_time_limit() -> None:
    routes = [
        Route(path=f"/hop{n}", action="redirect", to=f"/hop{n + 1}", delay_ms=300)
        for n in range(10)
    ]
    settings = AuditSettings(allow_private=True, timeout=1.0, chain_timeout=1.0, max_hops=20)
    with SimServer(routes, tls=False) as sim:

        async def run() -> ChainResult:
            async with Follower(
                settings, resolver=StaticResolver({}, default=["127.0.0.1"])
            ) as follower:
                return await follower.follow(sim.url("shop.example", "/hop0"))

        result = asyncio.run(run())
    assert result.outcome == "timeout"
    assert "whole chain" in (result.hops[-1].error or "")
    assert 2 <= len(result.hops) <= 6
