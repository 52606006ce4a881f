"""The JSON report: the versioned, machine-readable form of an audit (DESIGN.md, "JSON report").

Users' scripts and CI pipelines parse this, so keys are only ever added, never renamed; a change
that breaks a reader bumps :data:`SCHEMA_VERSION`. resources/schema/report.schema.json describes
it and the tests validate every report against it. :func:`audit_from_dict` reads a report back
(the store keeps reports as JSON and ``show`` prints them again).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from clickaudit import TOOL_NAME, version
from clickaudit.model import (
    Audit,
    AuthReport,
    BodyPart,
    Category,
    DkimSignature,
    DomainReport,
    DomainRole,
    Element,
    Email,
    EmailNote,
    EmailNoteKind,
    EspSource,
    Finding,
    Headers,
    Hop,
    HopKind,
    Image,
    Layer,
    LayerKind,
    Link,
    NotFollowedReason,
    Outcome,
    Part,
    Severity,
    Source,
    TlsReport,
    UntrackableReason,
)

SCHEMA_VERSION = 1


def finding_to_dict(f: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": f.code,
        "severity": f.severity.value,
        "message": f.message,
        "fix": f.fix,
    }
    if f.subject:
        data["subject"] = f.subject
    return data


def hop_to_dict(hop: Hop) -> dict[str, Any]:
    return {
        "url": hop.url,
        "status": hop.status,
        "location": hop.location,
        "kind": hop.kind.value,
        "ms": round(hop.ms, 1),
        "remote_address": hop.remote_address,
        "tls_version": hop.tls_version,
        "error": hop.error,
    }


def link_to_dict(link: Link) -> dict[str, Any]:
    return {
        "id": link.id,
        "part": link.part.value,
        "element": link.element.value,
        "text": link.text,
        "href": link.href,
        "line": link.line,
        "category": link.category.value if link.category else None,
        "reason": link.reason.value if link.reason else None,
        "esp": link.esp,
        "tracking_host": link.tracking_host,
        "wrappers": list(link.wrappers),
        "decoded": link.decoded,
        "host_hint": link.host_hint,
        "system": link.system,
        "personal_data": link.personal_data,
        "notes": list(link.notes),
        "expected": link.expected,
        "chain": [hop_to_dict(h) for h in link.chain],
        "final_url": link.final_url,
        "outcome": link.outcome.value if link.outcome else None,
        "not_followed": link.not_followed.value if link.not_followed else None,
        "utm": dict(link.utm),
        "findings": [finding_to_dict(f) for f in link.findings],
        "layers": [
            {"kind": layer.kind.value, "name": layer.name, "url": layer.url}
            for layer in link.layers
        ],
        "esp_source": link.esp_source.value if link.esp_source else None,
        "hidden": link.hidden,
    }


def image_to_dict(image: Image) -> dict[str, Any]:
    return {
        "src": image.src,
        "element": image.element,
        "line": image.line,
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
        "pixel": image.pixel,
        "esp": image.esp,
        "reason": image.reason,
    }


def tls_to_dict(tls: TlsReport | None) -> dict[str, Any] | None:
    if tls is None:
        return None
    return {
        "ok": tls.ok,
        "error": tls.error,
        "issuer": tls.issuer,
        "subject": tls.subject,
        "not_after": tls.not_after,
        "days_left": tls.days_left,
        "version": tls.version,
        "sans": list(tls.sans),
        "hsts": tls.hsts,
    }


def domain_to_dict(domain: DomainReport) -> dict[str, Any]:
    auth = None
    if domain.auth is not None:
        auth = {
            "spf": dict(domain.auth.spf),
            "dmarc": dict(domain.auth.dmarc),
            "dkim": dict(domain.auth.dkim),
        }
    return {
        "name": domain.name,
        "roles": [r.value for r in domain.roles],
        "cname": list(domain.cname),
        "esp": domain.esp,
        "addresses": list(domain.addresses),
        "organisational_domain": domain.organisational_domain,
        "tls": tls_to_dict(domain.tls),
        "auth": auth,
        "blocklists": list(domain.blocklists),
        "blocklists_unchecked": list(domain.blocklists_unchecked),
        "findings": [finding_to_dict(f) for f in domain.findings],
        "dns_checked": domain.dns_error is None,
        "dns_error": domain.dns_error,
    }


def summary(audit: Audit) -> dict[str, int]:
    """Counts a person reads first; ``errors``/``warnings`` count every finding of the audit."""
    every = audit.all_findings()
    return {
        "links": len(audit.links),
        "tracked": sum(1 for link in audit.links if link.category is Category.TRACKED),
        "wrapped": sum(1 for link in audit.links if link.category is Category.WRAPPED),
        "direct": sum(1 for link in audit.links if link.category is Category.DIRECT),
        "untrackable": sum(1 for link in audit.links if link.category is Category.UNTRACKABLE),
        "pixels": len(audit.pixels),
        "errors": sum(1 for f in every if f.severity is Severity.ERROR),
        "warnings": sum(1 for f in every if f.severity is Severity.WARNING),
        "infos": sum(1 for f in every if f.severity is Severity.INFO),
    }


def audit_to_dict(audit: Audit) -> dict[str, Any]:
    """The report object of one email, as DESIGN.md specifies it (plus additive extras)."""
    email = audit.email
    headers = email.headers
    return {
        "schema": SCHEMA_VERSION,
        "tool": TOOL_NAME,
        "version": version(),  # looked up when written: a text report never pays for it
        "source": {
            "path": email.source.path,
            "sha256": email.source.sha256,
            "kind": email.source.kind,
            "index": email.source.index,
            "attachment_path": email.source.attachment_path,
            "subject": headers.subject,
            "from": headers.from_,
            "esp": audit.esp,
        },
        "headers": {
            "from": headers.from_,
            "from_address": headers.from_address,
            "reply_to": headers.reply_to,
            "return_path": headers.return_path,
            "to": headers.to,
            "date": headers.date,
            "message_id": headers.message_id,
            "dkim": [{"d": d.domain, "s": d.selector} for d in headers.dkim],
            "list_unsubscribe": headers.list_unsubscribe,
            "list_unsubscribe_post": headers.list_unsubscribe_post,
            "authentication_results": list(headers.authentication_results),
            "esp_headers": dict(headers.esp_headers),
        },
        "settings": dict(audit.settings),
        "started_at": audit.started_at,
        "finished_at": audit.finished_at,
        "notes": [note.text for note in email.notes],
        "links": [link_to_dict(link) for link in audit.links],
        "pixels": [image_to_dict(i) for i in audit.images if i.pixel],
        "images": [image_to_dict(i) for i in audit.images if not i.pixel],
        "domains": [domain_to_dict(d) for d in audit.domains],
        "findings": [finding_to_dict(f) for f in audit.findings],
        "summary": summary(audit),
    }


def dumps(audits: Sequence[Audit]) -> str:
    """One object for one email, an array for several (DESIGN.md)."""
    data: Any = [audit_to_dict(a) for a in audits]
    if len(audits) == 1:
        data = data[0]
    return json.dumps(data, indent=2, ensure_ascii=False)


def dumps_line(audit: Audit) -> str:
    """One email's report on one line (``--format jsonl``: a line per email, as each finishes)."""
    return json.dumps(audit_to_dict(audit), ensure_ascii=False)


