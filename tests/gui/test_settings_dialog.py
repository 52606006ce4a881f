"""The settings dialog: shows what is saved, saves what is chosen, and the audit settings read
back are what the dialog showed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from clickaudit.gui.widgets.settings_dialog import SettingsDialog, load_settings
from clickaudit.settings import AuditSettings


@pytest.fixture
def store(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_nothing_saved_reads_as_the_engines_defaults(store: QSettings) -> None:
    defaults = AuditSettings()
    settings = load_settings(store)
    assert (settings.safe, settings.concurrency, settings.per_host, settings.timeout) == (
        defaults.safe,
        defaults.concurrency,
        defaults.per_host,
        defaults.timeout,
    )
    assert settings.check_domains and not settings.follow_unsubscribe
    assert settings.nameservers == () or list(settings.nameservers) == []


def test_what_the_dialog_accepts_is_what_the_next_audit_uses(qtbot, store: QSettings) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.safe.setChecked(True)
    dialog.domains.setChecked(False)
    dialog.concurrency.setValue(7)
    dialog.per_host.setValue(3)
    dialog.timeout.setValue(4.5)
    dialog.nameservers.setText("192.0.2.53, [2001:db8::53]:5353")
    dialog.allow_private.setChecked(True)
    dialog.accept()
    settings = load_settings(store)
    assert settings.safe and not settings.check_domains and settings.allow_private
    assert (settings.concurrency, settings.per_host, settings.timeout) == (7, 3, 4.5)
    assert [str(n) for n in settings.nameservers] == ["192.0.2.53:53", "[2001:db8::53]:5353"]


def test_the_dialog_opens_showing_what_was_saved(qtbot, store: QSettings) -> None:  # type: ignore[no-untyped-def]
    store.setValue("audit/safe", True)
    store.setValue("audit/per_host", 5)
    store.setValue("audit/policy", "/etc/clickaudit/policy.toml")
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.safe.isChecked() and dialog.per_host.value() == 5
    assert dialog.policy.text() == "/etc/clickaudit/policy.toml"


def test_cancel_saves_nothing(qtbot, store: QSettings) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.safe.setChecked(not load_settings(store).safe)
    dialog.reject()
    assert store.allKeys() == []


def test_a_hand_edited_bad_nameserver_is_dropped_not_fatal(store: QSettings) -> None:
    store.setValue("audit/nameservers", "192.0.2.53, not an address:xx, 198.51.100.7")
    assert [str(n) for n in load_settings(store).nameservers] == [
        "192.0.2.53:53",
        "198.51.100.7:53",
    ]


def test_request_limits_go_above_the_engines_defaults(qtbot: QtBot, store: QSettings) -> None:
    defaults = AuditSettings()
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    assert (dialog.concurrency.value(), dialog.per_host.value()) == (200, 100)
    dialog.concurrency.setValue(defaults.concurrency * 2)
    dialog.per_host.setValue(defaults.per_host * 2)
    dialog.accept()
    settings = load_settings(store)
    assert (settings.concurrency, settings.per_host) == (400, 200)
