"""Run an audit in a child process, so a front end's own thread never competes with it.

The desktop app keeps its window responsive by auditing in a separate interpreter: a Python
thread would share the interpreter lock with the GUI. The child re-reads the email from its file
(checked by sha256), audits it, and writes JSON lines to stdout: ``{"progress": …}`` events, then
``{"result": [audit, …]}`` or ``{"error": message}``. Audits travel in their wire form
(:mod:`clickaudit.wire`), which keeps every field of the model.

    python -m clickaudit.audit_process < request.json
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import IO, Any

from clickaudit.errors import Cancelled, ClickauditError, InputError
from clickaudit.events import CancelToken, Progress, ProgressCallback, ignore_progress
from clickaudit.model import Audit, Email, evolve
from clickaudit.settings import AuditSettings
from clickaudit.wire import from_wire, to_wire

PROGRESS_INTERVAL_S = 0.05


def settings_from_dict(data: dict[str, Any]) -> AuditSettings:
    """The settings a request carries (:meth:`AuditSettings.from_dict`, the one converter)."""
    return AuditSettings.from_dict(data)


def request_for(emails: Sequence[Email], settings: AuditSettings) -> dict[str, Any]:
    return {
        "emails": [
            {
                "path": e.source.path,
                "sha256": e.source.sha256,
                "index": e.source.index,
                "attachment_path": e.source.attachment_path,
            }
            for e in emails
        ],
        "settings": settings.to_dict(),
    }


def can_run_apart(emails: Sequence[Email]) -> bool:
    """Only emails read from a file can be read again by the child."""
    from pathlib import Path

    return all(Path(e.source.path).is_file() for e in emails)


def audit_apart(
    emails: Sequence[Email],
    settings: AuditSettings,
    *,
    progress: ProgressCallback = ignore_progress,
    cancel: CancelToken | None = None,
) -> list[Audit]:
    """Audit in a child process; same result and errors as :func:`pipeline.audit_emails`."""
    # The child's stderr goes to a file, not a pipe: a child that writes more than a pipe holds
    # (a long traceback, warnings) while the parent reads stdout would otherwise block forever.
    with tempfile.TemporaryFile() as errors:
        result, error = _run_child(request_for(emails, settings), errors, progress, cancel)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    if cancel is not None and cancel.cancelled:
        raise Cancelled("the audit was cancelled")
    if error is not None:
        raise ClickauditError(error)
    if result is None:
        raise ClickauditError(f"the audit process ended without a result: {stderr[-500:]}")
    audits = [from_wire(Audit, data) for data in result]
    # The wire keeps every field, the email's included; the caller's (equal) email objects are
    # kept so the app holds one copy of each message.
    return [evolve(audit, email=email) for audit, email in zip(audits, emails, strict=True)]


def _run_child(
    request: dict[str, Any],
    errors: IO[bytes],
    progress: ProgressCallback,
    cancel: CancelToken | None,
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """Start the child, hand it the request, relay its progress; its result or its error."""
    child = subprocess.Popen(
        [sys.executable, "-m", "clickaudit.audit_process"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        encoding="utf-8",
    )
    if cancel is not None:
        cancel.on_cancel(child.kill)
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(json.dumps(request))
    child.stdin.close()
    result: list[dict[str, Any]] | None = None
    error: str | None = None
    for line in child.stdout:
        event = json.loads(line)
        if "progress" in event:
            progress(Progress(**event["progress"]))
        elif "result" in event:
            result = event["result"]
        elif "error" in event:
            error = event["error"]
    child.wait()
    child.stdout.close()
    return result, error


def _emit(stream: IO[str], message: dict[str, Any]) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def main() -> int:
    from clickaudit.load import load_path
    from clickaudit.pipeline import audit_emails

    request = json.loads(sys.stdin.read())
    out = sys.stdout
    last = [0.0]

    def progress(event: Progress) -> None:
        now = time.monotonic()
        if event.done >= event.total or now - last[0] >= PROGRESS_INTERVAL_S:
            last[0] = now
            _emit(out, {"progress": asdict(event)})

    try:
        emails: list[Email] = []
        loaded: dict[str, list[Email]] = {}
        for wanted in request["emails"]:
            path = wanted["path"]
            if path not in loaded:
                loaded[path] = load_path(path)
            match = next(
                (
                    e
                    for e in loaded[path]
                    if e.source.index == wanted["index"]
                    and e.source.attachment_path == wanted["attachment_path"]
                ),
                None,
            )
            if match is None or match.source.sha256 != wanted["sha256"]:
                raise InputError(path, "changed on disk since it was opened; open it again")
            emails.append(match)
        audits = audit_emails(emails, settings_from_dict(request["settings"]), progress=progress)
    except ClickauditError as error:
        _emit(out, {"error": str(error)})
        return 0
    _emit(out, {"result": [to_wire(audit) for audit in audits]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
