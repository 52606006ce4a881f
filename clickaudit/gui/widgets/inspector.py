"""The link inspector: the redirect chain as a timeline, UTMs with verdicts, findings with fixes."""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtWidgets import (
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from clickaudit.gui.icons import severity_icon
from clickaudit.gui.models.records import Column, RecordsModel
from clickaudit.gui.widgets.chain_timeline import ChainTimeline, fit_table_height
from clickaudit.gui.widgets.tables import row_table
from clickaudit.gui.widgets.wrapping_text import WrappingText
from clickaudit.model import Finding, Link, Severity

MAX_UTM_ROWS = 8


class UtmRow(NamedTuple):
    """One UTM parameter of a link and the verdict of the finding about it (if any)."""

    name: str
    value: str
    verdict: str
    severity: Severity | None


UTM_COLUMNS: tuple[Column[UtmRow], ...] = (
    Column("Parameter", lambda u: u.name),
    Column("Value", lambda u: u.value),
    Column("Verdict", lambda u: u.verdict, icon=lambda u: severity_icon(u.severity)),
)


class LinkInspector(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = WrappingText()
        self.title.setHtml("Select a link to see where it goes.")
        self.timeline = ChainTimeline()
        self.hops = self.timeline.model
        self.hops_view = self.timeline.table
        self.utm = RecordsModel(UTM_COLUMNS)
        self.utm_view = row_table(self.utm, alternating=False)
        self.findings = QTextBrowser()
        self.findings.setOpenLinks(False)
        # Proportions follow the content: the title, the timeline and the UTM table are as tall
        # as what they show; the findings take the rest.
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(QLabel("<b>Redirect chain</b>"))
        layout.addWidget(self.timeline)
        layout.addWidget(QLabel("<b>UTM parameters</b>"))
        layout.addWidget(self.utm_view)
        layout.addWidget(QLabel("<b>Findings</b>"))
        layout.addWidget(self.findings, 1)
        self.link: Link | None = None

    def show_link(self, link: Link | None) -> None:
        self.link = link
        if link is None:
            self.title.setHtml("Select a link to see where it goes.")
            self.timeline.show_link(None)
            self.utm.set_records(())
            fit_table_height(self.utm_view, MAX_UTM_ROWS)
            self.findings.setHtml("")
            return
        facts = [
            f"<b>Link {link.id}</b> · {_e(link.text or '(no text)')}",
            f"<code>{_e(link.href)}</code>",
        ]
        if link.esp:
            facts.append(f"Tracked by <b>{_e(link.esp)}</b> on {_e(link.tracking_host or '')}")
        if link.wrappers:
            facts.append("Wrapped by " + _e(" → ".join(link.wrappers)))
        if link.decoded:
            facts.append(f"Decoded destination: <code>{_e(link.decoded)}</code>")
        if link.expected:
            facts.append(f"Expected (template): <code>{_e(link.expected)}</code>")
        if link.final_url:
            facts.append(f"Lands on: <code>{_e(link.final_url)}</code> ({_e(link.outcome or '')})")
        elif link.not_followed is not None:
            facts.append("Not followed: " + _e(link.not_followed.explain(link.system)))
        self.title.setHtml("<br>".join(facts))
        self.timeline.show_link(link)
        self.utm.set_records(_utm_rows(link))
        self.utm_view.resizeColumnsToContents()
        fit_table_height(self.utm_view, MAX_UTM_ROWS)
        self.findings.setHtml(_findings_html(link))


def _utm_rows(link: Link) -> list[UtmRow]:
    by_parameter: dict[str, Finding] = {}
    for f in link.findings:
        for name in f.parameters:
            by_parameter.setdefault(name, f)
    rows = []
    for name, value in link.utm.items():
        problem = by_parameter.get(name)
        rows.append(
            UtmRow(
                name,
                value,
                problem.message if problem else "ok",
                problem.severity if problem else None,
            )
        )
    return rows


def _findings_html(link: Link) -> str:
    if not link.findings:
        return "<p>No findings.</p>"
    colours = {"error": "#b42318", "warning": "#b54708", "info": "#475467"}
    return "".join(
        f"<p><b style='color:{colours[f.severity.value]}'>{_e(f.severity.value)}</b> "
        f"<code>{_e(f.code)}</code>: {_e(f.message)}<br><i>Fix:</i> {_e(f.fix)}</p>"
        for f in link.findings
    )


def _e(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
