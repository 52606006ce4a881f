"""Domain checks: each tracking, sender and destination domain checked once per audit.

DNS (addresses, the CNAME chain and which ESP it points at), alignment of tracking domains with
the From domain, SPF/DMARC/DKIM for the sender, TLS for hosts links go to over HTTPS, and domain
blocklists. One domain's failure never stops the others; every check is bounded in time.

These modules observe; :mod:`clickaudit.judge.domains` turns a :class:`DomainObservation` into
the report's :class:`~clickaudit.model.DomainReport` and its findings.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import dns.asyncresolver

from clickaudit.domains.auth import DkimKeyFacts, DmarcFacts, SpfFacts
from clickaudit.domains.dns import DnsCache
from clickaudit.errors import Cancelled
from clickaudit.esp.fingerprints import Fingerprints, load_fingerprints
from clickaudit.events import CancelToken, Progress, ProgressCallback, ignore_progress
from clickaudit.model import (
    Category,
    DkimSignature,
    DomainRole,
    Email,
    Link,
    LookupStatus,
    TlsReport,
)
from clickaudit.net.nameservers import make_resolver
from clickaudit.net.transport import is_refused_address, verifying_ssl_context
from clickaudit.settings import AuditSettings
from clickaudit.urls import parse_url

if TYPE_CHECKING:
    from clickaudit.domains.blocklists import BlocklistChecker

MAX_DESTINATIONS = 60
CONCURRENT_DOMAINS = 10


@dataclass(frozen=True, slots=True)
class DomainTargets:
    """Which domains an audit checks, and why each one."""

    from_domain: str
    tracking: Mapping[str, str | None]  # tracking host → the ESP its links' shape says
    dkim: tuple[DkimSignature, ...] = ()
    return_path_domain: str | None = None
    destinations: tuple[str, ...] = ()
    https_ports: Mapping[str, int] = field(default_factory=dict)
    http_only: frozenset[str] = frozenset()

    def roles(self) -> dict[str, list[DomainRole]]:
        roles: dict[str, list[DomainRole]] = {}
        for host in self.tracking:
            roles.setdefault(host, []).append(DomainRole.TRACKING)
        if self.from_domain:
            roles.setdefault(self.from_domain, []).append(DomainRole.SENDER)
        for signature in self.dkim:
            if signature.domain != self.from_domain:
                roles.setdefault(signature.domain, []).append(DomainRole.SENDER)
        for host in self.destinations:
            if DomainRole.DESTINATION not in roles.get(host, []):
                roles.setdefault(host, []).append(DomainRole.DESTINATION)
        return roles


def targets_for(email: Email, links: Sequence[Link]) -> DomainTargets:
    """The domains of one email: its links' tracking hosts and destinations, and its sender."""
    tracking: dict[str, str | None] = {}
    destinations: dict[str, None] = {}
    https_ports: dict[str, int] = {}
    http_seen: set[str] = set()
    for link in links:
        if link.category is Category.UNTRACKABLE or link.category is None:
            continue
        if link.tracking_host:
            tracking.setdefault(link.tracking_host, link.esp)
            _note_port(link.href, https_ports, http_seen)
        for url in (link.decoded, link.expected, link.final_url, _direct(link)):
            parsed = parse_url(url) if url else None
            if parsed and parsed.host not in tracking:
                destinations.setdefault(parsed.host, None)
                _note_port(url or "", https_ports, http_seen)
    return_path = email.headers.return_path.strip("<> ")
    return DomainTargets(
        from_domain=email.headers.from_domain,
        tracking=tracking,
        dkim=email.headers.dkim,
        return_path_domain=return_path.rpartition("@")[2].lower() or None,
        destinations=tuple(d for d in destinations if d not in tracking)[:MAX_DESTINATIONS],
        https_ports=https_ports,
        http_only=frozenset(http_seen - set(https_ports)),
    )


def _direct(link: Link) -> str | None:
    return link.href if link.category is Category.DIRECT else None


