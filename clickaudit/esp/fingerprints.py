"""ESP and gateway fingerprints, loaded from ``resources/esp/fingerprints.toml``.

The data says which hosts, paths, CNAME targets, headers and attributes belong to which ESP or
security gateway; this module only matches against it. Teaching clickaudit a new ESP is an edit
to the TOML file, never to code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import Generic, TypeVar

from clickaudit.bundled import read_text
from clickaudit.errors import InputError
from clickaudit.model import Headers
from clickaudit.psl import organisational_domain
from clickaudit.urls import plain_http_url, split_url


@dataclass(frozen=True, slots=True)
class HostPattern:
    """A host glob: ``*.ct.sendgrid.net`` (any subdomain), ``google.*`` (any public suffix),
    ``protect-*.mimecast.com`` (``*`` within one label), or an exact host."""

    glob: str
    source: str  # the regular expression, compiled when a host first meets this pattern
    any_public_suffix: bool

    @classmethod
    def parse(cls, glob: str) -> HostPattern:
        glob = glob.strip().lower()
        any_suffix = glob.endswith(".*")
        body = glob[:-2] if any_suffix else glob
        parts = []
        if body.startswith("*."):
            parts.append(r"(?:[^.]+\.)+")
            body = body[2:]
        parts.append(re.escape(body).replace(r"\*", r"[^.]*"))
        pattern = "".join(parts) + (r"\..+" if any_suffix else "")
        return cls(glob, f"^{pattern}$", any_suffix)

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.source)

    def literal_tail(self) -> str:
        """The trailing labels with no wildcard (``mimecast.com`` for ``protect-*.mimecast.com``);
        every host this pattern matches ends with them. Empty for ``google.*``."""
        if self.any_public_suffix:
            return ""
        labels = self.glob.split(".")
        wild = [i for i, label in enumerate(labels) if "*" in label]
        return ".".join(labels[wild[-1] + 1 :]) if wild else self.glob

    def matches(self, host: str) -> bool:
        if not self.regex.match(host):
            return False
        if self.any_public_suffix:
            # google.* must be google.<public suffix>, never google.com.evil.test
            prefix = self.glob[:-2].lstrip("*.")
            return organisational_domain(host).split(".", 1)[0] == prefix.rsplit(".", 1)[-1]
        return True


@cache
def _compiled(source: str) -> re.Pattern[str]:
    """A fingerprint's regular expression, compiled on first use (bounded by the data: one per
    pattern of the file). Compiling all 750 of them cost ~15 ms at every start, and a scan
    meets only the few that a link's host or path leads to."""
    return re.compile(source)


_NOT_JOINED = "(not joined)"


class PathPatterns:
    """Regular expressions over a URL's path and query, searched as one.

    Each ESP has a few; asking them one by one cost a Python loop per link. Joined into one
    alternation they are searched in C, with the same answer (a match of any of them). Nothing
    is compiled until the first search (the file was checked when it was loaded).
    """

    def __init__(self, sources: Sequence[str]) -> None:
        self.sources = tuple(sources)
        self._joined: re.Pattern[str] | str | None = None

    def __bool__(self) -> bool:
        return bool(self.sources)

    def _join(self) -> re.Pattern[str] | str:
        sources = list(self.sources)
        # "^a|^b" would be tried at every position; "^(?:a|b)" fails at once
        anchored = all(source.startswith("^") for source in sources)
        if anchored:
            sources = [source[1:] for source in sources]
        joined = "|".join(f"(?:{source})" for source in sources)
        try:
            return re.compile(f"^(?:{joined})" if anchored else joined)
        except re.error:  # e.g. inline global flags: keep asking one by one
            return _NOT_JOINED

    def search(self, where: str) -> bool:
        if not self.sources:  # most ESPs have no view or asset paths
            return False
        joined = self._joined
        if joined is None:
            joined = self._joined = self._join()
        if not isinstance(joined, str):
            return joined.search(where) is not None
        return any(_compiled(source).search(where) for source in self.sources)


_Owner = TypeVar("_Owner")
_UNKNOWN = object()
_HOST_CACHE_LIMIT = 100_000


