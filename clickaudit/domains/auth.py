"""Sender authentication: SPF, DMARC and DKIM as a deliverability consultant would check them.

SPF is parsed and followed through include and redirect, counting the terms that cost a DNS
lookup against RFC 7208's limit of 10 and void lookups against 2 for the whole evaluation, and
stopping where a receiver would (permerror) — an include tree eight wide would otherwise cost
tens of thousands of queries; DMARC is found at the domain
(or its organisational domain) and its policy judged; DKIM keys are looked up for each signature
the message carries and their size measured. Rules follow checkdmarc where it has them (see
research notes) plus the checks it lacks (``+all``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from clickaudit.domains.dns import DnsCache
from clickaudit.findings import finding
from clickaudit.model import DkimSignature, Finding
from clickaudit.psl import organisational_domain

SPF_LOOKUP_LIMIT = 10
SPF_VOID_LIMIT = 2
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


async def check_spf(
    domain: str, dns: DnsCache, subject: str
) -> tuple[dict[str, object], list[Finding]]:
    """SPF of a domain: the record, its DNS lookups and void lookups, its ``all``, and findings."""
    found: list[Finding] = []
    lookup = await dns.txt(domain)
    records = [r for r in lookup.records if _is_spf(r)]
    result: dict[str, object] = {"record": records[0] if records else None}
    if lookup.status.failed:
        result["error"] = f"DNS {lookup.status}"
        return result, found
    if not records:
        found.append(finding("spf-missing", f"{domain} publishes no SPF record", subject))
        return result, found
    if len(records) > 1:
        found.append(
            finding(
                "spf-multiple",
                f"{domain} has {len(records)} SPF records: receivers fail both",
                subject,
            )
        )
    state = SpfState(visited={domain})
    qualifier = await _walk_spf(records[0], domain, dns, state, depth=0)
    result.update(
        lookups=state.lookups,
        void_lookups=state.voids,
        all=qualifier,
    )
    for problem in state.problems:
        found.append(finding("spf-syntax", f"{domain}: {problem}", subject))
    if state.lookups > SPF_LOOKUP_LIMIT:
        found.append(
            finding(
                "spf-too-many-lookups",
                f"{domain}'s SPF needs more than {SPF_LOOKUP_LIMIT} DNS lookups: receivers "
                "return permerror (evaluation stopped at the limit)",
                subject,
            )
        )
    if state.voids > SPF_VOID_LIMIT:
        found.append(
            finding(
                "spf-void-lookups",
                f"{domain}'s SPF has more than {SPF_VOID_LIMIT} lookups that find nothing: "
                "receivers return permerror (evaluation stopped at the limit)",
                subject,
            )
        )
    if qualifier == "pass":
        found.append(
            finding("spf-permissive", f"{domain}'s SPF ends in +all: anyone may send", subject)
        )
    return result, found


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


async def check_dmarc(
    domain: str, dns: DnsCache, subject: str
) -> tuple[dict[str, object], list[Finding]]:
    """DMARC for a domain, falling back to its organisational domain as receivers do."""
    found: list[Finding] = []
    location = domain
    lookup = await dns.txt(f"_dmarc.{domain}")
    records = [r for r in lookup.records if r.strip().lower().startswith("v=dmarc1")]
    organisation = organisational_domain(domain)
    if not records and organisation != domain:
        location = organisation
        lookup = await dns.txt(f"_dmarc.{organisation}")
        records = [r for r in lookup.records if r.strip().lower().startswith("v=dmarc1")]
    if lookup.status.failed:
        return {"record": None, "error": f"DNS {lookup.status}"}, found
    if not records:
        found.append(finding("dmarc-missing", f"{domain} has no DMARC record", subject))
        return {"record": None}, found
    if len(records) > 1:
        found.append(
            finding("dmarc-syntax", f"{location} has {len(records)} DMARC records", subject)
        )
    record = records[0]
    tags = _tags(record)
    policy = tags.get("p", "").lower()
    result: dict[str, object] = {
        "record": record,
        "location": location,
        "p": policy or None,
        "sp": tags.get("sp", policy).lower() or None,
        "pct": int(tags["pct"]) if tags.get("pct", "").isdigit() else 100,
        "rua": tags.get("rua"),
        "adkim": tags.get("adkim", "r"),
        "aspf": tags.get("aspf", "r"),
    }
    if policy not in ("none", "quarantine", "reject"):
        found.append(
            finding(
                "dmarc-syntax",
                f"{location}'s DMARC has no valid p= ({policy or 'missing'})",
                subject,
            )
        )
    elif policy == "none":
        found.append(
            finding(
                "dmarc-weak",
                f"{location}'s DMARC policy is p=none: spoofed mail is delivered",
                subject,
            )
        )
    elif result["pct"] != 100:
        found.append(
            finding(
                "dmarc-weak",
                f"{location}'s DMARC applies to only pct={result['pct']}% of mail",
                subject,
            )
        )
    return result, found


def _tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, sep, value = part.partition("=")
        if sep:
            tags[name.strip().lower()] = value.strip()
    return tags


async def check_dkim(
    signatures: Sequence[DkimSignature], domain: str, dns: DnsCache, subject: str
) -> tuple[dict[str, object], list[Finding]]:
    """Each DKIM signature's key: present, parseable, not revoked, and how many bits."""
    found: list[Finding] = []
    result: dict[str, object] = {}
    for signature in signatures:
        name = f"{signature.selector}._domainkey.{signature.domain}"
        lookup = await dns.txt(name)
        records = [r for r in lookup.records if "p=" in r]
        if not records:
            result[signature.selector] = {"domain": signature.domain, "key": None}
            if not lookup.status.failed:
                found.append(finding("dkim-missing", f"no DKIM key at {name}", subject))
            continue
        tags = _tags(records[0])
        key_text = re.sub(r"\s+", "", tags.get("p", ""))
        entry: dict[str, object] = {"domain": signature.domain, "k": tags.get("k", "rsa")}
        if not key_text:
            found.append(
                finding("dkim-invalid", f"the DKIM key at {name} is revoked (empty p=)", subject)
            )
            entry["key"] = "revoked"
        else:
            bits, kind = _key_size(key_text)
            entry.update(key=kind, bits=bits)
            if kind is None:
                found.append(
                    finding("dkim-invalid", f"the DKIM key at {name} does not parse", subject)
                )
            elif kind == "rsa" and bits is not None and bits < 1024:
                found.append(
                    finding("dkim-weak-key", f"the DKIM key at {name} has {bits} bits", subject)
                )
        entry["aligned"] = organisational_domain(signature.domain) == organisational_domain(domain)
        result[signature.selector] = entry
    return result, found


def _key_size(key_text: str) -> tuple[int | None, str | None]:
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
