"""URL facts every stage needs: parse (the one place a URL is split), validate (RFC 3986), compare.

Emails carry URLs that browsers would silently "fix" and ESPs would choke on, so this module is
stricter than ``urllib.parse`` where a sender needs to know (spaces, bad percent-escapes, bad
hosts, ``http:/x``) and as forgiving as a mail client where a recipient would not notice
(non-ASCII paths, IDN hosts). Nothing here touches the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import SplitResult, parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import idna

from clickaudit.model import quick_init
from clickaudit.psl import organisational_domain

_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")
_HEX = frozenset("0123456789abcdefABCDEF")
# RFC 3986 never allows these unencoded anywhere in a URI (gen-delims and sub-delims are fine).
_FORBIDDEN = frozenset('<>"{}|\\^`')
_BAD_CHARACTER = re.compile(r'[\x00-\x20\x7f<>"{}|\\^`]')
_NUMERIC_LABEL = re.compile(r"\d+|0[xX][0-9a-fA-F]*")
_DECIMAL_OCTET = re.compile(r"0|[1-9]\d{0,2}")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
DEFAULT_PORTS = {"http": 80, "https": 443}


@quick_init
@dataclass(frozen=True)
class ParsedUrl:
    """An absolute URL split into parts; ``host`` is lowercase ASCII (IDNA), ``host_unicode``
    the same host as a person reads it."""

    scheme: str
    host: str
    host_unicode: str
    port: int | None
    path: str
    query: str
    fragment: str
    username: str | None = None
    password: str | None = None


def scheme_of(href: str) -> str | None:
    """The scheme as written (``"https"``, ``"mailto"``), or ``None`` for a scheme-less href."""
    match = _SCHEME.match(href)
    return match.group(1).lower() if match else None


def is_fragment(href: str) -> bool:
    return href.strip().startswith("#")


def is_protocol_relative(href: str) -> bool:
    return href.strip().startswith("//")


def is_relative(href: str) -> bool:
    """No scheme and not a fragment: ``/page``, ``page.html``, ``//host/x`` (no base in a mail)."""
    stripped = href.strip()
    return bool(stripped) and scheme_of(stripped) is None and not stripped.startswith("#")


@lru_cache(maxsize=4096)
def host_to_ascii(host: str) -> str | None:
    """IDNA-encode a host (``bücher.example`` → ``xn--bcher-kva.example``); ``None`` if invalid."""
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    if host.startswith("[") or _is_ip(host) or host.isascii():
        return host
    try:  # UTS 46, non-transitional, as browsers do (faß.example stays faß, not fass)
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            return None


def host_to_unicode(host: str) -> str:
    if "xn--" not in host:
        return host
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host


_DOTTED_IPV4 = re.compile(r"\d{1,3}(\.\d{1,3}){3}")


def _is_ip(host: str) -> bool:
    return host.startswith("[") or _DOTTED_IPV4.fullmatch(host) is not None


# A plain http(s) URL: a simple host, nothing RFC 3986 forbids, only well-formed percent-escapes
# and no whitespace (so nothing urlsplit would clean up first). Most links of an email are; one
# match splits and validates them, and every question asked of a link starts here.
_PATH_CHARACTER = r"[^\x00-\x20\x7f<>\"{}|\\^`%#?]"
_QUERY_CHARACTER = r"[^\x00-\x20\x7f<>\"{}|\\^`%#]"
_PLAIN_HTTP = re.compile(
    r"(https?)://(([A-Za-z0-9.-]+)(?::(\d{1,5}))?)"
    rf"((?:/{_PATH_CHARACTER}*(?:%[0-9A-Fa-f]{{2}}{_PATH_CHARACTER}*)*)?)"
    rf"(?:\?({_QUERY_CHARACTER}*(?:%[0-9A-Fa-f]{{2}}{_QUERY_CHARACTER}*)*))?"
    rf"(?:#({_QUERY_CHARACTER}*(?:%[0-9A-Fa-f]{{2}}{_QUERY_CHARACTER}*)*))?",
    re.I,
)


