"""The difference between two audits of one campaign: links added or removed, destinations,
statuses, UTMs and categories changed, findings new and fixed.

Links are matched as a template is paired with its sent email (position and anchor text, which
survive an ESP rewriting every href), so "audit before and after the fix" and "template vs sent"
both read naturally.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlunsplit

from clickaudit.model import Audit, Finding, Link
from clickaudit.pair import pair_links
from clickaudit.report.json_report import finding_to_dict
from clickaudit.urls import split_url


@dataclass(frozen=True, slots=True)
class LinkChange:
    kind: str  # added, removed, destination, status, utm, category
    before: Link | None
    after: Link | None
    detail: str


@dataclass(frozen=True, slots=True)
class AuditDiff:
    a_label: str
    b_label: str
    changes: tuple[LinkChange, ...]
    findings_new: tuple[Finding, ...]
    findings_fixed: tuple[Finding, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.changes or self.findings_new or self.findings_fixed)


def diff_audits(a: Audit, b: Audit, *, a_label: str = "A", b_label: str = "B") -> AuditDiff:
    pairing = pair_links(b.links, a.links)
    before_by_id = {link.id: link for link in a.links}
    after_by_id = {link.id: link for link in b.links}
    changes: list[LinkChange] = []
    for after_id, before_id in pairing.pairs:
        before, after = before_by_id[before_id], after_by_id[after_id]
        if _comparable(before.destination) != _comparable(after.destination):
            changes.append(
                LinkChange(
                    "destination", before, after, f"{before.destination} → {after.destination}"
                )
            )
        if before.status_label != after.status_label:
            changes.append(
                LinkChange("status", before, after, f"{before.status_label} → {after.status_label}")
            )
        if dict(before.utm) != dict(after.utm):
            changes.append(
                LinkChange("utm", before, after, f"{dict(before.utm)} → {dict(after.utm)}")
            )
        if before.category != after.category:
            changes.append(
                LinkChange(
                    "category",
                    before,
                    after,
                    f"{_value(before.category)} → {_value(after.category)}",
                )
            )
    for before_id in pairing.unmatched_template:
        link = before_by_id[before_id]
        changes.append(LinkChange("removed", link, None, f"{link.text!r} → {link.href}"))
    for after_id in pairing.unmatched_sent:
        link = after_by_id[after_id]
        changes.append(LinkChange("added", None, link, f"{link.text!r} → {link.href}"))
    keys_a = {_finding_key(f, before_by_id) for f in a.all_findings()}
    keys_b = {_finding_key(f, after_by_id) for f in b.all_findings()}
    new = tuple(f for f in b.all_findings() if _finding_key(f, after_by_id) not in keys_a)
    fixed = tuple(f for f in a.all_findings() if _finding_key(f, before_by_id) not in keys_b)
    return AuditDiff(a_label, b_label, tuple(changes), new, fixed)


# Special-use names (RFC 2606, RFC 6761) and loopback addresses are test worlds: the simulator
# serves them on a random port each run, so a port change there is not a change of destination.
_TEST_SUFFIXES = (".example", ".test", ".invalid", ".localhost")


def _comparable(url: str | None) -> str | None:
    """``url`` as the diff compares it: without the port of a test-world host."""
    if not url:
        return url
    try:
        parts = split_url(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url
    if port is None or not _test_world(host):
        return url
    netloc = parts.netloc.rsplit(":", 1)[0]
    return urlunsplit(parts._replace(netloc=netloc))


def _test_world(host: str) -> bool:
    if host == "localhost" or host.endswith(_TEST_SUFFIXES):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _value(category: object) -> str:
    return getattr(category, "value", str(category))


def _finding_key(f: Finding, links: dict[int, Link]) -> tuple[str, str]:
    """A finding is "the same" across audits by its code and what it is about (link text or
    domain), not by link number, which shifts when links are added."""
    about = f.subject or ""
    if about.startswith("link:"):
        link = links.get(int(about.split(":", 1)[1]))
        about = f"link:{link.text if link else about}"
    return f.code, about


def render_diff_text(d: AuditDiff) -> str:
    lines = [f"Comparing {d.a_label} with {d.b_label}"]
    if d.unchanged:
        return lines[0] + ": no differences.\n"
    if d.changes:
        lines.append("")
        lines.append("Links:")
        for change in d.changes:
            link = change.after or change.before
            text = (link.text if link else "")[:40]
            lines.append(f"  {change.kind:<12} {text!r}: {change.detail}")
    for title, findings in (("New findings", d.findings_new), ("Fixed findings", d.findings_fixed)):
        if findings:
            lines.append("")
            lines.append(f"{title}:")
            lines.extend(f"  {f.severity.value:<8} {f.code}: {f.message}" for f in findings)
    return "\n".join(lines) + "\n"


def diff_to_dict(d: AuditDiff) -> dict[str, Any]:
    def link_ref(link: Link | None) -> dict[str, Any] | None:
        return None if link is None else {"id": link.id, "text": link.text, "href": link.href}

    return {
        "a": d.a_label,
        "b": d.b_label,
        "changes": [
            {
                "kind": c.kind,
                "before": link_ref(c.before),
                "after": link_ref(c.after),
                "detail": c.detail,
            }
            for c in d.changes
        ],
        "findings_new": [finding_to_dict(f) for f in d.findings_new],
        "findings_fixed": [finding_to_dict(f) for f in d.findings_fixed],
    }
