"""Auditing in a child process gives the same audit as in-process, and cancels at once."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from clickaudit.audit_process import audit_apart, can_run_apart, settings_from_dict
from clickaudit.demo import DemoWorld
from clickaudit.errors import Cancelled, ClickauditError
from clickaudit.events import CancelToken
from clickaudit.load import load_bytes, load_path
from clickaudit.pipeline import audit_emails
from clickaudit.report.json_report import audit_to_dict


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    report = dict(report)
    for key in ("started_at", "finished_at"):
        report.pop(key, None)
    for link in report["links"]:
        for hop in link["chain"]:
            hop.pop("ms", None)
    return report


def test_the_child_process_audits_exactly_as_the_engine_does() -> None:
    with DemoWorld() as world:
        assert world.files is not None
        emails = load_path(world.files.campaign)
        settings = replace(world.settings, check_domains=False)
        apart = audit_apart(emails, settings)
        here = audit_emails(emails, settings)
    assert apart[0].email is emails[0]  # the bodies stay with the caller's email
    assert comparable(audit_to_dict(apart[0])) == comparable(audit_to_dict(here[0]))


def test_settings_travel_as_their_dictionary() -> None:
    with DemoWorld() as world:
        assert settings_from_dict(world.settings.to_dict()) == world.settings


def test_cancel_kills_the_child_within_a_second() -> None:
    with DemoWorld(timeout=30) as world:
        assert world.files is not None
        emails = load_path(world.files.campaign)
        cancel = CancelToken()
        threading.Timer(1.0, cancel.cancel).start()
        started = time.monotonic()
        with pytest.raises(Cancelled):
            audit_apart(
                emails, replace(world.settings, timeout=30, chain_timeout=60), cancel=cancel
            )
        assert time.monotonic() - started < 2.5


def test_an_email_without_a_file_cannot_go_apart_and_a_changed_file_is_an_error(
    tmp_path: Path,
) -> None:
    [in_memory] = load_bytes(b'<a href="https://x.example/">x</a>', "<memory>", kind="html")
    assert not can_run_apart([in_memory])
    path = tmp_path / "campaign.html"
    path.write_text('<a href="https://x.example/">x</a>', "utf-8")
    [email] = load_path(path)
    path.write_text('<a href="https://y.example/">y</a>', "utf-8")
    with pytest.raises(ClickauditError, match="changed on disk"):
        audit_apart([email], settings_from_dict({"follow": False, "check_domains": False}))


def test_a_child_that_writes_more_than_a_pipe_holds_to_stderr_does_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The child runs this module's main(); a sitecustomize that floods stderr first stands in
    # for a long traceback or a storm of warnings (a pipe holds 64 KiB).
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\nsys.stderr.write('x' * 1_000_000)\nsys.stderr.flush()\n", "utf-8"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    path = tmp_path / "campaign.html"
    path.write_text('<a href="mailto:x@example.com">x</a>', "utf-8")
    [email] = load_path(path)
    started = time.monotonic()
    [audit] = audit_apart([email], settings_from_dict({"follow": False, "check_domains": False}))
    assert audit.links[0].href == "mailto:x@example.com"
    assert time.monotonic() - started < 60


def test_one_audit_makes_its_resolvers_once_for_every_email(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import clickaudit.domains
    import clickaudit.follow
    import clickaudit.net.transport
    import clickaudit.pipeline
    from clickaudit.net.nameservers import make_resolver

    made: list[str] = []

    def counting(*args: object, **kwargs: object) -> object:
        made.append("resolver")
        return make_resolver(*args, **kwargs)  # type: ignore[arg-type]

    for module in (
        clickaudit.pipeline,
        clickaudit.domains,
        clickaudit.follow,
        clickaudit.net.transport,
    ):
        if hasattr(module, "make_resolver"):
            monkeypatch.setattr(module, "make_resolver", counting)
    with DemoWorld() as world:
        assert world.files is not None
        emails = load_path(world.files.campaign) * 3
        audits = audit_emails(emails, world.settings)
    assert len(audits) == 3 and all(audit.domains for audit in audits)
    # one dnspython resolver (and answer cache) for the domain checks, safe mode and the
    # address resolver the follower connects through: per audit, not per email or per stage
    assert len(made) == 1


def test_an_email_attached_to_another_is_audited_in_safe_mode_by_every_front_end() -> None:
    from clickaudit.load import load_bytes

    inner = b"Subject: inner\r\nContent-Type: text/html\r\n\r\n<a href='mailto:a@example.com'>a</a>"
    outer = (
        b"Subject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--b--\r\n"
    )
    emails = load_bytes(outer, "fwd.eml", kind="eml")
    settings = settings_from_dict({"follow": False, "check_domains": False})
    audits = audit_emails(emails, settings)
    safe = {audit.email.source.attachment_path: audit.settings["safe"] for audit in audits}
    assert safe == {"": False, "1": True}