class PlainUrl(NamedTuple):
    scheme: str  # lowercase
    netloc: str  # as written
    host: str  # as written
    port: str  # digits as written, or ""
    path: str
    query: str
    fragment: str


@lru_cache(maxsize=16384)
def plain_http_url(url: str) -> PlainUrl | None:
    """The parts of a plain http(s) URL (see ``_PLAIN_HTTP``), or None for any other URL."""
    match = _PLAIN_HTTP.fullmatch(url)
    if match is None:
        return None
    scheme, netloc, host, port, path, query, fragment = match.groups()
    return PlainUrl(scheme.lower(), netloc, host, port or "", path, query or "", fragment or "")


# scheme://authority path ?query #fragment, as urlsplit cuts it, for URLs it would not clean up
# first (no whitespace, controls or non-ASCII) and with no IPv6 brackets or userinfo to check.
_PLAIN_SPLIT = re.compile(
    r"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?#\[\]@]*)(?=[/?#]|\Z)([^?#]*)(?:\?([^#]*))?(?:#(.*))?",
    re.S,
)


@lru_cache(maxsize=16384)
def split_url(url: str) -> SplitResult:
    """``urlsplit``, remembered: every stage splits the same few thousand hrefs several times.

    A plain URL is cut by one regular expression (the same answer, a third of the time, which
    counts on an email with thousands of distinct links); anything else goes to ``urlsplit``.
    Raises ValueError like ``urlsplit`` for an invalid URL (a bad port, a broken IPv6 host).
    """
    plain_http = plain_http_url(url)
    if plain_http is not None:
        return SplitResult(plain_http.scheme, plain_http.netloc, *plain_http[4:])
    if url.isascii() and url.isprintable() and " " not in url:
        plain = _PLAIN_SPLIT.fullmatch(url)
        if plain is not None:
            scheme, netloc, path, query, fragment = plain.groups()
            return SplitResult(scheme.lower(), netloc, path, query or "", fragment or "")
    return urlsplit(url)


@lru_cache(maxsize=8192)
def parse_url(href: str) -> ParsedUrl | None:
    """Parse an absolute URL with a host (``scheme://host/...``); ``None`` if it has none.

    Lenient on purpose: use :func:`malformed_reason` to judge validity.
    """
    text = href.strip()
    plain = plain_http_url(text)
    if plain is not None:
        port = int(plain.port) if plain.port else None
        host = host_to_ascii(plain.host.lower())
        if host is None or (port is not None and port > 65535):
            return None
        return ParsedUrl(
            plain.scheme,
            host,
            host_to_unicode(host),
            port,
            plain.path,
            plain.query,
            plain.fragment,
        )
    scheme = scheme_of(text)
    if scheme is None or "//" not in text[: len(scheme) + 3]:
        return None
    try:
        parts = split_url(text)
    except ValueError:
        return None
    netloc = parts.netloc
    username = password = None
    if "@" in netloc or "[" in netloc or "%" in netloc:
        try:
            port = parts.port
        except ValueError:
            return None
        raw_host = parts.hostname or ""
        username, password = parts.username, parts.password
    else:  # host[:port], read directly instead of through SplitResult's re-parsing properties
        raw_host, _, port_text = netloc.partition(":")
        raw_host = raw_host.lower()
        port = None
        if port_text:
            if not (port_text.isdigit() and port_text.isascii()) or int(port_text) > 65535:
                return None
            port = int(port_text)
    if not raw_host:
        return None
    if ":" in raw_host:  # IPv6 literal; urlsplit drops the brackets
        raw_host = f"[{raw_host}]"
    host = host_to_ascii(unquote(raw_host) if "%" in raw_host else raw_host)
    if host is None:
        return None
    return ParsedUrl(
        scheme,
        host,
        host_to_unicode(host),
        port,
        parts.path,
        parts.query,
        parts.fragment,
        username,
        password,
    )


