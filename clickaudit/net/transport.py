"""The connection layer of every request clickaudit makes: names resolved by the engine itself,
and the address actually connected to checked before a byte is sent.

A hostile email must not make the auditor probe the user's LAN or a cloud metadata endpoint
(169.254.169.254), DNS rebinding included; so the check happens at connect time, on the very
address used, not on an earlier lookup. TLS still verifies the host name (SNI and Host stay the
name). Only globally routable unicast addresses are allowed (:mod:`clickaudit.net.address_policy`)
unless the settings allow private ones (tests and the demo run servers on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Protocol

import dns.asyncresolver
import dns.exception
import dns.resolver
import httpcore

from clickaudit.net.address_policy import refusal_reason
from clickaudit.net.nameservers import Nameserver, make_resolver
from clickaudit.net.streams import connect_tcp


class AddressRefused(httpcore.ConnectError):
    """The host resolves only to addresses an audit may not connect to."""

    def __init__(self, host: str, address: str, reason: str | None = None) -> None:
        self.reason = reason or refusal_reason(address) or "not allowed"
        super().__init__(f"{host} resolves to {address}, a {self.reason} address")
        self.host = host
        self.address = address


class NameNotResolved(httpcore.ConnectError):
    """DNS gave no address for the host (NXDOMAIN, no A/AAAA, or no answer in time)."""


class Transport(Protocol):
    """Where the follower sends a request: :class:`~clickaudit.net.pool.OriginPool` (made by
    :func:`make_transport`), or what a test puts in its place."""

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        """Send ``request``; the response's body is read from its stream, closed by the caller."""
        ...

    async def aclose(self) -> None:
        """Close every connection."""
        ...


class AddressResolver(Protocol):
    async def resolve(self, host: str) -> list[str]:
        """IP addresses for ``host``; raises :class:`NameNotResolved` when there are none."""
        ...


class DnsAddressResolver:
    """A and AAAA lookups through dnspython with the configured nameservers."""

    def __init__(
        self,
        nameservers: Sequence[Nameserver] = (),
        timeout: float = 5.0,
        *,
        resolver: dns.asyncresolver.Resolver | None = None,
    ) -> None:
        # ``resolver``: the audit's own (its answer cache then serves the domain checks too).
        self._resolver: dns.asyncresolver.Resolver = resolver or make_resolver(
            nameservers, timeout=timeout
        )
        self._cache: dict[str, list[str]] = {}

    async def resolve(self, host: str) -> list[str]:
        if host in self._cache:
            return self._cache[host]
        addresses: list[str] = []
        errors: list[str] = []
        for record_type in ("A", "AAAA"):
            try:
                answer = await self._resolver.resolve(host, record_type)
            except dns.resolver.NXDOMAIN:
                raise NameNotResolved(f"{host}: no such domain (NXDOMAIN)") from None
            except (dns.resolver.NoAnswer, dns.resolver.NoNameservers) as error:
                errors.append(type(error).__name__)
                continue
            except dns.exception.Timeout:
                errors.append("timeout")
                continue
            addresses.extend(record.to_text() for record in answer)
        if not addresses:
            why = ", ".join(errors) or "no address"
            raise NameNotResolved(f"{host}: DNS gave no address ({why})")
        self._cache[host] = addresses
        return addresses


class StaticResolver:
    """Fixed answers (tests, benchmarks and the demo): ``{"shop.example": ["127.0.0.1"]}``.

    ``default`` answers every other name, e.g. ``["127.0.0.1"]`` to send everything to a
    local simulator.
    """

    def __init__(self, table: Mapping[str, Iterable[str]], default: Iterable[str] = ()) -> None:
        self._table = {host.lower(): list(addresses) for host, addresses in table.items()}
        self._default = list(default)

    async def resolve(self, host: str) -> list[str]:
        found = self._table.get(host.lower(), self._default)
        if not found:
            raise NameNotResolved(f"{host}: no such domain (NXDOMAIN)")
        return list(found)


def is_refused_address(address: str) -> bool:
    """Anything but a globally routable unicast address (see :func:`refusal_reason`)."""
    return refusal_reason(address) is not None


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving and vetting every address before connecting, on
    asyncio's own transports (:mod:`clickaudit.net.streams`)."""

    def __init__(self, resolver: AddressResolver, *, allow_private: bool) -> None:
        self._resolver = resolver
        self._allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[object] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        literal = _literal(host)
        addresses = [literal] if literal else await self._resolver.resolve(host)
        allowed = [a for a in addresses if self._allow_private or not is_refused_address(a)]
        if not allowed:
            raise AddressRefused(host, addresses[0])
        last_error: Exception | None = None
        for address in allowed:
            try:
                return await connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as error:
                last_error = error
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self, *args: object, **kwargs: object
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never used by an audit")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@cache
def verifying_ssl_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The context every request and TLS check of an audit verifies with: certifi's CA bundle, or
    the user's. Loading a bundle costs tens of milliseconds of CPU, so it is made once per
    process for each bundle and shared (an SSLContext is safe to share between connections)."""
    import certifi

    return ssl.create_default_context(cafile=ca_bundle or certifi.where())


def make_transport(
    resolver: AddressResolver,
    *,
    allow_private: bool,
    ssl_context: ssl.SSLContext,
    http2: bool = True,
) -> Transport:
    """One transport for every host of an audit: connections through :class:`CheckedBackend`,
    kept per origin by :class:`~clickaudit.net.pool.OriginPool` (HTTP/2 where the server offers
    it), with no request queue of its own — callers limit what is in flight
    (:mod:`clickaudit.net.limiter`)."""
    from clickaudit.net.pool import OriginPool

    return OriginPool(
        ssl_context=ssl_context,
        network_backend=CheckedBackend(resolver, allow_private=allow_private),
        http2=http2,
    )
