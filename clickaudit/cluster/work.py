"""What a worker does with one email of a batch: load its bytes, audit it under the batch's
settings, store the result once.

The settings are the submitter's, never the worker's: the worker only rewrites the paths of the
files the batch carries (policy, template, CA bundle) to its own copies of them, and hands the
follower the shared per-host budget. A bad email is a result too (``failed`` with the error, as
the command line would print it); only a Redis failure is raised, so Dramatiq retries the job.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

import redis

from clickaudit.cluster.batch_store import BatchStore, UnknownBatch
from clickaudit.cluster.host_budget import RedisHostLimiter
from clickaudit.cluster.jobs import FILE_SETTINGS, PROTOCOL, BatchSpec, JobInfo
from clickaudit.errors import ClickauditError
from clickaudit.model import Audit, Email, evolve
from clickaudit.settings import AuditSettings

log = logging.getLogger("clickaudit.worker")


def load_job_email(info: JobInfo, data: bytes) -> list[Email]:
    """The email(s) in these bytes, loaded as a local run loads its source (an mbox message keeps
    its mbox and position; a file is read as its name and content say; an attached message
    comes out as its own email)."""
    from clickaudit.load import _kind_of, load_bytes, load_message_bytes

    if info.kind == "mbox":
        return load_message_bytes(data, info.name, kind="mbox", index=info.index)
    kind = _kind_of(Path(info.name), data) if info.kind == "file" else info.kind
    return load_bytes(data, info.name, kind=kind)


class JobRunner:
    """Runs the jobs of one worker process (thread-safe: Dramatiq calls it from its threads).

    ``workdir`` receives the files batches carry; ``redis_url`` is where the per-host budget
    lives (the cluster's Redis).
    """

    def __init__(self, store: BatchStore, redis_url: str, workdir: Path) -> None:
        self.store = store
        self.redis_url = redis_url
        self.workdir = workdir
        self._lock = threading.Lock()
        self._settings: dict[str, tuple[BatchSpec, AuditSettings]] = {}

    def run(self, batch: str, sha: str) -> None:
        """The actor's body: audit one email unless its result is already stored."""
        if self.store.has_result(batch, sha):
            log.info("batch %s: %s already has a result; not audited again", batch, sha[:12])
            return
        info = self.store.job(batch, sha)
        data = self.store.email(batch, sha)
        if info is None or data is None:
            if not self.store.has_result(batch, sha):
                self.store.store_result(
                    batch,
                    sha,
                    {"status": "failed", "error": "the email is no longer in Redis (expired?)"},
                )
            return
        result = self.process(batch, info, data)
        if self.store.store_result(batch, sha, result):
            if result["status"] == "failed":
                log.warning("batch %s: %s failed: %s", batch, info.label, result["error"])
            else:
                log.info("batch %s: %s done", batch, info.label)

    def process(self, batch: str, info: JobInfo, data: bytes) -> dict[str, Any]:
        """The result of one email: ``{"status": "done", "audits": […]}`` (each audit in the
        lossless wire form of :mod:`clickaudit.wire`) or ``{"status": "failed", "error": …}``."""
        from clickaudit.wire import to_wire

        try:
            spec, settings = self._batch_settings(batch)
            emails = load_job_email(info, data)
            audits = self._scan(emails) if spec.mode == "scan" else self._audit(emails, settings)
            audits = [_with_submitter_paths(audit, spec) for audit in audits]
            if spec.report:
                return {"status": "done", **rendered(audits, spec.report)}
            return {"status": "done", "audits": [to_wire(audit) for audit in audits]}
        except redis.RedisError:
            raise  # the job is retried: the email is not at fault
        except ClickauditError as error:
            return {"status": "failed", "error": str(error)}
        except Exception as error:  # a bug must not lose the email: it is reported, not dropped
            log.exception("batch %s: %s failed", batch, info.name)
            return {"status": "failed", "error": f"internal error: {type(error).__name__}: {error}"}

    def _scan(self, emails: list[Email]) -> list[Audit]:
        from clickaudit.esp.fingerprints import load_fingerprints
        from clickaudit.pipeline import scan_email

        fingerprints = load_fingerprints()
        return [scan_email(email, fingerprints) for email in emails]

    def _audit(self, emails: list[Email], settings: AuditSettings) -> list[Audit]:
        return asyncio.run(self._audit_async(emails, settings))

    async def _audit_async(self, emails: list[Email], settings: AuditSettings) -> list[Audit]:
        from clickaudit.pipeline import NetworkOverrides, audit_emails_async

        limiter = RedisHostLimiter(
            self.redis_url,
            ceiling=settings.per_host,
            concurrency=settings.concurrency,
            lease_s=settings.timeout,
        )
        try:
            return await audit_emails_async(
                emails, settings, network=NetworkOverrides(limiter=limiter)
            )
        finally:
            await limiter.aclose()

    def _batch_settings(self, batch: str) -> tuple[BatchSpec, AuditSettings]:
        with self._lock:
            cached = self._settings.get(batch)
            if cached is not None:
                return cached
            try:
                spec = self.store.spec(batch)
            except UnknownBatch:
                raise ClickauditError(f"batch {batch} is not in Redis (expired?)") from None
            if spec.protocol > PROTOCOL:
                raise ClickauditError(
                    f"batch {batch} was made by a newer clickaudit (protocol {spec.protocol}); "
                    "upgrade this worker"
                )
            settings = settings_for_worker(spec, self.workdir / batch)
            self._settings[batch] = (spec, settings)
            return spec, settings


def rendered(audits: list[Audit], report: dict[str, Any]) -> dict[str, Any]:
    """The audits as report pieces in the submitter's format, and their worst severity's rank
    (what ``--fail-on`` needs)."""
    from clickaudit.report.stream import render_piece

    fmt, width = str(report["format"]), int(report.get("width", 120))
    worst = max((f.severity.rank for audit in audits for f in audit.all_findings()), default=-1)
    return {"pieces": [render_piece(audit, fmt, width=width) for audit in audits], "worst": worst}


def settings_for_worker(spec: BatchSpec, folder: Path) -> AuditSettings:
    """The submitter's settings, with the files it sent written to ``folder`` and named there."""
    values = dict(spec.settings)
    values.pop("mode", None)
    for key in FILE_SETTINGS:
        values[key] = None
    for key, (name, data) in spec.files.items():
        if key not in FILE_SETTINGS:
            continue
        target = folder / key / (Path(name).name or key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        values[key] = str(target)
    return AuditSettings.from_dict(values)


def _with_submitter_paths(audit: Audit, spec: BatchSpec) -> Audit:
    """The audit records the settings it ran with as the submitter gave them (its file paths,
    not the worker's copies)."""
    if not audit.settings:
        return audit
    restored = dict(audit.settings)
    for key in FILE_SETTINGS:
        if key in restored:
            restored[key] = spec.settings.get(key)
    return evolve(audit, settings=restored)
