"""The text report: what a person reads at a terminal, at a glance.

Layout per email: a header block (file, subject, from, ESP, counts), one table row per link
(id, category, ESP, result, anchor text, where it goes, its worst finding), then the findings
grouped by code with their counts and the fix once, then the domains. rich lays the tables out
and wraps long values to the terminal's width instead of cutting them; URLs are shortened by the
engine's one rule (host, end of path, query keys) and the JSON report has them whole.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from clickaudit.findings import worst
from clickaudit.model import Audit, Category, DomainReport, Link, Severity
from clickaudit.report.groups import (
    SEVERITIES,
    FindingGroup,
    count_phrase,
    group_findings,
    id_ranges,
    plural,
)
from clickaudit.report.json_report import summary
from clickaudit.report.layers import layers_line
from clickaudit.url_display import shorten_url

SEVERITY_MARK = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "·"}
_EXAMPLES = 3


def render(audits: Sequence[Audit], *, width: int | None = None) -> str:
    """The text report of several audits, separated by a blank line, laid out for ``width``
    columns (the terminal's, or 120 when there is none)."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    width = max(40, min(width, 240))
    return "\n\n".join(render_one(a, width=width) for a in audits) + "\n"


def render_one(audit: Audit, *, width: int = 120) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system=None,
        force_terminal=False,
        no_color=True,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    for part in _parts(audit, width):
        console.print(part)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").split("\n"))


def _parts(audit: Audit, width: int) -> list[RenderableType]:
    email = audit.email
    counts = summary(audit)
    title = f"── {email.source.label} "
    parts: list[RenderableType] = [Text(title + "─" * max(0, width - len(title)), overflow="fold")]
    facts = Table.grid(padding=(0, 1))
    facts.add_column(no_wrap=True)
    facts.add_column(overflow="fold")
    facts.add_row("Subject:", email.headers.subject or "(none)")
    if email.headers.from_:
        facts.add_row("From:", email.headers.from_)
    facts.add_row("ESP:", audit.esp or "not recognised")
    for note in email.notes:
        facts.add_row("Note:", note.text)
    facts.add_row(
        "Links:",
        f"{counts['links']} ({counts['tracked']} tracked, {counts['wrapped']} wrapped, "
        f"{counts['direct']} direct, {counts['untrackable']} untrackable); "
        f"open pixels: {counts['pixels']}",
    )
    every = audit.all_findings()
    facts.add_row(
        "Result:",
        ", ".join(count_phrase(s, sum(1 for f in every if f.severity is s)) for s in SEVERITIES),
    )
    parts.append(facts)
    if audit.links:
        parts.append(Text(""))
        parts.append(_link_table(audit.links, width))
        parts.extend(_layers_block(audit.links))
    groups = group_findings(audit)
    if groups:
        parts.append(Text(""))
        parts.append(_findings_block(groups, width))
    if audit.domains:
        parts.append(Text(""))
        parts.append(_domains_block(audit.domains))
    return parts


NARROW = 100  # below this a link's columns leave too little room for where it goes


def _link_table(links: Sequence[Link], width: int) -> Table:
    """One row per link; the category cell names the ESP or wrapper under it, so the columns
    that need room (text, where it goes) get it. Below ``NARROW`` columns the fixed columns
    (category, result, worst finding) would leave a few characters for the text and the host,
    so each link is stacked instead: what it is on one line, what it says and where it goes
    on the next, with the whole width for the URL."""
    if width < NARROW:
        return _link_stack(links, width)
    followed = any(link.chain or link.outcome for link in links)
    marks = [_worst_mark(link) for link in links]
    table = Table(
        box=None,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        header_style="",
        expand=True,
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("category", overflow="fold", max_width=16)
    if followed:
        table.add_column("result", overflow="fold", max_width=14)
    table.add_column("text", overflow="fold", ratio=2, min_width=10)
    table.add_column("goes to", overflow="fold", ratio=5)
    table.add_column(
        "worst finding",
        no_wrap=True,
        min_width=max([13, *(len(m) for m in marks)]),
    )
    # Where a link goes gets about 5/7 of what the fixed columns leave; a URL is shortened (by
    # the engine's rule) to two lines of that, and rich wraps it instead of cutting it.
    fixed = 4 + 17 + (15 if followed else 0) + max([13, *(len(m) for m in marks)]) + 1
    url_limit = max(24, 2 * (width - fixed) * 5 // 7 - 2)
    for link, mark in zip(links, marks, strict=True):
        category = _category_label(link)
        by = link.esp or " > ".join(link.wrappers)
        row = [str(link.id), f"{category}\n{by}" if by else category]
        if followed:
            row.append(link.status_label)
        row += [_one_line(link.text, 120), shorten_url(_goes_to(link), url_limit), mark]
        table.add_row(*row)
    return table


def _link_stack(links: Sequence[Link], width: int) -> Table:
    """Narrow terminals: ``#  category · ESP  result  worst finding`` then, indented,
    ``"text" → where it goes`` (the URL shortened to two lines of what is left, host kept)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", no_wrap=True)
    table.add_column(overflow="fold")
    room = max(20, width - max(len(str(link.id)) for link in links) - 1)
    for link in links:
        head = Text(_category_label(link))
        by = link.esp or " > ".join(link.wrappers)
        if by:
            head.append(f" · {by}")
        for extra in (link.status_label, _worst_mark(link)):
            if extra:
                head.append(f"   {extra}")
        said = _one_line(link.text, 40)
        lead = f"“{said}” → " if said else "→ "
        url_limit = max(24, 2 * room - len(lead) - 2)
        table.add_row(str(link.id), head)
        table.add_row("", Text(_folded(lead + shorten_url(_goes_to(link), url_limit), room)))
    return table


def _folded(line: str, width: int) -> str:
    """``line`` cut every ``width`` characters: rich would move a URL whole to the next line
    after the text before it (it breaks at spaces), wasting a line at every link."""
    return "\n".join(line[start : start + width] for start in range(0, len(line), width))


def _category_label(link: Link) -> str:
    category = link.category.value if link.category else "?"
    if link.category is Category.UNTRACKABLE and link.reason:
        category = link.reason.value
    return category


def _worst_mark(link: Link) -> str:
    top = worst(link.findings)
    return f"{SEVERITY_MARK[top.severity]} {top.code}" if top else ""


def _layers_block(links: Sequence[Link]) -> list[RenderableType]:
    """Links with more than one layer, or a tracker nobody named, get their peeled path:
    written link → wrapper(s) → tracker → destination, one line each (rich wraps long ones)."""
    shown = [
        link
        for link in links
        if len(link.layers) > 1 or any(not layer.name for layer in link.layers)
    ]
    if not shown:
        return []
    lines = Table.grid(padding=(0, 1))
    lines.add_column(justify="right", no_wrap=True)
    lines.add_column(overflow="fold")
    for link in shown:
        lines.add_row(str(link.id), layers_line(link))
    return [Text(""), Text("Layers (written link → … → destination):"), lines]


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


def _findings_block(groups: Sequence[FindingGroup], width: int) -> RenderableType:
    """One entry per code: mark, severity and headline; then the messages (a few examples when
    a code repeats), indented; then the fix, indented under them."""
    lines: list[RenderableType] = [Text("Findings:")]
    for g in groups:
        lines.append(
            Padding(
                Text(f"{SEVERITY_MARK[g.severity]} {g.severity.value}  {g.headline}"),
                (0, 0, 0, 2),
            )
        )
        details: list[str] = []
        subjects_by_message: dict[str, list[str | None]] = {}
        for f in g.findings:
            subjects_by_message.setdefault(f.message, []).append(f.subject)
        messages = [_located(subjects, m) for m, subjects in subjects_by_message.items()]
        details.extend(messages[:_EXAMPLES])
        if len(messages) > _EXAMPLES:
            rest = [
                i
                for subjects in list(subjects_by_message.values())[_EXAMPLES:]
                for subject in subjects
                if subject and subject.startswith("link:") and (i := _int(subject[5:]))
            ]
            details.append(
                f"… and {plural(len(messages) - _EXAMPLES, 'more message')}"
                + (f" (links {id_ranges(rest)})" if rest else "")
            )
        for text in details:
            lines.append(Padding(Text(text), (0, 0, 0, 6)))
        for fix in g.fixes:
            lines.append(Padding(Text(f"fix: {fix}"), (0, 0, 0, 6)))
    return Group(*lines)


def _located(subjects: Sequence[str | None], message: str) -> str:
    """``[links 1–2] message``, ``[domain example.com] message``, or the message alone."""
    link_ids = [int(s[5:]) for s in subjects if s and s.startswith("link:") and s[5:].isdigit()]
    others = list(dict.fromkeys(s for s in subjects if s and not s.startswith("link:")))
    where = []
    if link_ids:
        where.append(("link " if len(set(link_ids)) == 1 else "links ") + id_ranges(link_ids, 6))
    where.extend(s.replace(":", " ", 1) for s in others)
    return f"[{'; '.join(where)}] {message}" if where else message


def _domains_block(domains: Sequence[DomainReport]) -> RenderableType:
    out: list[RenderableType] = [Text("Domains:")]
    for d in domains:
        roles = ", ".join(r.value for r in d.roles)
        facts = [roles]
        if d.dns_error:
            out.append(Padding(Text(f"{d.name}: {roles}; not checked (DNS)"), (0, 0, 0, 2)))
            continue
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
        out.append(Padding(Text(f"{d.name}: " + "; ".join(facts)), (0, 0, 0, 2)))
    return Group(*out)


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


def _one_line(text: str, limit: int) -> str:
    """Anchor text on one logical line (rich wraps it), cut only when it is very long."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None