class HostIndex(Generic[_Owner]):
    """Which owners (ESPs, gateways) have a host pattern matching a host, in the data's order.

    Trying all 170 patterns on every new host cost ~30 µs per host, and a large email can have a
    host per link (``u123.ct.sendgrid.net``). Patterns are filed under their literal tail
    (``ct.sendgrid.net``), so a host only meets the patterns filed under one of its own suffixes,
    plus the few ``google.*``-style patterns that have no literal tail. Answers are cached per
    host (bounded, for a long-running app).
    """

    def __init__(self, owned: Sequence[tuple[_Owner, Sequence[HostPattern]]]) -> None:
        self._by_tail: dict[str, list[tuple[int, HostPattern]]] = {}
        self._anywhere: list[tuple[int, HostPattern]] = []
        self._owners = [owner for owner, _ in owned]
        for position, (_, patterns) in enumerate(owned):
            for pattern in patterns:
                tail = pattern.literal_tail()
                bucket = self._by_tail.setdefault(tail, []) if tail else self._anywhere
                bucket.append((position, pattern))
        self._cache: dict[str, tuple[_Owner, ...]] = {}

    def owners(self, host: str) -> tuple[_Owner, ...]:
        cached = self._cache.get(host)
        if cached is None:
            cached = self._cache[host] = self._match(host)
            if len(self._cache) > _HOST_CACHE_LIMIT:
                self._cache.clear()
        return cached

    def _match(self, host: str) -> tuple[_Owner, ...]:
        candidates = list(self._anywhere)
        suffix = host
        while suffix:
            candidates.extend(self._by_tail.get(suffix, ()))
            suffix = suffix.partition(".")[2]
        positions = sorted({position for position, pattern in candidates if pattern.matches(host)})
        return tuple(self._owners[position] for position in positions)


_NO_PATHS = PathPatterns(())
_REFERS_TO_A_GROUP = re.compile(r"\\[1-9]|\(\?P=")


class FirstOwnerByPath(Generic[_Owner]):
    """Whose path pattern matches first, in the data's order, by one search.

    With every pattern anchored at the start, the alternatives of one joined pattern are tried
    in order at the start and the first that matches is the first owner's: one search in C
    instead of a search per owner. Compiled on first use; not usable (the caller asks owner by
    owner) when a pattern is unanchored, refers to its own groups or does not join.
    """

    def __init__(self, owned: Sequence[tuple[_Owner, str]]) -> None:
        self._owners = [owner for owner, _ in owned]
        self._sources = [source for _, source in owned]
        self._pattern: re.Pattern[str] | str | None = None

    def usable(self) -> bool:
        if self._pattern is None:
            self._pattern = self._join()
        return not isinstance(self._pattern, str)

    def _join(self) -> re.Pattern[str] | str:
        sources = self._sources
        if not sources or not all(p.startswith("^") for p in sources):
            return _NOT_JOINED
        if any(_REFERS_TO_A_GROUP.search(p) for p in sources):
            return _NOT_JOINED  # group numbers change when joined
        try:
            return re.compile("|".join(f"(?P<p{i}>{p})" for i, p in enumerate(sources)))
        except re.error:
            return _NOT_JOINED

    def first(self, where: str) -> _Owner | None:
        """The first owner whose pattern matches (only when :meth:`usable`)."""
        assert not isinstance(self._pattern, str) and self._pattern is not None
        found = self._pattern.match(where)
        if found is None or not found.lastgroup:
            return None
        return self._owners[int(found.lastgroup[1:])]


@dataclass(frozen=True, slots=True)
class EspFingerprint:
    name: str
    click_hosts: tuple[HostPattern, ...]
    host_paths: PathPatterns
    click_paths: PathPatterns
    open_hosts: tuple[HostPattern, ...]
    open_paths: PathPatterns
    other_hosts: tuple[HostPattern, ...]
    cname: tuple[str, ...]
    headers: tuple[str, ...]
    opt_out: tuple[tuple[str, str | None], ...]
    decoder: str
    shared: tuple[str, ...]
    system_paths: PathPatterns
    view_paths: PathPatterns = _NO_PATHS  # web-view ("view in browser") pages
    asset_paths: PathPatterns = _NO_PATHS  # images, style sheets, downloads
    sources: tuple[str, ...] = ()  # where the rules come from (docs, samples, lists)


@dataclass(frozen=True, slots=True)
class WrapperFingerprint:
    name: str
    hosts: tuple[HostPattern, ...]
    path: str | None  # a regular expression over the path, compiled on first use
    decoder: str
    hint: str
    kind: str = "wrapper"  # "wrapper" (a security gateway) or "redirector" (a site's link shim)
    sources: tuple[str, ...] = ()


