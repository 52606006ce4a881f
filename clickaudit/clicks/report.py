"""Click forensics reports: JSON (the contract in DESIGN.md), the cleaned CSV export, text.

JSON and CSV stream the judged clicks one at a time, so a million-click report is written in
bounded memory; everything else in a report is small (per link, per verdict, per time bin).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from clickaudit import TOOL_NAME, __version__
from clickaudit.clicks.model import (
    ClickFinding,
    ClickReport,
    ClickSummary,
    HistogramBin,
    ImportStats,
    JudgedClick,
    LinkClicks,
    Skipped,
)
from clickaudit.report.redact import redact_text, redact_url

SCHEMA_VERSION = 1
CSV_COLUMNS = (
    "time",
    "seconds_after_delivery",
    "recipient",
    "ip",
    "user_agent",
    "url",
    "link_id",
    "verdict",
    "reasons",
    "network",
    "message",
    "esp",
    "source",
    "line",
)


def iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return (
        datetime.fromtimestamp(moment, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def click_to_dict(click: JudgedClick, *, redact: bool = False) -> dict[str, Any]:
    event = click.event
    return {
        "time": iso(event.time),
        "seconds_after_delivery": (
            None if click.seconds_after_delivery is None else round(click.seconds_after_delivery, 3)
        ),
        "recipient": redact_text(event.recipient) if redact else event.recipient,
        "ip": event.ip or None,
        "user_agent": event.user_agent or None,
        "url": (redact_url(event.url) if redact else event.url) or None,
        "link_id": click.link_id,
        "verdict": click.verdict.value,
        "reasons": [reason.value for reason in click.reasons],
        "network": click.network,
        "message": event.message or None,
        "esp": event.esp,
        "source": {"path": event.source, "line": event.line},
    }


def report_head(
    report: ClickReport, source: dict[str, Any], *, redact: bool = False
) -> dict[str, Any]:
    """Everything of the JSON report but the ``clicks`` list."""
    summary = report.summary
    stats = report.stats
    return {
        "schema": SCHEMA_VERSION,
        "tool": TOOL_NAME,
        "version": __version__,
        "kind": "clicks",
        "source": source,
        "audit_id": report.audit_id,
        "logs": list(report.sources),
        "events": {
            "read": stats.read,
            "clicks": stats.clicks,
            "deliveries": stats.deliveries,
            "ignored": stats.ignored,
            "unmatched": stats.unmatched,
            "skipped_total": stats.skipped_total,
            "skipped": [
                {"path": s.source, "line": s.line, "problem": s.problem} for s in stats.skipped
            ],
            "format": ",".join(stats.formats) or None,
            "formats": list(stats.formats),
        },
        "summary": {
            "clicks": summary.clicks,
            "human": summary.human,
            "scanner": summary.scanner,
            "likely_scanner": summary.likely_scanner,
            "unknown": summary.unknown,
            "unique_clickers": summary.unique_clickers,
            "unique_human_clickers": summary.unique_human_clickers,
            "delivered": summary.delivered,
            "click_rate_raw": summary.click_rate_raw,
            "click_rate_human": summary.click_rate_human,
        },
        "links": [
            {
                "id": link.id,
                "href": redact_url(link.href) if redact else link.href,
                "destination": redact_url(link.destination) if redact else link.destination,
                "system": link.system,
                "hidden": link.hidden,
                "clicks": link.clicks,
                "human": link.human,
                "scanner": link.scanner,
                "likely_scanner": link.likely_scanner,
                "unknown": link.unknown,
                "unique_human_clickers": link.unique_human_clickers,
                "logged_url": redact_url(link.logged_url) if redact else link.logged_url,
            }
            for link in report.links
        ],
        "histogram": [
            {
                "start": b.start,
                "end": b.end,
                "label": b.label,
                "human": b.human,
                "scanner": b.scanner,
                "likely_scanner": b.likely_scanner,
                "unknown": b.unknown,
            }
            for b in report.histogram
        ],
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "fix": f.fix,
                "subject": f.subject,
            }
            for f in report.findings
        ],
    }


def write_json(
    out: IO[str],
    report: ClickReport,
    source: dict[str, Any],
    clicks: Iterable[JudgedClick],
    *,
    redact: bool = False,
) -> None:
    """The report object, its ``clicks`` array written one click at a time."""
    head = json.dumps(report_head(report, source, redact=redact), indent=2, ensure_ascii=False)
    out.write(head[: head.rstrip().rfind("}")].rstrip())
    out.write(',\n  "clicks": [')
    first = True
    for click in clicks:
        out.write("\n    " if first else ",\n    ")
        out.write(json.dumps(click_to_dict(click, redact=redact), ensure_ascii=False))
        first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")


def write_csv(out: IO[str], clicks: Iterable[JudgedClick], *, redact: bool = False) -> None:
    """The cleaned export: one row per click with its verdict and reasons."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for click in clicks:
        row = click_to_dict(click, redact=redact)
        writer.writerow(
            [
                row["time"] or "",
                "" if row["seconds_after_delivery"] is None else row["seconds_after_delivery"],
                row["recipient"],
                row["ip"] or "",
                row["user_agent"] or "",
                row["url"] or "",
                "" if row["link_id"] is None else row["link_id"],
                row["verdict"],
                " ".join(row["reasons"]),
                row["network"] or "",
                row["message"] or "",
                row["esp"],
                row["source"]["path"],
                row["source"]["line"],
            ]
        )


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def render_text(report: ClickReport, *, redact: bool = False) -> str:
    """A person's summary: rates before and after, per link, findings, skipped records."""
    out = io.StringIO()
    s = report.summary
    stats = report.stats
    out.write(f"{report.email_path}: {report.email_subject}\n")
    out.write(
        f"  logs: {', '.join(report.sources)} ({', '.join(stats.formats) or 'no known format'})\n"
        f"  events read: {stats.read}; clicks: {stats.clicks} ({stats.unmatched} on no link of "
        f"this email); send and delivery events: {stats.deliveries}; "
        f"skipped: {stats.skipped_total}\n"
    )
    out.write(
        f"  clicks: {s.clicks}  human {s.human}  scanner {s.scanner}  likely scanner "
        f"{s.likely_scanner}  unknown {s.unknown}\n"
        f"  unique clickers: {s.unique_clickers} (human: {s.unique_human_clickers}); "
        f"delivered: {s.delivered if s.delivered is not None else 'unknown'}\n"
        f"  click rate: raw {percent(s.click_rate_raw)} → human {percent(s.click_rate_human)}\n"
    )
    out.write("\n  link  clicks  human  scanner  likely  unknown  uniq.human  destination\n")
    for link in report.links:
        if not link.clicks:
            continue
        where = link.destination or link.logged_url or link.href
        where = (redact_url(where) or where) if redact else where
        marks = "".join(
            f" [{m}]" for m in (link.system, f"hidden: {link.hidden}" if link.hidden else None) if m
        )
        out.write(
            f"  {link.id:>4}  {link.clicks:>6}  {link.human:>5}  {link.scanner:>7}  "
            f"{link.likely_scanner:>6}  {link.unknown:>7}  {link.unique_human_clickers:>10}  "
            f"{where}{marks}\n"
        )
    for finding in report.findings:
        out.write(f"\n  {finding.severity.upper()} {finding.code}: {finding.message}\n")
        out.write(f"    fix: {finding.fix}\n")
    for skipped in stats.skipped[:20]:
        out.write(f"\n  skipped {skipped.source}:{skipped.line}: {skipped.problem}")
    if stats.skipped_total > 20:
        out.write(f"\n  … and {stats.skipped_total - 20} more skipped records")
    return out.getvalue().rstrip("\n") + "\n"


