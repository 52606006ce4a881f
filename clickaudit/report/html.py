"""A self-contained HTML report a consultant can send to a customer.

Summary first, then findings by severity with their fixes, then every link with its redirect
chain and UTM table, then the domains. Nothing is loaded from anywhere: the stylesheet is inline,
there are no images, scripts or fonts, and links in the report are plain text the reader can
copy (an HTML report must not fire an open pixel or a click when opened). It prints cleanly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from clickaudit import __version__
from clickaudit.findings import CATALOGUE, worst
from clickaudit.model import Audit, DomainReport, Finding, Link
from clickaudit.report.groups import (
    SEVERITIES,
    FindingGroup,
    count_phrase,
    group_findings,
    id_ranges,
    plural,
    severity_counts,
)
from clickaudit.report.json_report import summary
from clickaudit.report.layers import layers_line
from clickaudit.report.timeline import Change, ParamChange, hop_rows, layers
from clickaudit.url_display import shorten_url

_EXAMPLES = 3
STYLE = """
:root { --err:#b42318; --warn:#b54708; --info:#475467; --ok:#067647; --line:#d0d5dd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color:#101828; margin: 0 auto; max-width: 1180px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color:#475467; } .meta b { color:#101828; }
.cards { display:flex; gap:12px; flex-wrap:wrap; margin:16px 0; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 14px; min-width:120px; }
.card .n { font-size:22px; font-weight:600; } .card.err .n { color:var(--err); }
.card.warn .n { color:var(--warn); } .card.ok .n { color:var(--ok); }
table { border-collapse: collapse; width:100%; margin: 6px 0 12px; }
th, td { text-align:left; vertical-align:top; padding:5px 8px;
         border-bottom:1px solid var(--line); }
th { background:#f2f4f7; font-weight:600; }
td.url, .url { font-family: ui-monospace, Menlo, Consolas, monospace; font-size:12px;
               word-break: break-all; }
.sev { font-weight:600; white-space:nowrap; } .sev.error { color:var(--err); }
.sev.warning { color:var(--warn); } .sev.info { color:var(--info); }
.finding { border-left:4px solid var(--line); padding:6px 10px; margin:6px 0; }
.finding.error { border-color:var(--err); } .finding.warning { border-color:var(--warn); }
.finding .fix { color:#344054; margin-left:1.2em; }
.finding ul { margin:4px 0; padding-left:1.2em; } .tag { font-size:12px; color:#475467; }
details.link { border:1px solid var(--line); border-radius:6px; margin:6px 0; padding:6px 10px; }
details.link summary { cursor:pointer; }
.layers { margin:6px 0; } .newhost { color:#175cd3; }
.chg { font-family: ui-monospace, Menlo, Consolas, monospace; font-size:12px; padding:0 3px;
       border-radius:3px; background:#fef0c7; white-space:nowrap; }
.chg.lost, .lost { background:#fee4e2; color:var(--err); font-weight:600; }
tr.lostrow td { background:#fffbfa; }
footer { margin-top:32px; color:#667085; font-size:12px; }
@media print {
  body { padding:0; max-width:none; font-size:11px; }
  details.link { break-inside: avoid; }
  details.link > *:not(summary) { display:block; }
  h2 { break-after: avoid; }
}
"""


def render(audits: Sequence[Audit]) -> str:
    return (
        head(title_of(audits[0] if len(audits) == 1 else None))
        + "\n".join(section(audit) for audit in audits)
        + tail()
    )


def title_of(only: Audit | None) -> str:
    """The page's title: the email's subject for a report of one email (``only``), else none."""
    if only is None:
        return "clickaudit report"
    return f"clickaudit: {only.email.headers.subject or only.email.source.label}"


def head(title: str) -> str:
    """The document up to the first email's section."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
    )


def tail() -> str:
    """The document after the last email's section."""
    return (
        f"\n<footer>Made by clickaudit {escape(__version__)}. Links are shown as text: opening "
        "this report requests nothing.</footer></body></html>\n"
    )


def section(audit: Audit) -> str:
    """One email's part of the page (sections are joined by a newline)."""
    email = audit.email
    counts = summary(audit)
    parts = [
        f"<h1>{escape(email.headers.subject or email.source.label)}</h1>",
        '<p class="meta">'
        + " · ".join(
            f"<b>{escape(k)}</b> {escape(v)}"
            for k, v in (
                ("File", email.source.label),
                ("From", email.headers.from_),
                ("ESP", audit.esp or "not recognised"),
                ("Audited", audit.finished_at or audit.started_at),
            )
            if v
        )
        + "</p>",
        '<div class="cards">'
        + _card("Links", counts["links"])
        + _card("Tracked", counts["tracked"])
        + _card("Wrapped", counts["wrapped"])
        + _card("Direct", counts["direct"])
        + _card("Untrackable", counts["untrackable"])
        + _card("Errors", counts["errors"], "err" if counts["errors"] else "ok")
        + _card("Warnings", counts["warnings"], "warn" if counts["warnings"] else "ok")
        + "</div>",
    ]
    groups = group_findings(audit)
    if groups:
        counted = escape(severity_counts(audit.all_findings()))
        parts.append(f'<h2>Findings <span class="tag">{counted}</span></h2>')
        for severity in SEVERITIES:
            of_severity = [g for g in groups if g.severity is severity]
            if of_severity:
                total = sum(g.count for g in of_severity)
                parts.append(f"<h3>{escape(count_phrase(severity, total).capitalize())}</h3>")
                parts.extend(_group(g) for g in of_severity)
    parts.append("<h2>Links</h2>")
    parts.append(_link_table(audit.links))
    parts.extend(
        _link_detail(link) for link in audit.links if link.chain or link.utm or link.findings
    )
    if audit.domains:
        parts.append("<h2>Domains</h2>")
        parts.append(_domains(audit.domains))
    return "\n".join(parts)


def _card(label: str, value: int, kind: str = "") -> str:
    return f'<div class="card {kind}"><div class="n">{value}</div>{escape(label)}</div>'


def _group(g: FindingGroup) -> str:
    """One code: its title and count, a few of its messages with the links they name, the
    fix once."""
    by_message: dict[str, list[str]] = {}
    for f in g.findings:
        by_message.setdefault(f.message, []).append(f.subject or "")
    items = []
    for message, subjects in list(by_message.items())[:_EXAMPLES]:
        where = _where(subjects)
        tag = f'<span class="tag">{escape(where)}</span> ' if where else ""
        items.append(f"<li>{tag}{escape(message)}</li>")
    if len(by_message) > _EXAMPLES:
        items.append(
            f"<li>… and {escape(plural(len(by_message) - _EXAMPLES, 'more message'))}</li>"
        )
    fixes = "".join(f'<div class="fix">Fix: {escape(fix)}</div>' for fix in g.fixes)
    scope = g.scope()
    return (
        f'<div class="finding {g.severity.value}"><span class="sev {g.severity.value}">'
        f'{escape(g.title)}</span> <span class="tag">{escape(g.code)}</span>'
        + (f" <b>{escape(scope)}</b>" if scope else "")
        + f"<ul>{''.join(items)}</ul>{fixes}</div>"
    )


def _where(subjects: Sequence[str]) -> str:
    ids = [int(s[5:]) for s in subjects if s.startswith("link:") and s[5:].isdigit()]
    others = list(
        dict.fromkeys(s.replace(":", " ", 1) for s in subjects if s and not s.startswith("link:"))
    )
    where = [("link " if len(set(ids)) == 1 else "links ") + id_ranges(ids, 8)] if ids else []
    return "; ".join(where + others)


def _finding(f: Finding) -> str:
    check = CATALOGUE.get(f.code)
    title = check.title if check else f.code
    about = f' <span class="tag">{escape(f.subject)}</span>' if f.subject else ""
    return (
        f'<div class="finding {f.severity.value}"><span class="sev {f.severity.value}">'
        f'{escape(title)}</span> <span class="tag">{escape(f.code)}</span>{about}'
        f'<div>{escape(f.message)}</div><div class="fix">Fix: {escape(f.fix)}</div></div>'
    )


def _link_table(links: Iterable[Link]) -> str:
    rows = []
    for link in links:
        top = worst(link.findings)
        status = link.status_label
        category = (
            link.reason.value if link.reason else (link.category.value if link.category else "")
        )
        rows.append(
            "<tr>"
            f"<td>{link.id}</td><td>{escape(category)}</td><td>{escape(link.esp or '')}</td>"
            f"<td>{escape(link.text[:80])}</td>"
            + _short_url(link.destination or link.href)
            + f"<td>{escape(status)}</td>"
            + (
                f'<td class="sev {top.severity.value}">{escape(top.code)}</td>'
                if top
                else "<td></td>"
            )
            + "</tr>"
        )
    return (
        "<table><thead><tr><th>#</th><th>Category</th><th>ESP</th><th>Text</th>"
        "<th>Goes to</th><th>Result</th><th>Worst finding</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _short_url(url: str, limit: int = 64) -> str:
    """A table cell with the URL shortened for reading; the full URL is its tooltip and is
    written whole in the link's details below."""
    return f'<td class="url" title="{escape(url)}">{escape(shorten_url(url, limit))}</td>'


def _link_detail(link: Link) -> str:
    parts = [
        f'<details class="link"><summary>Link {link.id}: {escape(link.text[:80] or link.href[:80])}'
        "</summary>",
        f'<p class="url">{escape(link.href)}</p>',
    ]
    if link.layers and not link.chain:  # a followed chain's timeline draws its own layers line
        parts.append(f'<p class="layers">{escape(layers_line(link))}</p>')
    if link.decoded:
        parts.append(f'<p>Decoded destination: <span class="url">{escape(link.decoded)}</span></p>')
    if link.expected:
        parts.append(
            f'<p>Expected (template): <span class="url">{escape(link.expected)}</span></p>'
        )
    if link.chain:
        parts.append(_timeline(link))
    if link.utm:
        parts.append(
            "<table><thead><tr><th>UTM parameter</th><th>Value</th></tr></thead><tbody>"
            + "".join(
                f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in link.utm.items()
            )
            + "</tbody></table>"
        )
    parts.extend(_finding(f) for f in link.findings)
    parts.append("</details>")
    return "".join(parts)


def _timeline(link: Link) -> str:
    """The layers line, then one row per hop with what it changed against the hop before; a
    UTM parameter lost at a hop is red at that hop."""
    steps = []
    for layer in layers(link):
        step = f"<b>{escape(layer.label)}</b>"
        if layer.url and layer.kind in ("written", "destination"):
            step += f' <span class="url" title="{escape(layer.url)}">'
            step += f"{escape(shorten_url(layer.url, 56))}</span>"
        steps.append(step)
    rows = []
    for row in hop_rows(link):
        hop = row.hop
        changes = " ".join(
            f'<span class="chg {c.change.value}{" lost" if c.name in row.utm_lost else ""}" '
            f'title="{escape(_change_title(c))}">{escape(c.label)}</span>'
            for c in row.changes
        )
        if row.utm_lost:
            changes = f'<span class="lost">lost {escape(", ".join(row.utm_lost))}</span> ' + changes
        host = ' class="url newhost"' if row.new_host else ' class="url"'
        rows.append(
            f"<tr{' class=lostrow' if row.utm_lost else ''}><td>{row.number}</td>"
            f'<td{host} title="{escape(hop.url)}">{escape(hop.url)}</td>'
            f"<td>{hop.status or '—'}</td><td>{escape(hop.kind.value)}</td>"
            f"<td>{hop.ms:.0f}</td><td>{changes}</td>"
            f"<td>{escape(hop.error or '')}</td></tr>"
        )
    return (
        f'<p class="layers">{" → ".join(steps)}</p>'
        '<table class="timeline"><thead><tr><th>Hop</th><th>URL</th><th>Status</th><th>Kind</th>'
        "<th>ms</th><th>Changed against the previous hop</th><th>Note</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _change_title(c: ParamChange) -> str:
    if c.change is Change.ADDED:
        return f"added {c.name}={c.after}"
    if c.change is Change.REMOVED:
        return f"removed {c.name}={c.before}"
    return f"{c.name}: {c.before} → {c.after}"


def _blocklists(domain: DomainReport) -> str:
    listed = ", ".join(domain.blocklists) or "not listed"
    if domain.blocklists_unchecked:
        listed += f" (not checked: {', '.join(domain.blocklists_unchecked)})"
    return listed


def _domains(domains: Sequence[DomainReport]) -> str:
    rows = []
    for d in domains:
        if d.dns_error:
            rows.append(
                f"<tr><td>{escape(d.name)}</td>"
                f"<td>{escape(', '.join(r.value for r in d.roles))}</td>"
                '<td colspan="5">not checked: DNS could not be asked</td></tr>'
            )
            continue
        tls = ""
        if d.tls is not None:
            tls = (
                f"ok, {d.tls.version or '?'}, {d.tls.days_left} days left, {d.tls.issuer or ''}"
                if d.tls.ok
                else f"{d.tls.error}"
            )
        auth = ""
        if d.auth is not None:
            auth = "; ".join(
                f"{name.upper()} {escape(str(value.get('record') or value))[:120]}"
                for name, value in (("spf", d.auth.spf), ("dmarc", d.auth.dmarc))
                if value
            )
        rows.append(
            f"<tr><td>{escape(d.name)}</td><td>{escape(', '.join(r.value for r in d.roles))}</td>"
            f'<td class="url">{escape(" → ".join(d.cname))}</td><td>{escape(d.esp or "")}</td>'
            f"<td>{escape(tls)}</td><td>{auth}</td><td>{escape(_blocklists(d))}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Domain</th><th>Roles</th><th>CNAME</th><th>ESP</th><th>TLS</th>"
        "<th>Authentication</th><th>Blocklists</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
