"""A link's redirect chain as a timeline: the layers line, then what each hop changed.

The desktop app's link view and the HTML report both draw a chain from these facts, so they agree
on what changed where: per hop, the query parameters added, removed or changed against the hop
before, and the UTM parameters lost at that hop (present before it, gone after it), which is
where a ``utm-lost`` finding's cause is to be looked for.

The layers line reads the link's ``layers`` (what was peeled off the href, outermost first); a
link read back from an older report without them gets the same line from what classification
recorded (wrappers, the ESP's tracker), and the line ends at where the chain landed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clickaudit.model import Hop, Link
from clickaudit.urls import parse_url, query_params


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class ParamChange:
    """One query parameter that differs from the hop before."""

    name: str
    change: Change
    before: str | None
    after: str | None

    @property
    def is_utm(self) -> bool:
        return self.name.lower().startswith("utm_")

    @property
    def label(self) -> str:
        """``+utm_source``, ``−upn``, ``~id``: short enough for a table cell."""
        mark = {Change.ADDED: "+", Change.REMOVED: "−", Change.CHANGED: "~"}[self.change]
        return mark + self.name


@dataclass(frozen=True, slots=True)
class HopRow:
    """One hop of the timeline.

    Attributes:
        number: 1-based position in the chain.
        hop: the hop as followed.
        host: the hop URL's host (with its port when it has one).
        new_host: the host differs from the previous hop's (always true for hop 1).
        changes: the query parameters that differ from the previous hop, in URL order.
        utm_lost: UTM parameters the previous hop had and this one has not: red at this hop.
    """

    number: int
    hop: Hop
    host: str
    new_host: bool
    changes: tuple[ParamChange, ...]
    utm_lost: tuple[str, ...]

    @property
    def changes_label(self) -> str:
        return " ".join(c.label for c in self.changes)


@dataclass(frozen=True, slots=True)
class Layer:
    """One step of the layers line: ``kind`` is written, wrapper, tracker, redirector or
    destination; ``name`` the wrapper or ESP (or None); ``url`` the URL at that layer."""

    kind: str
    name: str | None
    url: str | None

    @property
    def label(self) -> str:
        if self.kind == "written":
            return "written link"
        if self.kind == "destination":
            return "destination"
        return f"{self.name} ({self.kind})" if self.name else self.kind


def _params(url: str) -> list[tuple[str, str]]:
    return query_params(url)


def _host(url: str) -> str:
    parsed = parse_url(url)
    if parsed is None:
        return ""
    return parsed.host if parsed.port is None else f"{parsed.host}:{parsed.port}"


def param_changes(before: str | None, after: str) -> tuple[ParamChange, ...]:
    """What differs between the query of ``before`` and that of ``after`` (None: nothing)."""
    if before is None:
        return ()
    old = dict(_params(before))
    new = dict(_params(after))
    changes = [
        ParamChange(name, Change.REMOVED, value, None)
        for name, value in old.items()
        if name not in new
    ]
    for name, value in new.items():
        if name not in old:
            changes.append(ParamChange(name, Change.ADDED, None, value))
        elif old[name] != value:
            changes.append(ParamChange(name, Change.CHANGED, old[name], value))
    return tuple(changes)


def hop_rows(link: Link) -> list[HopRow]:
    """The chain of ``link`` as timeline rows (empty when it was not followed)."""
    rows: list[HopRow] = []
    previous: str | None = None
    for number, hop in enumerate(link.chain, start=1):
        host = _host(hop.url)
        changes = param_changes(previous, hop.url)
        lost = tuple(c.name for c in changes if c.is_utm and c.change is Change.REMOVED)
        rows.append(
            HopRow(
                number=number,
                hop=hop,
                host=host,
                new_host=previous is None or host != _host(previous),
                changes=changes,
                utm_lost=lost,
            )
        )
        previous = hop.url
    return rows


def layers(link: Link) -> list[Layer]:
    """The written link → wrapper(s) → tracker (ESP) → destination line of ``link``."""
    line: list[Layer] = [Layer("written", None, link.href)]
    if link.layers:
        line.extend(Layer(layer.kind.value, layer.name, layer.url) for layer in link.layers)
    else:
        for wrapper in link.wrappers:
            line.append(Layer("wrapper", wrapper, None))
        if link.esp or link.tracking_host:
            line.append(Layer("tracker", link.esp or link.tracking_host, None))
    destination = link.destination
    if destination and destination != link.href:
        line.append(Layer("destination", None, destination))
    return line
