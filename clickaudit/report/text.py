"""The text report: what a person reads at a terminal, at a glance.

Layout per email: a header block (file, subject, from, ESP, counts), one table row per link
(id, category, ESP, status, anchor text, where it goes, its worst finding), then every finding
grouped by severity with its fix, then the domains. Long values are cut to fit the terminal
width; the JSON report has them whole.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence

from clickaudit.findings import worst
from clickaudit.model import Audit, Category, DomainReport, Finding, Link, Severity
from clickaudit.report.json_report import summary
from clickaudit.url_display import shorten_url

SEVERITY_MARK = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "·"}


def render(audits: Sequence[Audit], *, width: int | None = None) -> str:
    """The text report of several audits, separated by a blank line."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    width = max(80, min(width, 200))
    return "\n\n".join(render_one(a, width=width) for a in audits) + "\n"


def render_one(audit: Audit, *, width: int = 120) -> str:
    lines: list[str] = []
    email = audit.email
    counts = summary(audit)
    lines.append(_rule(f" {email.source.label} ", width))
    lines.append(f"Subject: {email.headers.subject or '(none)'}")
    if email.headers.from_:
        lines.append(f"From:    {email.headers.from_}")
    lines.append(f"ESP:     {audit.esp or 'not recognised'}")
    for note in email.notes:
        lines.append(f"Note:    {note}")
    lines.append(
        f"Links:   {counts['links']} ({counts['tracked']} tracked, {counts['wrapped']} wrapped, "
        f"{counts['direct']} direct, {counts['untrackable']} untrackable); "
        f"open pixels: {counts['pixels']}"
    )
    lines.append(
        f"Result:  {counts['errors']} errors, {counts['warnings']} warnings, "
        f"{counts['infos']} notes"
    )
    if audit.links:
        lines.append("")
        lines.extend(_link_table(audit.links, width))
    findings = audit.all_findings()
    if findings:
        lines.append("")
        lines.extend(_findings_block(findings, audit, width))
    if audit.domains:
        lines.append("")
        lines.extend(_domains_block(audit.domains, width))
    return "\n".join(lines)


def _link_table(links: Sequence[Link], width: int) -> list[str]:
    followed = any(link.chain or link.outcome for link in links)
    status_w = 12 if followed else 0
    fixed = 4 + 1 + 11 + 1 + 14 + 1 + (status_w + 1 if followed else 0) + 2
    text_w = 22
    rest = max(30, width - fixed - text_w - 1)
    where_w = rest * 3 // 5
    finding_w = rest - where_w - 1
    header = f"{'#':>4} {'category':<11} {'esp':<14} "
    if followed:
        header += f"{'result':<{status_w}} "
    header += f"{'text':<{text_w}} {'goes to':<{where_w}} worst finding"
    out = [header, "-" * min(width, len(header) + finding_w)]
    for link in links:
        category = link.category.value if link.category else "?"
        if link.category is Category.UNTRACKABLE and link.reason:
            category = link.reason.value
        row = f"{link.id:>4} {_cut(category, 11):<11} {_cut(link.esp or '', 14):<14} "
        if followed:
            row += f"{_cut(_result(link), status_w):<{status_w}} "
        goes_to = shorten_url(_goes_to(link), where_w)
        row += f"{_cut(link.text, text_w):<{text_w}} {goes_to:<{where_w}} "
        top = worst(link.findings)
        if top:
            row += f"{SEVERITY_MARK[top.severity]} {top.code}"
        out.append(row.rstrip())
    return out


def _result(link: Link) -> str:
    last = link.chain[-1] if link.chain else None
    hops = len(link.chain)
    if link.outcome in (None, "not-followed"):
        return "not followed" if link.outcome else ""
    status = str(last.status) if last and last.status else link.outcome or ""
    return f"{status} ({hops} hop{'s' if hops != 1 else ''})" if link.outcome == "ok" else status


def _goes_to(link: Link) -> str:
    if link.final_url:
        return link.final_url
    if link.decoded:
        return link.decoded
    if link.host_hint:
        return f"(opaque; host {link.host_hint})"
    if link.category is Category.TRACKED:
        return f"(opaque) {link.href}"
    return link.href


def _findings_block(findings: Iterable[Finding], audit: Audit, width: int) -> list[str]:
    out = ["Findings:"]
    ordered = sorted(findings, key=lambda f: -f.severity.rank)
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        group = [f for f in ordered if f.severity is severity]
        if not group:
            continue
        out.append(f"  {severity.value}s ({len(group)}):")
        shown_fixes: set[str] = set()
        for f in group:
            where = f"[{f.subject}] " if f.subject else ""
            out.append(_cut(f"    {SEVERITY_MARK[severity]} {f.code}: {where}{f.message}", width))
            if f.code not in shown_fixes:
                out.append(_cut(f"        fix: {f.fix}", width))
                shown_fixes.add(f.code)
    return out


def _domains_block(domains: Sequence[DomainReport], width: int) -> list[str]:
    out = ["Domains:"]
    for d in domains:
        roles = ", ".join(r.value for r in d.roles)
        facts = [roles]
        if d.cname:
            facts.append("CNAME " + " → ".join(d.cname))
        if d.esp:
            facts.append(f"ESP {d.esp}")
        if d.addresses:
            facts.append(", ".join(d.addresses[:3]))
        if d.tls is not None:
            if d.tls.ok:
                facts.append(f"TLS ok ({d.tls.version or '?'}, {d.tls.days_left} days left)")
            else:
                facts.append(f"TLS: {d.tls.error}")
        if d.auth is not None:
            facts.extend(_auth_facts(d))
        if d.blocklists:
            facts.append("LISTED on " + ", ".join(d.blocklists))
        elif d.blocklists_unchecked:
            facts.append("blocklists not checked: " + ", ".join(d.blocklists_unchecked))
        out.append(_cut(f"  {d.name}: " + "; ".join(facts), width))
    return out


def _auth_facts(domain: DomainReport) -> list[str]:
    """SPF, DMARC and DKIM in a few words each: what a consultant looks at first."""
    assert domain.auth is not None
    facts = []
    spf = domain.auth.spf
    if spf:
        if spf.get("record"):
            facts.append(
                f"SPF ({spf.get('all') or 'no'} all, {spf.get('lookups', '?')}/10 lookups)"
            )
        else:
            facts.append("no SPF")
    dmarc = domain.auth.dmarc
    if dmarc:
        facts.append(f"DMARC p={dmarc.get('p')}" if dmarc.get("record") else "no DMARC")
    for selector, key in domain.auth.dkim.items():
        if isinstance(key, dict):
            bits = key.get("bits")
            facts.append(
                f"DKIM {selector}: "
                + (f"{key.get('key')} {bits} bits" if bits else str(key.get("key")))
            )
    return facts


def _rule(title: str, width: int) -> str:
    return ("──" + title).ljust(width, "─")[:width]


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
