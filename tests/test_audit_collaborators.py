"""The network collaborators of an audit are made once per run (issue 12, item 6): the HTTP
transport, the resolvers, the SSL context and the per-host limiter serve every email of the run;
the pipeline closes what it made however the run ends, and never what it was given."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpcore
import pytest

import clickaudit.pipeline as pipeline
from clickaudit.errors import Cancelled
from clickaudit.events import CancelToken, Progress
from clickaudit.follow import Follower
from clickaudit.load import load_bytes
from clickaudit.model import Email
from clickaudit.net.limiter import AdaptiveLimiter
from clickaudit.net.transport import (
    StaticResolver,
    Transport,
    make_transport,
    verifying_ssl_context,
)
from clickaudit.pipeline import NetworkOverrides, audit_emails
from clickaudit.settings import AuditSettings
from clickaudit.sim import Route, SimServer

ROUTES = [
    Route(path="/slow/*", delay_ms=300),
    Route(path="/go/*", action="redirect", to="/page"),
    Route(path="*"),
]


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer(ROUTES, tls=False) as server:
        yield server


def email(sim: SimServer, *paths: str) -> Email:
    anchors = "".join(f'<p><a href="{sim.url("shop.example", p)}">Link {p}</a></p>' for p in paths)
    raw = (
        "From: Shop <news@shop.example>\r\nTo: a@b.example\r\nSubject: News\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f"<html><body>{anchors}</body></html>\r\n"
    )
    return load_bytes(raw.encode(), "test.eml")[0]


SETTINGS = AuditSettings(allow_private=True, check_domains=False, timeout=5.0, chain_timeout=10.0)
LOCAL = NetworkOverrides(address_resolver=StaticResolver({}, default=["127.0.0.1"]))


class TransportsMade:
    """Every transport the pipeline makes, and which of them it closed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made: list[Transport] = []
        self.closed: list[Transport] = []
        real = pipeline.make_transport

        def spy(*args: object, **kwargs: object) -> Transport:
            transport = real(*args, **kwargs)  # type: ignore[arg-type]
            self.made.append(transport)
            close = transport.aclose

            async def aclose() -> None:
                self.closed.append(transport)
                await close()

            transport.aclose = aclose  # type: ignore[method-assign]
            return transport

        monkeypatch.setattr(pipeline, "make_transport", spy)


@pytest.fixture
def transports(monkeypatch: pytest.MonkeyPatch) -> TransportsMade:
    return TransportsMade(monkeypatch)


async def get(transport: Transport, url: str) -> int:
    host = url.split("/")[2].split(":")[0].encode()
    request = httpcore.Request("GET", url, headers=[(b"Host", host)])
    response = await transport.handle_async_request(request)
    await response.aread()
    await response.aclose()
    return response.status


def no_connection_left_open(sim: SimServer) -> bool:
    """The server has seen every connection closed (it notices a client's close on its own
    thread, so it is given a bounded moment to)."""
    deadline = time.monotonic() + 5
    while sim.connections_open and time.monotonic() < deadline:
        time.sleep(0.01)
    return sim.connections_open == 0


def test_two_emails_linking_to_one_host_are_audited_over_one_connection(
    sim: SimServer, transports: TransportsMade
) -> None:
    audits = audit_emails(
        [email(sim, "/go/first"), email(sim, "/go/second")], SETTINGS, network=LOCAL
    )
    assert [link.outcome for audit in audits for link in audit.links] == ["ok", "ok"]
    assert len(sim.request_log) == 4  # two chains of two hops
    assert sim.connections_accepted == 1
    assert len(transports.made) == 1


def test_the_transport_is_closed_when_the_audit_ends(
    sim: SimServer, transports: TransportsMade
) -> None:
    audit_emails([email(sim, "/a", "/b", "/c"), email(sim, "/d")], SETTINGS, network=LOCAL)
    assert transports.closed == transports.made and len(transports.made) == 1
    assert no_connection_left_open(sim)


def test_the_transport_is_closed_when_the_audit_is_cancelled(
    sim: SimServer, transports: TransportsMade
) -> None:
    cancel = CancelToken()

    def progress(event: Progress) -> None:
        if event.stage == "follow" and event.done == 1:
            cancel.cancel()  # one chain finished, the slow ones are in flight

    emails = [email(sim, "/fast", "/slow/1", "/slow/2", "/slow/3"), email(sim, "/e")]
    with pytest.raises(Cancelled):
        audit_emails(emails, SETTINGS, network=LOCAL, progress=progress, cancel=cancel)
    assert any(r.path.startswith("/slow/") for r in sim.request_log)
    assert not any(r.path == "/e" for r in sim.request_log)
    assert transports.closed == transports.made and len(transports.made) == 1
    assert no_connection_left_open(sim)


def test_the_transport_is_closed_when_the_audit_fails(
    sim: SimServer, transports: TransportsMade
) -> None:
    class Broken(Exception):
        pass

    def progress(event: Progress) -> None:
        if event.stage == "judge":
            raise Broken("a stage failed after links were followed")

    with pytest.raises(Broken):
        audit_emails(
            [email(sim, "/a", "/b"), email(sim, "/c")], SETTINGS, network=LOCAL, progress=progress
        )
    assert transports.closed == transports.made and len(transports.made) == 1
    assert no_connection_left_open(sim)


def test_a_transport_given_to_the_audit_is_used_for_every_email_and_left_open(
    sim: SimServer, transports: TransportsMade
) -> None:
    async def run() -> None:
        resolver = StaticResolver({}, default=["127.0.0.1"])
        given = make_transport(
            resolver, allow_private=True, ssl_context=verifying_ssl_context(None)
        )
        network = NetworkOverrides(address_resolver=resolver, transport=given)
        try:
            emails = [email(sim, "/go/1"), email(sim, "/go/2")]
            await pipeline.audit_emails_async(emails, SETTINGS, network=network)
            # Still the caller's: it serves a request after the audit.
            assert await get(given, sim.url("shop.example", "/after")) == 200
        finally:
            await given.aclose()

    asyncio.run(run())
    assert transports.made == []  # nothing made: the given one served every email
    assert sim.connections_accepted == 1


def test_a_follower_never_closes_a_transport_it_was_given(sim: SimServer) -> None:
    async def run() -> int:
        resolver = StaticResolver({}, default=["127.0.0.1"])
        given = make_transport(
            resolver, allow_private=True, ssl_context=verifying_ssl_context(None)
        )
        try:
            for path in ("/go/1", "/go/2"):
                async with Follower(SETTINGS, transport=given) as follower:
                    result = await follower.follow(sim.url("shop.example", path))
                    assert result.outcome == "ok"
            return await get(given, sim.url("shop.example", "/after"))
        finally:
            await given.aclose()

    assert asyncio.run(run()) == 200
    assert sim.connections_accepted == 1


def test_one_limiter_holds_the_per_host_ceiling_across_the_emails_of_a_run(
    sim: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[AdaptiveLimiter] = []
    real = pipeline.AdaptiveLimiter

    def spy(*, ceiling: int, concurrency: int) -> AdaptiveLimiter:
        limiter = real(ceiling=ceiling, concurrency=concurrency)
        made.append(limiter)
        return limiter

    monkeypatch.setattr(pipeline, "AdaptiveLimiter", spy)
    audit_emails([email(sim, "/a"), email(sim, "/b"), email(sim, "/c")], SETTINGS, network=LOCAL)
    assert len(made) == 1
