"""The pool's own HTTP/1.1 connection (clickaudit.net.http11): h11 driven directly, keeping what
httpcore's HTTP/1.1 connection did — the same request bytes, keep-alive only when both sides
finished, chunked and sized bodies, HEAD, 1xx answers, httpcore's errors and timeouts."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable

import httpcore
import pytest

from clickaudit.net.http import build_request
from clickaudit.net.http11 import Http11Connection
from clickaudit.net.pool import OriginPool
from clickaudit.net.transport import CheckedBackend, StaticResolver

TIMEOUTS = {"timeout": {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}}


class RawHost:
    """A server answering each request with the next of ``answers`` (raw bytes, or None to
    close without answering; past the last one it waits for the client to close), recording
    every request's bytes and every connection."""

    def __init__(
        self, answers: list[bytes | None], *, close_after: frozenset[int] = frozenset()
    ) -> None:
        self.answers = list(answers)
        self.close_after = close_after  # answer indexes after which the server closes
        self.requests: list[bytes] = []
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[object]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Once the client closed its connections: every handler has seen it and returned."""
        assert self._server is not None
        self._server.close()
        async with asyncio.timeout(2):
            await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                index = len(self.requests)
                self.requests.append(head)
                if index >= len(self.answers):
                    await reader.read()  # until the client closes
                    return
                answer = self.answers[index]
                if answer is None:
                    return
                writer.write(answer)
                await writer.drain()
                if index in self.close_after:
                    return
        finally:
            writer.close()

    def url(self, path: str = "/") -> str:
        return f"http://click.example:{self.port}{path}"


def _pool() -> OriginPool:
    return OriginPool(
        ssl_context=ssl.create_default_context(),
        network_backend=CheckedBackend(
            StaticResolver({}, default=["127.0.0.1"]), allow_private=True
        ),
    )


def _run(host: RawHost, exchange: Callable[[OriginPool, RawHost], Awaitable[object]]) -> object:
    async def main() -> object:
        await host.start()
        pool = _pool()
        try:
            return await exchange(pool, host)
        finally:
            await pool.aclose()
            await host.stop()

    return asyncio.run(main())


async def _get(pool: OriginPool, url: str, method: str = "GET") -> tuple[int, bytes]:
    request = build_request(method, url, [(b"Accept", b"*/*")])
    request.extensions = TIMEOUTS
    response = await pool.handle_async_request(request)
    try:
        return response.status, await response.aread()
    finally:
        await response.aclose()


def test_a_chunked_body_is_read_whole_and_its_connection_carries_the_next_request() -> None:
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    sized = b"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 2\r\n\r\nok"
    host = RawHost([chunked, sized])

    async def exchange(pool: OriginPool, host: RawHost) -> object:
        return [await _get(pool, host.url("/a")), await _get(pool, host.url("/b"))]

    assert _run(host, exchange) == [(200, b"hello world"), (302, b"ok")]
    assert host.connections == 1


def test_connection_close_is_honoured_and_the_next_request_opens_a_new_connection() -> None:
    closing = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na"
    plain = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"
    host = RawHost([closing, plain])

    async def exchange(pool: OriginPool, host: RawHost) -> object:
        return [await _get(pool, host.url("/a")), await _get(pool, host.url("/b"))]

    assert _run(host, exchange) == [(200, b"a"), (200, b"b")]
    assert host.connections == 2


def test_a_body_left_unread_closes_its_connection_instead_of_reusing_it() -> None:
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100
    plain = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"
    host = RawHost([big, plain])

    async def exchange(pool: OriginPool, host: RawHost) -> object:
        request = build_request("GET", host.url("/big"), [])
        request.extensions = TIMEOUTS
        response = await pool.handle_async_request(request)
        await response.aclose()  # the body never read
        (connection,) = pool._open or [None]
        assert connection is None  # closed, not kept
        return await _get(pool, host.url("/b"))

    assert _run(host, exchange) == (200, b"b")
    assert host.connections == 2


def test_head_has_no_body_whatever_its_content_length_and_keeps_its_connection() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"
    plain = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"
    host = RawHost([head, plain])

    async def exchange(pool: OriginPool, host: RawHost) -> object:
        return [await _get(pool, host.url("/"), "HEAD"), await _get(pool, host.url("/b"))]

    assert _run(host, exchange) == [(200, b""), (200, b"b")]
    assert host.connections == 1


def test_informational_answers_are_skipped_for_the_final_one() -> None:
    answer = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
        b"HTTP/1.1 301 Moved Permanently\r\nLocation: /n\r\nContent-Length: 0\r\n\r\n"
    )
    host = RawHost([answer])

    async def exchange(pool: OriginPool, host: RawHost) -> object:
        return await _get(pool, host.url("/"))

    assert _run(host, exchange) == (301, b"")


def test_a_server_closing_without_an_answer_is_httpcores_remote_protocol_error() -> None:
    host = RawHost([None])

    async def exchange(pool: OriginPool, host: RawHost) -> object:
        return await _get(pool, host.url("/"))

    with pytest.raises(httpcore.RemoteProtocolError, match="without sending a response"):
        _run(host, exchange)


def test_a_malformed_answer_is_httpcores_remote_protocol_error() -> None:
    host = RawHost([b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n"])

    async def exchange(pool: OriginPool, host: RawHost) -> object:
        return await _get(pool, host.url("/"))

    with pytest.raises(httpcore.RemoteProtocolError):
        _run(host, exchange)


def test_no_answer_within_the_read_timeout_is_httpcores_read_timeout() -> None:
    host = RawHost([])  # reads the request, never answers: waits for the client to go

    async def exchange(pool: OriginPool, host: RawHost) -> object:
        request = build_request("GET", host.url("/"), [])
        request.extensions = {"timeout": {"connect": 1.0, "read": 0.2, "write": 1.0}}
        with pytest.raises(httpcore.ReadTimeout):
            await pool.handle_async_request(request)
        return list(pool._open)

    assert _run(host, exchange) == []


def test_an_idle_connection_the_server_closed_is_not_reused() -> None:
    plain = b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"
    host = RawHost([plain, plain], close_after=frozenset({0}))

    async def exchange(pool: OriginPool, host: RawHost) -> object:
        first = await _get(pool, host.url("/a"))
        await asyncio.sleep(0.05)  # the server's close arrives
        return [first, await _get(pool, host.url("/b"))]

    assert _run(host, exchange) == [(200, b"a"), (200, b"a")]
    assert host.connections == 2


@pytest.mark.parametrize(
    "url",
    [
        "http://click.example:{port}/c?u=1&x=%20y",
        "http://bücher.example:{port}/straße?q=ü",
        "http://click.example:{port}/a/../b/./c?x=<y>",
    ],
)
def test_the_request_bytes_are_those_httpcores_connection_sends(url: str) -> None:
    """Header for header and byte for byte: IDNA, escaping and header order unchanged."""
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    headers = [(b"User-Agent", b"clickaudit"), (b"Accept", b"*/*")]

    async def send(pool: httpcore.AsyncConnectionPool | OriginPool, port: int) -> None:
        request = build_request("GET", url.format(port=port), headers, "a=1")
        request.extensions = TIMEOUTS
        response = await pool.handle_async_request(request)
        await response.aread()
        await response.aclose()

    async def main() -> tuple[list[bytes], type]:
        host = RawHost([ok, ok])
        await host.start()
        backend = CheckedBackend(StaticResolver({}, default=["127.0.0.1"]), allow_private=True)
        try:
            pool = _pool()
            await send(pool, host.port)
            (connection,) = pool._open
            await pool.aclose()
            async with httpcore.AsyncConnectionPool(network_backend=backend) as reference:
                await send(reference, host.port)
        finally:
            await host.stop()
        return host.requests, type(connection)

    (ours, theirs), kind = asyncio.run(main())
    assert kind is Http11Connection
    assert ours == theirs