# --- reading a report back -------------------------------------------------------------------


def _finding(d: Mapping[str, Any]) -> Finding:
    return Finding(d["code"], Severity(d["severity"]), d["message"], d["fix"], d.get("subject"))


def _hop(d: Mapping[str, Any]) -> Hop:
    return Hop(
        url=d["url"],
        status=d.get("status"),
        location=d.get("location"),
        kind=HopKind(d.get("kind", "http")),
        ms=float(d.get("ms") or 0.0),
        remote_address=d.get("remote_address"),
        tls_version=d.get("tls_version"),
        error=d.get("error"),
    )


def _link(d: Mapping[str, Any]) -> Link:
    return Link(
        id=d["id"],
        part=Part(d["part"]),
        element=Element(d["element"]),
        href=d["href"],
        text=d.get("text", ""),
        line=d.get("line", 0),
        category=Category(d["category"]) if d.get("category") else None,
        reason=UntrackableReason(d["reason"]) if d.get("reason") else None,
        esp=d.get("esp"),
        tracking_host=d.get("tracking_host"),
        wrappers=tuple(d.get("wrappers", ())),
        decoded=d.get("decoded"),
        host_hint=d.get("host_hint"),
        system=d.get("system"),
        personal_data=bool(d.get("personal_data", False)),
        notes=tuple(d.get("notes", ())),
        expected=d.get("expected"),
        chain=tuple(_hop(h) for h in d.get("chain", ())),
        final_url=d.get("final_url"),
        outcome=Outcome(d["outcome"]) if d.get("outcome") else None,
        not_followed=NotFollowedReason(d["not_followed"]) if d.get("not_followed") else None,
        utm=dict(d.get("utm", {})),
        findings=tuple(_finding(f) for f in d.get("findings", ())),
        layers=tuple(
            Layer(LayerKind(layer["kind"]), layer.get("name"), layer["url"])
            for layer in d.get("layers", ())
        ),
        esp_source=EspSource(d["esp_source"]) if d.get("esp_source") else None,
        hidden=d.get("hidden"),
    )


