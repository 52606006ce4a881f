"""httpcore's network streams on asyncio's own transports, without anyio in between.

httpcore talks to the network through a small, public backend interface
(:class:`httpcore.AsyncNetworkBackend`); its default implementation goes through anyio, whose
cancel scope for every read and write, typed-attribute lookups for every ``get_extra_info`` and
socket poll for every idle check cost about a sixth of the CPU of a request when an audit follows
hundreds of links at once. Here each connection is an :class:`asyncio.Protocol`: data arrives in a
buffer, a read waits on one future, a write is the transport's own, TLS is asyncio's
``start_tls``, and whether an idle connection was closed by the server is known without a system
call. Errors are httpcore's, as its own backends raise them (``ConnectError`` with the
``ssl.SSLError`` as its cause, ``ReadError``, ``ReadTimeout``, ...).
"""

from __future__ import annotations

import asyncio
import collections
import ssl
from collections.abc import Iterable
from typing import Any, cast

import httpcore

READ_BUFFER_LIMIT = 256 * 1024  # stop reading from the socket beyond this much unread data


class _Connection(asyncio.Protocol):
    """The receiving end of one TCP connection: a buffer of chunks and who waits for them."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.eof = False
        self.lost: BaseException | None = None
        self.reading_paused = False
        self.read_waiter: asyncio.Future[None] | None = None
        self.drain_waiter: asyncio.Future[None] | None = None
        self.writing_paused = False

    # --- asyncio.Protocol ---------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered > READ_BUFFER_LIMIT and not self.reading_paused and self.transport:
            self.transport.pause_reading()
            self.reading_paused = True
        self._wake_reader()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake_reader()
        return False  # close the transport: an HTTP connection is never half-closed here

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.lost = exc
        self._wake_reader()
        if self.drain_waiter is not None and not self.drain_waiter.done():
            self.drain_waiter.set_result(None)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        if self.drain_waiter is not None and not self.drain_waiter.done():
            self.drain_waiter.set_result(None)

    def _wake_reader(self) -> None:
        waiter = self.read_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection as httpcore reads and writes it."""

    def __init__(
        self, connection: _Connection, transport: asyncio.Transport, *, tls: bool = False
    ) -> None:
        self._connection = connection
        self._transport = transport
        self._tls = tls

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        connection = self._connection
        if not connection.chunks and not connection.eof:
            waiter = connection.read_waiter = asyncio.get_running_loop().create_future()
            try:
                timed_out = httpcore.ReadTimeout("no data within the read timeout")
                await _within(waiter, timeout, timed_out)
            finally:
                connection.read_waiter = None
        if connection.chunks:
            data = connection.chunks.popleft()
            if len(data) > max_bytes:
                connection.chunks.appendleft(data[max_bytes:])
                data = data[:max_bytes]
            connection.buffered -= len(data)
            if connection.reading_paused and connection.buffered <= READ_BUFFER_LIMIT // 2:
                connection.reading_paused = False
                self._transport.resume_reading()
            return data
        if connection.lost is not None:
            raise httpcore.ReadError(str(connection.lost) or type(connection.lost).__name__)
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        connection = self._connection
        if self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        if connection.writing_paused:
            waiter = connection.drain_waiter = asyncio.get_running_loop().create_future()
            try:
                timed_out = httpcore.WriteTimeout("could not write within the write timeout")
                await _within(waiter, timeout, timed_out)
            finally:
                connection.drain_waiter = None
            if connection.lost is not None or self._transport.is_closing():
                raise httpcore.WriteError("the connection was closed while writing")

    async def aclose(self) -> None:
        if self._tls:
            # No close_notify exchange (httpcore's anyio backend skips it too): a TLS transport's
            # close() would wait on the server for up to half a minute, and a loop that ends
            # first leaves the socket open.
            self._transport.abort()
        else:
            self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport,
                    self._connection,
                    ssl_context,
                    server_hostname=server_hostname,
                    ssl_handshake_timeout=timeout,
                )
        except TimeoutError as error:
            self._transport.close()
            raise httpcore.ConnectTimeout("the TLS handshake took too long") from error
        except (ssl.SSLError, OSError, ConnectionError) as error:
            self._transport.close()
            raise httpcore.ConnectError(str(error) or type(error).__name__) from error
        if transport is None:
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        self._connection.transport = transport
        return AsyncioStream(self._connection, transport, tls=True)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # An idle HTTP connection with something to read was closed (or broken) by the
            # server: what httpcore asks before reusing one.
            return bool(self._connection.chunks) or self._connection.eof
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


async def connect_tcp(
    address: str,
    port: int,
    *,
    timeout: float | None = None,
    local_address: str | None = None,
    socket_options: Iterable[Any] | None = None,
) -> AsyncioStream:
    """A TCP connection to ``address`` (an IP address: names are resolved by the caller)."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            transport, connection = await loop.create_connection(
                _Connection,
                address,
                port,
                local_addr=(local_address, 0) if local_address else None,
            )
    except TimeoutError as error:
        raise httpcore.ConnectTimeout(f"no connection to {address} in time") from error
    except OSError as error:
        raise httpcore.ConnectError(str(error) or type(error).__name__) from error
    for option in socket_options or ():
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(*option)
    return AsyncioStream(connection, transport)


async def _within(
    waiter: asyncio.Future[None], timeout: float | None, timed_out: httpcore.TimeoutException
) -> None:
    """Wait for ``waiter``, raising ``timed_out`` (httpcore's own kind) past ``timeout``."""
    if timeout is None:
        await waiter
        return
    try:
        async with asyncio.timeout(timeout):
            await waiter
    except TimeoutError:
        raise timed_out from None
