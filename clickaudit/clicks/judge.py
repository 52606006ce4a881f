"""A verdict for every click of one message, with the reasons practitioners use.

Signals, by weight:

- decisive alone (→ ``scanner``): a HEAD request (``head-request``: browsers GET a link); a
  program's user agent (``scanner-agent``); a mail-security gateway's published range
  (``scanner-network``, "certain" entries); a click on a link no person can see (``hidden-link``).
- strong (alone → ``likely-scanner``; with any other signal → ``scanner``): several different
  links of the message clicked within seconds (``burst``: nobody reads three pages in ten
  seconds); a "probable" gateway network (Proofpoint, Mimecast, Cisco: browser isolation puts
  people there too) inside :data:`PROBABLE_WINDOW` of delivery; every link of a message with at
  least :data:`ALL_LINKS_STRONG` links clicked (``all-links``).
- weak (only corroborates; two weak signals → ``likely-scanner``): a click within
  :data:`DELIVERY_WINDOW` seconds of delivery (``delivery-seconds``: people can be that fast — a
  phone in hand when the mail arrives); a cloud provider's address (``cloud-network``: VPNs and
  virtual desktops carry people); every link of a smaller message clicked.

A weak signal alone never condemns a click: the person who clicks one link on a phone 3 s after
delivery is ``human``. A click with no time, no address and no agent is ``unknown``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clickaudit.clicks.agents import scanner_agent
from clickaudit.clicks.join import LinkIndex
from clickaudit.clicks.model import Event, JudgedClick, Reason, Verdict
from clickaudit.clicks.networks import cloud_provider, scanner_network

DELIVERY_WINDOW = 60.0  # seconds after delivery in which gateways scan
PROBABLE_WINDOW = 300.0  # a probable gateway network counts only this soon after delivery
BURST_SECONDS = 10.0  # window in which clicks on BURST_LINKS different links are a burst
BURST_LINKS = 3
BURST_PAIR_SECONDS = 1.0  # two different links within a second is a burst too
ALL_LINKS_MIN = 3  # "every link" means something only for messages with this many
ALL_LINKS_STRONG = 5

DECISIVE = frozenset(
    {Reason.HEAD_REQUEST, Reason.SCANNER_AGENT, Reason.SCANNER_NETWORK, Reason.HIDDEN_LINK}
)


@dataclass(frozen=True, slots=True)
class Click:
    """A click joined to a link, waiting for its verdict."""

    event: Event
    link_id: int


def judge_message(
    clicks: Sequence[Click], delivered_at: float | None, index: LinkIndex
) -> list[JudgedClick]:
    """Verdicts for the clicks of one message to one recipient, ``clicks`` in time order."""
    bursting = _burst_members(clicks, index)
    all_links, sweep_end = _clicked_every_link(clicks, index)
    judged = []
    for number, click in enumerate(clicks):
        event = click.event
        seconds = None
        if delivered_at is not None and event.time is not None:
            seconds = max(0.0, event.time - delivered_at)
        decisive: list[Reason] = []
        strong: list[Reason] = []
        weak: list[Reason] = []
        network: str | None = None
        if event.method == "HEAD":
            decisive.append(Reason.HEAD_REQUEST)
        if scanner_agent(event.user_agent):
            decisive.append(Reason.SCANNER_AGENT)
        if index.hidden(click.link_id):
            decisive.append(Reason.HIDDEN_LINK)
        gateway = scanner_network(event.ip, event.asn) if event.ip or event.asn else None
        if gateway is not None:
            network = gateway.label
            if not gateway.probable:
                decisive.append(Reason.SCANNER_NETWORK)
            elif seconds is not None and seconds <= PROBABLE_WINDOW:
                strong.append(Reason.SCANNER_NETWORK)
        elif event.ip:
            provider = cloud_provider(event.ip)
            if provider:
                network = provider
                weak.append(Reason.CLOUD_NETWORK)
        if number in bursting:
            strong.append(Reason.BURST)
        in_sweep = sweep_end is None or event.time is None or event.time <= sweep_end
        if all_links is Reason.ALL_LINKS and in_sweep:
            strong.append(Reason.ALL_LINKS)
        elif all_links is not None and in_sweep:
            weak.append(Reason.ALL_LINKS)
        if seconds is not None and seconds <= DELIVERY_WINDOW:
            weak.append(Reason.DELIVERY_SECONDS)
        verdict, reasons = _weigh(decisive, strong, weak)
        if verdict is Verdict.HUMAN and not (event.time or event.ip or event.user_agent):
            verdict = Verdict.UNKNOWN
        judged.append(JudgedClick(event, click.link_id, seconds, verdict, reasons, network))
    return judged


def _weigh(
    decisive: list[Reason], strong: list[Reason], weak: list[Reason]
) -> tuple[Verdict, tuple[Reason, ...]]:
    every = tuple(decisive + strong + weak)
    if decisive or len(strong) >= 2 or (strong and weak):
        return Verdict.SCANNER, every
    if strong or len(weak) >= 2:
        return Verdict.LIKELY_SCANNER, every
    return Verdict.HUMAN, ()


def _burst_members(clicks: Sequence[Click], index: LinkIndex) -> set[int]:
    """Positions of clicks that belong to a burst across different links."""
    members: set[int] = set()
    start = 0
    timed = [(n, c) for n, c in enumerate(clicks) if c.event.time is not None]
    for end in range(len(timed)):
        end_time = timed[end][1].event.time or 0.0
        while end_time - (timed[start][1].event.time or 0.0) > BURST_SECONDS:
            start += 1
        window = timed[start : end + 1]
        groups = {index.clickable_groups.get(c.link_id, c.link_id) for _, c in window}
        if len(groups) >= BURST_LINKS:
            members.update(n for n, _ in window)
        if end > start:
            previous_number, previous = timed[end - 1]
            number, current = timed[end]
            same_place = index.clickable_groups.get(previous.link_id) == index.clickable_groups.get(
                current.link_id
            )
            gap = (current.event.time or 0.0) - (previous.event.time or 0.0)
            if not same_place and gap <= BURST_PAIR_SECONDS:
                members.update((previous_number, number))
    return members


def _clicked_every_link(
    clicks: Sequence[Click], index: LinkIndex
) -> tuple[Reason | str | None, float | None]:
    """Were all of the body's links hit — ``Reason.ALL_LINKS`` (strong), ``"weak"`` or ``None`` —
    and when the sweep was complete (the first click on the last link reached).

    Only the clicks up to that moment are the sweep: the person who reads the message an hour
    after the gateway went through it is not part of it.
    """
    body = index.body_groups(clicks[0].event.esp if clicks else "")
    if len(body) < ALL_LINKS_MIN:
        return None, None
    first_seen: dict[int | None, float | None] = {}
    for click in clicks:
        group = index.clickable_groups.get(click.link_id)
        if group not in first_seen:
            first_seen[group] = click.event.time
    if not body <= first_seen.keys():
        return None, None
    times = [first_seen[group] for group in body]
    sweep_end = None if any(t is None for t in times) else max(t for t in times if t is not None)
    return (Reason.ALL_LINKS if len(body) >= ALL_LINKS_STRONG else "weak"), sweep_end


REASON_TEXT: dict[Reason, str] = {
    Reason.DELIVERY_SECONDS: f"clicked within {DELIVERY_WINDOW:.0f} s of delivery",
    Reason.BURST: "several different links of the message clicked within seconds",
    Reason.ALL_LINKS: "every link of the message was clicked",
    Reason.HIDDEN_LINK: "the link cannot be seen by a person (hidden, 1 px, same colour)",
    Reason.SCANNER_NETWORK: "from a mail-security gateway's published network",
    Reason.CLOUD_NETWORK: "from a cloud provider's address",
    Reason.SCANNER_AGENT: "the user agent is a program, not a browser",
    Reason.HEAD_REQUEST: "a HEAD request: browsers send GET",
}
"""What each reason means, for people (the app and the HTML report)."""
