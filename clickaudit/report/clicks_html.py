"""The click-forensics section of the HTML report: rates, two inline SVG charts, findings, links.

Inline SVG, no script and no font or image from anywhere, like the rest of the report: opening
it must not fire a pixel. The charts are the app's two: clicks by seconds after delivery stacked
by verdict, and clicks per link stacked by verdict.
"""

from __future__ import annotations

from html import escape

from clickaudit.clicks.judge import REASON_TEXT
from clickaudit.clicks.model import ClickReport, HistogramBin, LinkClicks, Reason
from clickaudit.report.html import STYLE
from clickaudit.url_display import shorten_url

COLOURS = {
    "human": "#2e7d32",
    "likely_scanner": "#ef6c00",
    "scanner": "#c62828",
    "unknown": "#757575",
}
LABELS = {
    "human": "human",
    "likely_scanner": "likely scanner",
    "scanner": "scanner",
    "unknown": "unknown",
}
ORDER = ("human", "likely_scanner", "scanner", "unknown")
CLICK_STYLE = """
.clicks svg { max-width:100%; height:auto; font: 11px -apple-system, "Segoe UI", Roboto,
              Helvetica, Arial, sans-serif; }
.clicks .charts { display:flex; gap:24px; flex-wrap:wrap; align-items:flex-start; }
.clicks .legend span { display:inline-block; margin-right:14px; }
.clicks .legend i { display:inline-block; width:10px; height:10px; margin-right:4px;
                    vertical-align:-1px; }
.clicks td.n { text-align:right; font-variant-numeric: tabular-nums; }
"""


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def section(report: ClickReport) -> str:
    """The ``<section>`` for one click analysis (embed it in a report page)."""
    s = report.summary
    stats = report.stats
    cards = "".join(
        f'<div class="card{kind}"><div class="n">{value}</div>{escape(label)}</div>'
        for label, value, kind in (
            ("click rate (ESP)", _percent(s.click_rate_raw), ""),
            ("click rate (people)", _percent(s.click_rate_human), " ok"),
            ("clicks", f"{s.clicks:,}", ""),
            ("scanner", f"{s.scanner:,}", " err"),
            ("likely scanner", f"{s.likely_scanner:,}", " warn"),
            ("human", f"{s.human:,}", " ok"),
            ("unique human clickers", f"{s.unique_human_clickers:,}", ""),
        )
    )
    delivered = f"{s.delivered:,} delivered" if s.delivered else "no delivered count"
    findings = "".join(
        f'<div class="finding warning"><span class="sev warning">warning</span> '
        f'<b>{escape(f.code)}</b>: {escape(f.message)}<div class="fix">Fix: {escape(f.fix)}'
        "</div></div>"
        for f in report.findings
    )
    skipped = ""
    if stats.skipped_total:
        items = "".join(
            f"<li>{escape(k.source)} line {k.line}: {escape(k.problem)}</li>"
            for k in stats.skipped[:10]
        )
        more = stats.skipped_total - min(10, len(stats.skipped))
        skipped = (
            f"<p>{stats.skipped_total:,} record(s) skipped:</p><ul>{items}"
            + (f"<li>… and {more:,} more</li>" if more > 0 else "")
            + "</ul>"
        )
    reasons = "".join(f"<li><code>{r.value}</code>: {escape(REASON_TEXT[r])}</li>" for r in Reason)
    return (
        '<section class="clicks"><h2>Clicks: people and scanners</h2>'
        f'<p class="meta">{escape(", ".join(report.sources))} — '
        f"{escape(', '.join(stats.formats) or 'no known format')}; {stats.read:,} events read, "
        f"{stats.unmatched:,} clicks on no link of this email; {delivered}.</p>"
        f'<div class="cards">{cards}</div>{findings}'
        f'<div class="legend">{_legend()}</div>'
        f'<div class="charts">{histogram_svg(report.histogram)}{links_svg(report.links)}</div>'
        f"{_links_table(report.links)}{skipped}"
        f"<h3>What the reasons mean</h3><ul>{reasons}</ul></section>"
    )


def render_page(report: ClickReport) -> str:
    """A self-contained page holding only the click section."""
    title = f"clickaudit clicks — {report.email_subject or report.email_path}"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{STYLE}{CLICK_STYLE}</style></head><body>"
        f"<h1>{escape(report.email_subject or report.email_path)}</h1>"
        f'<p class="meta">{escape(report.email_path)}</p>{section(report)}</body></html>\n'
    )


