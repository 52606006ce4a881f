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
from functools import cache
from pathlib import Path

from clickaudit.bundled import read_text
from clickaudit.errors import InputError
from clickaudit.model import Headers
from clickaudit.psl import organisational_domain
from clickaudit.urls import split_url


@dataclass(frozen=True, slots=True)
class HostPattern:
    """A host glob: ``*.ct.sendgrid.net`` (any subdomain), ``google.*`` (any public suffix),
    ``protect-*.mimecast.com`` (``*`` within one label), or an exact host."""

    glob: str
    regex: re.Pattern[str]
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
        return cls(glob, re.compile(f"^{pattern}$"), any_suffix)

    def matches(self, host: str) -> bool:
        if not self.regex.match(host):
            return False
        if self.any_public_suffix:
            # google.* must be google.<public suffix>, never google.com.evil.test
            prefix = self.glob[:-2].lstrip("*.")
            return organisational_domain(host).split(".", 1)[0] == prefix.rsplit(".", 1)[-1]
        return True


@dataclass(frozen=True, slots=True)
class EspFingerprint:
    name: str
    click_hosts: tuple[HostPattern, ...]
    host_paths: tuple[re.Pattern[str], ...]
    click_paths: tuple[re.Pattern[str], ...]
    open_hosts: tuple[HostPattern, ...]
    open_paths: tuple[re.Pattern[str], ...]
    other_hosts: tuple[HostPattern, ...]
    cname: tuple[str, ...]
    headers: tuple[str, ...]
    opt_out: tuple[tuple[str, str | None], ...]
    decoder: str
    shared: tuple[str, ...]
    system_paths: tuple[re.Pattern[str], ...]


@dataclass(frozen=True, slots=True)
class WrapperFingerprint:
    name: str
    hosts: tuple[HostPattern, ...]
    path: re.Pattern[str] | None
    decoder: str
    hint: str


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
        self._click_host_cache: dict[str, tuple[EspFingerprint, ...]] = {}
        self._wrapper_host_cache: dict[str, tuple[WrapperFingerprint, ...]] = {}
        self._other_host_cache: dict[tuple[str, str], bool] = {}
        self._opt_outs: dict[str, set[str | None]] = {}
        for esp in self.esps:
            for name, value in esp.opt_out:
                if name != "class":
                    self._opt_outs.setdefault(name, set()).add(value)
        paths = [p.pattern for esp in self.esps for p in esp.click_paths]
        self._any_click_path = re.compile("|".join(f"(?:{p})" for p in paths)) if paths else None

    def _esps_for_click_host(self, host: str) -> tuple[EspFingerprint, ...]:
        cached = self._click_host_cache.get(host)
        if cached is None:
            cached = tuple(e for e in self.esps if any(p.matches(host) for p in e.click_hosts))
            self._click_host_cache[host] = cached
        return cached

    def _is_other_host(self, esp: EspFingerprint, host: str) -> bool:
        key = (esp.name, host)
        cached = self._other_host_cache.get(key)
        if cached is None:
            cached = any(p.matches(host) for p in esp.other_hosts)
            self._other_host_cache[key] = cached
        return cached

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
        for esp in self._esps_for_click_host(host):
            if _is_open(esp, host, where) or self._is_other_host(esp, host):
                continue
            if esp.host_paths and not any(p.search(where) for p in esp.host_paths):
                continue
            return EspMatch(esp.name, host, "host", esp.decoder)
        if self._any_click_path is None or not self._any_click_path.search(where):
            return None
        candidates = [
            esp
            for esp in self.esps
            if any(p.search(where) for p in esp.click_paths) and not self._is_other_host(esp, host)
        ]
        if not candidates:
            return None
        chosen = next((e for e in candidates if e.name == prefer), candidates[0])
        return EspMatch(chosen.name, host, "path", chosen.decoder)

    def esp_for_open_pixel(self, url: str) -> str | None:
        host, where = _host_and_where(url)
        if not host:
            return None
        for esp in self.esps:
            if any(p.matches(host) for p in esp.open_hosts) or any(
                p.search(where) for p in esp.open_paths
            ):
                return esp.name
        return None

    def esp_for_host(self, host: str) -> str | None:
        """The ESP owning a host (click, open or other hosts such as image CDNs)."""
        host = host.lower()
        for esp in self.esps:
            if any(p.matches(host) for p in (*esp.click_hosts, *esp.open_hosts, *esp.other_hosts)):
                return esp.name
        return None

    def esp_for_headers(self, headers: Headers) -> str | None:
        """The ESP named by the message's headers (X-SG-EID, X-Mailgun-*, ...), or None."""
        names = [name.lower() for name in headers.esp_headers]
        for esp in self.esps:
            for wanted in esp.headers:
                wanted = wanted.lower()
                if wanted.endswith("*"):
                    if any(name.startswith(wanted[:-1]) for name in names):
                        return esp.name
                elif wanted in names:
                    return esp.name
        return None

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
        return any(p.search(where) for p in esp.system_paths)

    def wrapper_for_url(self, url: str) -> WrapperFingerprint | None:
        try:
            parts = split_url(url.strip())
        except ValueError:
            return None
        host = (parts.hostname or "").lower()
        if not host:
            return None
        candidates = self._wrapper_host_cache.get(host)
        if candidates is None:
            candidates = tuple(w for w in self.wrappers if any(p.matches(host) for p in w.hosts))
            self._wrapper_host_cache[host] = candidates
        for wrapper in candidates:
            if wrapper.path is None or wrapper.path.search(parts.path):
                return wrapper
        return None


