"""The audit-level finding when DNS could not be asked: said once, not once per domain."""

from __future__ import annotations

from collections.abc import Sequence

from clickaudit.findings import finding
from clickaudit.model import DomainReport, Finding


def judge_dns_reach(domains: Sequence[DomainReport]) -> tuple[Finding, ...]:
    """One ``dns-not-checked`` finding when the domain checks could not ask the resolver."""
    reason = next((d.dns_error for d in domains if d.dns_error), None)
    if reason is None:
        return ()
    unchecked = sum(1 for d in domains if d.dns_error)
    noun = "domain" if unchecked == 1 else "domains"
    return (
        finding(
            "dns-not-checked",
            f"DNS could not be checked: {reason}; {unchecked} {noun} not checked",
        ),
    )
