"""The Dramatiq side: a Redis broker, the one actor a worker runs, and sending a job.

Dramatiq's Redis broker acknowledges a message only after the actor returns (late
acknowledgement): the messages a worker holds sit in its ack set, and when its heartbeat stops
(killed, machine gone) another worker's queue maintenance puts them back on the queue. The
heartbeat timeout is how long that takes; maintenance runs on a share of broker calls, raised
here from Dramatiq's 0.1 % so a dead worker's emails come back within seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from clickaudit.cluster.jobs import ACTOR, QUEUE

NAMESPACE = "clickaudit:dramatiq"
HEARTBEAT_TIMEOUT_S = 60.0
MAINTENANCE_CHANCE = 20_000  # per million broker calls (2 %)
MAX_RETRIES = 3  # only a Redis failure is retried: a bad email is a stored result
TIME_LIMIT_MS = 60 * 60 * 1000  # a safety net only: every request and chain has its own limit


def make_broker(
    url: str, *, heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S, **options: Any
) -> RedisBroker:
    """A Dramatiq broker on the cluster's Redis (``redis://HOST:PORT/DB``)."""
    broker = RedisBroker(
        url=url,
        namespace=NAMESPACE,
        heartbeat_timeout=int(heartbeat_timeout_s * 1000),
        maintenance_chance=MAINTENANCE_CHANCE,
        **options,
    )
    broker.declare_queue(QUEUE)
    return broker


def declare_actor(
    broker: dramatiq.Broker, run: Callable[[str, str], None]
) -> dramatiq.Actor[Any, Any]:
    """Register ``run(batch, sha256)`` as the actor that audits one email."""
    declare = dramatiq.actor(
        broker=broker,
        actor_name=ACTOR,
        queue_name=QUEUE,
        max_retries=MAX_RETRIES,
        min_backoff=1000,
        max_backoff=30_000,
        time_limit=TIME_LIMIT_MS,
    )
    return declare(run)


def send_job(broker: dramatiq.Broker, batch: str, sha: str) -> None:
    """Queue one email of a batch (the submitter needs no actor, only its name)."""
    broker.declare_queue(QUEUE)
    broker.enqueue(
        dramatiq.Message(
            queue_name=QUEUE, actor_name=ACTOR, args=(batch, sha), kwargs={}, options={}
        )
    )