class LinkRole(StrEnum):
    """What a URL on an ESP's host is: only a click link is a tracked click."""

    CLICK = "click"
    OPEN = "open"
    ASSET = "asset"
    VIEW = "view-online"
    SYSTEM = "system"  # unsubscribe or preference page


_STATIC_ASSET = re.compile(
    r"(?i)\.(png|jpe?g|gif|webp|svg|bmp|ico|css|js|woff2?|ttf|otf|eot|mp4|webm|mp3)$"
)


@dataclass(frozen=True, slots=True)
class EspMatch:
    """Why a URL was attributed to an ESP: its own click host, or its path on a branded host."""

    esp: str
    host: str
    by: str  # "host" or "path"
    decoder: str


class Fingerprints:
    """Matchers over the fingerprint data; one instance is shared (it is immutable)."""

    def __init__(self, esps: Sequence[EspFingerprint], wrappers: Sequence[WrapperFingerprint]):
        self.esps = tuple(esps)
        self.wrappers = tuple(wrappers)
        self._by_name = {esp.name: esp for esp in self.esps}
        # An email has thousands of links but a handful of hosts: host answers are cached, and
        # one combined pattern rules out most URLs before the per-ESP path patterns run.
        self._click_hosts = HostIndex([(esp, esp.click_hosts) for esp in self.esps])
        self._other_hosts = HostIndex([(esp.name, esp.other_hosts) for esp in self.esps])
        self._open_hosts = HostIndex([(esp.name, esp.open_hosts) for esp in self.esps])
        self._wrapper_hosts = HostIndex([(w, w.hosts) for w in self.wrappers])
        self._host_owner: dict[str, object] = {}
        self._plain_hosts: dict[str, bool] = {}
        self._opt_outs: dict[str, set[str | None]] = {}
        for esp in self.esps:
            for name, value in esp.opt_out:
                if name != "class":
                    self._opt_outs.setdefault(name, set()).add(value)
        # the header names ESPs set (first ESP in the data's order per name), and the
        # "X-Name-*" prefixes (the first listed wins where several start a name)
        self._header_esps: dict[str, int] = {}
        prefixes: list[tuple[int, str]] = []
        for index, esp in enumerate(self.esps):
            for wanted in esp.headers:
                wanted = wanted.lower()
                if wanted.endswith("*"):
                    prefixes.append((index, wanted[:-1]))
                else:
                    self._header_esps.setdefault(wanted, index)
        # A name's first k characters looked up for each prefix length k: a few dict probes,
        # where one joined pattern of the ~100 prefixes tried each in turn for every header.
        self._header_prefix_owner: dict[str, int] = {}
        for index, prefix in prefixes:
            self._header_prefix_owner.setdefault(prefix, index)
        self._header_prefix_lengths = sorted({len(prefix) for _, prefix in prefixes})
        self._any_click_path = PathPatterns(
            [p for esp in self.esps for p in esp.click_paths.sources]
        )
        self._first_click_path = FirstOwnerByPath(
            [(esp, p) for esp in self.esps for p in esp.click_paths.sources]
        )
        self._first_open_path = FirstOwnerByPath(
            [(esp, p) for esp in self.esps for p in esp.open_paths.sources]
        )

    def _first_esp_by_path(self, where: str) -> EspFingerprint | None:
        """The first ESP (in the data's order) one of whose click paths matches, if that can be
        told by one search; None sends the caller to ask every ESP."""
        if not self._first_click_path.usable():
            return None
        return self._first_click_path.first(where)

    def _is_other_host(self, esp: EspFingerprint, host: str) -> bool:
        return esp.name in self._other_hosts.owners(host)

    def esp(self, name: str) -> EspFingerprint | None:
        return self._by_name.get(name)

    def esp_for_url(self, url: str, *, prefer: str | None = None) -> EspMatch | None:
        """The ESP whose click tracker this URL is, or None.

        The ESP's own hosts decide first; then distinctive paths on any host (branded tracking
        domains). When several ESPs share a path shape (``/ls/click`` is SendGrid's and
        Klaviyo's), ``prefer`` (the ESP named by the message's headers) wins.
        """
        host, where = _host_and_where(url)
        if not host:
            return None
        for esp in self._click_hosts.owners(host):
            if self._is_other_host(esp, host):
                continue
            if esp.host_paths and not esp.host_paths.search(where):
                continue
            if self.role_on_esp_host(esp.name, url) is not LinkRole.CLICK:
                continue
            return EspMatch(esp.name, host, "host", esp.decoder)
        if not self._any_click_path.search(where):
            return None
        first = self._first_esp_by_path(where)
        if first is not None and not self._is_other_host(first, host):
            preferred = self._by_name.get(prefer or "")
            if (
                preferred is not None
                and preferred.click_paths.search(where)
                and not self._is_other_host(preferred, host)
            ):
                first = preferred
            return EspMatch(first.name, host, "path", first.decoder)
        candidates = [
            esp
            for esp in self.esps
            if esp.click_paths.search(where) and not self._is_other_host(esp, host)
        ]
        if not candidates:
            return None
        chosen = next((e for e in candidates if e.name == prefer), candidates[0])
        return EspMatch(chosen.name, host, "path", chosen.decoder)

    def role_on_esp_host(self, esp_name: str | None, url: str) -> LinkRole:
        """Whether a URL on an ESP's host (or branded host) is a click link or one of the ESP's
        other pages: an open pixel, a static asset, a web-view page, an unsubscribe or
        preference page. Only click links are tracked clicks.

        The ESP's own path rules decide first; then any static file (``.png``, ``.css``) is an
        asset. A click path of the ESP always wins (``/ls/click?upn=`` is a click whatever the
        host looks like).
        """
        _, where = _host_and_where(url)
        esp = self._by_name.get(esp_name or "")
        path = where.partition("?")[0]
        if esp is not None:
            if esp.click_paths.search(where):
                return LinkRole.CLICK
            if esp.open_paths.search(where):
                return LinkRole.OPEN
            if esp.system_paths.search(where):
                return LinkRole.SYSTEM
            if esp.view_paths.search(where):
                return LinkRole.VIEW
            if esp.asset_paths.search(where):
                return LinkRole.ASSET
        if _STATIC_ASSET.search(path):
            return LinkRole.ASSET
        return LinkRole.CLICK

    def page_of_any_esp(self, url: str) -> tuple[str, LinkRole] | None:
        """The ESP whose unsubscribe/preference or web-view path this is, on any host (a
        branded ``click.brand.com/profile_center.aspx?qs=`` is SFMC's preference page), or None.
        Asked only of links that look tracked, so one ESP at a time is fine."""
        _, where = _host_and_where(url)
        for esp in self.esps:
            if esp.system_paths.search(where):
                return esp.name, LinkRole.SYSTEM
            if esp.view_paths.search(where):
                return esp.name, LinkRole.VIEW
        return None

    def knows_nothing_of(self, url: str) -> bool:
        """True when no wrapper, ESP click host, ESP click path or ESP-owned host matches: the
        common case of a plain link, answered from per-host memories and one search."""
        host, where = _host_and_where(url)
        if not host:
            return False
        plain = self._plain_hosts.get(host)
        if plain is None:
            plain = not (
                self._wrapper_hosts.owners(host)
                or self._click_hosts.owners(host)
                or self.esp_for_host(host)
            )
            if len(self._plain_hosts) > _HOST_CACHE_LIMIT:
                self._plain_hosts.clear()
            self._plain_hosts[host] = plain
        return plain and not self._any_click_path.search(where)

    def esp_for_open_pixel(self, url: str) -> str | None:
        host, where = _host_and_where(url)
        if not host:
            return None
        by_host = self._open_hosts.owners(host)
        if by_host:
            return by_host[0]
        # An open path on the ESP's own click host beats the same path shape of another ESP
        # (Campaigner's and Zoho's /open/<id>- look alike; the host tells them apart).
        for esp in self._click_hosts.owners(host):
            if esp.open_paths.search(where):
                return esp.name
        if self._first_open_path.usable():
            first = self._first_open_path.first(where)
            return first.name if first is not None else None
        for esp in self.esps:
            if esp.open_paths.search(where):
                return esp.name
        return None

    def esp_for_host(self, host: str) -> str | None:
        """The ESP owning a host (click, open or other hosts such as image CDNs)."""
        host = host.lower()
        known = self._host_owner.get(host, _UNKNOWN)
        if known is not _UNKNOWN:
            return known  # type: ignore[return-value]
        owner = self._owner_of(host)
        if len(self._host_owner) > _HOST_CACHE_LIMIT:
            self._host_owner.clear()
        self._host_owner[host] = owner
        return owner

    def _owner_of(self, host: str) -> str | None:
        owners = {esp.name for esp in self._click_hosts.owners(host)}
        owners.update(self._open_hosts.owners(host), self._other_hosts.owners(host))
        return next((esp.name for esp in self.esps if esp.name in owners), None)

    def esp_for_headers(self, headers: Headers) -> str | None:
        """The ESP named by the message's headers (X-SG-EID, X-Mailgun-*, ...), or None."""
        first: int | None = None
        for name in headers.esp_headers:
            name = name.lower()
            index = self._header_esps.get(name)
            if index is not None and (first is None or index < first):
                first = index
            for length in self._header_prefix_lengths:
                if length > len(name):
                    break
                index = self._header_prefix_owner.get(name[:length])
                if index is not None and (first is None or index < first):
                    first = index
        return self.esps[first].name if first is not None else None

    def esp_for_cname(self, cname_chain: Sequence[str]) -> str | None:
        """The ESP a CNAME chain points at (``click.shop.example → sendgrid.net``), or None."""
        for target in cname_chain:
            target = target.rstrip(".").lower()
            for esp in self.esps:
                for suffix in esp.cname:
                    if target == suffix or target.endswith("." + suffix):
                        return esp.name
        return None

    def is_shared_tracking_domain(self, host: str) -> bool:
        """A generic ESP domain used by many senders (not a branded tracking domain)."""
        host = host.rstrip(".").lower()
        for esp in self.esps:
            for shared in esp.shared:
                if host == shared or host.endswith("." + shared):
                    return True
        return False

    def opt_out_attribute(self, attributes: Mapping[str, str]) -> str | None:
        """The per-link opt-out attribute present (as written: ``clicktracking="off"``), or None."""
        if not attributes:
            return None
        for key, raw in attributes.items():
            name = str(key).lower()
            if name == "class":
                if "mktnotrack" in str(raw).lower().split():
                    return 'class="mktNoTrack"'
                continue
            wanted = self._opt_outs.get(name)
            if wanted is None:
                continue
            value = str(raw).strip().lower()
            if None in wanted:
                return name
            if value in wanted:
                return f'{name}="{raw}"'
        return None

    def is_system_path(self, esp_name: str | None, url: str) -> bool:
        esp = self._by_name.get(esp_name or "")
        if not esp:
            return False
        _, where = _host_and_where(url)
        return esp.system_paths.search(where)

    def wrapper_for_url(self, url: str) -> WrapperFingerprint | None:
        host, where = _host_and_where(url)
        if not host:
            return None
        for wrapper in self._wrapper_hosts.owners(host):
            if wrapper.path is None or _compiled(wrapper.path).search(where.partition("?")[0]):
                return wrapper
        return None


