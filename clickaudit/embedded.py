"""Find a destination URL carried inside another URL, whatever common encoding it is in.

Trackers nobody wrote a decoder for still tend to carry the destination in one of a few forms:
a percent-encoded URL in a query value or path segment, base64 or base64url of it (padded or
not), a JSON object (or a JWT's payload) with the URL in a field, or zlib-compressed text. Each
candidate is decoded, and what comes out is searched again (a base64 JSON holding a
percent-encoded URL), down to :data:`MAX_DEPTH` layers.

A result is only ever something that was there: it must read as an absolute http(s) URL with a
dotted host and no control characters, so random tokens (which decode to bytes) never turn into
a destination. Every decode is bounded (token length, inflated size, depth).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from clickaudit.urls import split_url

MAX_DEPTH = 4
MAX_TOKEN = 16_384
MAX_INFLATED = 65_536
MIN_B64 = 12  # "http://a.bc" is 11 characters: anything shorter cannot hold a URL

_URL = re.compile(r"(?i)^https?://[^\s/?#<>\"'\\]+\.[^\s/?#<>\"'\\]+(?:[/?#][^\s]*)?$")
_ENCODED_URL = re.compile(r"(?i)^https?(?::|%3a)")
_B64 = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")
_JSON_URL_KEYS = (
    "url",
    "href",
    "u",
    "target",
    "destination",
    "dest",
    "link",
    "redirect",
    "redirect_url",
    "redirectUrl",
    "l",
    "to",
    "goto",
    "uri",
    "e",
)


@dataclass(frozen=True, slots=True)
class Embedded:
    """A destination found inside a URL: where it was (``query:u``, ``path:3``) and how it was
    encoded, outermost first (``("base64", "json")``)."""

    url: str
    where: str
    encodings: tuple[str, ...]


def find_embedded_url(url: str) -> Embedded | None:
    """The destination URL carried in ``url``'s query values or path segments, or None."""
    try:
        parts = split_url(url)
    except ValueError:
        return None
    for where, value in _candidates(parts.query, parts.path):
        found = decode_value(value)
        if found is not None:
            destination, encodings = found
            if destination.rstrip("/") != url.rstrip("/"):
                return Embedded(destination, where, encodings)
    return None


def _candidates(query: str, path: str) -> Iterator[tuple[str, str]]:
    if query:
        try:
            pairs = parse_qsl(query, keep_blank_values=False)
        except ValueError:
            pairs = []
        for name, value in pairs:
            if len(value) >= MIN_B64 - 1:
                yield f"query:{name}", value
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if len(segment) >= MIN_B64 - 1:
            yield f"path:{index}", segment
    # A URL written into the path with its own slashes ("/r/https://example.com/a/b")
    lowered = path.lower()
    for marker in ("/http://", "/https://", "/http:/", "/https:/"):
        at = lowered.find(marker)
        if at >= 0:
            yield "path", path[at + 1 :]
            break


def decode_value(value: str, depth: int = 0) -> tuple[str, tuple[str, ...]] | None:
    """``value`` as a URL: itself, percent-decoded, base64, JSON, JWT or zlib, recursively."""
    if depth > MAX_DEPTH or not value or len(value) > MAX_TOKEN:
        return None
    value = value.strip()
    if _URL.match(value) and _clean(value):
        return value, ()
    if _ENCODED_URL.match(value) or "%" in value[:12]:
        decoded = _unquote(value)
        if decoded != value:
            found = decode_value(decoded, depth + 1)
            if found:
                return found[0], ("percent", *found[1])
    if value.startswith(("{", "[")):
        found = _from_json_text(value, depth)
        if found:
            return found[0], ("json", *found[1])
    if value.count(".") == 2 and value.startswith("ey"):
        payload = value.split(".")[1]
        data = _b64(payload)
        if data is not None:
            found = _from_json_text(data.decode("utf-8", "replace"), depth)
            if found:
                return found[0], ("jwt", *found[1])
    data = _b64(value)
    if data is not None:
        found = _from_bytes(data, depth)
        if found:
            return found[0], ("base64", *found[1])
    return None


def _from_bytes(data: bytes, depth: int) -> tuple[str, tuple[str, ...]] | None:
    if len(data) >= 2 and data[0] == 0x78 and (data[0] * 256 + data[1]) % 31 == 0:
        try:
            inflated = zlib.decompressobj().decompress(data, MAX_INFLATED)
        except zlib.error:
            inflated = b""
        if inflated:
            found = _from_text(inflated.decode("utf-8", "replace"), depth)
            if found:
                return found[0], ("zlib", *found[1])
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.isprintable():
        return None
    return _from_text(text, depth)


def _from_text(text: str, depth: int) -> tuple[str, tuple[str, ...]] | None:
    found = decode_value(text, depth + 1)
    if found:
        return found
    if "=" in text and "&" in text:  # a query string: Mailgun's inflated "...&l=https%3A..."
        try:
            pairs = parse_qsl(text)
        except ValueError:
            pairs = []
        for _, value in pairs:
            if _URL.match(value) and _clean(value):
                return value, ("form",)
    return None


def _from_json_text(text: str, depth: int) -> tuple[str, tuple[str, ...]] | None:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError):
        return None
    return _from_json(data, depth, 0)


def _from_json(
    data: object, depth: int, nesting: int, key: str = "url"
) -> tuple[str, tuple[str, ...]] | None:
    """A URL in a JSON value, only under a key that names a link (``url``, ``href``, ``u``,
    ``target_url``...): a form's prefilled description that happens to hold a URL is data."""
    if nesting > 6:
        return None
    if isinstance(data, str):
        if data.startswith(("{", "[")):
            return _from_json_text(data, depth + 1)  # a JSON string holding JSON (Mandrill)
        if not _is_url_key(key) or len(data) < MIN_B64 - 1:
            return None
        return decode_value(data, depth + 1)
    if isinstance(data, dict):
        keys = sorted(data, key=lambda k: (not _is_url_key(str(k)), str(k)))
        for name in keys:
            found = _from_json(data[name], depth, nesting + 1, str(name))
            if found:
                return found
    if isinstance(data, list):
        for item in data[:50]:
            found = _from_json(item, depth, nesting + 1, key)
            if found:
                return found
    return None


def _is_url_key(key: str) -> bool:
    lowered = key.lower()
    return key in _JSON_URL_KEYS or any(word in lowered for word in ("url", "href", "link"))


def _b64(value: str) -> bytes | None:
    if len(value) < MIN_B64 or len(value) > MAX_TOKEN or not _B64.match(value):
        return None
    body = value.rstrip("=")
    if len(body) % 4 == 1:
        return None
    padded = body + "=" * (-len(body) % 4)
    try:
        if "-" in body or "_" in body:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _unquote(value: str) -> str:
    try:
        return unquote(value, errors="strict")
    except UnicodeDecodeError:
        return value


def _clean(url: str) -> bool:
    return all(ch.isprintable() for ch in url)