def _note_port(url: str, https_ports: dict[str, int], http_seen: set[str]) -> None:
    parsed = parse_url(url)
    if parsed is None:
        return
    host = parsed.host
    if parsed.scheme == "https":
        https_ports.setdefault(host, parsed.port or 443)
    elif parsed.scheme == "http":
        http_seen.add(host)


@dataclass(frozen=True, slots=True)
class DomainObservation:
    """Everything observed about one domain, before anyone judges it (judge/domains.py does).

    ``esp`` is the ESP its CNAME chain points at; ``shared_tracking`` says the host is an ESP's
    shared tracking domain; ``tls`` is None when TLS was not probed (a sender-only domain, no
    address, or ``tls_skipped_private``: every address was one an audit may not contact).
    ``dkim`` is None for a domain that is not a sender.
    """

    name: str
    roles: tuple[DomainRole, ...]
    lookup: LookupStatus
    addresses: tuple[str, ...] = ()
    cname: tuple[str, ...] = ()
    esp: str | None = None
    shared_tracking: bool = False
    tls: TlsReport | None = None
    tls_skipped_private: bool = False
    spf: SpfFacts | None = None
    dmarc: DmarcFacts | None = None
    dkim: tuple[DkimKeyFacts, ...] | None = None
    blocklists: tuple[str, ...] = ()
    blocklists_unchecked: tuple[str, ...] = ()
    # Why DNS could not be asked in this audit (see resolver_unasked), or None: the domain's
    # DNS-based checks then say nothing about the domain itself.
    dns_error: str | None = None

    @property
    def is_web(self) -> bool:
        """Links go to it (tracking host or destination), so it must resolve and serve HTTPS."""
        return DomainRole.TRACKING in self.roles or DomainRole.DESTINATION in self.roles


