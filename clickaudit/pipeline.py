"""The audit pipeline: the stages run in order, shared by the command line and the desktop app.

``scan_*`` is the offline half (load → extract → classify → offline judgement): no request, no
DNS query. ``audit_*`` adds pairing with a template, following redirect chains, domain checks
and the final judgement. Both front ends call these functions and nothing deeper, so they can
never disagree about what an audit is.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from clickaudit.classify import classify
from clickaudit.esp.fingerprints import Fingerprints, load_fingerprints
from clickaudit.extract import extract
from clickaudit.judge.offline import judge_offline
from clickaudit.load import load_path
from clickaudit.model import Audit, Email


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def scan_email(email: Email, fingerprints: Fingerprints | None = None) -> Audit:
    """The offline audit of one loaded email."""
    started = now_iso()
    fingerprints = fingerprints or load_fingerprints()
    extraction = extract(email)
    classification = classify(email, extraction.links, extraction.images, fingerprints)
    links, message_findings = judge_offline(email, classification.links)
    return Audit(
        email=email,
        links=links,
        images=classification.images,
        esp=classification.esp,
        findings=message_findings,
        settings={"mode": "scan"},
        started_at=started,
        finished_at=now_iso(),
    )


def scan_path(path: str | os.PathLike[str]) -> list[Audit]:
    """Load a file (one email, or several from an mbox or attachments) and scan each email.

    Raises:
        InputError: the file cannot be read or is not an email, HTML or text file.
    """
    fingerprints = load_fingerprints()
    return [scan_email(email, fingerprints) for email in load_path(path)]
