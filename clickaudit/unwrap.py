"""Unwrap security-gateway wrappers offline: Safe Links, Proofpoint v1–v3, Barracuda, Cisco, ...

A forwarded email's links are often wrapped several times (Proofpoint around Safe Links around an
ESP's tracker), so unwrapping repeats up to a depth cap. Nothing is fetched: a wrapper that keeps
its destination on its server (Mimecast) yields only the host hint it carries, never a guess.
Which hosts are wrappers, and which decoder each uses, is data (resources/esp/fingerprints.toml).
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from dataclasses import dataclass
from urllib.parse import unquote

from clickaudit.esp.fingerprints import Fingerprints, WrapperFingerprint, load_fingerprints
from clickaudit.urls import query_value, split_url

MAX_DEPTH = 10
_B64_TABLE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass(frozen=True, slots=True)
class Unwrapped:
    """One layer: which gateway, the URL inside (None when opaque), and any host hint."""

    gateway: str
    inner: str | None
    host_hint: str | None = None
    kind: str = "wrapper"  # "wrapper" (security gateway) or "redirector" (a site's link shim)


def unwrap_once(url: str, fingerprints: Fingerprints | None = None) -> Unwrapped | None:
    """The layer around ``url`` if it is a known wrapper, else None."""
    fingerprints = fingerprints or load_fingerprints()
    wrapper = fingerprints.wrapper_for_url(url)
    if wrapper is None:
        return None
    inner = _decode(wrapper, html.unescape(url.strip()))
    if inner is not None and not _LINK_SCHEME.match(inner):
        inner = None  # javascript:, data: or garbage: never treat it as a destination
    hint = _query_value(url, wrapper.hint) if wrapper.hint else None
    return Unwrapped(wrapper.name, inner, hint or None, wrapper.kind)


def unwrap(
    url: str, fingerprints: Fingerprints | None = None, max_depth: int = MAX_DEPTH
) -> tuple[str, tuple[str, ...], str | None]:
    """Peel every wrapper: (innermost URL, gateways outermost first, host hint if opaque).

    When a layer is opaque the innermost URL is that layer's own URL and the hint says where it
    is believed to lead.
    """
    gateways: list[str] = []
    current = url
    for _ in range(max_depth):
        layer = unwrap_once(current, fingerprints)
        if layer is None:
            return current, tuple(gateways), None
        gateways.append(layer.gateway)
        if layer.inner is None:
            return current, tuple(gateways), layer.host_hint
        current = layer.inner
    return current, tuple(gateways), None


def _decode(wrapper: WrapperFingerprint, url: str) -> str | None:
    decoder = wrapper.decoder
    if not decoder:
        return None
    if decoder.startswith("query:"):
        for name in decoder.removeprefix("query:").split(","):
            value = _query_value(url, name.strip())
            if value:
                return _percent_decode_again(value)
        return None
    if decoder.startswith("query-base64:"):
        value = _query_value(url, decoder.removeprefix("query-base64:"))
        return _b64_text(value) if value else None
    if decoder == "proofpoint":
        return decode_proofpoint(url)
    if decoder == "cisco":
        return _decode_cisco(url)
    if decoder == "avanan":
        return decode_avanan(url)
    return None


# compiled once: every unwrapped link is checked (re.match's own cache lookup costs as much)
_LINK_SCHEME = re.compile(r"(?i)^(https?|mailto):")
_AVANAN = re.compile(r"/v2/___(?P<url>.+?)___\.[A-Za-z0-9_=-]*")


def decode_avanan(url: str) -> str | None:
    """Check Point Harmony Email (Avanan): ``url.avanan.click/v2/___<URL>___.<token>``.

    The inner URL is written as it was; copies pasted through Markdown often lost one slash of
    ``https://``, which is put back.
    """
    match = _AVANAN.search(url)
    if not match:
        return None
    inner = match.group("url")
    return re.sub(r"(?i)^(https?):/(?!/)", r"\1://", inner)


def _query_value(url: str, name: str) -> str | None:
    try:
        query = split_url(url).query
    except ValueError:
        return None
    value = query_value(query, name)
    return value.strip() if value is not None else None


def _percent_decode_again(value: str) -> str:
    """Some links are encoded twice (``https%253A%252F``); decode until it reads as a URL."""
    for _ in range(3):
        if re.match(r"(?i)^https?%3a", value):
            value = unquote(value)
        else:
            break
    return value


def _b64_text(value: str) -> str | None:
    cleaned = value.strip().replace(" ", "+")
    padded = cleaned + "=" * (-len(cleaned) % 4)
    for decode in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            return _percent_decode_again(decode(padded).decode("utf-8"))
        except (binascii.Error, ValueError, UnicodeDecodeError):
            continue
    return None


def _decode_cisco(url: str) -> str | None:
    path = split_url(url).path
    last = path.rstrip("/").rsplit("/", 1)[-1]
    decoded = unquote(last)
    return decoded if re.match(r"(?i)^https?://", decoded) else None


_V3 = re.compile(r"/v3/__(?P<url>.+?)__;(?P<pool>[^!]*)!")
_V3_TOKEN = re.compile(r"\*(\*.)?")


def decode_proofpoint(url: str) -> str | None:
    """Proofpoint URL Defense v1, v2 and v3, v3 with its replacement-character pool.

    Written from the published description of the format (see research notes), not from
    Proofpoint's GPL decoder. v3 replaces characters it strips (``#``, ``&``, ``%``, ...) with
    ``*`` (one character) or ``**X`` (a run of 2–65, X indexing the base64url alphabet), taking
    them in order from the base64url pool after ``__;``.
    """
    if "/v3/" in url:
        match = _V3.search(url)
        if not match:
            return None
        encoded = unquote(match.group("url"))
        try:
            pool = base64.urlsafe_b64decode(match.group("pool") + "==").decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return None
        cursor = 0
        out: list[str] = []
        position = 0
        for token in _V3_TOKEN.finditer(encoded):
            out.append(encoded[position : token.start()])
            run = token.group(1)
            count = _B64_TABLE.find(run[1]) + 2 if run else 1
            if (run and count < 2) or cursor + count > len(pool):
                return None
            out.append(pool[cursor : cursor + count])
            cursor += count
            position = token.end()
        out.append(encoded[position:])
        return "".join(out)
    if "/v2/" in url:
        value = _query_value(url, "u")
        if not value:
            return None
        return html.unescape(unquote(value.replace("-", "%").replace("_", "/")))
    if "/v1/" in url:
        match = re.search(r"[?&]u=(.+?)&k=", url)
        value = match.group(1) if match else _query_value(url, "u")
        return html.unescape(unquote(value)) if value else None
    return None