def _legend() -> str:
    return "".join(
        f'<span><i style="background:{COLOURS[k]}"></i>{LABELS[k]}</span>' for k in ORDER
    )


def _counts(item: HistogramBin | LinkClicks) -> list[tuple[str, int]]:
    return [(key, int(getattr(item, key))) for key in ORDER]


def histogram_svg(bins: tuple[HistogramBin, ...], width: int = 640, height: int = 260) -> str:
    """Vertical stacked bars: clicks per band of seconds after delivery."""
    left, bottom, top = 48, 40, 24
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max((sum(n for _, n in _counts(b)) for b in bins), default=0) or 1
    step = plot_w / max(1, len(bins))
    bars = []
    for number, b in enumerate(bins):
        x = left + number * step + step * 0.15
        y = float(top + plot_h)
        for key, count in _counts(b):
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            bars.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[key]}"><title>{escape(b.label)}: {count:,} {LABELS[key]}'
                "</title></rect>"
            )
        bars.append(
            f'<text x="{left + number * step + step / 2:.1f}" y="{top + plot_h + 14}" '
            f'text-anchor="middle">{escape(b.label)}</text>'
        )
    ticks = "".join(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h * (1 - f):.1f}" '
        f'y2="{top + plot_h * (1 - f):.1f}" stroke="#eaecf0"/>'
        f'<text x="{left - 6}" y="{top + plot_h * (1 - f) + 4:.1f}" text-anchor="end">'
        f"{round(peak * f):,}</text>"
        for f in (0, 0.25, 0.5, 0.75, 1)
    )
    return (
        f'<svg role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg"><title>Clicks by seconds after delivery, by verdict'
        f'</title><text x="{left}" y="14" font-weight="600">Clicks by seconds after delivery'
        f"</text>{ticks}{''.join(bars)}"
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
        'fill="#475467">time after delivery</text></svg>'
    )


def links_svg(links: tuple[LinkClicks, ...], width: int = 420) -> str:
    """Horizontal stacked bars: clicks per link of the email (links nobody clicked left out)."""
    clicked = [link for link in links if link.clicks]
    row, left, top = 22, 44, 24
    height = top + row * max(1, len(clicked)) + 24
    plot_w = width - left - 40
    peak = max((link.clicks for link in clicked), default=0) or 1
    bars = []
    for number, link in enumerate(clicked):
        y = top + number * row
        x = float(left)
        for key, count in _counts(link):
            if not count:
                continue
            w = plot_w * count / peak
            bars.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
                f'fill="{COLOURS[key]}"><title>link #{link.id}: {count:,} {LABELS[key]}'
                "</title></rect>"
            )
            x += w
        bars.append(
            f'<text x="{left - 6}" y="{y + row / 2 + 4:.1f}" text-anchor="end">#{link.id}</text>'
            f'<text x="{x + 4:.1f}" y="{y + row / 2 + 4:.1f}">{link.clicks:,}</text>'
        )
    return (
        f'<svg role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg"><title>Clicks per link, by verdict</title>'
        f'<text x="{left}" y="14" font-weight="600">Clicks per link</text>{"".join(bars)}</svg>'
    )


def _links_table(links: tuple[LinkClicks, ...]) -> str:
    rows = []
    for link in links:
        if not link.clicks:
            continue
        where = link.destination or link.logged_url or link.href
        tags = "".join(
            f' <span class="tag">{escape(tag)}</span>'
            for tag in (link.system, f"hidden: {link.hidden}" if link.hidden else None)
            if tag
        )
        counts = "".join(
            f'<td class="n">{n:,}</td>'
            for n in (
                link.clicks,
                link.human,
                link.scanner,
                link.likely_scanner,
                link.unknown,
                link.unique_human_clickers,
            )
        )
        rows.append(
            f'<tr><td>#{link.id}</td><td class="url" title="{escape(where)}">'
            f"{escape(shorten_url(where, 70))}{tags}</td>{counts}</tr>"
        )
    return (
        "<table><tr><th>Link</th><th>Destination</th><th>Clicks</th><th>Human</th>"
        "<th>Scanner</th><th>Likely scanner</th><th>Unknown</th><th>Unique people</th></tr>"
        f"{''.join(rows)}</table>"
    )
