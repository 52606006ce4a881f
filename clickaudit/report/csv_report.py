"""CSV: one row per link, with stable column names, for spreadsheets and BI tools."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from clickaudit.findings import worst
from clickaudit.model import Audit

COLUMNS = (
    "email",
    "subject",
    "link_id",
    "part",
    "element",
    "text",
    "href",
    "category",
    "reason",
    "esp",
    "tracking_host",
    "wrappers",
    "decoded",
    "expected",
    "final_url",
    "final_status",
    "hops",
    "outcome",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "worst_severity",
    "finding_codes",
)


def render(audits: Sequence[Audit]) -> str:
    return header() + "".join(rows(audit) for audit in audits)


def header() -> str:
    """The first line: the column names."""
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n").writeheader()
    return out.getvalue()


def rows(audit: Audit) -> str:
    """One email's rows, one per link (a batch's CSV is its header, then each email's rows)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    for link in audit.links:
        top = worst(link.findings)
        writer.writerow(
            {
                "email": audit.email.source.label,
                "subject": audit.email.headers.subject,
                "link_id": link.id,
                "part": link.part.value,
                "element": link.element.value,
                "text": link.text,
                "href": link.href,
                "category": link.category.value if link.category else "",
                "reason": link.reason.value if link.reason else "",
                "esp": link.esp or "",
                "tracking_host": link.tracking_host or "",
                "wrappers": " > ".join(link.wrappers),
                "decoded": link.decoded or "",
                "expected": link.expected or "",
                "final_url": link.final_url or "",
                "final_status": link.chain[-1].status
                if link.chain and link.chain[-1].status
                else "",
                "hops": len(link.chain),
                "outcome": link.outcome or "",
                **{name: link.utm.get(name, "") for name in COLUMNS if name.startswith("utm_")},
                "worst_severity": top.severity.value if top else "",
                "finding_codes": " ".join(f.code for f in link.findings),
            }
        )
    return out.getvalue()
