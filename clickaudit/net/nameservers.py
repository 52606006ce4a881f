"""Which DNS servers the engine asks, and how to build a dnspython resolver for them.

The engine resolves every name itself (never through the operating system), so ``--nameserver``
applies to redirect chains, domain checks and blocklists alike, and tests point everything at a
local DNS server on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import dns.asyncresolver
import dns.resolver

DEFAULT_DNS_PORT = 53


@dataclass(frozen=True, slots=True)
class Nameserver:
    host: str
    port: int = DEFAULT_DNS_PORT

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_nameserver(text: str) -> Nameserver:
    """Parse ``HOST[:PORT]`` (``[v6]:PORT`` for IPv6 with a port).

    Raises:
        ValueError: the text is not a host with an optional port from 1 to 65535.
    """
    text = text.strip()
    if not text:
        raise ValueError("empty nameserver")
    host, port = text, DEFAULT_DNS_PORT
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise ValueError(f"nameserver {text!r}: missing ']'")
        host, rest = text[1:close], text[close + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"nameserver {text!r}: expected ':PORT' after ']'")
            port = _port(rest[1:], text)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = _port(port_text, text)
    if not host:
        raise ValueError(f"nameserver {text!r}: no host")
    return Nameserver(host, port)


def _port(text: str, whole: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"nameserver {whole!r}: port must be a number from 1 to 65535")
    return int(text)


def make_resolver(
    nameservers: Sequence[Nameserver] = (), *, timeout: float = 5.0, tries: int = 2
) -> dns.asyncresolver.Resolver:
    """An async resolver for the given servers, or the system's configured ones when empty.

    ``timeout`` bounds one query to one server; ``lifetime`` (the whole resolution, retries
    included) is ``timeout * tries``.
    """
    if nameservers:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [ns.host for ns in nameservers]
        ports = {ns.port for ns in nameservers}
        if len(ports) == 1:
            resolver.port = ports.pop()
        else:
            resolver.nameserver_ports = {ns.host: ns.port for ns in nameservers}
    else:
        try:
            resolver = dns.asyncresolver.Resolver()
        except dns.resolver.NoResolverConfiguration:
            resolver = dns.asyncresolver.Resolver(configure=False)
            resolver.nameservers = ["127.0.0.1"]
    resolver.timeout = timeout
    resolver.lifetime = timeout * tries
    resolver.cache = dns.resolver.Cache()
    return resolver
