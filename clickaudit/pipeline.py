"""The audit pipeline: the stages run in order, shared by the command line and the desktop app.

``scan_*`` is the offline half (load → extract → classify → offline judgement): no request, no
DNS query. ``audit_*`` adds pairing with a template, following redirect chains, domain checks
and the final judgement. Both front ends call these functions and nothing deeper, so they can
never disagree about what an audit is.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace

import dns.asyncresolver

from clickaudit.domains import observe_domains, targets_for
from clickaudit.domains.dns import DnsCache
from clickaudit.esp.fingerprints import Fingerprints, load_fingerprints
from clickaudit.events import CancelToken, Progress, ProgressCallback, ignore_progress
from clickaudit.follow import Follower
from clickaudit.judge.chains import judge_chain
from clickaudit.judge.dns_reach import judge_dns_reach
from clickaudit.judge.domains import judge_domains
from clickaudit.judge.offline import judge_offline
from clickaudit.judge.utm import check_link_utm, check_utm_consistency, check_utm_lost
from clickaudit.load import load_path
from clickaudit.model import (
    Audit,
    Category,
    DomainReport,
    Email,
    EspSource,
    Finding,
    Layer,
    LayerKind,
    Link,
    evolve,
)
from clickaudit.net.limiter import AdaptiveLimiter, HostLimiter
from clickaudit.net.nameservers import make_resolver
from clickaudit.net.transport import (
    AddressResolver,
    DnsAddressResolver,
    Transport,
    make_transport,
    verifying_ssl_context,
)
from clickaudit.pair import apply_pairing, pair_links
from clickaudit.safe_mode import SafeModeGate

# The offline half lives in clickaudit.scanning (a scan must not import the network stack);
# its names stay importable from here, where both halves have always been.
from clickaudit.scanning import Classified as Classified
from clickaudit.scanning import classify_email as classify_email
from clickaudit.scanning import now_iso as now_iso
from clickaudit.scanning import scan_email as scan_email
from clickaudit.scanning import scan_path as scan_path
from clickaudit.settings import AuditSettings
from clickaudit.unsubscribe import mark_unsubscribe_links
from clickaudit.urls import parse_url
from clickaudit.utm import UtmPolicy, load_policy, utm_at_destination


@dataclass(frozen=True, slots=True)
class NetworkOverrides:
    """What tests, benchmarks and the demo inject instead of the real network.

    ``resolver`` is a dnspython async resolver (pointed at a local DNS server), ``ssl_context``
    trusts a test CA, ``transport`` replaces the connection pool, ``limiter`` shares
    the per-host budget with other processes (a worker cluster). The CLI and GUI leave them empty
    and the settings decide.
    """

    resolver: dns.asyncresolver.Resolver | None = None
    address_resolver: AddressResolver | None = None
    ssl_context: ssl.SSLContext | None = None
    transport: Transport | None = None
    limiter: HostLimiter | None = None


def audit_emails(
    emails: Sequence[Email],
    settings: AuditSettings,
    *,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
    network: NetworkOverrides | None = None,
) -> list[Audit]:
    """The full audit of several emails, synchronously: it runs its own asyncio loop.

    Call it from a worker thread (the GUI) or the main thread (the CLI), never from inside a
    running event loop. Raises :class:`clickaudit.errors.Cancelled` when ``cancel`` fires, and
    :class:`clickaudit.errors.PolicyError` / ``InputError`` for a bad policy or template.
    """
    return asyncio.run(
        audit_emails_async(emails, settings, progress=progress, cancel=cancel, network=network)
    )


async def audit_emails_async(
    emails: Sequence[Email],
    settings: AuditSettings,
    *,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
    network: NetworkOverrides | None = None,
) -> list[Audit]:
    cancel = cancel or CancelToken()
    audits: list[Audit] = []
    async with audit_run(settings, network) as run:
        for index, email in enumerate(emails, start=1):
            cancel.raise_if_cancelled()
            progress(Progress("classify", index - 1, len(emails), email.source.label))
            started = now_iso()
            classified = classify_email(email, run.fingerprints)
            audits.append(
                await audit_classified(
                    classified, run, started=started, progress=progress, cancel=cancel
                )
            )
    return audits


@dataclass(frozen=True, slots=True)
class AuditRun:
    """What every email of one audit run shares: the settings, the fingerprints, the UTM policy,
    the template's links and the network collaborators (one transport, one per-host limiter).
    Emails of a run may be audited one after another or several at once (``audit --jobs``):
    either way the per-host ceiling is the run's, never one per email."""

    settings: AuditSettings
    fingerprints: Fingerprints
    policy: UtmPolicy
    template_links: tuple[Link, ...] | None
    network: NetworkOverrides


