"""What the app asks of the engine, in one small typed interface.

The controller and the Clicks tab reach the engine only through an :class:`Engine`: scanning a
file offline, auditing in a child process, the history service, the one report renderer and the
click analysis. :class:`LocalEngine` is the real one and the default; tests hand the controller a
stub that answers at once, so the GUI's plumbing is tested without a child process or a network.
Nothing here imports Qt: these are the engine's own front doors, named once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # imported on use: the window opens before the click or history code loads
    from clickaudit.clicks.session import KeptAnalysis
    from clickaudit.events import CancelToken, ProgressCallback
    from clickaudit.history import History
    from clickaudit.model import Audit, Email
    from clickaudit.settings import AuditSettings

DbPath = str | os.PathLike[str] | None


class Engine(Protocol):
    def scan(self, path: str) -> list[Audit]:
        """Every email in the file at ``path``, read offline (InputError when it cannot be)."""
        ...

    def audit(
        self,
        emails: Sequence[Email],
        settings: AuditSettings,
        progress: ProgressCallback,
        cancel: CancelToken,
    ) -> list[Audit]:
        """Follow and judge ``emails``; raises Cancelled once ``cancel`` is set."""
        ...

    def history(self, db_path: DbPath) -> History:
        """The history service over the database at ``db_path`` (None: the user's default)."""
        ...

    def render(self, audits: Sequence[Audit], fmt: str) -> str:
        """A report in ``fmt`` (html, json, csv, text), as the command line writes it."""
        ...

    def analyse_clicks(
        self, audit: Audit, logs: Sequence[str], history: History | None
    ) -> KeptAnalysis:
        """Judge click ``logs`` against ``audit``; kept in ``history`` unless it is None."""
        ...


class LocalEngine:
    """The real engine: audits in a child process, as the command line does."""

    def scan(self, path: str) -> list[Audit]:
        from clickaudit.pipeline import scan_path

        return scan_path(path)

    def audit(
        self,
        emails: Sequence[Email],
        settings: AuditSettings,
        progress: ProgressCallback,
        cancel: CancelToken,
    ) -> list[Audit]:
        from clickaudit.audit_process import audit_apart

        # Always in a child process: the audit's work never competes with the window's thread
        # for the interpreter lock, and the app audits exactly as the CLI does.
        return audit_apart(list(emails), settings, progress=progress, cancel=cancel)

    def history(self, db_path: DbPath) -> History:
        from clickaudit.history import History

        return History(db_path)

    def render(self, audits: Sequence[Audit], fmt: str) -> str:
        from clickaudit.report import render

        return render(audits, fmt)

    def analyse_clicks(
        self, audit: Audit, logs: Sequence[str], history: History | None
    ) -> KeptAnalysis:
        from clickaudit.clicks.session import KeptAnalysis, analyse_and_keep, analyse_audit

        if history is None:
            return KeptAnalysis(analyse_audit(audit, logs), None)
        return analyse_and_keep(audit, logs, history)
