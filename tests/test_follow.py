"""Following redirect chains against the simulator: every redirect kind, every way a chain ends,
and the limits that keep a hostile server from costing more than one bounded hop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from clickaudit.errors import Cancelled
from clickaudit.events import CancelToken
from clickaudit.follow import ChainResult, Follower
from clickaudit.model import Category, Element, HopKind, Link, Part
from clickaudit.net.nameservers import Nameserver
from clickaudit.net.transport import StaticResolver
from clickaudit.settings import AuditSettings
from clickaudit.sim import Route, SimServer
from clickaudit.sim.dns import LocalDnsServer

ROUTES = [
    *(
        Route(path=f"/r{code}", action="redirect", status=code, to=f"/landing?via={code}")
        for code in (301, 302, 303, 307, 308)
    ),
    Route(path="/landing"),
    Route(path="/relative", action="redirect", to="../landing"),
    Route(path="/fragment", action="redirect", to="/landing"),
    Route(path="/meta", action="meta-refresh", to="/landing?meta=1"),
    Route(path="/js", action="js-redirect", to="/landing?js=1"),
    Route(path="/loop-a", action="redirect", to="/loop-b"),
    Route(path="/loop-b", action="redirect", to="/loop-a"),
    *(Route(path=f"/hop{n}", action="redirect", to=f"/hop{n + 1}") for n in range(20)),
    *(Route(path=f"/status{code}", status=code) for code in (404, 410, 500, 503)),
    Route(path="/stall", action="stall"),
    Route(path="/endless", action="endless-body"),
    Route(path="/bomb", action="gzip-bomb", size=64),
    Route(path="/flood", action="headers-flood", size=1000),
    Route(path="/to-javascript", action="redirect", to="javascript:alert(1)"),
    Route(path="/to-file", action="redirect", to="file:///etc/passwd"),
    Route(path="/no-location", status=302),
    Route(path="/linkedin", status=999),
    Route(path="/challenge", status=403, body="<title>Just a moment...</title> cf-chl captcha"),
    Route(path="/forbidden", status=403, body="<h1>Forbidden</h1>"),
    Route(path="/busy", action="retry", status=503, fail_times=1, body="<h1>ok now</h1>"),
    Route(
        path="/set-cookie", action="redirect", to="/needs-cookie", set_cookie="session=abc; Path=/"
    ),
    Route(path="/needs-cookie", require_cookie="session=abc"),
    Route(path="/phone-only-broken", status=404, ua_contains="iPhone"),
    Route(path="/phone-only-broken"),
    Route(path="/drop-query", action="drop-query", status=301, to="/landing"),
    Route(path="/slow", delay_ms=300),
    Route(path="/to-https", action="redirect", to="https://secure.example:{https}/landing"),
    Route(path="/downgrade", action="redirect", to="http://plain.example:{http}/landing"),
]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(ROUTES) as server:
        yield server


def settings(**overrides: object) -> AuditSettings:
    values: dict[str, object] = {"allow_private": True, "timeout": 2.0, "chain_timeout": 6.0}
    values.update(overrides)
    return AuditSettings(**values)  # type: ignore[arg-type]


def follow(sim: SimServer, path: str, **overrides: object) -> ChainResult:
    async def run() -> ChainResult:
        async with Follower(
            settings(**overrides),
            resolver=StaticResolver({}, default=["127.0.0.1"]),
            verify=sim.certs.client_context() if sim.certs else None,
        ) as follower:
            return await follower.follow(sim.url("click.example", path))

    return asyncio.run(run())


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_each_redirect_status_is_one_recorded_hop(sim: SimServer, status: int) -> None:
    result = follow(sim, f"/r{status}")
    assert result.outcome == "ok"
    assert [hop.status for hop in result.hops] == [status, 200]
    assert result.hops[0].location == f"/landing?via={status}"
    assert result.final_url == sim.url("click.example", f"/landing?via={status}")
    assert result.hops[0].remote_address == "127.0.0.1"
    assert 0 < result.hops[0].ms < 10_000  # the request was timed (not left at 0.0)


def test_relative_location_is_resolved_and_the_fragment_carried(sim: SimServer) -> None:
    assert follow(sim, "/relative").final_url == sim.url("click.example", "/landing")
    result = follow(sim, "/fragment#section-2")
    assert result.final_url == sim.url("click.example", "/landing#section-2")


@pytest.mark.parametrize(("path", "kind"), [("/meta", HopKind.META_REFRESH), ("/js", HopKind.JS)])
def test_meta_refresh_and_script_redirects_are_hops(
    sim: SimServer, path: str, kind: HopKind
) -> None:
    result = follow(sim, path)
    assert result.outcome == "ok"
    assert [hop.kind for hop in result.hops] == [kind, HopKind.HTTP]
    assert result.final_url and "/landing?" in result.final_url


def test_a_loop_is_detected(sim: SimServer) -> None:
    result = follow(sim, "/loop-a")
    assert result.outcome == "loop"
    assert [h.status for h in result.hops] == [302, 302, None]


def test_a_chain_longer_than_the_hop_limit_stops(sim: SimServer) -> None:
    result = follow(sim, "/hop0", max_hops=5)
    assert result.outcome == "too-long"
    assert len(result.hops) == 6 and result.hops[-1].status is None


@pytest.mark.parametrize("code", [404, 410, 500, 503])
def test_error_statuses_end_the_chain_as_broken(sim: SimServer, code: int) -> None:
    result = follow(sim, f"/status{code}")
    assert (result.outcome, result.hops[-1].status) == ("broken", code)


def test_a_server_that_never_answers_costs_one_bounded_hop(sim: SimServer) -> None:
    result = follow(sim, "/stall", timeout=0.5)
    assert result.outcome == "timeout"
    assert result.hops[-1].status is None and "0.5 s" in (result.hops[-1].error or "")


@pytest.mark.parametrize("path", ["/endless", "/bomb", "/flood"])
def test_hostile_bodies_and_headers_are_read_only_as_far_as_needed(
    sim: SimServer, path: str
) -> None:
    result = follow(sim, path)
    assert result.outcome == "ok"
    assert result.hops[-1].status == 200


@pytest.mark.parametrize(
    ("path", "scheme"), [("/to-javascript", "javascript"), ("/to-file", "file")]
)
def test_a_redirect_to_another_scheme_is_not_followed(
    sim: SimServer, path: str, scheme: str
) -> None:
    result = follow(sim, path)
    assert result.outcome == "scheme"
    assert f"{scheme}:" in (result.hops[-1].error or "")


def test_a_redirect_without_location(sim: SimServer) -> None:
    result = follow(sim, "/no-location")
    assert result.outcome == "invalid-location"


@pytest.mark.parametrize(
    ("path", "outcome"),
    [("/linkedin", "blocked"), ("/challenge", "blocked"), ("/forbidden", "broken")],
)
def test_bot_refusals_are_blocked_not_broken(sim: SimServer, path: str, outcome: str) -> None:
    assert follow(sim, path).outcome == outcome


def test_retry_after_is_honoured_within_the_budget(sim: SimServer) -> None:
    result = follow(sim, "/busy")
    assert (result.outcome, result.hops[-1].status) == ("ok", 200)


def test_cookies_are_kept_within_a_chain(sim: SimServer) -> None:
    assert follow(sim, "/set-cookie").outcome == "ok"
    assert follow(sim, "/needs-cookie").outcome == "broken"  # a new chain has no cookie


def test_user_agent_profiles_reproduce_device_specific_breakage(sim: SimServer) -> None:
    assert follow(sim, "/phone-only-broken", user_agent="desktop").outcome == "ok"
    assert follow(sim, "/phone-only-broken", user_agent="mobile").outcome == "broken"


def test_tls_hops_record_the_protocol_version(sim: SimServer) -> None:
    result = follow(sim, "/to-https")
    assert result.outcome == "ok"
    assert result.hops[-1].tls_version in ("TLSv1.2", "TLSv1.3")


def test_an_untrusted_certificate_makes_the_hop_unreachable(sim: SimServer) -> None:
    async def run() -> ChainResult:
        async with Follower(
            settings(), resolver=StaticResolver({}, default=["127.0.0.1"])
        ) as follower:
            return await follower.follow(sim.url("secure.example", "/landing", tls=True))

    result = asyncio.run(run())
    assert result.outcome == "unreachable"
    assert (
        "TLS" in (result.hops[-1].error or "")
        or "certificate" in (result.hops[-1].error or "").lower()
    )


def test_private_addresses_are_refused_unless_allowed(sim: SimServer) -> None:
    before = len(sim.request_log)
    result = follow(sim, "/landing", allow_private=False)
    assert result.outcome == "private"
    assert "127.0.0.1" in (result.hops[0].error or "")
    assert len(sim.request_log) == before


def link(link_id: int, href: str, category: Category = Category.DIRECT, **fields: object) -> Link:
    return Link(
        id=link_id,
        part=Part.HTML,
        element=Element.A,
        href=href,
        category=category,
        **fields,  # type: ignore[arg-type]
    )


def follow_links(sim: SimServer, links: list[Link], **overrides: object) -> tuple[Link, ...]:
    async def run() -> tuple[Link, ...]:
        async with Follower(
            settings(**overrides), resolver=StaticResolver({}, default=["127.0.0.1"])
        ) as follower:
            return await follower.follow_links(links)

    return asyncio.run(run())


def test_a_link_repeated_ten_times_is_requested_once_per_hop(sim: SimServer) -> None:
    url = sim.url("dedupe.example", "/r302")
    before = len(sim.requests_to("dedupe.example"))
    followed = follow_links(sim, [link(n, url) for n in range(1, 11)])
    assert all(item.outcome == "ok" and len(item.chain) == 2 for item in followed)
    assert len(sim.requests_to("dedupe.example")) - before == 2


def test_safe_mode_never_requests_a_tracked_link(sim: SimServer) -> None:
    tracked = sim.url("tracker.example", "/r302")
    decoded = sim.url("tracker.example", "/landing?decoded=1")
    links = [
        link(1, tracked, Category.TRACKED, esp="Mailgun", decoded=decoded),
        link(2, tracked + "&opaque", Category.TRACKED, esp="SendGrid"),
        link(3, sim.url("tracker.example", "/unsubscribe"), system="unsubscribe"),
    ]
    before = {r.path for r in sim.requests_to("tracker.example")}
    # safe mode checks each host's CNAME before requesting it: a local DNS server answers
    with LocalDnsServer({"tracker.example": [("A", "127.0.0.1")]}) as dns:
        followed = follow_links(
            sim, links, safe=True, nameservers=(Nameserver("127.0.0.1", dns.port),)
        )
    assert followed[0].chain[0].url == decoded and followed[0].outcome == "ok"
    assert followed[1].outcome == "not-followed" and not followed[1].chain
    assert followed[2].outcome == "not-followed"
    requested = {r.path for r in sim.requests_to("tracker.example")} - before
    assert "/r302" not in requested and "/unsubscribe" not in requested


def test_cancel_stops_following_within_a_second(sim: SimServer) -> None:
    cancel = CancelToken()
    threading.Timer(0.3, cancel.cancel).start()

    async def run() -> None:
        async with Follower(
            settings(timeout=30, chain_timeout=60),
            resolver=StaticResolver({}, default=["127.0.0.1"]),
        ) as follower:
            await follower.follow_links(
                [link(1, sim.url("click.example", "/stall"))], cancel=cancel
            )

    started = time.monotonic()
    with pytest.raises(Cancelled):
        asyncio.run(run())
    assert time.monotonic() - started < 1.5


def test_a_name_that_resolves_to_the_cloud_metadata_address_is_refused(sim: SimServer) -> None:
    async def run() -> ChainResult:
        resolver = StaticResolver({"metadata.example": ["169.254.169.254"]})
        async with Follower(settings(allow_private=False), resolver=resolver) as follower:
            return await follower.follow("http://metadata.example/latest/meta-data/")

    result = asyncio.run(run())
    assert result.outcome == "private"
    assert result.hops[0].remote_address == "169.254.169.254"


def test_a_tls_server_that_closes_abruptly_costs_one_hop() -> None:
    with SimServer([Route(path="*", action="close")]) as closing:

        async def run() -> ChainResult:
            async with Follower(
                settings(),
                resolver=StaticResolver({}, default=["127.0.0.1"]),
                verify=closing.certs.client_context() if closing.certs else None,
            ) as follower:
                return await follower.follow(closing.url("abrupt.example", "/", tls=True))

        result = asyncio.run(run())
    assert result.outcome == "unreachable"
    assert len(result.hops) == 1 and result.hops[0].error
