"""The follower's connection pool: HTTP/2 where the server offers it — many chains to a tracking
host over one connection — and HTTP/1.1 connections reused, never queued inside the pool."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import ClassVar

import h2.config
import h2.connection
import h2.events
import httpcore
import pytest

import clickaudit.net.pool as pool_module
from clickaudit.follow import Follower
from clickaudit.net.http11 import Http11Connection
from clickaudit.net.limiter import AdaptiveLimiter
from clickaudit.net.pool import OriginPool
from clickaudit.net.transport import CheckedBackend, StaticResolver
from clickaudit.settings import AuditSettings
from clickaudit.sim import Route, SimServer
from clickaudit.sim.certs import SimCertificates


class Http2Host:
    """A tracking host speaking only HTTP/2 (ALPN h2): ``/c/N`` redirects to ``/landing``."""

    def __init__(self, certs: SimCertificates) -> None:
        self.context = certs.server_context("click.example")
        self.context.set_alpn_protocols(["h2"])
        self.connections = 0
        self.requests = 0
        self.port = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> asyncio.Server:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.context)
        self.port = server.sockets[0].getsockname()[1]
        return server

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        connection.initiate_connection()
        writer.write(connection.data_to_send())
        try:
            while data := await reader.read(65536):
                for event in connection.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        headers = {
                            (k.decode() if isinstance(k, bytes) else k): (
                                v.decode() if isinstance(v, bytes) else v
                            )
                            for k, v in event.headers
                        }
                        task = asyncio.ensure_future(
                            self._answer(connection, writer, event.stream_id, headers[":path"])
                        )
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                writer.write(connection.data_to_send())
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _answer(
        self,
        connection: h2.connection.H2Connection,
        writer: asyncio.StreamWriter,
        stream_id: int,
        path: str,
    ) -> None:
        self.requests += 1
        await asyncio.sleep(0.01)
        if path.startswith("/c/"):
            connection.send_headers(
                stream_id, [(":status", "302"), ("location", "/landing")], end_stream=True
            )
        else:
            connection.send_headers(stream_id, [(":status", "200"), ("content-type", "text/plain")])
            connection.send_data(stream_id, b"ok", end_stream=True)
        writer.write(connection.data_to_send())


def settings() -> AuditSettings:
    return AuditSettings(allow_private=True, timeout=5.0, chain_timeout=20.0)


@pytest.fixture
def certs() -> Iterator[SimCertificates]:
    made = SimCertificates()
    yield made
    made.close()


def test_chains_to_an_http2_host_share_one_connection(certs: SimCertificates) -> None:
    host = Http2Host(certs)

    async def run() -> list[str]:
        server = await host.start()
        async with (
            server,
            Follower(
                settings(),
                resolver=StaticResolver({}, default=["127.0.0.1"]),
                verify=certs.client_context(),
            ) as follower,
        ):
            results = await asyncio.gather(
                *(follower.follow(f"https://click.example:{host.port}/c/{n}") for n in range(60))
            )
        return [result.outcome for result in results]

    outcomes = asyncio.run(run())
    assert outcomes == ["ok"] * 60
    assert host.requests == 120
    assert host.connections == 1


def test_an_origin_that_spoke_http11_and_now_chooses_http2_is_answered_over_http2(
    certs: SimCertificates,
) -> None:
    """An https origin once answered over HTTP/1.1 gets the pool's h11 connection next time;
    should its ALPN now choose h2, that connection gives way to httpcore's (HTTP/2) and the
    request is answered all the same."""
    host = Http2Host(certs)

    async def run() -> tuple[list[int], bool, list[type]]:
        server = await host.start()
        pool = OriginPool(
            ssl_context=certs.client_context(),
            network_backend=CheckedBackend(
                StaticResolver({}, default=["127.0.0.1"]), allow_private=True
            ),
        )
        url = f"https://click.example:{host.port}/c/1"
        key = (b"https", b"click.example", host.port)
        statuses = []
        async with server:
            try:
                for attempt in range(2):
                    if attempt:
                        await pool.aclose()
                        pool._http11.add(key)  # as if its ALPN had chosen HTTP/1.1 before
                    request = httpcore.Request("GET", url, headers=[(b"Host", b"click.example")])
                    response = await pool.handle_async_request(request)
                    await response.aread()
                    await response.aclose()
                    statuses.append(response.status)
                return statuses, key in pool._http11, [type(c) for c in pool._open]
            finally:
                await pool.aclose()

    statuses, still_http11, kinds = asyncio.run(run())
    assert statuses == [302, 302]
    assert not still_http11
    assert kinds == [httpcore.AsyncHTTPConnection]


@pytest.fixture
def plain_host() -> Iterator[SimServer]:
    routes = [
        Route(path="/c/*", action="redirect", to="/landing", delay_ms=10),
        Route(path="/landing", body="<html>ok</html>", delay_ms=10),
    ]
    with SimServer(routes, tls=False) as server:
        yield server


def test_http11_connections_are_reused_and_never_more_than_the_host_may_have(
    plain_host: SimServer,
) -> None:
    async def run() -> list[str]:
        async with Follower(
            AuditSettings(allow_private=True, per_host=6, timeout=5.0),
            resolver=StaticResolver({}, default=["127.0.0.1"]),
        ) as follower:
            results = await asyncio.gather(
                *(follower.follow(plain_host.url("click.example", f"/c/{n}")) for n in range(100))
            )
        return [result.outcome for result in results]

    assert asyncio.run(run()) == ["ok"] * 100
    assert plain_host.max_in_flight["click.example"] <= 6


def test_an_https_http11_connections_free_locks_never_make_a_request_yield_to_the_event_loop() -> (
    None
):
    """The first connection to an https origin is httpcore's (ALPN decides between HTTP/2 and
    HTTP/1.1). httpcore's own locks (anyio's) yield to every ready task at each acquire, three
    times a request; the pool gives its connections asyncio's, which do not when free. Should
    httpcore rename the locks, this fails instead of the audit silently slowing down."""
    routes = [Route(path="/landing", body="<html>ok</html>")]

    async def run(server: SimServer) -> list[object]:
        assert server.certs is not None
        pool = OriginPool(
            ssl_context=server.certs.client_context(),
            network_backend=CheckedBackend(
                StaticResolver({}, default=["127.0.0.1"]), allow_private=True
            ),
        )
        try:
            url = httpcore.URL(server.url("click.example", "/landing", tls=True))
            request = httpcore.Request("GET", url, headers=[(b"Host", b"click.example")])
            response = await pool.handle_async_request(request)
            await response.aread()
            await response.aclose()
            (connection,) = pool._open
            assert isinstance(connection, httpcore.AsyncHTTPConnection)
            http11 = connection._connection
            assert isinstance(http11, httpcore.AsyncHTTP11Connection)
            return [connection._request_lock, http11._state_lock]
        finally:
            await pool.aclose()

    with SimServer(routes, tls=True) as server:
        locks = asyncio.run(run(server))
    assert all(isinstance(lock, asyncio.Lock) for lock in locks)


def test_an_http_origins_connections_are_driven_by_h11_and_kept_alive(
    plain_host: SimServer,
) -> None:
    """Plain HTTP/1.1 goes through the pool's own h11 connection (clickaudit.net.http11), and
    one connection carries request after request."""

    async def run() -> list[object]:
        pool = OriginPool(
            ssl_context=ssl.create_default_context(),
            network_backend=CheckedBackend(
                StaticResolver({}, default=["127.0.0.1"]), allow_private=True
            ),
        )
        try:
            url = httpcore.URL(plain_host.url("click.example", "/landing"))
            bodies = []
            for _ in range(3):
                request = httpcore.Request("GET", url, headers=[(b"Host", b"click.example")])
                response = await pool.handle_async_request(request)
                bodies.append(await response.aread())
                await response.aclose()
            (connection,) = pool._open
            return [type(connection), *bodies]
        finally:
            await pool.aclose()

    kind, *bodies = asyncio.run(run())
    assert kind is Http11Connection
    assert bodies == [b"<html>ok</html>"] * 3


def test_an_https_http11_host_reached_by_a_burst_answers_every_chain() -> None:
    """Requests that arrive while a new TLS connection is set up wait on it (it may become
    HTTP/2); when ALPN says HTTP/1.1, one of them can take it after its first user handed it
    back to the idle list. Taking it from there must not close it: that cut the other request's
    answer (ReadError, 'Request Count: 2, CLOSED') once a host started with 16 in flight."""
    routes = [
        Route(path="/c/*", action="redirect", to="/landing", delay_ms=5),
        Route(path="/landing", body="<html>ok</html>", delay_ms=5),
    ]

    async def run(server: SimServer) -> list[str]:
        assert server.certs is not None
        async with Follower(
            AuditSettings(allow_private=True, per_host=64, timeout=5.0, chain_timeout=20.0),
            resolver=StaticResolver({}, default=["127.0.0.1"]),
            verify=server.certs.client_context(),
            limiter=AdaptiveLimiter(ceiling=64, concurrency=100, initial=32),
        ) as follower:
            results = await asyncio.gather(
                *(
                    follower.follow(server.url("click.example", f"/c/{n}", tls=True))
                    for n in range(200)
                )
            )
        return [result.outcome for result in results]

    with SimServer(routes, tls=True) as server:
        outcomes = asyncio.run(run(server))
    assert outcomes == ["ok"] * 200


class _RacedConnection:
    """An HTTP/1.1 connection that looks idle in the pool but is won, each time it is tried, by
    a request that queued on it earlier (as requests that waited on a new TLS connection do)."""

    created: ClassVar[list[_RacedConnection]] = []

    def __init__(self, release: Callable[[object], Awaitable[None]], **_: object) -> None:
        self.release = release
        self.lost = False
        self.used = 0
        _RacedConnection.created.append(self)

    def info(self) -> str:
        return "'https://click.example:443', HTTP/1.1, IDLE, Request Count: 1"

    def is_available(self) -> bool:
        return True

    def has_expired(self) -> bool:
        return False

    def is_idle(self) -> bool:
        return True

    def is_closed(self) -> bool:
        return False

    async def aclose(self) -> None:
        pass

    async def handle_async_request(self, request: object) -> httpcore.Response:
        if self.lost:
            raise httpcore.ConnectionNotAvailable()
        self.used += 1
        return httpcore.Response(200, content=_GivenBackOnClose(self))


class _GivenBackOnClose:
    """An empty body whose closing hands its connection back, as Http11Connection's does."""

    def __init__(self, connection: _RacedConnection) -> None:
        self.connection = connection

    async def __aiter__(self) -> AsyncIterator[bytes]:
        return
        yield b""

    async def aclose(self) -> None:
        await self.connection.release(self.connection)


def test_a_request_that_loses_its_connection_to_an_earlier_waiter_is_sent_on_one_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three idle connections, each won by a request queued on it before: the request still
    goes, on a connection of its own, instead of failing with 'no connection would take the
    request' (seen on a demo audit's hop under load)."""
    monkeypatch.setattr(pool_module, "Http11Connection", _RacedConnection)
    _RacedConnection.created = []
    pool = OriginPool(
        ssl_context=ssl.create_default_context(), network_backend=httpcore.AnyIOBackend()
    )
    url = "http://click.example/c/1"

    async def run() -> int:
        # Three requests in flight at once leave three connections in the idle list.
        first = [await pool.handle_async_request(httpcore.Request("GET", url)) for _ in range(3)]
        for response in first:
            await response.aclose()
        for connection in _RacedConnection.created:
            connection.lost = True  # now each is won by an earlier waiter
        response = await pool.handle_async_request(httpcore.Request("GET", url))
        await response.aclose()
        return response.status

    assert asyncio.run(run()) == 200
    assert [connection.used for connection in _RacedConnection.created][-1] == 1
