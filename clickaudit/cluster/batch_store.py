"""A batch kept in Redis: its spec, its emails, and one result per email, stored once.

Keys (all under ``clickaudit:batch:ID``; they expire :data:`BATCH_TTL_S` after the last write):

- ``…:spec`` the :class:`~clickaudit.cluster.jobs.BatchSpec` as JSON;
- ``…:jobs`` hash sha256 → :class:`~clickaudit.cluster.jobs.JobInfo`; ``…:email:SHA`` the bytes
  (deleted once the email has a result);
- ``…:outcomes`` hash sha256 → ``done`` or ``failed``, written with HSETNX: a redelivered email
  (its worker died after storing, or two workers raced) finds its outcome there and its result
  is stored once; ``…:results`` hash sha256 → result JSON (a done email's is dropped once the
  submitter has collected it; failures stay for ``--status``);
- ``…:finished`` the sha256s in the order their results were first stored (append-only, so a
  reconnecting submitter reads it from the start); ``…:collected`` the sha256s the submitter has
  already saved in its history; ``…:sent`` how many jobs were queued, ``…:sealed`` the total
  once every email was read.

The result is stored, counted and announced in one Lua script, so a worker killed at any point
leaves either no result (the email is redelivered) or a complete one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import redis

from clickaudit.cluster.jobs import BatchSpec, EmailUnit, JobInfo

BATCH_TTL_S = 7 * 24 * 3600
_PREFIX = "clickaudit:batch:"

_STORE_RESULT = """
local added = redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3])
if added == 1 then
    redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
    redis.call('RPUSH', KEYS[3], ARGV[1])
