"""Which link of the audited email a logged click was on.

ESPs log a click by the URL they redirected to (SendGrid, Mailgun, Postmark, SES, Mailjet,
Mandrill, Brevo, SparkPost's ``target_link_url``: the destination), rarely by the tracked URL
itself, and SendGrid adds ``url_offset`` (the link's position in the HTML or text part). The
audit knows each link's href (tracked), its destination decoded offline, the template's
expected one and, when it was followed, every hop of the chain. The join tries, in order: the
href as written; a destination (normalised: case of scheme and host, default port, trailing
slash, fragment); SendGrid's offset to choose among links with the same destination or when the
URL matched nothing; then the destination without its query string when exactly one link has it
(per-recipient parameters). Anything else is "unmatched": not a click on this email.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlunsplit

from clickaudit.model import Category, Link, Part
from clickaudit.urls import split_url

_DEFAULT_PORTS = {"http": "80", "https": "443"}


@lru_cache(maxsize=1 << 14)
def normalise(url: str, keep_query: bool = True) -> str:
    """A URL as a join key: lower-case scheme and host, no default port, fragment or final /."""
    text = url.strip()
    try:
        parts = split_url(text)
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or str(port) == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, parts.query if keep_query else "", ""))


@dataclass(frozen=True, slots=True)
class JoinTarget:
    """A link as click forensics sees it."""

    id: int
    href: str
    destination: str | None
    part: Part
    system: str | None
    hidden: str | None
    tracked: bool = False
    esp: str = ""  # the tracking ESP's name, letters and digits only, lower case


class LinkIndex:
    """Every way a click can name a link of one email, built once per analysis."""

    def __init__(self, links: Iterable[Link]) -> None:
        self.targets: dict[int, JoinTarget] = {}
        self._href: dict[str, list[int]] = defaultdict(list)
        self._destination: dict[str, list[int]] = defaultdict(list)
        self._without_query: dict[str, list[int]] = defaultdict(list)
        self._by_offset: dict[tuple[str, int], int] = {}
        offsets: dict[Part, int] = defaultdict(int)
        for link in links:
            if not link.href.lower().startswith(("http://", "https://")):
                continue
            destination = link.expected or link.decoded or link.final_url
            if destination is None and link.category is Category.DIRECT:
                destination = link.href
            self.targets[link.id] = JoinTarget(
                link.id,
                link.href,
                destination,
                link.part,
                link.system,
                link.hidden,
                link.category is Category.TRACKED,
                _esp_key(link.esp),
            )
            self._href[link.href.strip()].append(link.id)
            self._href[normalise(link.href)].append(link.id)
            known = {link.href, link.decoded, link.expected, link.final_url}
            known.update(hop.url for hop in link.chain)
            for url in known:
                if url:
                    key = normalise(url)
                    if link.id not in self._destination[key]:
                        self._destination[key].append(link.id)
                    bare = normalise(url, keep_query=False)
                    if link.id not in self._without_query[bare]:
                        self._without_query[bare].append(link.id)
            if link.part in (Part.HTML, Part.TEXT):
                self._by_offset[(link.part.value, offsets[link.part])] = link.id
                offsets[link.part] += 1
        self.clickable_groups = self._groups()
        self._hidden = self._hidden_groups()
        self._body_groups: dict[str, frozenset[int]] = {}

    def _groups(self) -> dict[int, int]:
        """Link id → the id of the first link with the same destination (one target to click)."""
        groups: dict[int, int] = {}
        first: dict[str, int] = {}
        for target in self.targets.values():
            key = normalise(target.destination or target.href)
            groups[target.id] = first.setdefault(key, target.id)
        return groups

    def join(
        self, url: str, url_index: int | None = None, url_part: str | None = None
    ) -> int | None:
        """The link id a click names, or ``None`` when it names no link of this email."""
        offset_id = (
            self._by_offset.get((url_part or "html", url_index)) if url_index is not None else None
        )
        if url:
            exact = self._href.get(url.strip())
            if exact:
                return exact[0]
            key = normalise(url)
            candidates = self._href.get(key) or self._destination.get(key)
            if candidates:
                if offset_id is not None and offset_id in candidates:
                    return offset_id
                return candidates[0]
        if offset_id is not None:
            return offset_id
        if url:
            bare = self._without_query.get(normalise(url, keep_query=False))
            if bare and len({self.clickable_groups[i] for i in bare}) == 1:
                return bare[0]
        return None

    def body_groups(self, esp: str = "") -> frozenset[int]:
        """What "every link" means for a log of ``esp``: the places the body's links lead to.

        Only the links that ESP tracks when it tracks some (a click on another link never
        reaches its log), else every link of the body.
        """
        key = _esp_key(esp)
        found = self._body_groups.get(key)
        if found is None:
            body = [t for t in self.targets.values() if t.part is not Part.HEADER]
            own = [t for t in body if t.tracked and key and t.esp == key]
            found = frozenset(self.clickable_groups[t.id] for t in own or body)
            self._body_groups[key] = found
        return found

    def hidden(self, link_id: int) -> str | None:
        """Why the link cannot be seen — only when no visible link leads to the same place."""
        return self._hidden.get(self.clickable_groups.get(link_id, -1))

    def _hidden_groups(self) -> dict[int, str]:
        reasons: dict[int, list[str | None]] = defaultdict(list)
        for target in self.targets.values():
            reasons[self.clickable_groups[target.id]].append(target.hidden)
        return {group: found[0] for group, found in reasons.items() if all(found) and found[0]}


def _esp_key(name: str | None) -> str:
    """``SendGrid`` and ``sendgrid``, ``Amazon SES`` and ``amazon-ses`` compare equal."""
    return "".join(ch for ch in (name or "").lower() if ch.isalnum())
