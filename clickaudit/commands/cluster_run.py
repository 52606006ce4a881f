"""``scan|audit --cluster URL``: the batch goes to a worker cluster, the results come back here.

Everything that is not auditing stays with the submitter: reading the files, saving each audit
in the history as it arrives, and the report (``--format jsonl`` streams a line per email as it
arrives; the other formats are written once the batch is complete, in the order of the files).
The Dramatiq/Redis modules are imported only when ``--cluster`` is given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from clickaudit.commands.common import EXIT_INPUT, FAIL_ON, exit_status
from clickaudit.errors import ClickauditError, InputError

NEEDS_EXTRA = "--cluster needs the optional extra: pip install 'clickaudit[cluster]'"


def add_cluster_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("cluster (optional extra clickaudit[cluster])")
    group.add_argument(
        "--cluster",
        metavar="redis://HOST:PORT/DB",
        help="send the emails to the workers of this cluster ('clickaudit worker') and "
        "collect their results here",
    )
    group.add_argument(
        "--resume",
        metavar="BATCH",
        help="with --cluster: collect a batch sent earlier (after an interruption); no FILE",
    )


def check_inputs(args: argparse.Namespace) -> str | None:
    """What is wrong with the files/--cluster/--resume combination, or None."""
    if args.resume and not args.cluster:
        return "--resume needs --cluster URL"
    if args.resume and args.files:
        return "--resume collects a batch already sent: give no FILE"
    if not args.files and not args.resume:
        return "give at least one FILE"
    return None


def run_batch(
    args: argparse.Namespace,
    *,
    mode: str,
    settings_data: dict[str, Any],
    render: Callable[[list[Any]], str],
    save: bool,
    shown: Callable[[list[Any]], list[Any]] = list,
) -> int:
    """Submit (or resume) a batch, collect it, save and report. Returns the exit status.

    ``shown`` turns saved audits into reported ones (``--redact``), for the streamed lines and
    the final report alike."""
    try:
        from clickaudit.cluster.jobs import spec_for
        from clickaudit.cluster.submit import Cluster, UnknownBatch, new_batch_id, read_units
    except ImportError as error:
        print(f"clickaudit: {NEEDS_EXTRA} ({error})", file=sys.stderr)
        return EXIT_INPUT
    cluster = Cluster(args.cluster)
    input_failed = False

    def on_error(error: InputError) -> None:
        nonlocal input_failed
        input_failed = True
        print(f"clickaudit: {error.path}: {error.problem}", file=sys.stderr)

    def on_duplicate(unit: Any) -> None:
        print(
            f"clickaudit: {unit.label}: the same email as one before it; audited once",
            file=sys.stderr,
        )

    batch = args.resume or new_batch_id()
    try:
        if args.resume:
            try:
                resumed = cluster.resume(batch)
            except UnknownBatch:
                print(
                    f"clickaudit: no batch {batch} on {args.cluster} (never made, or expired)",
                    file=sys.stderr,
                )
                return EXIT_INPUT
            print(f"clickaudit: resuming {resumed.summary()}", file=sys.stderr)

            def results(on_progress: Callable[[int, int], None]) -> Iterator[Any]:
                return cluster.collect(batch, on_progress=on_progress)
        else:
            spec = spec_for(mode, settings_data)
            print(
                f"clickaudit: sending batch {batch} to {args.cluster} (if interrupted, collect "
                f"it with --resume {batch})",
                file=sys.stderr,
            )

            def results(on_progress: Callable[[int, int], None]) -> Iterator[Any]:
                return cluster.run(
                    batch,
                    read_units(args.files),
                    spec,
                    on_error=on_error,
                    on_duplicate=on_duplicate,
                    on_progress=on_progress,
                )

        outcome = _collect(cluster, batch, results, args, render=render, save=save, shown=shown)
        return EXIT_INPUT if input_failed else outcome
    except KeyboardInterrupt:
        print(
            f"\nclickaudit: batch {batch} goes on on the cluster; collect it with "
            f"--cluster {args.cluster} --resume {batch}",
            file=sys.stderr,
        )
        raise
    finally:
        cluster.close()


def _collect(
    cluster: Any,
    batch: str,
    results: Callable[[Callable[[int, int], None]], Iterator[Any]],
    args: argparse.Namespace,
    *,
    render: Callable[[list[Any]], str],
    save: bool,
    shown: Callable[[list[Any]], list[Any]],
) -> int:
    from clickaudit.commands.progress_line import ProgressLine
    from clickaudit.events import Progress
    from clickaudit.model import Audit
    from clickaudit.report.json_report import dumps_line
    from clickaudit.wire import from_wire

    store = _open_store(args.db) if save else None
    failed = save and store is None  # reported; the report is still written, then exit 2
    progress = ProgressLine()
    threshold = FAIL_ON[args.fail_on]
    stream_lines = args.format == "jsonl"
    kept: list[tuple[int, int, Any]] = []
    has_findings = False
    out = _open_output(args.output) if stream_lines else None
    try:
        for item in results(lambda done, total: progress(Progress("cluster", done, total))):
            if item.error is not None:
                progress.clear()
                print(f"clickaudit: {item.error}", file=sys.stderr)
                failed = True
                cluster.mark_collected(batch, item)
                continue
            audits = [from_wire(Audit, report) for report in item.reports]
            if store is not None:
                for audit in audits:
                    failed = not _save_one(store, audit) or failed
            cluster.mark_collected(batch, item)
            if threshold is not None and exit_status(audits, args.fail_on):
                has_findings = True
            if out is not None:
                for audit in shown(audits):
                    out.write(dumps_line(audit) + "\n")
                out.flush()
            else:
                kept.extend((item.info.seq, n, audit) for n, audit in enumerate(shown(audits)))
    finally:
        progress.clear()
        if store is not None:
            store.close()
        if out is not None and out is not sys.stdout:
            out.close()
    status = cluster.status(batch)
    print(f"clickaudit: {status.summary()}", file=sys.stderr)
    if out is None:
        audits = [audit for _, _, audit in sorted(kept, key=lambda entry: entry[:2])]
        from clickaudit.commands.common import write_output

        write_output(render(audits), args.output)
    if failed or status.failed:
        return EXIT_INPUT
    return 1 if has_findings else 0


def _open_store(db: str | None) -> Any:
    """The history to save into, or None (said on stderr) when it cannot be opened."""
    from clickaudit.paths import default_db_path
    from clickaudit.store import Store

    path = db or str(default_db_path())
    try:
        return Store.open(path)
    except ClickauditError as error:
        print(f"clickaudit: not saved: {error}", file=sys.stderr)
        return None


def _save_one(store: Any, audit: Any) -> bool:
    try:
        store.save(audit)
    except ClickauditError as error:
        print(
            f"clickaudit: {store.path}: {audit.email.source.label}: not saved: {error}",
            file=sys.stderr,
        )
        return False
    return True


def _open_output(output: str | None) -> TextIO:
    if not output:
        return sys.stdout
    try:
        return open(output, "w", encoding="utf-8")
    except OSError as error:
        raise InputError(output, f"cannot write the report: {error.strerror}") from error


__all__: Sequence[str] = ("add_cluster_options", "check_inputs", "run_batch")
