"""The audit model: what each stage of the pipeline hands to the next.

Every stage is a function from model to model (``load`` gives an :class:`Email`, ``extract`` its
:class:`Link` and :class:`Image` lists, ``classify`` fills in what a link is, ``follow`` its
:class:`Hop` chain, ``judge`` its findings). The dataclasses are frozen so a stage can never
change what an earlier stage saw; a stage that adds knowledge returns a copy made with
:func:`dataclasses.replace`.

The string values of the enums are the JSON report's vocabulary (see DESIGN.md): users' scripts
depend on them, so they never change once released.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

_Model = TypeVar("_Model")


def quick_init(cls: type[_Model]) -> type[_Model]:
    """Give a frozen dataclass an ``__init__`` that fills the instance's dict in one step.

    A frozen dataclass's own ``__init__`` sets each field through ``object.__setattr__``: for
    :class:`Link` (24 fields) that was 3 µs, and a large email builds tens of thousands of
    model objects. The generated ``__init__`` has the same signature, defaults and factories;
    the instance stays frozen (assignment still raises ``FrozenInstanceError``).
    """
    model_fields = fields(cls)  # type: ignore[arg-type]
    params: list[str] = []
    body: list[str] = []
    namespace: dict[str, Any] = {"_MISSING": MISSING, "_set": object.__setattr__}
    for item in model_fields:
        name = item.name
        if item.default is not MISSING:
            namespace[f"_default_{name}"] = item.default
            params.append(f"{name}=_default_{name}")
        elif item.default_factory is not MISSING:
            namespace[f"_factory_{name}"] = item.default_factory
            params.append(f"{name}=_MISSING")
            body.append(f"    if {name} is _MISSING: {name} = _factory_{name}()")
        else:
            params.append(name)
    state = ", ".join(f"{item.name!r}: {item.name}" for item in model_fields)
    source = (
        f"def __init__(self, {', '.join(params)}):\n"
        + "".join(line + "\n" for line in body)
        + f"    _set(self, '__dict__', {{{state}}})\n"
    )
    exec(source, namespace)  # the dataclasses module builds its __init__ the same way
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 (replacing a method, which mypy refuses)
    _FIELD_NAMES[cls] = frozenset(item.name for item in model_fields)
    return cls


_FIELD_NAMES: dict[type, frozenset[str]] = {}


class Severity(StrEnum):
    """How bad a finding is; ordered ``ERROR`` > ``WARNING`` > ``INFO`` by :attr:`rank`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """A number to sort or compare by: error 3, warning 2, info 1."""
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Category(StrEnum):
    """What a link is, as the recipient's click would experience it."""

    TRACKED = "tracked"  # rewritten by an ESP's click tracker
    WRAPPED = "wrapped"  # rewritten by a security gateway (Safe Links, Proofpoint, ...)
    DIRECT = "direct"  # a plain http(s) link, not rewritten
    UNTRACKABLE = "untrackable"  # cannot be click-tracked at all; see UntrackableReason


class UntrackableReason(StrEnum):
    """Why an ESP would (or did) leave a link alone."""

    MAILTO = "mailto"
    TEL = "tel"
    FRAGMENT = "fragment"
    RELATIVE = "relative"
    SCHEME = "scheme"  # another scheme: sms:, ftp:, javascript:, cid:, ...
    MALFORMED = "malformed"  # not a valid RFC 3986 URL
    MERGE_TAG = "merge-tag"  # an unresolved template variable
    OPT_OUT = "opt-out"  # a per-link attribute such as clicktracking=off


class Part(StrEnum):
    """Which part of the message a link was found in."""

    HTML = "html"
    TEXT = "text"
    HEADER = "header"


class Element(StrEnum):
    """Which construct carried the link."""

    A = "a"
    AREA = "area"
    VML = "vml"  # <v:roundrect href> / <v:rect href> inside an Outlook conditional comment
    TEXT = "text"  # a URL in a text/plain part
    LIST_UNSUBSCRIBE = "list-unsubscribe"


class HopKind(StrEnum):
    """How a hop of a redirect chain told the browser where to go next."""

    HTTP = "http"
    META_REFRESH = "meta-refresh"
    JS = "js"


class LayerKind(StrEnum):
    """What peeled a layer off a link: a security gateway, an ESP's (or other) tracker, or a
    redirector (a link shim, or a tracker known only by its shape)."""

    WRAPPER = "wrapper"
    TRACKER = "tracker"
    REDIRECTOR = "redirector"


