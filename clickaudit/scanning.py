"""The offline half of the pipeline: load → extract → classify → offline judgement. No
request, no DNS query — and no import of the network stack, so ``clickaudit scan`` starts in a
fraction of the time ``audit`` needs. :mod:`clickaudit.pipeline` builds the audit on these.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from clickaudit.classify import classify
from clickaudit.esp.fingerprints import Fingerprints, load_fingerprints
from clickaudit.extract import MAX_LINKS, Extraction, extract
from clickaudit.gc_pause import cyclic_gc_paused
from clickaudit.judge.offline import judge_offline
from clickaudit.load import load_path
from clickaudit.model import Audit, Email, EmailNote, EmailNoteKind, Image, Link


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Classified:
    """An email after the offline stages, before judgement: what the network stages start from."""

    email: Email
    links: tuple[Link, ...]
    images: tuple[Image, ...]
    esp: str | None


def classify_email(email: Email, fingerprints: Fingerprints) -> Classified:
    with cyclic_gc_paused():
        extraction = extract(email)
        if extraction.links_skipped:
            email = replace(email, notes=(*email.notes, _too_many_links(extraction)))
        result = classify(email, extraction.links, extraction.images, fingerprints)
    return Classified(email, tuple(result.links), tuple(result.images), result.esp)


def _too_many_links(extraction: Extraction) -> EmailNote:
    total = len(extraction.links) + extraction.links_skipped
    return EmailNote(
        EmailNoteKind.TOO_MANY_LINKS,
        f"the email has {total:,} links; only the first {MAX_LINKS:,} were audited "
        f"({extraction.links_skipped:,} skipped)",
    )


def scan_email(email: Email, fingerprints: Fingerprints | None = None) -> Audit:
    """The offline audit of one loaded email."""
    started = now_iso()
    with cyclic_gc_paused():
        classified = classify_email(email, fingerprints or load_fingerprints())
        email = classified.email
        links, message_findings = judge_offline(email, classified.links)
    return Audit(
        email=email,
        links=links,
        images=classified.images,
        esp=classified.esp,
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