def _image(d: Mapping[str, Any]) -> Image:
    return Image(
        src=d["src"],
        element=d.get("element", "img"),
        line=d.get("line", 0),
        width=d.get("width", ""),
        height=d.get("height", ""),
        alt=d.get("alt", ""),
        pixel=bool(d.get("pixel", False)),
        esp=d.get("esp"),
        reason=d.get("reason", ""),
    )


def _domain(d: Mapping[str, Any]) -> DomainReport:
    tls = d.get("tls")
    auth = d.get("auth")
    return DomainReport(
        name=d["name"],
        roles=tuple(DomainRole(r) for r in d.get("roles", ())),
        cname=tuple(d.get("cname", ())),
        esp=d.get("esp"),
        addresses=tuple(d.get("addresses", ())),
        organisational_domain=d.get("organisational_domain"),
        tls=TlsReport(
            ok=tls["ok"],
            error=tls.get("error"),
            issuer=tls.get("issuer"),
            subject=tls.get("subject"),
            not_after=tls.get("not_after"),
            days_left=tls.get("days_left"),
            version=tls.get("version"),
            sans=tuple(tls.get("sans", ())),
            hsts=tls.get("hsts"),
        )
        if tls
        else None,
        auth=AuthReport(spf=auth["spf"], dmarc=auth["dmarc"], dkim=auth["dkim"]) if auth else None,
        blocklists=tuple(d.get("blocklists", ())),
        blocklists_unchecked=tuple(d.get("blocklists_unchecked", ())),
        findings=tuple(_finding(f) for f in d.get("findings", ())),
        dns_error=d.get("dns_error"),
    )


def audit_from_dict(d: Mapping[str, Any]) -> Audit:
    """Rebuild an :class:`Audit` from its report. The email's body parts are not in the report,
    so the rebuilt email has none (``raw`` empty); everything an audit concluded is there."""
    src = d["source"]
    h = d.get("headers", {})
    headers = Headers(
        from_=h.get("from", src.get("from", "")),
        from_address=h.get("from_address", ""),
        reply_to=h.get("reply_to", ""),
        return_path=h.get("return_path", ""),
        subject=src.get("subject", ""),
        date=h.get("date", ""),
        message_id=h.get("message_id", ""),
        to=h.get("to", ""),
        dkim=tuple(DkimSignature(x["d"], x["s"]) for x in h.get("dkim", ())),
        list_unsubscribe=h.get("list_unsubscribe", ""),
        list_unsubscribe_post=h.get("list_unsubscribe_post", ""),
        authentication_results=tuple(h.get("authentication_results", ())),
        esp_headers=dict(h.get("esp_headers", {})),
    )
    email = Email(
        source=Source(
            path=src["path"],
            sha256=src["sha256"],
            kind=src["kind"],
            index=src.get("index", 0),
            attachment_path=src.get("attachment_path", ""),
        ),
        headers=headers,
        parts=tuple[BodyPart, ...](),
        notes=tuple(EmailNote(EmailNoteKind.UNSPECIFIED, text) for text in d.get("notes", ())),
    )
    return Audit(
        email=email,
        links=tuple(_link(x) for x in d.get("links", ())),
        images=tuple(_image(x) for x in [*d.get("pixels", ()), *d.get("images", ())]),
        esp=src.get("esp"),
        domains=tuple(_domain(x) for x in d.get("domains", ())),
        findings=tuple(_finding(f) for f in d.get("findings", ())),
        settings=dict(d.get("settings", {})),
        started_at=d.get("started_at", ""),
        finished_at=d.get("finished_at", ""),
    )
