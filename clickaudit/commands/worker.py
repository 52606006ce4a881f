"""``clickaudit worker --cluster redis://HOST:PORT/DB``: audit batches queued by other machines.

Needs the optional extra ``clickaudit[cluster]`` (Dramatiq and Redis), imported only here. Every
setting comes with the batch from its submitter; a worker has no audit options of its own.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from clickaudit.commands.common import EXIT_INPUT, EXIT_OK

NAME = "worker"
NEEDS_EXTRA = "needs the optional extra: pip install 'clickaudit[cluster]'"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="run a cluster worker that audits batches queued on Redis (clickaudit[cluster])",
        description="Run one worker of a clickaudit cluster: it takes emails queued by "
        "'clickaudit scan|audit --cluster URL' and audits them with the submitter's settings. "
        "Requests to each host are limited across all workers together.",
    )
    parser.add_argument("--cluster", required=True, metavar="redis://HOST:PORT/DB")
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        metavar="N",
        help="emails this worker audits at once (default: 2; start more workers for more CPU)",
    )
    parser.add_argument(
        "--heartbeat-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="a worker silent this long is taken for dead and its emails are queued again "
        "(default: 60)",
    )
    parser.add_argument(
        "--status",
        metavar="BATCH",
        help="print how far a batch is (done, failed with errors, pending) and exit",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        from clickaudit.cluster.worker_process import serve
    except ImportError as error:
        print(f"clickaudit: worker {NEEDS_EXTRA} ({error})", file=sys.stderr)
        return EXIT_INPUT
    if args.status:
        return print_status(args.cluster, args.status)
    return serve(args.cluster, threads=args.threads, heartbeat_timeout_s=args.heartbeat_timeout)


def print_status(url: str, batch: str) -> int:
    from clickaudit.cluster.submit import Cluster, UnknownBatch

    cluster = Cluster(url)
    try:
        status = cluster.status(batch)
    except UnknownBatch:
        print(f"clickaudit: no batch {batch} on {url} (never made, or expired)", file=sys.stderr)
        return EXIT_INPUT
    finally:
        cluster.close()
    print(status.summary())
    for label, error in status.errors:
        print(f"  failed: {label}: {error}")
    return EXIT_OK
