"""What click forensics hands from stage to stage: events read from ESP logs, their verdicts.

The string values of :class:`Verdict` and :class:`Reason` are the JSON contract's vocabulary
(DESIGN.md, "Contract additions (2026-11)"): they never change once released.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EventKind(StrEnum):
    CLICK = "click"
    DELIVERED = "delivered"  # the receiving server accepted the message
    SENT = "sent"  # the ESP handed it over (processed, injection, send): used without a delivery


class Verdict(StrEnum):
    HUMAN = "human"
    SCANNER = "scanner"
    LIKELY_SCANNER = "likely-scanner"
    UNKNOWN = "unknown"  # the log says too little to judge (no time, address or agent)


class Reason(StrEnum):
    """Why a click was judged a machine's; see :mod:`clickaudit.clicks.judge` for each rule."""

    DELIVERY_SECONDS = "delivery-seconds"
    BURST = "burst"
    ALL_LINKS = "all-links"
    HIDDEN_LINK = "hidden-link"
    SCANNER_NETWORK = "scanner-network"
    CLOUD_NETWORK = "cloud-network"
    SCANNER_AGENT = "scanner-agent"
    HEAD_REQUEST = "head-request"


@dataclass(frozen=True, slots=True)
class Event:
    """One record of an ESP log, in the same terms whatever the ESP.

    ``time`` is seconds since the epoch (UTC) or ``None`` when the record has none; ``message`` is
    the ESP's message key (normalised by :func:`clickaudit.clicks.formats.message_key`) or ``""``;
    ``url_index``/``url_part`` are SendGrid's ``url_offset`` (the link's position among the links
    of that part); ``method`` is the HTTP method when the log records it; ``asn`` the source
    network's AS number when the log records it. ``source``/``line`` say where it was read.
    """

    kind: EventKind
    time: float | None
    message: str = ""
    recipient: str = ""
    url: str = ""
    url_index: int | None = None
    url_part: str | None = None
    ip: str = ""
    user_agent: str = ""
    method: str = ""
    asn: int | None = None
    esp: str = ""
    source: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that could not be read: where, and why (never fatal)."""

    source: str
    line: int
    problem: str


@dataclass(frozen=True, slots=True)
class JudgedClick:
    """A click joined to the email's link, with its verdict and the reasons for it."""

    event: Event
    link_id: int | None
    seconds_after_delivery: float | None
    verdict: Verdict
    reasons: tuple[Reason, ...] = ()
    network: str | None = None  # the scanner network or cloud provider matched, for people


@dataclass(frozen=True, slots=True)
class LinkClicks:
    """Per link of the email: how many of its clicks were whose."""

    id: int
    href: str
    destination: str | None
    system: str | None
    hidden: str | None
    clicks: int = 0
    human: int = 0
    scanner: int = 0
    likely_scanner: int = 0
    unknown: int = 0
    unique_human_clickers: int = 0
    logged_url: str | None = None  # the URL the log names this link by most often


@dataclass(frozen=True, slots=True)
class ClickSummary:
    clicks: int = 0
    human: int = 0
    scanner: int = 0
    likely_scanner: int = 0
    unknown: int = 0
    unique_clickers: int = 0
    unique_human_clickers: int = 0
    delivered: int | None = None
    click_rate_raw: float | None = None
    click_rate_human: float | None = None


@dataclass(frozen=True, slots=True)
class HistogramBin:
    """Clicks in ``[start, end)`` seconds after delivery (``end`` ``None``: open-ended)."""

    start: float
    end: float | None
    label: str
    human: int = 0
    scanner: int = 0
    likely_scanner: int = 0
    unknown: int = 0


@dataclass(frozen=True, slots=True)
class ImportStats:
    read: int = 0
    clicks: int = 0
    deliveries: int = 0
    ignored: int = 0  # other events: opens, bounces, ...
    unmatched: int = 0  # clicks on no link of this email
    skipped_total: int = 0
    skipped: tuple[Skipped, ...] = ()  # the first MAX_SKIPPED_LISTED, with line numbers
    formats: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClickFinding:
    code: str
    severity: str
    message: str
    fix: str
    subject: str | None = None


@dataclass(frozen=True)
class ClickReport:
    """The result for one email and its click logs.

    ``clicks`` holds at most ``clicks_limit`` judged clicks (the GUI's table and chart); the full
    list streams from :meth:`clickaudit.clicks.analysis.Analysis.judged` for exports.
    """

    email_path: str
    email_sha256: str
    email_subject: str
    sources: tuple[str, ...]
    stats: ImportStats
    summary: ClickSummary
    links: tuple[LinkClicks, ...]
    histogram: tuple[HistogramBin, ...]
    findings: tuple[ClickFinding, ...] = ()
    clicks: tuple[JudgedClick, ...] = ()
    clicks_truncated: bool = False
    audit_id: int | None = None
    notes: tuple[str, ...] = field(default=())
