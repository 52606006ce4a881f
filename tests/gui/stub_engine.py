"""An engine for GUI tests: answers at once from what the test put in it, no child process."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

from clickaudit.clicks.session import KeptAnalysis
from clickaudit.errors import Cancelled
from clickaudit.events import CancelToken, Progress, ProgressCallback
from clickaudit.history import History
from clickaudit.model import Audit, Email
from clickaudit.settings import AuditSettings
from tests.factories import sample_audit

BLOCK_S = 10.0  # how long a blocked stub audit waits for the test before giving up


class StubEngine:
    """Answers at once from what the test put in it; an audit may block until cancelled."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.scanned: dict[str, list[Audit] | Exception] = {}
        self.audit_result: list[Audit] | Exception = [sample_audit()]
        self.progress_events = 0
        self.block_until_cancelled = False
        self.rendered: list[tuple[int, str]] = []

    def scan(self, path: str) -> list[Audit]:
        result = self.scanned[path]
        if isinstance(result, Exception):
            raise result
        return result

    def audit(
        self,
        emails: Sequence[Email],
        settings: AuditSettings,
        progress: ProgressCallback,
        cancel: CancelToken,
    ) -> list[Audit]:
        total = max(self.progress_events, 1)
        for done in range(1, self.progress_events + 1):
            progress(Progress("follow", done, total, f"link {done}"))
        if self.block_until_cancelled:
            stopped = threading.Event()
            cancel.on_cancel(stopped.set)
            progress(Progress("follow", 0, 1, "waiting"))  # tells the test the audit runs
            stopped.wait(BLOCK_S)
            raise Cancelled("the audit was cancelled")
        if isinstance(self.audit_result, Exception):
            raise self.audit_result
        return self.audit_result

    def history(self, db_path: str | os.PathLike[str] | None) -> History:
        return History(db_path)

    def render(self, audits: Sequence[Audit], fmt: str) -> str:
        self.rendered.append((len(audits), fmt))
        return f"{fmt} report of {len(audits)} audit(s)"

    def analyse_clicks(
        self, audit: Audit, logs: Sequence[str], history: History | None
    ) -> KeptAnalysis:
        raise AssertionError("the controller never analyses clicks")