def _is_open(esp: EspFingerprint, host: str, where: str) -> bool:
    return any(p.search(where) for p in esp.open_paths)


def _host_and_where(url: str) -> tuple[str, str]:
    try:
        parts = split_url(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return "", ""
    return host, parts.path + ("?" + parts.query if parts.query else "")


def _patterns(globs: Iterable[str]) -> tuple[HostPattern, ...]:
    return tuple(HostPattern.parse(g) for g in globs)


def _regexes(items: Iterable[str], where: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for item in items:
        try:
            compiled.append(re.compile(item))
        except re.error as error:
            raise InputError(where, f"bad regular expression {item!r}: {error}") from None
    return tuple(compiled)


def _opt_out(items: Iterable[str]) -> tuple[tuple[str, str | None], ...]:
    parsed = []
    for item in items:
        name, sep, value = item.partition("=")
        parsed.append((name.strip().lower(), value.strip().strip('"').lower() if sep else None))
    return tuple(parsed)


def parse_fingerprints(text: str, where: str = "fingerprints.toml") -> Fingerprints:
    """Build :class:`Fingerprints` from TOML text.

    Raises:
        InputError: the TOML or one of its regular expressions is invalid (names the entry).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(where, f"is not valid TOML: {error}") from None
    esps = []
    for entry in data.get("esp", []):
        name = entry["name"]
        label = f"{where} [esp {name}]"
        esps.append(
            EspFingerprint(
                name=name,
                click_hosts=_patterns(entry.get("click_hosts", [])),
                host_paths=_regexes(entry.get("host_paths", []), label),
                click_paths=_regexes(entry.get("click_paths", []), label),
                open_hosts=_patterns(entry.get("open_hosts", [])),
                open_paths=_regexes(entry.get("open_paths", []), label),
                other_hosts=_patterns(entry.get("other_hosts", [])),
                cname=tuple(c.lower().rstrip(".") for c in entry.get("cname", [])),
                headers=tuple(entry.get("headers", [])),
                opt_out=_opt_out(entry.get("opt_out", [])),
                decoder=entry.get("decoder", ""),
                shared=tuple(s.lower() for s in entry.get("shared", [])),
                system_paths=_regexes(entry.get("system_paths", []), label),
            )
        )
    wrappers = []
    for entry in data.get("wrapper", []):
        label = f"{where} [wrapper {entry['name']}]"
        path = entry.get("path")
        wrappers.append(
            WrapperFingerprint(
                name=entry["name"],
                hosts=_patterns(entry.get("hosts", [])),
                path=_regexes([path], label)[0] if path else None,
                decoder=entry.get("decoder", ""),
                hint=entry.get("hint", ""),
            )
        )
    return Fingerprints(esps, wrappers)


@cache
def _bundled() -> Fingerprints:
    return parse_fingerprints(
        read_text("esp", "fingerprints.toml"), "resources/esp/fingerprints.toml"
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
