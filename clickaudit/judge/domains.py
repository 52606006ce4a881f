"""Findings about each domain: DNS, tracking-domain alignment, TLS, SPF/DMARC/DKIM, blocklists.

The domain checks (clickaudit/domains/) record what DNS, TLS and the blocklists said; this module
decides what a person must be told, against the limits in :mod:`clickaudit.thresholds`, and
builds the report's :class:`DomainReport`. Findings come in a fixed order: DNS, tracking domain,
TLS, sender authentication, blocklists.
"""

from __future__ import annotations

from collections.abc import Sequence

from clickaudit.domains import DomainObservation, DomainTargets
from clickaudit.domains.auth import DkimKeyFacts, DmarcFacts, SpfFacts
from clickaudit.findings import finding
from clickaudit.model import (
    AuthReport,
    DomainReport,
    DomainRole,
    Finding,
    LookupStatus,
    TlsFailure,
    TlsReport,
)
from clickaudit.psl import organisational_domain
from clickaudit.thresholds import (
    DKIM_MIN_RSA_BITS,
    DMARC_FULL_PERCENT,
    DMARC_POLICIES,
    DMARC_WEAK_POLICY,
    SPF_LOOKUP_LIMIT,
    SPF_VOID_LIMIT,
    TLS_EXPIRY_WARNING_DAYS,
    TLS_OLD_PROTOCOLS,
)

_CANNOT_CONNECT = (TlsFailure.UNREACHABLE, TlsFailure.HANDSHAKE)
HTTPS_PORT = 443  # named in messages only when a link uses another port


def judge_domains(
    observations: Sequence[DomainObservation], targets: DomainTargets
) -> tuple[DomainReport, ...]:
    """The report of every observed domain, findings included, in the observations' order."""
    return tuple(judge_domain(observed, targets) for observed in observations)


def judge_domain(observed: DomainObservation, targets: DomainTargets) -> DomainReport:
    if observed.dns_error is not None:
        # The resolver could not be asked: nothing DNS-based is known about this domain, and
        # the audit says so once (judge/dns_reach.py) rather than blaming every domain.
        return DomainReport(
            name=observed.name,
            roles=observed.roles,
            organisational_domain=organisational_domain(observed.name),
            dns_error=observed.dns_error,
        )
    name = observed.name
    subject = f"domain:{name}"
    found: list[Finding] = []
    if observed.is_web:
        found.extend(_dns_findings(observed, subject))
    if DomainRole.TRACKING in observed.roles:
        found.extend(_tracking_findings(observed, targets, subject))
    if observed.tls is not None:
        found.extend(_tls_findings(observed, observed.tls, targets, subject))
    elif observed.tls_skipped_private:
        found.append(
            finding(
                "address-private",
                f"{name} resolves to {observed.addresses[0]}; its TLS was not checked",
                subject,
            )
        )
    auth = None
    if observed.spf is not None:
        auth = _auth_report(observed, observed.spf)
        found.extend(spf_findings(observed.spf, subject))
        if observed.dmarc is not None:
            found.extend(dmarc_findings(observed.dmarc, subject))
        if name == targets.from_domain and not targets.dkim:
            found.append(
                finding(
                    "dkim-missing", f"the message carries no DKIM signature for {name}", subject
                )
            )
        found.extend(dkim_findings(observed.dkim or (), subject))
    for entry in observed.blocklists:
        found.append(finding("blocklisted", f"{name} is listed by {entry}", subject))
    if observed.blocklists_unchecked:
        found.append(
            finding(
                "blocklist-unchecked",
                f"{', '.join(observed.blocklists_unchecked)} did not answer usably "
                "(the resolver may be refused)",
                subject,
            )
        )
    return DomainReport(
        name=name,
        roles=observed.roles,
        cname=observed.cname,
        esp=observed.esp,
        addresses=observed.addresses,
        organisational_domain=organisational_domain(name),
        tls=observed.tls,
        auth=auth,
        blocklists=observed.blocklists,
        blocklists_unchecked=observed.blocklists_unchecked,
        findings=tuple(found),
    )