@contextlib.asynccontextmanager
async def audit_run(
    settings: AuditSettings, network: NetworkOverrides | None = None
) -> AsyncIterator[AuditRun]:
    """One audit run (see :class:`AuditRun`); what it made is closed when the block ends.

    Raises:
        PolicyError: the UTM policy cannot be used.
        InputError: the template cannot be read.
    """
    fingerprints = load_fingerprints()
    policy = load_policy(settings.policy_path)
    template_links = _template_links(settings.template_path, fingerprints)
    async with collaborators(settings, network or NetworkOverrides()) as made:
        yield AuditRun(settings, fingerprints, policy, template_links, made)


def _template_links(path: str | None, fingerprints: Fingerprints) -> tuple[Link, ...] | None:
    if not path:
        return None
    emails = load_path(path)
    return classify_email(emails[0], fingerprints).links if emails else ()


async def audit_classified(
    classified: Classified,
    run: AuditRun,
    *,
    started: str | None = None,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> Audit:
    """The network half of one email's audit, from what the offline stages made of it (in this
    process or a worker's): pairing, following, domain checks and the final judgement.

    ``started`` is when the email's audit began (its classification), now when not given.
    """
    started = started or now_iso()
    cancel = cancel or CancelToken()
    fingerprints, policy, template_links = run.fingerprints, run.policy, run.template_links
    network = run.network
    email = classified.email  # with any note extraction made
    settings = settings_for(email, run.settings)
    links = classified.links
    message_findings: list[Finding] = []
    if template_links is not None:
        progress(Progress("pair", 0, 1, email.source.label))
        pairing = pair_links(links, template_links)
        links = apply_pairing(links, template_links, pairing)
        message_findings.extend(pairing.findings)
        progress(Progress("pair", 1, 1, email.source.label))

    # Every unsubscribe and preference link is marked before anything is requested, however
    # it shows itself (its URL, its text or the sentence around it): never requested unasked.
    links = mark_unsubscribe_links(email, links, fingerprints)

    domains: tuple[DomainReport, ...] = ()
    if settings.safe and settings.check_domains:
        # Safe mode must not click a branded tracking domain it only recognises by its CNAME,
        # so the domains are checked (and links reclassified) before anything is followed.
        domains = await _check_domains(
            email, links, settings, fingerprints, progress, cancel, network
        )
        links = reclassify_by_cname(links, domains)
        links = await _follow(links, settings, progress, cancel, network)
    elif settings.check_domains:
        links, domains = await asyncio.gather(
            _follow(links, settings, progress, cancel, network),
            _check_domains(email, links, settings, fingerprints, progress, cancel, network),
        )
        links = reclassify_by_cname(links, domains)
    else:
        links = await _follow(links, settings, progress, cancel, network)
    cancel.raise_if_cancelled()

    progress(Progress("judge", 0, len(links), email.source.label))
    sender = email.headers.from_domain
    links, offline_findings = judge_offline(email, links)
    message_findings.extend(offline_findings)
    judged = tuple(
        evolve(
            link,
            utm=utm_at_destination(link),
            findings=link.findings
            + judge_chain(link, policy=policy)
            + check_link_utm(link, policy, sender_domain=sender)
            + check_utm_lost(link),
        )
        for link in links
    )
    message_findings.extend(check_utm_consistency(judged, policy, sender_domain=sender))
    message_findings.extend(judge_dns_reach(domains))
    progress(Progress("judge", len(links), len(links), email.source.label))
    return Audit(
        email=email,
        links=judged,
        images=classified.images,
        esp=classified.esp or _esp_from_domains(domains),
        domains=domains,
        findings=tuple(message_findings),
        settings=settings.to_dict() | {"mode": "audit"},
        started_at=started,
        finished_at=now_iso(),
    )


def settings_for(email: Email, settings: AuditSettings) -> AuditSettings:
    """The settings one email is audited with. An email attached to another (a customer's
    message forwarded to the auditor) is audited in safe mode: looking at it must not create
    clicks in the customer's analytics. The command line and the app both audit through here,
    so they agree."""
    if email.source.attachment_path and not settings.safe:
        return replace(settings, safe=True)
    return settings


@contextlib.asynccontextmanager
async def collaborators(
    settings: AuditSettings, given: NetworkOverrides
) -> AsyncIterator[NetworkOverrides]:
    """The network collaborators of one audit run, made once here and handed to the follower,
    safe mode's gate and the domain checks of every email: the DNS resolver, the address
    resolver, the SSL context, the HTTP transport and the per-host limiter.

    One transport for the whole run means a tracking host that every email links to is
    connected to once, not once per email, and one limiter means the per-host ceiling holds
    across emails and what it learnt about a host's pace is kept. Loading a CA bundle and
    reading the system's resolver configuration cost tens of milliseconds each; one resolver
    and its answer cache serve the follower's connections, safe mode and the domain checks.
    What a test, the demo or a cluster worker injects is used as given and stays its own to
    close; what is made here is closed when the block ends, however it ends (finished,
    cancelled or failed).
    """
    resolver = given.resolver or make_resolver(settings.nameservers, timeout=settings.timeout)
    address_resolver = given.address_resolver or DnsAddressResolver(resolver=resolver)
    ssl_context = given.ssl_context or verifying_ssl_context(settings.ca_bundle)
    made_transport = None
    transport = given.transport
    if transport is None:
        transport = made_transport = make_transport(
            address_resolver, allow_private=settings.allow_private, ssl_context=ssl_context
        )
    try:
        yield NetworkOverrides(
            resolver=resolver,
            address_resolver=address_resolver,
            ssl_context=ssl_context,
            transport=transport,
            limiter=given.limiter
            or AdaptiveLimiter(ceiling=settings.per_host, concurrency=settings.concurrency),
        )
    finally:
        if made_transport is not None:
            await made_transport.aclose()


async def _follow(
    links: tuple[Link, ...],
    settings: AuditSettings,
    progress: ProgressCallback,
    cancel: CancelToken,
    network: NetworkOverrides,
) -> tuple[Link, ...]:
    if not settings.follow:
        return links
    safe_gate = None
    if settings.safe:
        assert network.resolver is not None  # made by collaborators()
        safe_gate = SafeModeGate(load_fingerprints(), DnsCache(network.resolver))
    async with Follower(
        settings,
        resolver=network.address_resolver,
        transport=network.transport,
        verify=network.ssl_context,
        limiter=network.limiter,
        safe_gate=safe_gate,
    ) as follower:
        return await follower.follow_links(links, progress=progress, cancel=cancel)


async def _check_domains(
    email: Email,
    links: tuple[Link, ...],
    settings: AuditSettings,
    fingerprints: Fingerprints,
    progress: ProgressCallback,
    cancel: CancelToken,
    network: NetworkOverrides,
) -> tuple[DomainReport, ...]:
    targets = targets_for(email, links)
    observations = await observe_domains(
        targets,
        settings,
        fingerprints=fingerprints,
        resolver=network.resolver,
        ssl_context=network.ssl_context,
        progress=progress,
        cancel=cancel,
    )
    return judge_domains(observations, targets)


def reclassify_by_cname(
    links: tuple[Link, ...], domains: Sequence[DomainReport]
) -> tuple[Link, ...]:
    """A link to a host whose CNAME points at an ESP is tracked, whatever its URL looks like.

    Branded tracking domains (click.shop.example → sendgrid.net) carry no ESP in the URL, so
    only DNS tells them apart from a direct link to the sender's own site. A link tracked by its
    shape alone (ESP unknown) gets its ESP named the same way. The ESP's own pages (unsubscribe,
    web view, an image) stay what they are.
    """
    esp_by_host = {d.name: d.esp for d in domains if d.esp and d.cname}
    if not esp_by_host:
        return links
    out: list[Link] = []
    for link in links:
        by_shape = link.category is Category.TRACKED and link.esp_source is EspSource.SHAPE
        parsed = parse_url(link.href) if link.category is Category.DIRECT or by_shape else None
        esp = esp_by_host.get(parsed.host) if parsed and parsed.host else None
        if esp and parsed and link.system is None and not _is_static_asset(parsed.path):
            layers = link.layers or (Layer(LayerKind.TRACKER, esp, link.href),)
            if by_shape:
                first, *rest = layers
                layers = (Layer(LayerKind.TRACKER, esp, first.url), *rest)
            link = evolve(
                link,
                category=Category.TRACKED,
                esp=esp,
                esp_source=EspSource.CNAME,
                tracking_host=parsed.host,
                layers=layers,
                notes=(*link.notes, f"tracked by {esp}: its host's CNAME points at {esp}"),
            )
        out.append(link)
    return tuple(out)


def _is_static_asset(path: str) -> bool:
    return path.lower().endswith(
        (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".css", ".js", ".ico")
    )


def _esp_from_domains(domains: Sequence[DomainReport]) -> str | None:
    return next((d.esp for d in domains if d.esp), None)
