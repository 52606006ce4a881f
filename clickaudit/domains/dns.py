"""DNS lookups for the domain checks: CNAME chains, addresses and TXT records, cached per audit.

Every answer is kept with how it ended (:class:`~clickaudit.model.LookupStatus`: ok, nxdomain,
noanswer, servfail, timeout, resolver-unreachable), because a consultant needs to tell "the
domain does not exist" from "the resolver failed" — the first is a broken tracking domain, the
second says nothing about the domain.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

from clickaudit.model import LookupStatus

UNREACHABLE_AFTER = 3


@dataclass(frozen=True, slots=True)
class Lookup:
    """One name and record type: the records, the CNAME chain followed, and how it ended."""

    name: str
    rdtype: str
    records: tuple[str, ...] = ()
    cname_chain: tuple[str, ...] = ()
    status: LookupStatus = LookupStatus.OK

    @property
    def exists(self) -> bool:
        return self.status.exists


class DnsCache:
    """Lookups through one dnspython resolver; each (name, type) asked once per audit."""

    def __init__(self, resolver: dns.asyncresolver.Resolver) -> None:
        self.resolver = resolver
        self._cache: dict[tuple[str, str], asyncio.Task[Lookup]] = {}
        self.queries = 0
        self._answered = False
        self._unreachable = 0
        self._last_failure = LookupStatus.RESOLVER_UNREACHABLE

    async def lookup(self, name: str, rdtype: str) -> Lookup:
        key = (name.rstrip(".").lower(), rdtype)
        task = self._cache.get(key)
        if task is None:
            task = asyncio.ensure_future(self._lookup(*key))
            self._cache[key] = task
        return await asyncio.shield(task)

    async def _lookup(self, name: str, rdtype: str) -> Lookup:
        # A resolver that nothing reaches is not asked again and again (each attempt waits for
        # the whole timeout): after a few lookups unreachable or timed out and no answer at
        # all, every further lookup of the audit ends at once the same way.
        if not self._answered and self._unreachable >= UNREACHABLE_AFTER:
            return Lookup(name, rdtype, status=self._last_failure)
        self.queries += 1
        lookup = await self._ask(name, rdtype)
        if lookup.status in (LookupStatus.RESOLVER_UNREACHABLE, LookupStatus.TIMEOUT):
            self._unreachable += 1
            self._last_failure = lookup.status
        elif not lookup.status.failed:
            self._answered = True
        return lookup

    async def _ask(self, name: str, rdtype: str) -> Lookup:
        try:
            answer = await self.resolver.resolve(name, rdtype, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return Lookup(name, rdtype, status=LookupStatus.NXDOMAIN)
        except dns.resolver.NoNameservers as error:
            return Lookup(name, rdtype, status=_failure_status(error))
        except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
            return Lookup(name, rdtype, status=LookupStatus.TIMEOUT)
        except (dns.name.EmptyLabel, dns.name.LabelTooLong, dns.name.NameTooLong, ValueError):
            return Lookup(name, rdtype, status=LookupStatus.NXDOMAIN)
        chain = _cname_chain(answer, name)
        if answer.rrset is None:
            return Lookup(name, rdtype, cname_chain=chain, status=LookupStatus.NOANSWER)
        if rdtype == "TXT":
            records = tuple(b"".join(r.strings).decode("utf-8", "replace") for r in answer.rrset)
        else:
            records = tuple(r.to_text() for r in answer.rrset)
        return Lookup(name, rdtype, records, chain)

    def statuses(self) -> list[LookupStatus]:
        """How each finished lookup of this audit ended."""
        return [
            task.result().status
            for task in self._cache.values()
            if task.done() and not task.cancelled() and task.exception() is None
        ]

    async def txt(self, name: str) -> Lookup:
        return await self.lookup(name, "TXT")


def _failure_status(error: dns.resolver.NoNameservers) -> LookupStatus:
    """SERVFAIL when some nameserver answered (with an error code); resolver-unreachable when
    none could be reached at all (every attempt failed at the socket, no response)."""
    attempts = error.kwargs.get("errors") or []
    reached = any(attempt[-1] is not None for attempt in attempts)
    if attempts and not reached and all(isinstance(a[-2], OSError) for a in attempts):
        return LookupStatus.RESOLVER_UNREACHABLE
    return LookupStatus.SERVFAIL


def _cname_chain(answer: dns.resolver.Answer, name: str) -> tuple[str, ...]:
    """The CNAME targets from ``name`` on, in order, as the response listed them."""
    targets: dict[str, str] = {}
    for rrset in answer.response.answer:
        if rrset.rdtype == dns.rdatatype.CNAME:
            for record in rrset:
                targets[rrset.name.to_text().rstrip(".").lower()] = (
                    record.target.to_text().rstrip(".").lower()
                )
    chain: list[str] = []
    current = name.rstrip(".").lower()
    while current in targets and len(chain) < 16:
        current = targets[current]
        chain.append(current)
    return tuple(chain)