class EspSource(StrEnum):
    """How the tracker behind a link was known (the JSON report's ``esp_source``)."""

    FINGERPRINT = "fingerprint"  # a hand-written ESP fingerprint (host and path rules)
    TRACKER_LIST = "tracker-list"  # a vendored tracker list (AdGuard, MailTrackerBlocker, Trocker)
    CNAME = "cname"  # the host's CNAME points at the ESP (domains stage)
    HEADER = "header"  # the message's headers name the ESP
    SHAPE = "shape"  # tracked by its form alone; the ESP is unknown (``esp`` is null)


class DomainRole(StrEnum):
    TRACKING = "tracking"
    SENDER = "sender"
    DESTINATION = "destination"


class Outcome(StrEnum):
    """How a link's redirect chain ended: the follower's verdict, the judge's input."""

    OK = "ok"
    BROKEN = "broken"  # an HTTP error status
    LOOP = "loop"
    TOO_LONG = "too-long"  # more hops than the limit
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"  # DNS failure, refused or reset connection, TLS failure
    BLOCKED = "blocked"  # the site refused an automated visitor
    PRIVATE = "private"  # a private or non-global address, not contacted
    INVALID_LOCATION = "invalid-location"
    SCHEME = "scheme"  # redirects to a non-web scheme
    NOT_FOLLOWED = "not-followed"  # see Link.not_followed for why
    CANCELLED = "cancelled"


class NotFollowedReason(StrEnum):
    """Why a link (or the rest of its chain) was not requested."""

    SYSTEM_LINK = "system-link"  # unsubscribe/preferences link, and no --follow-unsubscribe
    SAFE_MODE = "safe-mode"  # a tracker: requesting it would record a click
    UNSUBSCRIBE_TARGET = "unsubscribe"  # a redirect leads to an unsubscribe/preference page
    NOT_VERIFIED_SAFE = "not-verified-in-safe-mode"  # safe mode cannot tell it is no tracker

    def explain(self, system: str | None) -> str:
        """The sentence reports show (a link's note and the not-followed finding)."""
        if self is NotFollowedReason.SYSTEM_LINK:
            return f"{system or 'system'} link: not requested unless --follow-unsubscribe"
        if self is NotFollowedReason.UNSUBSCRIBE_TARGET:
            return (
                "not followed: unsubscribe — a redirect leads to an unsubscribe or preference "
                "page, not requested unless --follow-unsubscribe"
            )
        if self is NotFollowedReason.NOT_VERIFIED_SAFE:
            return "not verified in safe mode: it could not be shown not to be a tracker"
        return "safe mode: following this tracked link would record a click"


class EmailNoteKind(StrEnum):
    """What kind of trouble loading an email met (and kept going)."""

    MALFORMED_MIME = "malformed-mime"  # boundary, structure or encoding damage
    NO_HEADERS = "no-headers"
    READ_AS_DOCUMENT = "read-as-document"  # a file with no headers, read as HTML
    PART_UNDECODABLE = "part-undecodable"
    NESTING_TOO_DEEP = "nesting-too-deep"  # attached messages or multiparts beyond the limit
    TOO_MANY_HEADERS = "too-many-headers"  # header fields beyond the limit were not read
    TOO_MANY_LINKS = "too-many-links"  # links beyond the limit were counted, not audited
    UNSPECIFIED = "unspecified"  # read back from a report, which keeps only the text


class LookupStatus(StrEnum):
    """How a DNS lookup ended. Only ``nxdomain`` and ``noanswer`` say something about the
    domain; the others say the question could not be answered (:attr:`failed`)."""

    OK = "ok"
    NXDOMAIN = "nxdomain"
    NOANSWER = "noanswer"  # the name exists but has no record of this type
    SERVFAIL = "servfail"
    TIMEOUT = "timeout"
    RESOLVER_UNREACHABLE = "resolver-unreachable"

    @property
    def failed(self) -> bool:
        """The resolver gave no answer about the name: nothing is known either way."""
        return self in (
            LookupStatus.SERVFAIL,
            LookupStatus.TIMEOUT,
            LookupStatus.RESOLVER_UNREACHABLE,
        )

    @property
    def exists(self) -> bool:
        return self in (LookupStatus.OK, LookupStatus.NOANSWER)


_EMPTY_MAPPING: Mapping[str, str] = MappingProxyType({})


