"""The domain panel: each domain's DNS, CNAME/ESP, alignment, authentication, TLS, blocklists."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from clickaudit.findings import worst
from clickaudit.gui.icons import severity_icon
from clickaudit.model import DomainReport


class DomainPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Domain", "Result"])
        self.tree.setColumnWidth(0, 300)
        self.tree.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)

    def show_domains(self, domains: Sequence[DomainReport]) -> None:
        self.tree.clear()
        if not domains:
            QTreeWidgetItem(
                self.tree,
                [
                    "No domain checks yet",
                    "Run an audit (Ctrl+R) to check DNS, TLS, authentication and blocklists.",
                ],
            )
            return
        for domain in domains:
            top = worst(domain.findings)
            item = QTreeWidgetItem(
                self.tree, [domain.name, ", ".join(r.value for r in domain.roles)]
            )
            item.setIcon(0, severity_icon(top.severity if top else None))
            for label, value in _facts(domain):
                QTreeWidgetItem(item, [label, value])
            for f in domain.findings:
                child = QTreeWidgetItem(item, [f.code, f"{f.message} — Fix: {f.fix}"])
                child.setIcon(0, severity_icon(f.severity))
                child.setToolTip(1, f"{f.message}\nFix: {f.fix}")
            item.setExpanded(bool(top and top.severity.rank >= 2))


def _facts(domain: DomainReport) -> list[tuple[str, str]]:
    if domain.dns_error:
        return [("DNS", f"not checked: {domain.dns_error}")]
    facts = [("Addresses", ", ".join(domain.addresses) or "none")]
    if domain.cname:
        facts.append(("CNAME", " → ".join(domain.cname)))
    if domain.esp:
        facts.append(("ESP (by CNAME)", domain.esp))
    if domain.organisational_domain:
        facts.append(("Organisational domain", domain.organisational_domain))
    if domain.tls is not None:
        tls = domain.tls
        facts.append(
            (
                "TLS",
                f"ok · {tls.version} · {tls.issuer} · expires {tls.not_after} "
                f"({tls.days_left} days)"
                if tls.ok
                else f"problem: {tls.error}",
            )
        )
    if domain.auth is not None:
        for name, data in (("SPF", domain.auth.spf), ("DMARC", domain.auth.dmarc)):
            if data:
                facts.append((name, str(data.get("record") or "none")))
        for selector, key in domain.auth.dkim.items():
            facts.append((f"DKIM {selector}", _dkim_text(key)))
    if domain.blocklists:
        facts.append(("Blocklists", "LISTED: " + ", ".join(domain.blocklists)))
    elif domain.blocklists_unchecked:
        facts.append(("Blocklists", "not checked: " + ", ".join(domain.blocklists_unchecked)))
    else:
        facts.append(("Blocklists", "not listed"))
    return facts


def _dkim_text(key: object) -> str:
    if not isinstance(key, dict):
        return str(key)
    if key.get("key") is None:
        return f"no key published for {key.get('domain')}"
    if key.get("key") == "revoked":
        return "revoked (empty key)"
    aligned = "aligned with From" if key.get("aligned") else "not aligned with From"
    return f"{key.get('key')} {key.get('bits') or '?'} bits, d={key.get('domain')}, {aligned}"