end
redis.call('DEL', KEYS[4])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return added
"""


@dataclass(frozen=True, slots=True)
class BatchStatus:
    """How far a batch is: emails done, failed (with each error) and still pending."""

    batch: str
    total: int
    done: int
    failed: int
    errors: tuple[tuple[str, str], ...]  # (email label, error)
    sealed: bool = True  # False: the submitter has not finished reading and queueing emails

    @property
    def pending(self) -> int:
        return self.total - self.done - self.failed

    @property
    def finished(self) -> bool:
        return self.sealed and self.pending == 0

    def summary(self) -> str:
        text = (
            f"batch {self.batch}: {self.done} done, {self.failed} failed, {self.pending} pending "
            f"of {self.total}"
        )
        return text if self.sealed else text + " (the submission did not finish)"


class UnknownBatch(LookupError):
    """No batch of that id in this Redis (never made, or expired)."""


class BatchStore:
    """One batch's keys, through a synchronous Redis client (shared by submitter and workers)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._store_result = client.register_script(_STORE_RESULT)

    @staticmethod
    def key(batch: str, part: str) -> str:
        return f"{_PREFIX}{batch}:{part}"

    # --- the submitter --------------------------------------------------------------------
    def create(self, batch: str, spec: BatchSpec) -> None:
        self.client.set(self.key(batch, "spec"), spec.to_json(), ex=BATCH_TTL_S)

    def add_email(self, batch: str, unit: EmailUnit, seq: int) -> bool:
        """Keep an email for the workers; False when the batch already has these bytes."""
        sha = unit.sha256
        info = JobInfo(unit.name, unit.kind, unit.index, seq)
        if not self.client.hsetnx(self.key(batch, "jobs"), sha, info.to_json()):
            return False
        pipe = self.client.pipeline()
        pipe.set(self.key(batch, f"email:{sha}"), unit.data, ex=BATCH_TTL_S)
        pipe.expire(self.key(batch, "jobs"), BATCH_TTL_S)
        pipe.execute()
        return True

    def count_sent(self, batch: str) -> None:
        self.client.incr(self.key(batch, "sent"))
        self.client.expire(self.key(batch, "sent"), BATCH_TTL_S)

    def sent(self, batch: str) -> int:
        return int(self.client.get(self.key(batch, "sent")) or 0)

    def seal(self, batch: str, total: int) -> None:
        """Every email of the batch has been read and queued: ``total`` is final."""
        self.client.set(self.key(batch, "sealed"), total, ex=BATCH_TTL_S)

    def sealed(self, batch: str) -> int | None:
        value = self.client.get(self.key(batch, "sealed"))
        return int(value) if value is not None else None

    def finished(self, batch: str, start: int) -> list[str]:
        """sha256s whose results were stored, in that order, from position ``start``."""
        values: Any = self.client.lrange(self.key(batch, "finished"), start, -1)
        return [value.decode("ascii") for value in values]

    def mark_collected(self, batch: str, sha: str, *, drop_result: bool = False) -> None:
        """The submitter has this email's result; ``drop_result``: Redis need not keep it (a
        done email's report; a failure's error stays for ``--status``)."""
        pipe = self.client.pipeline()
        pipe.sadd(self.key(batch, "collected"), sha)
        pipe.expire(self.key(batch, "collected"), BATCH_TTL_S)
        if drop_result:
            pipe.hdel(self.key(batch, "results"), sha)
        pipe.execute()

    def collected(self, batch: str) -> set[str]:
        members: Any = self.client.smembers(self.key(batch, "collected"))
        return {member.decode("ascii") for member in members}

    def status(self, batch: str) -> BatchStatus:
        if not self.client.exists(self.key(batch, "spec")):
            raise UnknownBatch(batch)
        total = int(self.client.hlen(self.key(batch, "jobs")))
        outcomes: Any = self.client.hgetall(self.key(batch, "outcomes"))
        failed_shas = [sha.decode() for sha, outcome in outcomes.items() if outcome == b"failed"]
        errors = []
        for sha in failed_shas:
            result = self.result(batch, sha)
            info = self.job(batch, sha)
            label = info.label if info else sha
            errors.append((label, str((result or {}).get("error", "unknown error"))))
        return BatchStatus(
            batch,
            total=total,
            done=len(outcomes) - len(failed_shas),
            failed=len(failed_shas),
            errors=tuple(sorted(errors)),
            sealed=self.sealed(batch) is not None,
        )

    # --- both -----------------------------------------------------------------------------
    def spec(self, batch: str) -> BatchSpec:
        text = self.client.get(self.key(batch, "spec"))
        if text is None:
            raise UnknownBatch(batch)
        return BatchSpec.from_json(text)

    def job(self, batch: str, sha: str) -> JobInfo | None:
        text = self.client.hget(self.key(batch, "jobs"), sha)
        return JobInfo.from_json(text) if text is not None else None

    def jobs_for(self, batch: str, shas: Sequence[str]) -> list[JobInfo | None]:
        if not shas:
            return []
        texts = self.client.hmget(self.key(batch, "jobs"), list(shas))
        return [JobInfo.from_json(text) if text is not None else None for text in texts]

    def jobs(self, batch: str) -> dict[str, JobInfo]:
        raw: Any = self.client.hgetall(self.key(batch, "jobs"))
        return {sha.decode("ascii"): JobInfo.from_json(text) for sha, text in raw.items()}

    def result(self, batch: str, sha: str) -> dict[str, Any] | None:
        text = self.client.hget(self.key(batch, "results"), sha)
        return json.loads(text) if text is not None else None

    def results(self, batch: str, shas: Sequence[str]) -> list[dict[str, Any] | None]:
        if not shas:
            return []
        texts = self.client.hmget(self.key(batch, "results"), list(shas))
        return [json.loads(text) if text is not None else None for text in texts]

    # --- the workers ----------------------------------------------------------------------
    def email(self, batch: str, sha: str) -> bytes | None:
        data: Any = self.client.get(self.key(batch, f"email:{sha}"))
        return data

    def has_result(self, batch: str, sha: str) -> bool:
        return bool(self.client.hexists(self.key(batch, "outcomes"), sha))

    def store_result(self, batch: str, sha: str, result: dict[str, Any]) -> bool:
        """Store an email's result unless it has one; True when this call stored it."""
        outcome = "failed" if result.get("status") == "failed" else "done"
        added = self._store_result(
            keys=[
                self.key(batch, "results"),
                self.key(batch, "outcomes"),
                self.key(batch, "finished"),
                self.key(batch, f"email:{sha}"),
            ],
            args=[sha, json.dumps(result), outcome, BATCH_TTL_S],
        )
        return bool(added)