def host_of(href: str) -> str | None:
    parsed = parse_url(href)
    return parsed.host if parsed else None


@lru_cache(maxsize=8192)
def malformed_reason(href: str) -> str | None:
    """Why an http(s) URL is not valid per RFC 3986 (in words a sender can act on), or ``None``.

    Other schemes are judged only on gross errors; mailto/tel are left to their own parsers.
    """
    text = href.strip()
    plain = plain_http_url(text)
    if plain is not None:
        if plain.port and not 0 < int(plain.port) < 65536:
            return f"has an invalid port '{plain.port}'"
        return _bad_host(plain.host)
    return malformed_reason_in_full(text)


def malformed_reason_in_full(text: str) -> str | None:
    """:func:`malformed_reason` without the plain-URL shortcut (the tests hold them equal)."""
    scheme = scheme_of(text)
    if scheme is None:
        return None
    if scheme not in ("http", "https"):
        return None
    rest = text[len(scheme) + 1 :]
    if not rest.startswith("//"):
        return f"'{scheme}:' must be followed by '//' and a host"
    bad_character = _BAD_CHARACTER.search(text)
    if bad_character:
        character = bad_character.group(0)
        if character in " \t\r\n":
            return "contains a space or line break (percent-encode it as %20)"
        if character in _FORBIDDEN:
            return f"contains an unencoded '{character}'"
        return f"contains the control character U+{ord(character):04X}"
    bad = _bad_percent_escape(text)
    if bad:
        return f"bad percent-escape '{bad}' (a % must be followed by two hex digits)"
    if text.count("#") > 1:
        return "contains more than one '#'"
    authority = rest[2:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host_port = authority.rsplit("@", 1)[-1]
    if not host_port:
        return "has no host"
    if host_port.startswith("["):
        close = host_port.find("]")
        if close < 0:
            return "has an unclosed IPv6 address '['"
        port_text = host_port[close + 1 :].removeprefix(":")
        host = host_port[: close + 1]
    else:
        host, _, port_text = host_port.partition(":")
    if port_text and (not port_text.isdigit() or not 0 < int(port_text) < 65536):
        return f"has an invalid port '{port_text}'"
    if not host.startswith("["):
        why = _bad_host(unquote(host))
        if why:
            return why
    return None


def _bad_percent_escape(text: str) -> str | None:
    index = text.find("%")
    while index >= 0:
        pair = text[index + 1 : index + 3]
        if len(pair) < 2 or not all(c in _HEX for c in pair):
            return text[index : index + 3]
        index = text.find("%", index + 1)
    return None


@lru_cache(maxsize=4096)
def _bad_host(host: str) -> str | None:
    if not host:
        return "has no host"
    ascii_host = host_to_ascii(host)
    if ascii_host is None:
        return f"has an invalid host name '{host}'"
    labels = ascii_host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        # A host ending in a number is an IPv4 address to a browser (WHATWG): anything but the
        # plain dotted form (hex, octal, fewer parts) is invalid or a way to hide the address.
        if len(labels) == 4 and all(_DECIMAL_OCTET.fullmatch(label) for label in labels):
            if all(int(label) <= 255 for label in labels):
                return None
            return f"has an invalid IP address '{host}'"
        return f"has a host that is an IP address in an unusual form ('{host}')"
    if any(not label for label in labels):
        return f"has an empty label in its host '{host}' (two dots in a row?)"
    for label in labels:
        if not _HOST_LABEL.match(label):
            return f"has an invalid host name '{host}'"
    if len(ascii_host) > 253:
        return "has a host name longer than 253 characters"
    return None


def query_value(query: str, name: str) -> str | None:
    """The first value of parameter ``name`` in a query string, decoded as ``parse_qs`` does
    (``+`` is a space, blank values kept), or None when it is absent.

    Unwrapping asks each wrapper for one parameter (``url=``, ``u=``); decoding every parameter
    of a long tracking URL to read one cost most of the unwrap.
    """
    for field in query.split("&"):
        if not field:
            continue
        key, _, value = field.partition("=")
        if "%" in key or "+" in key:
            key = unquote(key.replace("+", " "))
        if key == name:
            return unquote(value.replace("+", " ")) if ("%" in value or "+" in value) else value
    return None


def has_credentials(url: str) -> bool:
    """``user:password@`` before the host: a trick that hides the real destination."""
    parsed = parse_url(url)
    return bool(parsed and (parsed.username or parsed.password))


def query_params(url: str) -> list[tuple[str, str]]:
    """The query's parameters in order, percent-decoded, blanks kept."""
    try:
        query = split_url(url.strip()).query
    except ValueError:
        return []
    return parse_qsl(query, keep_blank_values=True)


def utm_params(url: str) -> dict[str, str]:
    """The ``utm_*`` parameters of a URL (the first value of each), names as written."""
    found: dict[str, str] = {}
    for name, value in query_params(url):
        if name.lower().startswith("utm_") and name not in found:
            found[name] = value
    return found


_DOMAIN_IN_TEXT = re.compile(
    r"(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?=[/:?#\s]|$)", re.I
)


def text_shows_other_domain(text: str, href: str) -> str | None:
    """The domain an anchor text displays when it differs from where the link goes, else None.

    Only texts that look like a URL or a host name count ("www.shop.example",
    "https://shop.example/sale"); words never do. Domains are compared by organisational
    domain, so "shop.example" text on a "www.shop.example" link is fine.
    """
    candidate = text.strip().strip("<>()[]").strip()
    if not candidate or " " in candidate or "@" in candidate:
        return None
    match = _DOMAIN_IN_TEXT.match(candidate)
    if not match:
        return None
    shown = match.group(1).lower()
    if "." not in shown or shown.rsplit(".", 1)[-1].isdigit():
        return None
    target = host_of(href)
    if not target:
        return None
    if organisational_domain(shown) == organisational_domain(target):
        return None
    return shown


def normalise_path(path: str) -> str:
    """The path a browser requests: dot segments removed (``%2e`` counts as a dot, RFC 3986
    5.2.4 and WHATWG) and characters outside ASCII percent-encoded as UTF-8."""
    encoded = quote(path, safe="/%:@!$&'()*+,;=-._~")
    segments = encoded.split("/")
    output: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        dot = segment.lower().replace("%2e", ".")
        if dot == ".":
            if last:
                output.append("")
            continue
        if dot == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
            continue
        output.append(segment)
    result = "/".join(output)
    if not result.startswith("/"):
        result = "/" + result
    return result


def normalise_url(url: str, *, ignore_params: Iterable[str] = ()) -> str:
    """A comparable form: lowercase scheme and host, default port dropped, empty path as ``/``,
    percent-escapes of unreserved characters decoded, query parameters sorted, ``ignore_params``
    (exact names, or prefixes ending in ``*``) removed, fragment dropped."""
    parsed = parse_url(url)
    if parsed is None:
        return url.strip()
    ignored = tuple(p.lower() for p in ignore_params)
    params = sorted(
        (name, value)
        for name, value in parse_qsl(parsed.query, keep_blank_values=True)
        if not _ignored(name.lower(), ignored)
    )
    port = parsed.port if parsed.port not in (None, DEFAULT_PORTS.get(parsed.scheme)) else None
    netloc = parsed.host + (f":{port}" if port else "")
    path = unquote(parsed.path) or "/"
    return urlunsplit((parsed.scheme, netloc, path, urlencode(params), ""))


def _ignored(name: str, ignored: tuple[str, ...]) -> bool:
    return any(name.startswith(p[:-1]) if p.endswith("*") else name == p for p in ignored)


def same_url_ignoring(a: str, b: str, *, ignore_params: Iterable[str] = ()) -> bool:
    """Whether two URLs lead to the same resource, ignoring the named query parameters."""
    ignore = tuple(ignore_params)
    return normalise_url(a, ignore_params=ignore) == normalise_url(b, ignore_params=ignore)
