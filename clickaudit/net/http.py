"""One hop's request and answer at the level the connection pool speaks (httpcore), without
httpx's client-side models in between.

httpx's ``Request``/``Response`` re-parse the URL, normalise headers into case-insensitive
objects and wrap every body and cookie operation: about a third of the CPU a request cost when an
audit follows hundreds of links through one tracking host. The follower decides every hop itself
(it never used httpx's redirects), so it builds the httpcore request directly:

- a plain http(s) URL (:func:`clickaudit.urls.plain_http_url`: simple host, nothing to escape) is
  cut once and sent as written, dot segments removed as browsers and httpx do;
- any other URL (an IDN host, characters to percent-encode, an IPv6 literal, userinfo) goes
  through httpx's own URL normalisation, so it is sent exactly as httpx would send it.

Two differences from httpx, both on purpose: a port beyond 65535 is an invalid URL here (httpx
let the connection fail), and the default port of an upper-case scheme (``HTTPS://h:443``) is
left out of the Host header as browsers do.

A test holds the two paths to the same answer (tests/test_http_request.py).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import httpcore

from clickaudit.urls import plain_http_url

if TYPE_CHECKING:
    import http.cookiejar
    from email.message import Message

DEFAULT_PORTS = {"http": 80, "https": 443}
_IPV4_STYLE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")  # httpx validates these as IPv4


class InvalidRequestUrl(ValueError):
    """The URL cannot be requested (no host, a bad port, a host IDNA refuses)."""


def build_request(
    method: str, url: str, headers: Sequence[tuple[bytes, bytes]], cookie: str | None = None
) -> httpcore.Request:
    """The httpcore request for ``url`` with the Host header first, then ``headers`` (and the
    chain's cookies), as httpx would have sent it."""
    scheme, host, port, target = request_target(url)
    authority = b"[" + host + b"]" if b":" in host else host  # an IPv6 literal is bracketed
    host_header = authority if port is None else authority + b":%d" % port
    all_headers = [(b"Host", host_header), *headers]
    if cookie:
        all_headers.append((b"Cookie", cookie.encode("latin-1")))
    return httpcore.Request(
        method,
        httpcore.URL(scheme=scheme, host=host, port=port, target=target),
        headers=all_headers,
    )


def request_target(url: str) -> tuple[bytes, bytes, int | None, bytes]:
    """(scheme, host, port or None for the scheme's default, request target) of an http(s) URL.

    Raises:
        InvalidRequestUrl: the URL cannot be requested.
    """
    plain = plain_http_url(url)
    if plain is None or not plain.host:
        return _target_by_httpx(url)
    host = plain.host.lower()
    if _IPV4_STYLE.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ipaddress.AddressValueError:
            raise InvalidRequestUrl(f"Invalid IPv4 address: {host!r}") from None
    port = int(plain.port) if plain.port else None
    if port is not None and port > 65535:
        raise InvalidRequestUrl(f"Invalid port: {plain.port!r}")
    if port == DEFAULT_PORTS[plain.scheme]:
        port = None
    target = _remove_dot_segments(plain.path) or "/"
    if "?" in url.partition("#")[0]:  # an empty query is kept: "/p?" is not "/p"
        target += "?" + plain.query
    return plain.scheme.encode(), host.encode(), port, target.encode()


def _target_by_httpx(url: str) -> tuple[bytes, bytes, int | None, bytes]:
    import httpx  # only for URLs that need escaping or IDNA: most links never need it

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError) as error:
        raise InvalidRequestUrl(str(error)) from None
    if parsed.scheme not in DEFAULT_PORTS:
        raise InvalidRequestUrl(f"Request URL has an unsupported protocol '{parsed.scheme}://'.")
    if not parsed.raw_host:
        raise InvalidRequestUrl(f"Request URL is missing a host: {url!r}")
    if parsed.port is not None and not 0 < parsed.port <= 65535:
        raise InvalidRequestUrl(f"Invalid port: {parsed.port}")
    return parsed.raw_scheme, parsed.raw_host, parsed.port, parsed.raw_path


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 for an absolute path (what httpx and browsers do before sending it)."""
    if "." not in path:
        return path
    segments = path.split("/")
    if "." not in segments and ".." not in segments:
        return path
    output: list[str] = []
    for segment in segments:
        if segment == ".":
            continue
        if segment == "..":
            if output and output != [""]:
                output.pop()
        else:
            output.append(segment)
    return "/".join(output)


class Head:
    """A response's status and headers, read once: names lower-cased, repeated headers joined
    with ", " (as httpx's ``Headers.get`` does), Set-Cookie values kept apart."""

    __slots__ = ("_values", "set_cookies", "status")

    def __init__(self, status: int, raw: Iterable[tuple[bytes, bytes]]) -> None:
        self.status = status
        values: dict[str, str] = {}
        cookies: list[str] = []
        for raw_name, raw_value in raw:
            name = raw_name.decode("latin-1").lower()
            value = _decode(raw_value)
            if name == "set-cookie":
                cookies.append(value)
            elif name in values:
                values[name] += ", " + value
            else:
                values[name] = value
        self._values = values
        self.set_cookies = cookies

    def get(self, name: str) -> str | None:
        """The header ``name`` (lower-case), or None when the answer has none."""
        return self._values.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._values


def _decode(value: bytes) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")


class ChainCookies:
    """One chain's cookies, kept between its hops as a browser keeps them, never shared with
    another chain. The standard library's jar decides what is sent where; nothing is built for
    the (usual) hop that neither sets nor sends a cookie."""

    __slots__ = ("_jar",)

    def __init__(self) -> None:
        self._jar: http.cookiejar.CookieJar | None = None

    def header_for(self, url: str, method: str) -> str | None:
        """The Cookie header for a request to ``url``, or None."""
        if not self._jar:
            return None
        import urllib.request

        request = urllib.request.Request(url, method=method)
        self._jar.add_cookie_header(request)
        return request.get_header("Cookie")

    def take(self, url: str, method: str, head: Head) -> None:
        """Keep what the answer to a request to ``url`` set."""
        if not head.set_cookies:
            return
        # The standard library's cookie and request modules are loaded by the first cookie.
        import http.cookiejar
        import urllib.request
        from email.message import Message

        if self._jar is None:
            self._jar = http.cookiejar.CookieJar()
        info = Message()
        for value in head.set_cookies:
            info["Set-Cookie"] = value
        request = urllib.request.Request(url, method=method)
        self._jar.extract_cookies(_Answer(info), request)  # type: ignore[arg-type]


class _Answer:
    """What ``CookieJar.extract_cookies`` reads of a response (only ``info()``: its headers)."""

    def __init__(self, info: Message) -> None:
        self._info = info

    def info(self) -> Message:
        return self._info
