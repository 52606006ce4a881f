"""Connections kept per origin, with no queue of their own: the follower's limiter decides which
request waits, so the pool only finds a connection for a request that may go now.

httpcore's own pool keeps one queue of requests for all connections and, on every request's
start and end, walks every request against every connection asking each whether it has expired
(a socket call each): with a hundred requests in flight that bookkeeping cost ~13 ms of CPU per
request. Here a request takes the HTTP/2 connection its origin already has (many chains to a
tracking host share one), or the most recently used idle HTTP/1.1 connection, or opens a new
one; a finished response hands its connection back. Only the connection taken is checked for
expiry. The number of connections is bounded by the limiter (at most its per-host ceiling to an
origin) and idle ones by ``max_idle``.

httpcore guards a connection's set-up and an HTTP/1.1 connection's state with anyio locks, which
on asyncio yield to the event loop at every acquire even when free (``anyio.Lock`` without
``fast_acquire``): three times a request, each putting the request behind every task that is
ready. When a hundred answers arrive together, a chain's next hop then goes out only after the
whole wave has been handled two or three times over. The pool gives each connection asyncio's
own locks instead (the same exclusion, no yield when free): following alone, in-process, medians
of 10 alternating runs, one tracking host 0.78 -> 0.71 s, 20 hosts 0.83 -> 0.70 s
(tests/bench/bench_follow.py shapes). The price, on the host refusing beyond 8 in flight: a chain
answered early in a wave now sends its next hop before refusals read later in the same wave have
halved the window, 39-44 -> 43-51 429s over 5 runs (linkinator: 584). Deferring every wake-up of
a host that has refused to the end of the wave brought them back to 38-46 but kept its window
lower (mean 5.3-6.3 against 6.7) and the shape ~1 s slower, so it was left out.

Every connection to an origin known to speak HTTP/1.1 — any ``http://`` origin, and an
``https://`` one once ALPN chose HTTP/1.1 on it — is the pool's own h11-driven
:class:`~clickaudit.net.http11.Http11Connection` rather than httpcore's, which costs a fifth
less CPU per request on one tracking host (see that module). The first connection to an
``https://`` origin stays httpcore's: its ALPN answer decides between HTTP/2 and HTTP/1.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
from collections.abc import AsyncIterable, AsyncIterator

import httpcore
from httpcore import AsyncHTTPConnection

from clickaudit.net.http11 import Http11Connection

_Key = tuple[bytes, bytes, int]  # an origin: scheme, host, port
_Connection = AsyncHTTPConnection | Http11Connection


class OriginPool:
    """The transport of every request an audit makes (see :func:`make_transport`)."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext,
        network_backend: httpcore.AsyncNetworkBackend,
        http2: bool = True,
        keepalive_expiry: float = 5.0,
        max_idle: int = 256,
    ) -> None:
        self._ssl_context = ssl_context
        self._backend = network_backend
        self._http2 = http2
        self._keepalive_expiry = keepalive_expiry
        self._max_idle = max_idle
        self._idle: dict[_Key, list[_Connection]] = {}
        self._idle_count = 0
        self._shared: dict[_Key, AsyncHTTPConnection] = {}  # HTTP/2, or may become
        self._open: set[_Connection] = set()
        self._http11: set[_Key] = set()  # origins whose ALPN chose HTTP/1.1: nothing to share

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        origin = request.url.origin
        key = (origin.scheme, origin.host, origin.port)
        for attempt in range(3):
            # A connection taken from the idle list or shared while it connects may be won by a
            # request that queued on it earlier; the next try opens one that is this request's
            # alone, so losing such a race costs one attempt, never the request.
            connection = await self._take(origin, key, fresh=attempt > 0)
            try:
                response = await connection.handle_async_request(request)
            except httpcore.ConnectionNotAvailable:
                if isinstance(connection, Http11Connection):
                    if connection.is_closed():  # its origin now chose HTTP/2 in ALPN
                        self._open.discard(connection)
                        self._http11.discard(key)
                    continue
                # A connection that looked shareable turned out to speak HTTP/1.1 (or an HTTP/2
                # connection ran out of streams): take another one.
                self._unshare(key, connection)
                if _speaks_http11(connection):
                    self._http11.add(key)
                continue
            except BaseException:
                self._unshare(key, connection)
                if connection.is_closed() or not connection.is_available():
                    await self._close(connection)
                raise
            if isinstance(connection, Http11Connection):
                return response  # its body gives the connection back when closed
            if _speaks_http11(connection):
                self._unshare(key, connection)
                self._http11.add(key)
                _without_lock_yields(getattr(connection, "_connection", None), "_state_lock")
            assert isinstance(response.stream, AsyncIterable)
            return httpcore.Response(
                status=response.status,
                headers=response.headers,
                content=_ReturnOnClose(response.stream, self, key, connection),
                extensions=response.extensions,
            )
        raise httpcore.ConnectError(f"no connection to {origin} would take the request")

    async def _take(
        self, origin: httpcore.Origin, key: _Key, *, fresh: bool = False
    ) -> _Connection:
        shared = None if fresh else self._shared.get(key)
        if shared is not None:
            if shared.is_available() and not shared.has_expired():
                return shared
            self._unshare(key, shared)
            if shared.has_expired():
                await self._close(shared)
        idle = None if fresh else self._idle.get(key)
        while idle:
            connection = idle.pop()
            self._idle_count -= 1
            if connection.has_expired():
                await self._close(connection)
                continue
            if not connection.is_available():
                # Busy, not broken: a request that waited on this connection while it was being
                # set up (it was shared until ALPN said HTTP/1.1) took it after it was handed
                # back. Its user hands it back again; closing it here cut that request's answer.
                continue
            return connection
        if origin.scheme == b"http" or key in self._http11:
            plain = Http11Connection(
                origin=origin,
                ssl_context=self._ssl_context,
                network_backend=self._backend,
                keepalive_expiry=self._keepalive_expiry,
                release=functools.partial(self._give_back, key),
            )
            self._open.add(plain)
            return plain
        connection = AsyncHTTPConnection(
            origin=origin,
            ssl_context=self._ssl_context,
            keepalive_expiry=self._keepalive_expiry,
            http1=True,
            http2=self._http2,
            network_backend=self._backend,
        )
        _without_lock_yields(connection, "_request_lock")
        self._open.add(connection)
        if self._http2 and origin.scheme == b"https" and key not in self._http11:
            # Until ALPN answers, the new connection may be HTTP/2: requests arriving meanwhile
            # wait for it rather than each opening a connection of its own.
            self._shared[key] = connection
        return connection

    def _unshare(self, key: _Key, connection: _Connection) -> None:
        if self._shared.get(key) is connection:
            del self._shared[key]

    async def _give_back(self, key: _Key, connection: _Connection) -> None:
        if connection.is_closed():
            self._open.discard(connection)
            self._unshare(key, connection)
            return
        if not isinstance(connection, Http11Connection) and not _speaks_http11(connection):
            if connection.is_available() and key not in self._shared:
                self._shared[key] = connection
            elif connection.is_idle() and self._shared.get(key) is not connection:
                await self._close(connection)
            return
        if not connection.is_idle():
            await self._close(connection)  # the response was not read to its end
            return
        if self._idle_count >= self._max_idle:
            await self._close(connection)
            return
        self._idle.setdefault(key, []).append(connection)
        self._idle_count += 1

    async def _close(self, connection: _Connection) -> None:
        self._open.discard(connection)
        with contextlib.suppress(httpcore.NetworkError, OSError):
            await connection.aclose()

    async def aclose(self) -> None:
        connections, self._open = self._open, set()
        self._idle.clear()
        self._shared.clear()
        self._idle_count = 0
        for connection in connections:
            with contextlib.suppress(httpcore.NetworkError, OSError):
                await connection.aclose()

    def info(self) -> str:
        return f"{len(self._open)} connections, {self._idle_count} idle"


class _ReturnOnClose:
    """The response body; closing it gives the connection back to the pool."""

    def __init__(
        self,
        stream: AsyncIterable[bytes],
        pool: OriginPool,
        key: _Key,
        connection: AsyncHTTPConnection,
    ) -> None:
        self._stream = stream
        self._pool = pool
        self._key = key
        self._connection = connection
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._stream:
                yield part
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            aclose = getattr(self._stream, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            await self._pool._give_back(self._key, self._connection)


def _without_lock_yields(holder: object, attribute: str) -> None:
    """Give ``holder`` (an httpcore connection) an asyncio lock in place of the anyio one it
    keeps as ``attribute`` (see the module's docstring); nothing if httpcore has no such lock
    there (tests/test_pool.py notices)."""
    lock = getattr(holder, attribute, None)
    if lock is not None and not isinstance(lock, asyncio.Lock):
        setattr(holder, attribute, asyncio.Lock())


def _speaks_http11(connection: AsyncHTTPConnection) -> bool:
    """Whether a connected connection negotiated HTTP/1.1 (one request at a time)."""
    return ", HTTP/1.1," in connection.info()