def host_and_where(url: str) -> tuple[str, str]:
    """The lowercase host and ``path?query`` of a URL (``("", "")`` when it has no host)."""
    return _host_and_where(url)


@lru_cache(maxsize=16384)
def _host_and_where(url: str) -> tuple[str, str]:
    """The lowercase host and the path plus query: what every fingerprint matches against
    (remembered: classification asks for the same URL's several times)."""
    url = url.strip()
    plain = plain_http_url(url)
    if plain is not None:
        return plain.host.lower(), plain.path + ("?" + plain.query if plain.query else "")
    try:
        parts = split_url(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "", ""
    return host, parts.path + ("?" + parts.query if parts.query else "")


def _patterns(globs: Iterable[str]) -> tuple[HostPattern, ...]:
    return tuple(HostPattern.parse(g) for g in globs)


def _regexes(items: Iterable[str], where: str, *, check: bool = True) -> tuple[str, ...]:
    """The regular expressions of an entry, each compiled once to check it when ``check``
    (a file given by a user: a bad pattern is refused at load, naming the file and entry)."""
    sources = tuple(str(item) for item in items)
    for item in sources if check else ():
        try:
            re.compile(item)
        except re.error as error:
            raise InputError(where, f"bad regular expression {item!r}: {error}") from None
    return sources


def _opt_out(items: Iterable[str]) -> tuple[tuple[str, str | None], ...]:
    parsed = []
    for item in items:
        name, sep, value = item.partition("=")
        parsed.append((name.strip().lower(), value.strip().strip('"').lower() if sep else None))
    return tuple(parsed)


_ESP_KEYS = frozenset(
    (
        "name",
        "click_hosts",
        "host_paths",
        "click_paths",
        "open_hosts",
        "open_paths",
        "other_hosts",
        "cname",
        "headers",
        "opt_out",
        "decoder",
        "shared",
        "system_paths",
        "view_paths",
        "asset_paths",
        "sources",
    )
)
_WRAPPER_KEYS = frozenset(("name", "hosts", "path", "decoder", "hint", "kind", "sources"))


def _check_keys(entry: Mapping[str, object], known: frozenset[str], where: str) -> None:
    """A misspelt key would silently drop a rule: refuse it, naming the entry."""
    if not isinstance(entry.get("name"), str) or not entry.get("name"):
        raise InputError(where, "has no name")
    unknown = sorted(set(entry) - known)
    if unknown:
        raise InputError(where, f"unknown key(s) {', '.join(unknown)}")
    for key, value in entry.items():
        if key not in ("name", "decoder", "hint", "kind", "path") and not isinstance(value, list):
            raise InputError(where, f"{key} must be a list")


def _wrapper_kind(kind: str, where: str) -> str:
    if kind not in ("wrapper", "redirector"):
        raise InputError(where, f"kind must be 'wrapper' or 'redirector', not {kind!r}")
    return kind


def parse_fingerprints(
    text: str, where: str = "fingerprints.toml", *, check_patterns: bool = True
) -> Fingerprints:
    """Build :class:`Fingerprints` from TOML text.

    ``check_patterns=False`` skips compiling every regular expression to check it: only for the
    bundled file, which a data test checks (tests/test_fingerprint_data.py); the patterns are
    compiled when first used either way.

    Raises:
        InputError: the TOML or one of its regular expressions is invalid (names the entry).
    """

    def regexes(items: Iterable[str], label: str) -> tuple[str, ...]:
        return _regexes(items, label, check=check_patterns)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(where, f"is not valid TOML: {error}") from None
    esps = []
    for entry in data.get("esp", []):
        name = entry.get("name")
        label = f"{where} [esp {name}]"
        _check_keys(entry, _ESP_KEYS, label)
        esps.append(
            EspFingerprint(
                name=name,
                click_hosts=_patterns(entry.get("click_hosts", [])),
                host_paths=PathPatterns(regexes(entry.get("host_paths", []), label)),
                click_paths=PathPatterns(regexes(entry.get("click_paths", []), label)),
                open_hosts=_patterns(entry.get("open_hosts", [])),
                open_paths=PathPatterns(regexes(entry.get("open_paths", []), label)),
                other_hosts=_patterns(entry.get("other_hosts", [])),
                cname=tuple(c.lower().rstrip(".") for c in entry.get("cname", [])),
                headers=tuple(entry.get("headers", [])),
                opt_out=_opt_out(entry.get("opt_out", [])),
                decoder=entry.get("decoder", ""),
                shared=tuple(s.lower() for s in entry.get("shared", [])),
                system_paths=PathPatterns(regexes(entry.get("system_paths", []), label)),
                view_paths=PathPatterns(regexes(entry.get("view_paths", []), label)),
                asset_paths=PathPatterns(regexes(entry.get("asset_paths", []), label)),
                sources=tuple(entry.get("sources", [])),
            )
        )
    wrappers = []
    for entry in data.get("wrapper", []):
        label = f"{where} [wrapper {entry.get('name')}]"
        _check_keys(entry, _WRAPPER_KEYS, label)
        path = entry.get("path")
        wrappers.append(
            WrapperFingerprint(
                name=entry["name"],
                hosts=_patterns(entry.get("hosts", [])),
                path=regexes([path], label)[0] if path else None,
                decoder=entry.get("decoder", ""),
                hint=entry.get("hint", ""),
                kind=_wrapper_kind(entry.get("kind", "wrapper"), label),
                sources=tuple(entry.get("sources", [])),
            )
        )
    return Fingerprints(esps, wrappers)


BUNDLED_WHERE = "resources/esp/fingerprints.toml"


@cache
def _bundled() -> Fingerprints:
    return parse_fingerprints(
        read_text("esp", "fingerprints.toml"),
        BUNDLED_WHERE,
        check_patterns=False,  # checked by the data test, not at every start
    )


def load_fingerprints(path: str | None = None) -> Fingerprints:
    """The bundled fingerprints (cached), or those of a TOML file given by path."""
    if path is None:
        return _bundled()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(path, f"cannot be read: {error.strerror or error}") from None
    return parse_fingerprints(text, path)