def _dns_findings(observed: DomainObservation, subject: str) -> list[Finding]:
    name, status = observed.name, observed.lookup
    if status is LookupStatus.NXDOMAIN:
        return [finding("dns-nxdomain", f"{name} does not exist (NXDOMAIN)", subject)]
    if status.failed:
        return [finding("dns-servfail", f"{name}: the DNS lookup failed ({status})", subject)]
    if not observed.addresses:
        return [finding("dns-nxdomain", f"{name} has no A or AAAA record", subject)]
    return []


def _tracking_findings(
    observed: DomainObservation, targets: DomainTargets, subject: str
) -> list[Finding]:
    name, chain, cname_esp = observed.name, observed.cname, observed.esp
    found = []
    link_esp = targets.tracking.get(name)
    if chain and link_esp and cname_esp and cname_esp != link_esp:
        found.append(
            finding(
                "dns-cname-mismatch",
                f"links on {name} are {link_esp}'s but its CNAME points at {chain[-1]} "
                f"({cname_esp})",
                subject,
            )
        )
    if observed.shared_tracking:
        found.append(
            finding(
                "tracking-domain-shared",
                f"{name} is {link_esp or 'an ESP'}'s shared tracking domain, not your own",
                subject,
            )
        )
    if targets.from_domain and organisational_domain(name) != organisational_domain(
        targets.from_domain
    ):
        found.append(
            finding(
                "tracking-domain-misaligned",
                f"{name} ({organisational_domain(name)}) is not under the From domain "
                f"{targets.from_domain} ({organisational_domain(targets.from_domain)})",
                subject,
            )
        )
    return found


def _tls_findings(
    observed: DomainObservation, tls: TlsReport, targets: DomainTargets, subject: str
) -> list[Finding]:
    name = observed.name
    port = targets.https_ports.get(name, HTTPS_PORT)
    where = f"{name}:{port}" if port != HTTPS_PORT else name
    used_over_https = name in targets.https_ports
    if tls.failure in _CANNOT_CONNECT and not used_over_https:
        # Links use this host over plain http: that HTTPS fails there is the http link's problem.
        return [
            finding(
                "link-insecure",
                f"{name} is used over plain http; HTTPS does not work there: {tls.error}",
                subject,
            )
        ]
    return tls_findings(tls, where, subject)


def tls_findings(tls: TlsReport, where: str, subject: str) -> list[Finding]:
    """What a TLS report means for ``where`` (``host`` or ``host:port``)."""
    failure = tls.failure
    if failure is TlsFailure.NO_ADDRESS:
        return []
    if failure is TlsFailure.UNREACHABLE:
        return [finding("tls-unavailable", f"{where}: HTTPS does not work ({tls.error})", subject)]
    if failure is TlsFailure.HANDSHAKE:
        return [finding("tls-unavailable", f"{where}: {tls.error}", subject)]
    if failure is TlsFailure.HOSTNAME_MISMATCH:
        names = ", ".join(tls.sans) or tls.subject or "another name"
        return [
            finding("tls-hostname-mismatch", f"{where} presents a certificate for {names}", subject)
        ]
    if failure is not None:
        return [finding("tls-invalid", f"{where}: {tls.error}", subject)]
    found = []
    if tls.days_left is not None and tls.days_left < TLS_EXPIRY_WARNING_DAYS:
        found.append(
            finding(
                "tls-expiring",
                f"{where}'s certificate expires on {tls.not_after} ({tls.days_left} days)",
                subject,
            )
        )
    if tls.version in TLS_OLD_PROTOCOLS:
        found.append(finding("tls-old-protocol", f"{where} negotiated {tls.version}", subject))
    if not tls.hsts:
        found.append(
            finding("hsts-missing", f"{where} sends no Strict-Transport-Security header", subject)
        )
    return found


