"""One click analysis from files to report, for the command line and the app alike.

The email is scanned offline (never followed: a request would add a click to the very log being
judged). An audit of the same email already in the history lends its followed chains and
template pairing, so clicks logged by a destination only following revealed still join.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from clickaudit.clicks.analysis import CLICKS_KEPT, Analysis, analyse
from clickaudit.clicks.model import ClickReport
from clickaudit.errors import InputError, StoreError
from clickaudit.model import Audit, Link, evolve

if TYPE_CHECKING:
    from clickaudit.history import History


@dataclass
class ClickSession:
    """An analysis with its report; owns a scratch file until :meth:`close`."""

    audit: Audit
    analysis: Analysis
    report: ClickReport
    source: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def __enter__(self) -> ClickSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.analysis.close()


def analyse_email(
    email_path: str,
    event_paths: Sequence[str],
    *,
    mapping: Mapping[str, str] | None = None,
    delivered: int | None = None,
    db: str | None = None,
    keep: int = CLICKS_KEPT,
) -> ClickSession:
    """Scan ``email_path``, import and judge ``event_paths``.

    ``db``: ``None`` never opens the history; ``""`` is the default history; else its path.

    Raises:
        InputError: the email or a log cannot be read.
    """
    from clickaudit.pipeline import scan_path
    from clickaudit.report.json_report import audit_to_dict

    audits = scan_path(email_path)
    if not audits:
        raise InputError(email_path, "holds no email")
    audit = audits[0]
    notes = []
    if len(audits) > 1:
        notes.append(f"{email_path} holds {len(audits)} messages; the first is used")
    audit_id = None
    if db is not None:
        audit_id, audit = _with_stored_audit(audit, db or None, notes)
    analysis = analyse(audit, event_paths, mapping=mapping)
    try:
        report = analysis.report(event_paths, delivered=delivered, keep=keep)
    except BaseException:
        analysis.close()
        raise
    report = replace(report, audit_id=audit_id, notes=tuple(notes))
    return ClickSession(audit, analysis, report, audit_to_dict(audit)["source"], notes)


def _with_stored_audit(audit: Audit, db: str | None, notes: list[str]) -> tuple[int | None, Audit]:
    from clickaudit.history import History

    history = History(db)
    try:
        audit_id = history.newest_audit_id(audit.email.source.sha256)
        if audit_id is None:
            return None, audit
        stored = history.audit(audit_id)
    except StoreError as error:
        notes.append(f"the history was not read: {error}")
        return None, audit
    return audit_id, merge_followed(audit, stored)


def merge_followed(audit: Audit, stored: Audit) -> Audit:
    """The fresh scan's links with the stored audit's chains, pairing and final URLs."""
    by_id: dict[int, Link] = {link.id: link for link in stored.links}
    links = []
    for link in audit.links:
        old = by_id.get(link.id)
        if old is not None and old.href == link.href:
            link = evolve(
                link,
                chain=old.chain,
                final_url=old.final_url,
                expected=old.expected or link.expected,
            )
        links.append(link)
    return evolve(audit, links=tuple(links))


def save_analysis(session: ClickSession, db: str | None) -> int:
    """Keep the analysis in the history; returns the run id.

    Raises:
        StoreError: the history cannot be opened or written (the message names the file).
    """
    from clickaudit.history import History

    return History(db).save_clicks(session.report, session.source, session.analysis.judged())


def analyse_audit(
    audit: Audit,
    event_paths: Sequence[str],
    *,
    mapping: Mapping[str, str] | None = None,
    delivered: int | None = None,
    keep: int = CLICKS_KEPT,
) -> ClickReport:
    """The report of ``event_paths`` against an audit already made (the app's open email).

    The scratch file is gone when this returns; the report keeps at most ``keep`` clicks.
    """
    with analyse(audit, event_paths, mapping=mapping) as analysis:
        return analysis.report(event_paths, delivered=delivered, keep=keep)


@dataclass(frozen=True, slots=True)
class KeptAnalysis:
    """An analysis the app made and kept: its report, and the history's id for it or, when it
    could not be kept, why (the report is good either way)."""

    report: ClickReport
    run_id: int | None
    not_kept: str | None = None


def analyse_and_keep(
    audit: Audit,
    event_paths: Sequence[str],
    history: History,
    *,
    mapping: Mapping[str, str] | None = None,
    delivered: int | None = None,
    keep: int = CLICKS_KEPT,
) -> KeptAnalysis:
    """:func:`analyse_audit`, then every judged click kept in ``history`` as ``clicks`` keeps
    them, naming the newest stored audit of the same email (the app's audits are saved)."""
    from clickaudit.report.json_report import audit_to_dict

    with analyse(audit, event_paths, mapping=mapping) as analysis:
        report = analysis.report(event_paths, delivered=delivered, keep=keep)
        try:
            audit_id = history.newest_audit_id(audit.email.source.sha256)
            report = replace(report, audit_id=audit_id)
            source = audit_to_dict(audit)["source"]
            run_id = history.save_clicks(report, source, analysis.judged())
        except StoreError as error:
            return KeptAnalysis(report, None, str(error))
    return KeptAnalysis(report, run_id)
