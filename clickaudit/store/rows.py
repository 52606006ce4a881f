"""An audit as rows of the history tables, by column name (see :mod:`clickaudit.store.schema`).

Rows are generated, not listed, so a very large audit is written in sqlite-utils' batches
without a second copy of every link in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from clickaudit import __version__
from clickaudit.model import Audit

Row = dict[str, Any]


def audit_row(audit: Audit, report_json: str, counts: dict[str, int], label: str | None) -> Row:
    email = audit.email
    return {
        "created_at": audit.started_at,
        "finished_at": audit.finished_at,
        "source_path": email.source.label,
        "source_kind": email.source.kind,
        "sha256": email.source.sha256,
        "subject": email.headers.subject,
        "from_addr": email.headers.from_,
        "esp": audit.esp,
        "tool_version": __version__,
        "settings_json": json.dumps(audit.settings),
        "links": counts["links"],
        "errors": counts["errors"],
        "warnings": counts["warnings"],
        "infos": counts["infos"],
        "report_json": report_json,
        "label": label,
    }


LINK_COLUMNS = (
    "audit_id", "link_no", "part", "element", "text", "href", "category", "reason", "esp",
    "decoded", "expected", "final_url", "outcome", "final_status",
)  # fmt: skip
HOP_COLUMNS = (
    "audit_id", "link_no", "hop_no", "url", "status", "location", "kind", "ms",
    "remote_address", "tls_version", "error",
)  # fmt: skip


def link_rows(audit: Audit, audit_id: int) -> Iterator[Sequence[Any]]:
    """The column names, then one row per link (sqlite-utils' list mode: tens of thousands of
    links a second faster than a dict per row)."""
    yield LINK_COLUMNS
    for link in audit.links:
        category, reason = link.category, link.reason
        yield (
            audit_id,
            link.id,
            link.part.value,
            link.element.value,
            link.text,
            link.href,
            category.value if category else None,
            reason.value if reason else None,
            link.esp,
            link.decoded,
            link.expected,
            link.final_url,
            link.outcome,
            link.chain[-1].status if link.chain else None,
        )


def hop_rows(audit: Audit, audit_id: int) -> Iterator[Sequence[Any]]:
    """The column names, then one row per hop of every link's chain."""
    yield HOP_COLUMNS
    for link in audit.links:
        for number, hop in enumerate(link.chain, start=1):
            yield (
                audit_id,
                link.id,
                number,
                hop.url,
                hop.status,
                hop.location,
                hop.kind.value,
                hop.ms,
                hop.remote_address,
                hop.tls_version,
                hop.error,
            )


def domain_rows(audit: Audit, audit_id: int) -> Iterator[Row]:
    for domain in audit.domains:
        yield {
            "audit_id": audit_id,
            "name": domain.name,
            "roles": ",".join(role.value for role in domain.roles),
            "cname": " ".join(domain.cname),
            "esp": domain.esp,
            "tls_ok": None if domain.tls is None else int(domain.tls.ok),
            "tls_days_left": domain.tls.days_left if domain.tls else None,
            "blocklists": ", ".join(domain.blocklists),
        }


def finding_rows(audit: Audit, audit_id: int) -> Iterator[Row]:
    for finding in audit.all_findings():
        yield {
            "audit_id": audit_id,
            "subject": finding.subject,
            "code": finding.code,
            "severity": finding.severity.value,
            "message": finding.message,
        }


def search_row(audit: Audit, audit_id: int, label: str | None) -> Row:
    """What full-text search finds an audit by: subject, sender, URLs, anchor texts, ESP, label."""
    urls = " ".join(
        " ".join(filter(None, (link.href, link.decoded, link.final_url))) for link in audit.links
    )
    return {
        "audit_id": audit_id,
        "subject": audit.email.headers.subject,
        "from_addr": audit.email.headers.from_,
        "urls": urls,
        "texts": " ".join(link.text for link in audit.links),
        "esp": audit.esp,
        "label": label,
    }
