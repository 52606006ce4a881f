"""Sender authentication: SPF, DMARC and DKIM as a deliverability consultant would check them.

SPF is parsed and followed through include and redirect, counting the terms that cost a DNS
lookup against RFC 7208's limit of 10 and void lookups against 2 for the whole evaluation, and
stopping where a receiver would (permerror) — an include tree eight wide would otherwise cost
tens of thousands of queries; DMARC is found at the domain
(or its organisational domain) and its policy judged; DKIM keys are looked up for each signature
the message carries and their size measured. Rules follow checkdmarc where it has them (see
research notes) plus the checks it lacks (``+all``).

This module observes: each check returns typed facts (:class:`SpfFacts`, :class:`DmarcFacts`,
:class:`DkimKeyFacts`) that also render the JSON report's objects; judge/domains.py turns them
into findings against the limits in :mod:`clickaudit.thresholds`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from clickaudit.domains.dns import DnsCache
from clickaudit.model import DkimSignature, LookupStatus
from clickaudit.psl import organisational_domain
from clickaudit.thresholds import SPF_LOOKUP_LIMIT, SPF_VOID_LIMIT

_MECHANISMS = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"}
_LOOKUP_MECHANISMS = {"include", "a", "mx", "ptr", "exists"}
_SPF_TERM = re.compile(r"^([+\-~?]?)([a-z0-9]+)(?::(.+?))?(/\d+(?://\d+)?)?$", re.I)


@dataclass
class SpfState:
    lookups: int = 0
    voids: int = 0
    visited: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    stopped: bool = False  # a limit was exceeded: the evaluation ends, as a receiver's would

    def spend_lookup(self) -> bool:
        """Count one DNS-querying term (RFC 7208 4.6.4); False once over the limit."""
        if self.stopped:
            return False
        self.lookups += 1
        if self.lookups > SPF_LOOKUP_LIMIT:
            self.stopped = True
        return not self.stopped

    def void(self) -> None:
        """Count a lookup that found nothing; over the limit the evaluation stops."""
        self.voids += 1
        if self.voids > SPF_VOID_LIMIT:
            self.stopped = True


@dataclass(frozen=True, slots=True)
class SpfFacts:
    """What a domain's SPF is: its records, the lookups it costs, its ``all``, its problems."""

    domain: str
    status: LookupStatus
    records: tuple[str, ...] = ()
    lookups: int = 0
    voids: int = 0
    qualifier: str | None = None  # pass, fail, softfail, neutral, or None without ``all``
    problems: tuple[str, ...] = ()  # syntax and include problems, each a sentence

    def as_report(self) -> dict[str, object]:
        """The JSON report's ``auth.spf`` object."""
        result: dict[str, object] = {"record": self.records[0] if self.records else None}
        if self.status.failed:
            result["error"] = f"DNS {self.status}"
        elif self.records:
            result.update(lookups=self.lookups, void_lookups=self.voids, all=self.qualifier)
        return result


async def check_spf(domain: str, dns: DnsCache) -> SpfFacts:
    """SPF of a domain: the record, its DNS lookups and void lookups, its ``all``."""
    lookup = await dns.txt(domain)
    records = tuple(r for r in lookup.records if _is_spf(r))
    if lookup.status.failed or not records:
        return SpfFacts(domain, lookup.status, records)
    state = SpfState(visited={domain})
    qualifier = await _walk_spf(records[0], domain, dns, state, depth=0)
    return SpfFacts(
        domain,
        lookup.status,
        records,
        lookups=state.lookups,
        voids=state.voids,
        qualifier=qualifier,
        problems=tuple(state.problems),
    )


def _is_spf(record: str) -> bool:
    return record == "v=spf1" or record.startswith("v=spf1 ")


async def _walk_spf(
    record: str, domain: str, dns: DnsCache, state: SpfState, depth: int
) -> str | None:
    """Count lookups through one record and those it includes; return the ``all`` qualifier."""
    qualifier: str | None = None
    redirect: str | None = None
    for term in record.split()[1:]:
        if state.stopped:
            return qualifier
        if "=" in term and ":" not in term.split("=", 1)[0]:
            name, _, value = term.partition("=")
            name = name.lower()
            if name == "redirect":
                if redirect is not None:
                    state.problems.append("more than one redirect= modifier")
                redirect = value
            elif name != "exp" and not re.fullmatch(r"[a-z][a-z0-9_.-]*", name):
                state.problems.append(f"the term {term!r} is not valid")
            continue
        match = _SPF_TERM.match(term)
        if not match or match.group(2).lower() not in _MECHANISMS:
            state.problems.append(f"the term {term!r} is not an SPF mechanism")
            continue
        sign, mechanism, value = match.group(1), match.group(2).lower(), match.group(3)
        if mechanism == "all":
            qualifier = {"+": "pass", "": "pass", "-": "fail", "~": "softfail", "?": "neutral"}[
                sign
            ]
            continue
        if mechanism not in _LOOKUP_MECHANISMS:
            continue
        if not state.spend_lookup():
            return qualifier
        target = (value or domain).rstrip(".").lower()
        if "%{" in target:
            continue  # macros are expanded per message; nothing to look up here
        if mechanism == "include":
            await _follow_spf(target, dns, state, depth)
        elif mechanism in ("a", "mx"):
            rdtype = "A" if mechanism == "a" else "MX"
            lookup = await dns.lookup(target, rdtype)
            if not lookup.records:
                state.void()
    if redirect and qualifier is None and state.spend_lookup():
        await _follow_spf(redirect.rstrip(".").lower(), dns, state, depth)
    return qualifier