def report_from_head(head: dict[str, Any], *, redact: bool = False) -> ClickReport:
    """A stored report (what :func:`report_head` wrote) as a :class:`ClickReport`, no clicks."""

    def url(value: str | None) -> str | None:
        return redact_url(value) if redact else value

    events = head.get("events", {})
    summary = head.get("summary", {})
    source = head.get("source", {})
    return ClickReport(
        email_path=str(source.get("path", "")),
        email_sha256=str(source.get("sha256", "")),
        email_subject=str(source.get("subject", "")),
        sources=tuple(head.get("logs", ())),
        stats=ImportStats(
            read=int(events.get("read", 0)),
            clicks=int(events.get("clicks", 0)),
            deliveries=int(events.get("deliveries", 0)),
            ignored=int(events.get("ignored", 0)),
            unmatched=int(events.get("unmatched", 0)),
            skipped_total=int(events.get("skipped_total", 0)),
            skipped=tuple(
                Skipped(s["path"], int(s["line"]), s["problem"]) for s in events.get("skipped", ())
            ),
            formats=tuple(events.get("formats", ())),
        ),
        summary=ClickSummary(
            **{k: summary.get(k) for k in ClickSummary.__dataclass_fields__ if k in summary}
        ),
        links=tuple(
            LinkClicks(
                id=int(link["id"]),
                href=url(link["href"]) or "",
                destination=url(link.get("destination")),
                system=link.get("system"),
                hidden=link.get("hidden"),
                clicks=int(link.get("clicks", 0)),
                human=int(link.get("human", 0)),
                scanner=int(link.get("scanner", 0)),
                likely_scanner=int(link.get("likely_scanner", 0)),
                unknown=int(link.get("unknown", 0)),
                unique_human_clickers=int(link.get("unique_human_clickers", 0)),
                logged_url=url(link.get("logged_url")),
            )
            for link in head.get("links", ())
        ),
        histogram=tuple(
            HistogramBin(
                float(b["start"]),
                None if b.get("end") is None else float(b["end"]),
                str(b.get("label", "")),
                int(b.get("human", 0)),
                int(b.get("scanner", 0)),
                int(b.get("likely_scanner", 0)),
                int(b.get("unknown", 0)),
            )
            for b in head.get("histogram", ())
        ),
        findings=tuple(
            ClickFinding(f["code"], f["severity"], f["message"], f["fix"], f.get("subject"))
            for f in head.get("findings", ())
        ),
        audit_id=head.get("audit_id"),
    )