async def observe_domains(
    targets: DomainTargets,
    settings: AuditSettings,
    *,
    fingerprints: Fingerprints | None = None,
    resolver: dns.asyncresolver.Resolver | None = None,
    ssl_context: ssl.SSLContext | None = None,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> tuple[DomainObservation, ...]:
    """One observation per domain, in the order tracking, sender, destinations."""
    # The checks' modules (blocklists, TLS with its certificate parser) are loaded when domains
    # are checked: an audit with --no-domains never pays for them.
    from clickaudit.domains.blocklists import BlocklistChecker, zones_from_settings

    fingerprints = fingerprints or load_fingerprints()
    cache = DnsCache(resolver or make_resolver(settings.nameservers, timeout=settings.timeout))
    context = ssl_context or verifying_ssl_context(settings.ca_bundle)
    blocklists = BlocklistChecker(cache, zones_from_settings(settings.blocklist_zones))
    roles = targets.roles()
    total = len(roles)
    done = 0
    limit = asyncio.Semaphore(CONCURRENT_DOMAINS)
    progress(Progress("domains", 0, total))

    async def one(name: str, domain_roles: list[DomainRole]) -> DomainObservation:
        nonlocal done
        async with limit:
            observed = await _observe_one(
                name,
                tuple(domain_roles),
                targets,
                settings,
                fingerprints,
                cache,
                context,
                blocklists,
            )
        done += 1
        progress(Progress("domains", done, total, name))
        return observed

    loop = asyncio.get_running_loop()
    gathered = asyncio.ensure_future(asyncio.gather(*(one(n, r) for n, r in roles.items())))
    if cancel is not None:
        cancel.on_cancel(lambda: loop.call_soon_threadsafe(gathered.cancel))
    try:
        observed = tuple(await gathered)
    except asyncio.CancelledError:
        if cancel is not None and cancel.cancelled:
            raise Cancelled("the audit was cancelled while checking domains") from None
        raise
    unasked = resolver_unasked(cache, settings.nameservers)
    if unasked is None:
        return observed
    return tuple(dataclasses.replace(o, dns_error=unasked) for o in observed)


def resolver_unasked(cache: DnsCache, nameservers: Sequence[object] = ()) -> str | None:
    """Why DNS could not be checked in this audit, or None when the resolver answered.

    The resolver counts as not asked when no lookup got an answer about a name (none ended
    ok, nxdomain or noanswer) and at least one failed: every lookup unreachable, timed out or
    refused with SERVFAIL means the fault is on this side, not the domains'.
    """
    statuses = cache.statuses()
    if not statuses or any(not status.failed for status in statuses):
        return None
    where = ", ".join(str(n) for n in nameservers) if nameservers else "the system resolver"
    if all(s is LookupStatus.RESOLVER_UNREACHABLE for s in statuses):
        return f"the resolver ({where}) could not be reached"
    if all(s is LookupStatus.TIMEOUT for s in statuses):
        return f"every DNS lookup timed out ({len(statuses)} lookups, resolver {where})"
    if all(s is LookupStatus.SERVFAIL for s in statuses):
        return f"the resolver ({where}) answered every lookup with SERVFAIL"
    return f"no DNS lookup got an answer from the resolver ({where}): " + ", ".join(
        sorted({str(s) for s in statuses})
    )


async def _observe_one(
    name: str,
    roles: tuple[DomainRole, ...],
    targets: DomainTargets,
    settings: AuditSettings,
    fingerprints: Fingerprints,
    cache: DnsCache,
    context: ssl.SSLContext,
    blocklists: BlocklistChecker,
) -> DomainObservation:
    from clickaudit.domains.auth import check_dkim, check_dmarc, check_spf
    from clickaudit.domains.tls import probe_tls

    is_web = DomainRole.TRACKING in roles or DomainRole.DESTINATION in roles
    a_lookup = await cache.lookup(name, "A")
    addresses = list(a_lookup.records)
    if a_lookup.status.exists:
        aaaa = await cache.lookup(name, "AAAA")
        addresses += [a for a in aaaa.records if a not in addresses]
    chain = a_lookup.cname_chain
    tls = None
    skipped_private = False
    reachable = [a for a in addresses if settings.allow_private or not is_refused_address(a)]
    if is_web and addresses and (name in targets.https_ports or DomainRole.TRACKING in roles):
        if reachable:
            port = targets.https_ports.get(name, 443)
            tls = await probe_tls(name, port, reachable, context, timeout=settings.timeout)
        else:
            skipped_private = True
    spf = dmarc = dkim = None
    if DomainRole.SENDER in roles:
        spf_domain = name
        if name == targets.from_domain and targets.return_path_domain:
            spf_domain = targets.return_path_domain
        spf = await check_spf(spf_domain, cache)
        if name == targets.from_domain:
            dmarc = await check_dmarc(name, cache)
        signatures = tuple(s for s in targets.dkim if s.domain == name)
        dkim = await check_dkim(signatures, targets.from_domain, cache)
    listed, unchecked = await blocklists.check(name)
    return DomainObservation(
        name=name,
        roles=roles,
        lookup=a_lookup.status,
        addresses=tuple(addresses),
        cname=chain,
        esp=esp_behind_cname(chain, fingerprints) if chain else None,
        shared_tracking=DomainRole.TRACKING in roles
        and fingerprints.is_shared_tracking_domain(name),
        tls=tls,
        tls_skipped_private=skipped_private,
        spf=spf,
        dmarc=dmarc,
        dkim=dkim,
        blocklists=tuple(listed),
        blocklists_unchecked=tuple(unchecked),
    )


def esp_behind_cname(chain: Sequence[str], fingerprints: Fingerprints) -> str | None:
    """The ESP a CNAME chain points at: the fingerprints' targets (``sendgrid.net``) first,
    then the trackers' own hosts from the vendored lists (``edge-east.customer.io``,
    ``pi.pardot.com``)."""
    named = fingerprints.esp_for_cname(chain)
    if named:
        return named
    from clickaudit.esp.trackers import load_tracker_lists

    lists = load_tracker_lists()
    return next((v for v in (lists.vendor_for_cname(t) for t in chain) if v), None)
