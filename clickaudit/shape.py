"""Trackers nobody listed, known by their shape: the evidence that a link is a click redirector.

No list names every ESP and every branded tracking host, but click trackers look alike: a host
named for clicks (``click.``, ``links.``, ``go.``, ``trk.``, ...) serving an opaque token, a path
shaped like a redirect (``/ls/click?upn=``, ``/CL0/``, ``/redirect?...``) with a token, or the
destination itself carried in a parameter or path segment. :func:`tracker_evidence` says which
of these a URL shows. Classification reports such links as tracked with the ESP unknown (and a
``tracker-unknown`` finding naming the evidence); safe mode treats them as "looks tracked" and
never requests them. The rules are data: ``resources/esp/shapes.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from itertools import pairwise
from urllib.parse import parse_qsl

from clickaudit.bundled import read_text
from clickaudit.embedded import Embedded, find_embedded_url
from clickaudit.errors import InputError
from clickaudit.psl import organisational_domain
from clickaudit.urls import plain_http_url, split_url


class EvidenceKind(StrEnum):
    EMBEDDED_URL = "embedded-url"  # the destination is written inside the link
    REDIRECT_PATH = "redirect-path"  # a click-redirect path shape with an opaque token
    TRACKING_HOST = "tracking-host"  # a click./links./trk. host label with an opaque token
    SHORT_LINK = "short-link"  # a link shortener's code: the destination is on its server


@dataclass(frozen=True, slots=True)
class TrackerEvidence:
    """Why a URL looks like a click tracker: what kind of evidence, in words a report can show,
    and the destination when the link carries one."""

    kind: EvidenceKind
    detail: str
    embedded: Embedded | None = None

    @property
    def destination(self) -> str | None:
        return self.embedded.url if self.embedded else None


@dataclass(frozen=True, slots=True)
class ShapeRules:
    host_labels: frozenset[str]
    page_labels: frozenset[str]
    redirect_params: frozenset[str]
    redirect_path: re.Pattern[str] | None
    shortener_hosts: frozenset[str]
    short_link_labels: frozenset[str]
    not_redirectors: dict[str, tuple[str, ...]]  # host suffix → path prefixes


_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9_.~=+%-]+$")
_HEX = re.compile(r"^[0-9a-fA-F]{24,}$")
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
_WORDS = re.compile(r"[A-Za-z]{3,}")
# Every shape needs an opaque token (16+ characters) or an embedded URL (11+ between separators)
_LONG_SEGMENT = re.compile(r"[^/]{11,}")
_LONG_VALUE = re.compile(r"=[^&]{11,}")


def is_opaque_token(value: str) -> bool:
    """A value that reads as an identifier or encoded blob, not a word, slug, date or number.

    ``u001.Xk3-2BqL...``, a 32-character hex id, a UUID: yes. ``summer-sale-2024``,
    ``index.html``, ``12345``: no.
    """
    if len(value) < 16 or len(value) > 16_384 or not _TOKEN_CHARS.match(value):
        return False
    if _HEX.match(value) or _UUID.match(value):
        return True
    letters = sum(ch.isalpha() for ch in value)
    digits = sum(ch.isdigit() for ch in value)
    if digits == 0 or letters < 4:
        return False
    pieces = [piece for piece in re.split(r"[-_.~]", value) if piece]
    if len(pieces) >= 3 and sum(piece.isalpha() for piece in pieces) >= len(pieces) - 1:
        return False  # a slug: words joined by separators
    if value.lower().endswith((".html", ".htm", ".php", ".aspx", ".pdf", ".jpg", ".png")):
        return False
    mixed_case = any(ch.isupper() for ch in value) and any(ch.islower() for ch in value)
    # Long words inside a long lowercase value are a slug; case-mixed base64 is not words.
    return mixed_case or sum(len(w) for w in _WORDS.findall(value)) < letters * 0.8


def _tokens(path: str, query: str) -> Iterable[str]:
    yield from (segment for segment in path.split("/") if segment)
    if query:
        try:
            pairs = parse_qsl(query, keep_blank_values=True)
        except ValueError:
            pairs = []
        yield from (value for _, value in pairs)


def _has_opaque_token(path: str, query: str) -> str | None:
    return next((token for token in _tokens(path, query) if is_opaque_token(token)), None)


def tracker_evidence(url: str) -> TrackerEvidence | None:
    """Why ``url`` looks like a click tracker, or None when it does not."""
    return _evidence(url.strip())


@lru_cache(maxsize=8192)
def _evidence(url: str) -> TrackerEvidence | None:
    plain = plain_http_url(url)  # remembered per URL: classification has usually asked already
    if plain is not None:
        host, path, query = plain.host.lower().rstrip("."), plain.path, plain.query
    else:
        try:
            parts = split_url(url)
            host = (parts.hostname or "").lower().rstrip(".")
        except ValueError:
            return None
        if parts.scheme.lower() not in ("http", "https") or not host:
            return None
        path, query = parts.path, parts.query
    rules = shape_rules()
    if _LONG_SEGMENT.search(path) is None and _LONG_VALUE.search(query) is None:
        # no token, no URL (nothing 11 characters long without a separator): a short code?
        return _short_link(rules, host, path)
    if _is_not_redirector(rules, host, path):
        return None
    where = path + ("?" + query if query else "")
    shaped = rules.redirect_path.search(where) if rules.redirect_path is not None else None
    label = _tracking_label(rules, host)
    embedded = find_embedded_url(url)
    if (
        embedded is not None
        and (shaped or label or _deliberately_embedded(rules, embedded))
        and not _same_site_without_tracking_label(rules, host, embedded)
    ):
        return TrackerEvidence(
            EvidenceKind.EMBEDDED_URL,
            f"carries {_short(embedded.url)} in its {_where(embedded)}",
            embedded,
        )
    if shaped:
        token = _has_opaque_token(path, query)
        if token:
            return TrackerEvidence(
                EvidenceKind.REDIRECT_PATH,
                f"a click-redirect path ({shaped.group(0)[:24]}…) with an opaque token",
                embedded,
            )
    if label:
        token = _has_opaque_token(path, query)
        if token:
            return TrackerEvidence(
                EvidenceKind.TRACKING_HOST,
                f"a tracking host label ({label}.) with an opaque token ({_short(token, 24)})",
                embedded,
            )
    return _short_link(rules, host, path)


_SHORT_CODE = re.compile(r"^/([A-Za-z0-9_-]{4,20})/?$")


def _short_link(rules: ShapeRules, host: str, path: str) -> TrackerEvidence | None:
    """A link shortener's code (t.co/XYI0L8H4jd, lnk.brand.example/11taQhMz7)."""
    code = _SHORT_CODE.match(path)
    if code is None:
        return None
    name = host[4:] if host.startswith("www.") else host
    if name in rules.shortener_hosts:
        return TrackerEvidence(
            EvidenceKind.SHORT_LINK, f"a {name} short link: only the shortener knows where it goes"
        )
    label, _, rest = host.partition(".")
    token = code.group(1)
    if (
        label in rules.short_link_labels
        and "." in rest
        and 5 <= len(token) <= 14
        and _looks_like_a_code(token)
    ):
        return TrackerEvidence(
            EvidenceKind.SHORT_LINK,
            f"a short link on a link host ({label}.) with the code {token}",
        )
    return None


