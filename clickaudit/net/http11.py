"""One HTTP/1.1 connection driven by h11 directly, for every origin known to speak HTTP/1.1.

httpcore's HTTP/1.1 path wraps h11 in two connection objects (``AsyncHTTPConnection`` around
``AsyncHTTP11Connection``), two locks, a ``Trace`` context manager around each of a request's
four steps, an exception-mapping context manager around every parse, and a byte-stream object
per response, all of which the pool then wraps once more. When an audit follows hundreds of
links through one tracking host, the event loop is CPU-bound and about two thirds of its CPU
went to that transport. Here one object owns the stream and the ``h11.Connection``: a request
is sent, its head parsed and its body handed out by the same few lines, and the response's
stream gives the connection straight back to the pool when closed.

What httpcore did is kept: requests are the bytes h11 writes for the same ``httpcore.Request``
(tests/test_http_request.py), responses are ``httpcore.Response`` objects with the same
extensions, errors are httpcore's (``RemoteProtocolError``, ``ReadTimeout``, ...), a write
error still lets a server's early answer be read, 1xx answers are skipped, and a connection is
reused only when both sides finished the exchange (h11 says so: not after ``Connection:
close``, an error, or a body left unread). Parsing is h11's alone. HTTP/2 and the first TLS
connection to an origin (whose ALPN answer decides) stay on httpcore (:mod:`clickaudit.net.pool`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import Any

import h11
import httpcore

READ_NUM_BYTES = 64 * 1024
MAX_INCOMPLETE_EVENT_SIZE = 100 * 1024  # a response head bigger than this is refused

_NEW, _ACTIVE, _IDLE, _CLOSED = "NEW", "ACTIVE", "IDLE", "CLOSED"


class Http11Connection:
    """An HTTP/1.1 connection to one origin, one request at a time, with the interface the pool
    uses of httpcore's connections (``handle_async_request``, ``is_available``, ...).

    ``release`` is awaited with the connection once a response's body is closed (the pool's
    give-back); the connection is then idle again or closed."""

    def __init__(
        self,
        *,
        origin: httpcore.Origin,
        ssl_context: Any,
        network_backend: httpcore.AsyncNetworkBackend,
        keepalive_expiry: float | None,
        release: Callable[[Http11Connection], Awaitable[None]],
    ) -> None:
        self._origin = origin
        self._ssl_context = ssl_context
        self._backend = network_backend
        self._keepalive_expiry = keepalive_expiry
        self._release = release
        self._stream: httpcore.AsyncNetworkStream | None = None
        self._state = _NEW
        self._connect_failed = False
        self._expire_at: float | None = None
        self._request_count = 0
        self._h11 = h11.Connection(
            our_role=h11.CLIENT, max_incomplete_event_size=MAX_INCOMPLETE_EVENT_SIZE
        )

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        if self._state not in (_NEW, _IDLE):
            raise httpcore.ConnectionNotAvailable()
        self._state = _ACTIVE
        self._expire_at = None
        self._request_count += 1
        timeouts = request.extensions.get("timeout", {})
        try:
            stream = self._stream
            if stream is None:
                stream = self._stream = await self._connect(timeouts.get("connect"))
            with contextlib.suppress(httpcore.WriteError):
                # The server may have answered before closing: read what it sent.
                await self._send(request, stream, timeouts.get("write"))
            event = await self._receive_head(stream, timeouts.get("read"))
        except BaseException:
            await self._finish()
            raise
        return httpcore.Response(
            status=event.status_code,
            headers=event.headers.raw_items(),
            content=_Body(self, stream, timeouts.get("read")),
            extensions={
                "http_version": b"HTTP/" + event.http_version,
                "reason_phrase": event.reason,
                "network_stream": stream,
            },
        )

    async def _connect(self, timeout: float | None) -> httpcore.AsyncNetworkStream:
        host = self._origin.host.decode("ascii")
        try:
            stream = await self._backend.connect_tcp(host, self._origin.port, timeout=timeout)
            if self._origin.scheme == b"https":
                stream = await stream.start_tls(
                    self._ssl_context, server_hostname=host, timeout=timeout
                )
                ssl_object = stream.get_extra_info("ssl_object")
                if ssl_object is not None and ssl_object.selected_alpn_protocol() == "h2":
                    # The origin spoke HTTP/1.1 before and now chose HTTP/2: the pool opens
                    # one of httpcore's connections instead.
                    await stream.aclose()
                    self._state = _CLOSED
                    raise httpcore.ConnectionNotAvailable()
        except BaseException:
            self._connect_failed = True
            raise
        return stream

    async def _send(
        self, request: httpcore.Request, stream: httpcore.AsyncNetworkStream, timeout: float | None
    ) -> None:
        state = self._h11
        try:
            head = state.send(
                h11.Request(
                    method=request.method, target=request.url.target, headers=request.headers
                )
            )
        except h11.LocalProtocolError as error:
            raise httpcore.LocalProtocolError(error) from error
        assert isinstance(request.stream, AsyncIterable)
        parts = [head] if head else []
        async for chunk in request.stream:
            if chunk:  # a request without a body (every hop's) yields one empty chunk
                data = state.send(h11.Data(data=chunk))
                if data:
                    parts.append(data)
        end = state.send(h11.EndOfMessage())
        if end:
            parts.append(end)
        await stream.write(b"".join(parts), timeout=timeout)

    async def _receive_head(
        self, stream: httpcore.AsyncNetworkStream, timeout: float | None
    ) -> h11.Response | h11.InformationalResponse:
        while True:
            event = await self._next_event(stream, timeout)
            if isinstance(event, h11.Response):
                return event
            if isinstance(event, h11.InformationalResponse):
                if event.status_code == 101:
                    return event  # as httpcore: the answer, with no body to read
                continue  # 100 Continue, 103 Early Hints: the answer is still to come
            raise httpcore.RemoteProtocolError(f"unexpected {type(event).__name__}")

    async def _next_event(
        self, stream: httpcore.AsyncNetworkStream, timeout: float | None
    ) -> object:
        state = self._h11
        while True:
            try:
                event = state.next_event()
            except h11.RemoteProtocolError as error:
                raise httpcore.RemoteProtocolError(error) from error
            if event is not h11.NEED_DATA:
                return event
            data = await stream.read(READ_NUM_BYTES, timeout=timeout)
            if not data and state.their_state is h11.SEND_RESPONSE:
                raise httpcore.RemoteProtocolError(
                    "Server disconnected without sending a response."
                )
            state.receive_data(data)

    async def _finish(self) -> None:
        """The exchange is over (read, abandoned or failed): idle if h11 says both sides are
        done and the connection may carry another request, closed otherwise."""
        state = self._h11
        if self._state == _ACTIVE and state.our_state is h11.DONE and state.their_state is h11.DONE:
            state.start_next_cycle()
            self._state = _IDLE
            if self._keepalive_expiry is not None:
                self._expire_at = time.monotonic() + self._keepalive_expiry
            return
        await self.aclose()

    async def aclose(self) -> None:
        self._state = _CLOSED
        if self._stream is not None:
            await self._stream.aclose()

    def is_available(self) -> bool:
        return self._state == _IDLE

    def has_expired(self) -> bool:
        if self._stream is None:
            return self._connect_failed
        if self._expire_at is not None and time.monotonic() > self._expire_at:
            return True
        # An idle connection with something to read was closed (or broken) by the server.
        return self._state == _IDLE and bool(self._stream.get_extra_info("is_readable"))

    def is_idle(self) -> bool:
        return self._state == _IDLE

    def is_closed(self) -> bool:
        return self._state == _CLOSED or self._connect_failed

    def info(self) -> str:
        return (
            f"{str(self._origin)!r}, HTTP/1.1, {self._state}, Request Count: {self._request_count}"
        )

    def __repr__(self) -> str:
        return f"<Http11Connection [{self.info()}]>"


class _Body:
    """A response's body as h11 hands it out; closing it ends the exchange and gives the
    connection back to the pool."""

    __slots__ = ("_closed", "_connection", "_stream", "_timeout")

    def __init__(
        self,
        connection: Http11Connection,
        stream: httpcore.AsyncNetworkStream,
        timeout: float | None,
    ) -> None:
        self._connection = connection
        self._stream = stream
        self._timeout = timeout
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        try:
            while True:
                event = await connection._next_event(self._stream, self._timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage) or event is h11.PAUSED:
                    return
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        connection = self._connection
        await connection._finish()
        await connection._release(connection)
