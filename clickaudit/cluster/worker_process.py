"""``clickaudit worker``: one Dramatiq worker process auditing the emails queued on a Redis.

It runs until SIGTERM or Ctrl+C, then stops taking messages and finishes (for up to
:data:`STOP_GRACE_S`) the emails in hand; whatever it had not acknowledged goes back to the
queue for another worker.
"""

from __future__ import annotations

import logging
import signal
import sys
import tempfile
import threading
from pathlib import Path
from types import FrameType

import dramatiq
import redis

from clickaudit.cluster.batch_store import BatchStore
from clickaudit.cluster.broker import declare_actor, make_broker
from clickaudit.cluster.work import JobRunner
from clickaudit.errors import ClickauditError

STOP_GRACE_S = 60.0
EXIT_STOPPED = 0


def serve(url: str, *, threads: int, heartbeat_timeout_s: float) -> int:
    """Run a worker against the Redis at ``url`` until told to stop."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("dramatiq").setLevel(logging.WARNING)
    try:
        client = redis.Redis.from_url(url)
        client.ping()
    except (redis.RedisError, ValueError) as error:
        raise ClickauditError(f"{url}: cannot reach the cluster's Redis: {error}") from None
    broker = make_broker(url, heartbeat_timeout_s=heartbeat_timeout_s)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with tempfile.TemporaryDirectory(prefix="clickaudit-worker-") as workdir:
        runner = JobRunner(BatchStore(client), url, Path(workdir))
        declare_actor(broker, runner.run)
        worker = dramatiq.Worker(broker, worker_threads=max(threads, 1), worker_timeout=500)
        worker.start()
        print(
            f"clickaudit worker {broker.broker_id}: auditing batches from {url} with {threads} "
            "thread(s); Ctrl+C to stop",
            file=sys.stderr,
            flush=True,
        )
        try:
            while not stop.wait(0.5):
                pass
        finally:
            print("clickaudit worker: stopping (finishing the emails in hand)", file=sys.stderr)
            worker.stop(timeout=int(STOP_GRACE_S * 1000))
            broker.close()
            client.close()
    return EXIT_STOPPED