def spf_findings(spf: SpfFacts, subject: str) -> list[Finding]:
    """SPF findings: missing, several records, syntax, over the lookup limits, ``+all``."""
    domain = spf.domain
    if spf.status.failed:
        return []  # the resolver failed: nothing is known about the record
    if not spf.records:
        return [finding("spf-missing", f"{domain} publishes no SPF record", subject)]
    found = []
    if len(spf.records) > 1:
        found.append(
            finding(
                "spf-multiple",
                f"{domain} has {len(spf.records)} SPF records: receivers fail both",
                subject,
            )
        )
    for problem in spf.problems:
        found.append(finding("spf-syntax", f"{domain}: {problem}", subject))
    if spf.lookups > SPF_LOOKUP_LIMIT:
        found.append(
            finding(
                "spf-too-many-lookups",
                f"{domain}'s SPF needs more than {SPF_LOOKUP_LIMIT} DNS lookups: receivers "
                "return permerror (evaluation stopped at the limit)",
                subject,
            )
        )
    if spf.voids > SPF_VOID_LIMIT:
        found.append(
            finding(
                "spf-void-lookups",
                f"{domain}'s SPF has more than {SPF_VOID_LIMIT} lookups that find nothing: "
                "receivers return permerror (evaluation stopped at the limit)",
                subject,
            )
        )
    if spf.qualifier == "pass":
        found.append(
            finding("spf-permissive", f"{domain}'s SPF ends in +all: anyone may send", subject)
        )
    return found


def dmarc_findings(dmarc: DmarcFacts, subject: str) -> list[Finding]:
    """DMARC findings: missing, several records, no valid policy, a policy that does not act."""
    if dmarc.status.failed:
        return []
    if not dmarc.records:
        return [finding("dmarc-missing", f"{dmarc.domain} has no DMARC record", subject)]
    found = []
    location = dmarc.location
    if len(dmarc.records) > 1:
        found.append(
            finding("dmarc-syntax", f"{location} has {len(dmarc.records)} DMARC records", subject)
        )
    policy = dmarc.policy
    if policy not in DMARC_POLICIES:
        found.append(
            finding(
                "dmarc-syntax",
                f"{location}'s DMARC has no valid p= ({policy or 'missing'})",
                subject,
            )
        )
    elif policy == DMARC_WEAK_POLICY:
        found.append(
            finding(
                "dmarc-weak",
                f"{location}'s DMARC policy is p=none: spoofed mail is delivered",
                subject,
            )
        )
    elif dmarc.percent != DMARC_FULL_PERCENT:
        found.append(
            finding(
                "dmarc-weak",
                f"{location}'s DMARC applies to only pct={dmarc.percent}% of mail",
                subject,
            )
        )
    return found


def dkim_findings(keys: Sequence[DkimKeyFacts], subject: str) -> list[Finding]:
    """DKIM findings per signature: no key, a revoked or unparsable key, a weak RSA key."""
    found = []
    for key in keys:
        if not key.found:
            if not key.status.failed:
                found.append(finding("dkim-missing", f"no DKIM key at {key.name}", subject))
        elif key.revoked:
            found.append(
                finding(
                    "dkim-invalid", f"the DKIM key at {key.name} is revoked (empty p=)", subject
                )
            )
        elif key.kind is None:
            found.append(
                finding("dkim-invalid", f"the DKIM key at {key.name} does not parse", subject)
            )
        elif key.kind == "rsa" and key.bits is not None and key.bits < DKIM_MIN_RSA_BITS:
            found.append(
                finding("dkim-weak-key", f"the DKIM key at {key.name} has {key.bits} bits", subject)
            )
    return found


def _auth_report(observed: DomainObservation, spf: SpfFacts) -> AuthReport:
    spf_report = spf.as_report()
    if spf.domain != observed.name:
        spf_report = {"domain": spf.domain, **spf_report}
        spf_report["aligned"] = organisational_domain(spf.domain) == organisational_domain(
            observed.name
        )
    dkim: dict[str, object] = {}
    for key in observed.dkim or ():
        dkim[key.selector] = key.as_report()
    return AuthReport(
        spf=spf_report,
        dmarc=observed.dmarc.as_report() if observed.dmarc is not None else {},
        dkim=dkim,
    )