def frozen_mapping(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """A read-only copy, as the model's string mappings (attributes, UTMs, headers) are kept."""
    return MappingProxyType(dict(mapping)) if mapping else _EMPTY_MAPPING


@quick_init
@dataclass(frozen=True)
class Finding:
    """One observation that someone should act on, from the catalogue in :mod:`clickaudit.findings`.

    ``subject`` names what the finding is about (a link id as ``"link:3"``, a domain as
    ``"domain:example.com"``, or ``None`` for the message as a whole) so a report can group them.
    ``parameters`` names the query parameters a UTM finding concerns, so a view can put the
    verdict next to each parameter without reading the message.
    """

    code: str
    severity: Severity
    message: str
    fix: str
    subject: str | None = None
    parameters: tuple[str, ...] = ()  # the UTM parameters a utm-* finding is about


@quick_init
@dataclass(frozen=True)
class DkimSignature:
    """The parts of a DKIM-Signature header an audit uses: the signing domain and selector."""

    domain: str
    selector: str


@quick_init
@dataclass(frozen=True)
class Headers:
    """The headers an audit needs, decoded (RFC 2047 words resolved).

    ``esp_headers`` keeps every header that fingerprints an ESP (X-SG-EID, X-Mailgun-*, X-PM-*,
    X-SES-*, ...) with its value, so classification can name the ESP even for opaque links.
    """

    from_: str = ""
    from_address: str = ""
    reply_to: str = ""
    return_path: str = ""
    subject: str = ""
    date: str = ""
    message_id: str = ""
    to: str = ""
    dkim: tuple[DkimSignature, ...] = ()
    list_unsubscribe: str = ""
    list_unsubscribe_post: str = ""
    authentication_results: tuple[str, ...] = ()
    esp_headers: Mapping[str, str] = field(default_factory=frozen_mapping)

    @property
    def from_domain(self) -> str:
        """The domain of the From address, lowercased, or ``""`` when there is none."""
        _, _, domain = self.from_address.rpartition("@")
        return domain.strip().strip(">").lower()


@quick_init
@dataclass(frozen=True)
class BodyPart:
    """A decoded text part of a message.

    ``text`` is the part after transfer decoding and charset decoding; link positions are line
    numbers in this text (1-based), which is what a person sees in the raw-source view.
    ``charset_note`` says when the declared charset was wrong or missing and which one was used.
    """

    kind: Part  # HTML or TEXT
    content_type: str
    charset: str
    text: str
    index: int = 0
    charset_note: str = ""


@quick_init
@dataclass(frozen=True)
class Source:
    """Where an email came from.

    ``kind`` is ``eml``, ``html``, ``txt`` or ``mbox``; ``index`` is the message's position in an
    mbox (0-based) and ``attachment_path`` the chain of attached messages (``"1"``, ``"1.2"``)
    for an email found inside another one.
    """

    path: str
    sha256: str
    kind: str
    index: int = 0
    attachment_path: str = ""

    @property
    def label(self) -> str:
        """A short human name: the path, plus ``#n`` inside an mbox and ``>n`` when attached."""
        label = self.path
        if self.kind == "mbox":
            label += f"#{self.index + 1}"
        if self.attachment_path:
            label += f" > attached {self.attachment_path}"
        return label


@quick_init
@dataclass(frozen=True)
class EmailNote:
    """A problem met while loading that did not stop loading: its kind decides, its text says."""

    kind: EmailNoteKind
    text: str


@quick_init
@dataclass(frozen=True)
class Email:
    """One message as loaded: headers, decoded text parts, and the raw source for display."""

    source: Source
    headers: Headers
    parts: tuple[BodyPart, ...]
    raw: str = ""
    attachments: tuple[str, ...] = ()
    notes: tuple[EmailNote, ...] = ()  # load-time problems that did not stop loading

    @property
    def html_parts(self) -> tuple[BodyPart, ...]:
        return tuple(p for p in self.parts if p.kind is Part.HTML)

    @property
    def text_parts(self) -> tuple[BodyPart, ...]:
        return tuple(p for p in self.parts if p.kind is Part.TEXT)


@quick_init
@dataclass(frozen=True)
class Hop:
    """One request of a redirect chain and what the server answered.

    ``status`` is ``None`` when no HTTP answer came (DNS failure, refused connection, timeout);
    ``error`` then says what happened.
    """

    url: str
    status: int | None
    location: str | None = None
    kind: HopKind = HopKind.HTTP
    ms: float = 0.0
    remote_address: str | None = None
    tls_version: str | None = None
    error: str | None = None


@quick_init
@dataclass(frozen=True)
class Layer:
    """One thing peeled off a link, outermost first: ``url`` is the link as it was at that layer
    (the first layer's is the href as written); ``name`` is the gateway or ESP, or ``None`` for a
    redirector known only by its shape."""

    kind: LayerKind
    name: str | None
    url: str


@quick_init
@dataclass(frozen=True)
class Link:
    """A link found in an email, enriched by each stage.

    Filled by ``extract``: ``id`` (1-based, in document order), ``part``, ``element``, ``href`` (as
    written, HTML entities decoded), ``text`` (anchor text, or an image's alt text), ``line``,
    ``attributes`` of the element (opt-out detection reads them), ``part_index``.
    Filled by ``classify``: ``category``, ``reason``, ``esp``, ``tracking_host``, ``wrappers``
    (outermost first), ``decoded`` (destination recovered offline), ``host_hint`` (a destination
    host known without the full URL, e.g. Mimecast's ``domain=``), ``system`` (unsubscribe,
    preferences, view-in-browser: never followed unless asked), ``personal_data`` (the link
    exposes the recipient, e.g. a Mailgun token), ``notes``, ``layers`` (what was peeled off, from
    the href as written towards the destination: wrapper → tracker → redirector, see
    :class:`Layer`) and ``esp_source`` (how the tracker was known, see :class:`EspSource`).
    Filled by ``pair``: ``expected``. By ``follow``: ``chain``, ``final_url`` and ``outcome`` (how
    the chain ended: ``ok``, ``broken``, ``loop``, ``too-long``, ``timeout``, ``unreachable``,
    ``blocked``, ``private``, ``invalid-location``, ``scheme``, ``not-followed``, ``cancelled``;
    the last hop's ``error`` has the detail) and, for ``not-followed``, ``not_followed`` (why).
    By ``judge``: ``utm`` and ``findings``.
    ``hidden`` (filled by ``extract`` for HTML links) says why a person cannot see the link
    (``display-none``, ``1px``, ``same-colour``, ``empty``, ...; see :mod:`clickaudit.visibility`):
    click forensics counts a click on it as a machine's.
    """

    id: int
    part: Part
    element: Element
    href: str
    text: str = ""
    line: int = 0
    part_index: int = 0
    attributes: Mapping[str, str] = field(default_factory=frozen_mapping)
    category: Category | None = None
    reason: UntrackableReason | None = None
    esp: str | None = None
    tracking_host: str | None = None
    wrappers: tuple[str, ...] = ()
    decoded: str | None = None
    host_hint: str | None = None
    system: str | None = None  # "unsubscribe", "preferences", "view-online", or None
    personal_data: bool = False
    notes: tuple[str, ...] = ()
    expected: str | None = None
    chain: tuple[Hop, ...] = ()
    final_url: str | None = None
    outcome: Outcome | None = None
    not_followed: NotFollowedReason | None = None
    utm: Mapping[str, str] = field(default_factory=frozen_mapping)
    findings: tuple[Finding, ...] = ()
    layers: tuple[Layer, ...] = ()
    esp_source: EspSource | None = None
    hidden: str | None = None

    @property
    def subject(self) -> str:
        """How findings refer to this link."""
        return f"link:{self.id}"

    @property
    def destination(self) -> str | None:
        """Where a click on the link goes, as well as it is known: the landing page of a chain
        followed to its end, else the destination decoded from the tracker or wrapper, else the
        href of a direct link, else the template's URL paired with it; ``None`` when nothing
        says (an opaque tracked link, a mailto:). The one definition every stage, report and
        view uses (UTM checks, diff, reports, the app)."""
        if self.final_url and self.outcome is Outcome.OK:
            return self.final_url
        if self.decoded:
            return self.decoded
        if self.category is Category.DIRECT:
            return self.href
        return self.expected

    @property
    def status_label(self) -> str:
        """How the link's chain ended, in a few words: ``200 (2 hops)``, ``broken (404)``,
        ``timeout``, ``not followed``, or ``""`` when nothing was requested (a scan). The one
        label every report and view shows."""
        outcome = self.outcome
        if outcome is None:
            return ""
        if outcome is Outcome.NOT_FOLLOWED:
            return "not followed"
        last = self.chain[-1].status if self.chain else None
        if outcome is Outcome.OK:
            hops = len(self.chain)
            return f"{last} ({hops} hop{'s' if hops != 1 else ''})"
        return f"{outcome.value} ({last})" if last else outcome.value


@quick_init
@dataclass(frozen=True)
class Image:
    """An image reference, kept to recognise open pixels; never fetched.

    ``element`` is ``img``, ``srcset``, ``background`` or ``css``. ``pixel`` is true for 1x1 or
    hidden images and for images on a known tracking host; ``esp`` names the tracker if known.
    """

    src: str
    element: str
    line: int = 0
    part_index: int = 0
    width: str = ""
    height: str = ""
    alt: str = ""
    pixel: bool = False
    esp: str | None = None
    reason: str = ""


class TlsFailure(StrEnum):
    """Why a TLS probe did not end with a trusted certificate for the host."""

    NO_ADDRESS = "no-address"
    UNREACHABLE = "unreachable"  # no connection to the HTTPS port
    HANDSHAKE = "handshake"  # connected, but the TLS handshake failed
    HOSTNAME_MISMATCH = "hostname-mismatch"
    EXPIRED = "expired"
    SELF_SIGNED = "self-signed"
    UNTRUSTED_ISSUER = "untrusted-issuer"
    INVALID = "invalid"  # another verification error (``error`` has OpenSSL's words)


@quick_init
@dataclass(frozen=True)
class TlsReport:
    """What a TLS probe saw; ``failure`` says why it is not ``ok`` (``error`` says it in words)."""

    ok: bool
    error: str | None = None
    issuer: str | None = None
    subject: str | None = None
    not_after: str | None = None
    days_left: int | None = None
    version: str | None = None
    sans: tuple[str, ...] = ()
    hsts: str | None = None
    failure: TlsFailure | None = None


@quick_init
@dataclass(frozen=True)
class AuthReport:
    """SPF, DMARC and DKIM results for a sender domain; each a JSON-ready mapping."""

    spf: Mapping[str, object] = field(default_factory=dict)
    dmarc: Mapping[str, object] = field(default_factory=dict)
    dkim: Mapping[str, object] = field(default_factory=dict)


@quick_init
@dataclass(frozen=True)
class DomainReport:
    """Everything checked about one domain, once per audit however many links use it."""

    name: str
    roles: tuple[DomainRole, ...]
    cname: tuple[str, ...] = ()
    esp: str | None = None
    addresses: tuple[str, ...] = ()
    organisational_domain: str | None = None
    tls: TlsReport | None = None
    auth: AuthReport | None = None
    blocklists: tuple[str, ...] = ()
    blocklists_unchecked: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()
    # Set when the resolver could not be asked at all (unreachable, every lookup timed out):
    # the domain's DNS, authentication and blocklist checks were not made, and its report
    # says "not checked" instead of blaming the domain. The reason is the audit's, once.
    dns_error: str | None = None


@quick_init
@dataclass(frozen=True)
class Audit:
    """The result for one email: every link, pixel, domain and finding, with the settings used.

    ``findings`` holds message-level findings only; link and domain findings live on their
    :class:`Link` and :class:`DomainReport`. :func:`all_findings` gathers them.
    """

    email: Email
    links: tuple[Link, ...]
    images: tuple[Image, ...] = ()
    esp: str | None = None
    domains: tuple[DomainReport, ...] = ()
    findings: tuple[Finding, ...] = ()
    settings: Mapping[str, object] = field(default_factory=dict)
    started_at: str = ""
    finished_at: str = ""

    @property
    def pixels(self) -> tuple[Image, ...]:
        return tuple(i for i in self.images if i.pixel)

    def all_findings(self) -> tuple[Finding, ...]:
        """Every finding of the audit: message-level, then per link, then per domain."""
        found = list(self.findings)
        for link in self.links:
            found.extend(link.findings)
        for domain in self.domains:
            found.extend(domain.findings)
        return tuple(found)


def evolve(obj: _Model, **changes: object) -> _Model:
    """A copy of a frozen model object with some fields changed: ``dataclasses.replace``, fast.

    Stages evolve every link of an email (thousands) several times; ``replace`` re-runs
    ``__init__`` with every field. Model classes have no ``__post_init__``, so copying the
    instance dict and overlaying the changes is equivalent.
    """
    cls = type(obj)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        raise TypeError(f"{cls.__name__} is not a model class")
    if not names.issuperset(changes):
        unknown = sorted(set(changes) - names)
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
    new = object.__new__(cls)
    state = obj.__dict__.copy()
    state.update(changes)
    object.__setattr__(new, "__dict__", state)
    return new