def _looks_like_a_code(token: str) -> bool:
    """``11taQhMz7``, ``KENCJfnJ``: letters, digits and cases interleaved like a generated code,
    not a word (``About``), a word with a number (``summer2024``) or a brand (``iPhone``)."""
    if len(token) < 7:
        return False
    classes = [
        "d" if ch.isdigit() else "u" if ch.isupper() else "l" for ch in token if ch.isalnum()
    ]
    changes = sum(1 for a, b in pairwise(classes) if a != b)
    return changes >= 2 and any(c != "d" for c in classes)


def _deliberately_embedded(rules: ShapeRules, embedded: Embedded) -> bool:
    """Encoded on purpose, written into the path, or in a parameter named for a redirect."""
    if set(embedded.encodings) & {"base64", "zlib", "jwt", "json"}:
        return True
    kind, _, name = embedded.where.partition(":")
    return kind == "path" or name.lower() in rules.redirect_params


def _tracking_label(rules: ShapeRules, host: str) -> str | None:
    floor = organisational_domain(host)
    if not floor or host == floor:
        return None
    labels = host[: -len(floor) - 1].split(".")
    return next((label for label in labels if label in rules.host_labels), None)


def _same_site_without_tracking_label(rules: ShapeRules, host: str, embedded: Embedded) -> bool:
    """A site's own ``?next=https://same-site/...`` is navigation, not a tracker, unless the
    link's host is named for tracking (``click.brand.com/?u=https://brand.com/``)."""
    try:
        inner = (split_url(embedded.url).hostname or "").lower()
    except ValueError:
        return False
    if organisational_domain(inner) != organisational_domain(host):
        return False
    return _tracking_label(rules, host) is None


def _is_not_redirector(rules: ShapeRules, host: str, path: str) -> bool:
    name = host
    while name:
        prefixes = rules.not_redirectors.get(name)
        if prefixes and path.startswith(prefixes):
            return True
        name = name.partition(".")[2]
    return False


def _where(embedded: Embedded) -> str:
    kind, _, name = embedded.where.partition(":")
    place = f"parameter {name!r}" if kind == "query" else "path"
    how = " → ".join(embedded.encodings)
    return f"{place} ({how})" if how else place


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_shape_rules(text: str, where: str) -> ShapeRules:
    try:
        data = tomllib.loads(text)
        labels = frozenset(str(label).lower() for label in data.get("host_labels", []))
        pages = frozenset(str(label).lower() for label in data.get("page_labels", []))
        params = frozenset(str(name).lower() for name in data.get("redirect_params", []))
        paths = [str(p) for p in data.get("redirect_paths", [])]
        shorteners = frozenset(str(h).lower() for h in data.get("shortener_hosts", []))
        short_labels = frozenset(str(h).lower() for h in data.get("short_link_labels", []))
        pairs: dict[str, tuple[str, ...]] = {}
        for host, prefix in data.get("not_redirectors", []):
            pairs[str(host).lower()] = (*pairs.get(str(host).lower(), ()), str(prefix))
    except (tomllib.TOMLDecodeError, ValueError, TypeError) as error:
        raise InputError(where, f"is not valid: {error}") from None
    for pattern in paths:
        try:
            re.compile(pattern)
        except re.error as error:
            raise InputError(where, f"bad regular expression {pattern!r}: {error}") from None
    joined = re.compile("|".join(f"(?:{p})" for p in paths)) if paths else None
    return ShapeRules(labels, pages, params, joined, shorteners, short_labels, pairs)


@cache
def shape_rules() -> ShapeRules:
    return parse_shape_rules(read_text("esp", "shapes.toml"), "resources/esp/shapes.toml")
