"""Settings, kept in QSettings: what an audit does by default."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from clickaudit.follow import USER_AGENTS
from clickaudit.net.nameservers import parse_nameserver
from clickaudit.settings import AuditSettings

# Room above the defaults (100 per host, 200 in all) for a user who audits their own servers;
# the command line takes any number.
MAX_IN_FLIGHT = 1000


def load_settings(store: QSettings) -> AuditSettings:
    """The audit settings saved by the dialog (defaults where nothing was saved)."""
    defaults = AuditSettings()
    nameservers = []
    for text in str(store.value("audit/nameservers", "") or "").split(","):
        if text.strip():
            try:
                nameservers.append(parse_nameserver(text))
            except ValueError:
                continue  # a hand-edited settings file: a bad entry is dropped, not fatal
    return AuditSettings.from_dict(
        {
            "safe": _bool(store.value("audit/safe", defaults.safe)),
            "follow_unsubscribe": _bool(store.value("audit/follow_unsubscribe", False)),
            "check_domains": _bool(store.value("audit/check_domains", True)),
            "user_agent": str(store.value("audit/user_agent", defaults.user_agent)),
            "concurrency": int(str(store.value("audit/concurrency", defaults.concurrency))),
            "per_host": int(str(store.value("audit/per_host", defaults.per_host))),
            "timeout": float(str(store.value("audit/timeout", defaults.timeout))),
            "nameservers": nameservers,
            "policy_path": str(store.value("audit/policy", "") or "") or None,
            "allow_private": _bool(store.value("audit/allow_private", False)),
        }
    )


def _bool(value: Any) -> bool:
    return value in (True, "true", "1", 1)


class SettingsDialog(QDialog):
    def __init__(self, store: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit settings")
        self.store = store
        current = load_settings(store)
        self.safe = QCheckBox("Safe mode: never request tracked links (no click is recorded)")
        self.safe.setChecked(current.safe)
        self.unsubscribe = QCheckBox("Also request unsubscribe and preference links")
        self.unsubscribe.setChecked(current.follow_unsubscribe)
        self.domains = QCheckBox("Check domains (DNS, TLS, SPF/DKIM/DMARC, blocklists)")
        self.domains.setChecked(current.check_domains)
        self.user_agent = QComboBox()
        self.user_agent.addItems(list(USER_AGENTS))
        self.user_agent.setCurrentText(current.user_agent)
        self.concurrency = QSpinBox(minimum=1, maximum=MAX_IN_FLIGHT, value=current.concurrency)
        self.per_host = QSpinBox(minimum=1, maximum=MAX_IN_FLIGHT, value=current.per_host)
        self.timeout = QDoubleSpinBox(minimum=0.5, maximum=120, value=current.timeout, suffix=" s")
        self.nameservers = QLineEdit(", ".join(str(n) for n in current.nameservers))
        self.nameservers.setPlaceholderText(
            "system resolvers (e.g. 192.0.2.53, [2001:db8::53]:5353)"
        )
        self.policy = QLineEdit(current.policy_path or "")
        self.policy.setPlaceholderText("bundled default policy")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        policy_row = QHBoxLayout()
        policy_row.addWidget(self.policy, 1)
        policy_row.addWidget(browse)
        self.allow_private = QCheckBox("Allow private and loopback addresses (local test servers)")
        self.allow_private.setChecked(current.allow_private)
        form = QFormLayout(self)
        form.addRow(self.safe)
        form.addRow(self.unsubscribe)
        form.addRow(self.domains)
        form.addRow("User agent", self.user_agent)
        form.addRow("Requests in flight", self.concurrency)
        form.addRow("Per host", self.per_host)
        form.addRow("Timeout per hop", self.timeout)
        form.addRow("DNS servers", self.nameservers)
        form.addRow("UTM policy", policy_row)
        form.addRow(self.allow_private)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "UTM policy", "", "TOML (*.toml)")
        if path:
            self.policy.setText(path)

    def accept(self) -> None:
        store = self.store
        store.setValue("audit/safe", self.safe.isChecked())
        store.setValue("audit/follow_unsubscribe", self.unsubscribe.isChecked())
        store.setValue("audit/check_domains", self.domains.isChecked())
        store.setValue("audit/user_agent", self.user_agent.currentText())
        store.setValue("audit/concurrency", self.concurrency.value())
        store.setValue("audit/per_host", self.per_host.value())
        store.setValue("audit/timeout", self.timeout.value())
        store.setValue("audit/nameservers", self.nameservers.text())
        store.setValue("audit/policy", self.policy.text())
        store.setValue("audit/allow_private", self.allow_private.isChecked())
        super().accept()
