"""Findings grouped by code, worst first: what every report shows instead of one line each.

One email can carry 46 identical ``redirect-unreachable`` errors; a person needs "46 links —
redirect-unreachable", the fix once, and the links it concerns. The terminal report, the HTML
report and the desktop app's findings view all group through :func:`group_findings`, so they
agree on the groups, their order and their counts. Counting words (``1 error``, ``2 warnings``)
come from :func:`count_phrase` so plurals are right everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clickaudit.findings import CATALOGUE
from clickaudit.model import Audit, Finding, Severity

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_NOUNS = {Severity.ERROR: ("error", "errors"), Severity.WARNING: ("warning", "warnings")}


@dataclass(frozen=True, slots=True)
class FindingGroup:
    """Every finding of one code in one audit.

    Attributes:
        code: the catalogue code.
        severity: the worst severity among the group's findings.
        title: the catalogue's title for the code (the code itself when it has none).
        findings: the findings, in the audit's order (message, links, domains).
        link_ids: the ids of the links the group concerns, in order, each once.
        domains: the domain names the group concerns, each once.
    """

    code: str
    severity: Severity
    title: str
    findings: tuple[Finding, ...]
    link_ids: tuple[int, ...]
    domains: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def fixes(self) -> tuple[str, ...]:
        """The distinct fixes, usually one."""
        return tuple(dict.fromkeys(f.fix for f in self.findings if f.fix))

    @property
    def headline(self) -> str:
        """``46 links — redirect-unreachable``, ``1 domain — dmarc-weak``, ``redirect-loop``."""
        return f"{self.scope()} — {self.code}" if self.scope() else self.code

    def scope(self) -> str:
        parts = []
        if self.link_ids:
            parts.append(plural(len(self.link_ids), "link"))
        if self.domains:
            parts.append(plural(len(self.domains), "domain"))
        others = self.count - sum(1 for f in self.findings if _link_id(f) or _domain(f))
        if others and parts:
            parts.append("the message")
        return ", ".join(parts)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 link``, ``2 links``, ``0 links``."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def count_phrase(severity: Severity, count: int) -> str:
    """``1 error``, ``3 warnings``, ``2 info``: the one severity vocabulary of every report."""
    if severity is Severity.INFO:
        return f"{count} info"
    one, many = _NOUNS[severity]
    return plural(count, one, many)


def severity_counts(findings: Sequence[Finding]) -> str:
    """``2 errors, 5 warnings, 1 info`` (every severity named, zeros included)."""
    return ", ".join(
        count_phrase(s, sum(1 for f in findings if f.severity is s)) for s in SEVERITIES
    )


def group_findings(audit: Audit) -> list[FindingGroup]:
    """The audit's findings grouped by code: errors first, then by how many, then by code."""
    return group(audit.all_findings())


def group(findings: Sequence[Finding]) -> list[FindingGroup]:
    by_code: dict[str, list[Finding]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f)
    groups = []
    for code, members in by_code.items():
        severity = max((f.severity for f in members), key=lambda s: s.rank)
        check = CATALOGUE.get(code)
        groups.append(
            FindingGroup(
                code=code,
                severity=severity,
                title=check.title if check else code,
                findings=tuple(members),
                link_ids=tuple(dict.fromkeys(i for f in members if (i := _link_id(f)))),
                domains=tuple(dict.fromkeys(d for f in members if (d := _domain(f)))),
            )
        )
    groups.sort(key=lambda g: (-g.severity.rank, -g.count, g.code))
    return groups


def _link_id(f: Finding) -> int | None:
    if f.subject and f.subject.startswith("link:"):
        try:
            return int(f.subject[5:])
        except ValueError:
            return None
    return None


def _domain(f: Finding) -> str | None:
    if f.subject and f.subject.startswith("domain:"):
        return f.subject[7:]
    return None


def link_id_of(f: Finding) -> int | None:
    """The link a finding is about, if it is about one."""
    return _link_id(f)


def id_ranges(ids: Sequence[int], limit: int = 12) -> str:
    """``3–7, 9, 12`` for link ids; past ``limit`` runs, ``… and N more``."""
    runs: list[tuple[int, int]] = []
    for i in sorted(set(ids)):
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    shown = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:limit]]
    rest = sum(b - a + 1 for a, b in runs[limit:])
    return ", ".join(shown) + (f" and {rest} more" if rest else "")