async def _follow_spf(target: str, dns: DnsCache, state: SpfState, depth: int) -> None:
    if target in state.visited or depth > 10:
        state.problems.append(f"{target} is included twice (a loop or a duplicate include)")
        return
    state.visited.add(target)
    lookup = await dns.txt(target)
    records = [r for r in lookup.records if _is_spf(r)]
    if not records:
        state.void()
        state.problems.append(f"include:{target} has no SPF record (permerror)")
        return
    await _walk_spf(records[0], target, dns, state, depth + 1)


@dataclass(frozen=True, slots=True)
class DmarcFacts:
    """The DMARC record that governs a domain: where it was found and its tags."""

    domain: str
    location: str  # the domain itself or its organisational domain
    status: LookupStatus
    records: tuple[str, ...] = ()

    @property
    def tags(self) -> dict[str, str]:
        return _tags(self.records[0]) if self.records else {}

    @property
    def policy(self) -> str:
        return self.tags.get("p", "").lower()

    @property
    def percent(self) -> int:
        pct = self.tags.get("pct", "")
        return int(pct) if pct.isdigit() else 100

    def as_report(self) -> dict[str, object]:
        """The JSON report's ``auth.dmarc`` object."""
        if self.status.failed:
            return {"record": None, "error": f"DNS {self.status}"}
        if not self.records:
            return {"record": None}
        tags, policy = self.tags, self.policy
        return {
            "record": self.records[0],
            "location": self.location,
            "p": policy or None,
            "sp": tags.get("sp", policy).lower() or None,
            "pct": self.percent,
            "rua": tags.get("rua"),
            "adkim": tags.get("adkim", "r"),
            "aspf": tags.get("aspf", "r"),
        }


async def check_dmarc(domain: str, dns: DnsCache) -> DmarcFacts:
    """DMARC for a domain, falling back to its organisational domain as receivers do."""
    location = domain
    lookup = await dns.txt(f"_dmarc.{domain}")
    records = tuple(r for r in lookup.records if r.strip().lower().startswith("v=dmarc1"))
    organisation = organisational_domain(domain)
    if not records and organisation != domain:
        location = organisation
        lookup = await dns.txt(f"_dmarc.{organisation}")
        records = tuple(r for r in lookup.records if r.strip().lower().startswith("v=dmarc1"))
    return DmarcFacts(domain, location, lookup.status, records)


def _tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags[name.strip().lower()] = value.strip()
    return tags


@dataclass(frozen=True, slots=True)
class DkimKeyFacts:
    """The key a DKIM signature points at: found or not, revoked, its type and size."""

    selector: str
    domain: str  # the signature's d=
    status: LookupStatus
    found: bool  # a record with p= exists at selector._domainkey.domain
    k: str = "rsa"
    revoked: bool = False  # p= is empty
    kind: str | None = None  # rsa, ed25519, another key type, or None when it does not parse
    bits: int | None = None
    aligned: bool = False  # d= is under the From domain's organisational domain

    @property
    def name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    def as_report(self) -> dict[str, object]:
        """One selector's entry in the JSON report's ``auth.dkim`` object."""
        if not self.found:
            return {"domain": self.domain, "key": None}
        entry: dict[str, object] = {"domain": self.domain, "k": self.k}
        if self.revoked:
            entry["key"] = "revoked"
        else:
            entry.update(key=self.kind, bits=self.bits)
        entry["aligned"] = self.aligned
        return entry


async def check_dkim(
    signatures: Sequence[DkimSignature], domain: str, dns: DnsCache
) -> tuple[DkimKeyFacts, ...]:
    """Each DKIM signature's key: present, parseable, not revoked, and how many bits."""
    facts: list[DkimKeyFacts] = []
    for signature in signatures:
        name = f"{signature.selector}._domainkey.{signature.domain}"
        lookup = await dns.txt(name)
        records = [r for r in lookup.records if "p=" in r]
        if not records:
            facts.append(DkimKeyFacts(signature.selector, signature.domain, lookup.status, False))
            continue
        tags = _tags(records[0])
        key_text = re.sub(r"\s+", "", tags.get("p", ""))
        bits, kind = _key_size(key_text) if key_text else (None, None)
        facts.append(
            DkimKeyFacts(
                signature.selector,
                signature.domain,
                lookup.status,
                True,
                k=tags.get("k", "rsa"),
                revoked=not key_text,
                kind=kind,
                bits=bits,
                aligned=organisational_domain(signature.domain) == organisational_domain(domain),
            )
        )
    return tuple(facts)


def _key_size(key_text: str) -> tuple[int | None, str | None]:
    # cryptography is imported when a DKIM key is read, not when an audit starts (an audit
    # without domain checks never reads one).
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        key = load_der_public_key(base64.b64decode(key_text))
    except (ValueError, binascii.Error, TypeError):
        try:
            raw = base64.b64decode(key_text)
        except (ValueError, binascii.Error):
            return None, None
        return (256, "ed25519") if len(raw) == 32 else (None, None)
    if isinstance(key, rsa.RSAPublicKey):
        return key.key_size, "rsa"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return 256, "ed25519"
    return None, type(key).__name__
