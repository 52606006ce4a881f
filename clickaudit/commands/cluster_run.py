"""``scan|audit --cluster URL``: the batch goes to a worker cluster, the results come back here.

Everything that is not auditing stays with the submitter: reading the files, saving each audit
in the history as it arrives, and the report. ``--format jsonl`` writes a line per email as it
arrives; text and JSON are streamed in the order of the inputs (an email that finished early
waits for those before it; the submitter never has more than its queue window out of order);
HTML, CSV and JUnit are whole documents, written once the batch is complete. The Dramatiq/Redis
modules are imported only when ``--cluster`` is given.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

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
    save: bool,
    shown: Callable[[list[Any]], list[Any]] = list,
    rendered_by_workers: bool = False,
) -> int:
    """Submit (or resume) a batch, collect it, save and report. Returns the exit status.

    ``shown`` turns saved audits into reported ones (``--redact``), for the streamed lines and
    the final report alike. ``rendered_by_workers`` (a scan: nothing is saved) has the workers
    render the report in ``--format`` and the submitter only write it."""
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
                made = cluster.store.spec(batch)
            except UnknownBatch:
                print(
                    f"clickaudit: no batch {batch} on {args.cluster} (never made, or expired)",
                    file=sys.stderr,
                )
                return EXIT_INPUT
            made_by = made.mode
            if made_by != mode:
                print(
                    f"clickaudit: batch {batch} is a{'n' if made_by == 'audit' else ''} "
                    f"{made_by} batch: resume it with 'clickaudit {made_by}'",
                    file=sys.stderr,
                )
                return EXIT_INPUT
            if made.report and made.report.get("format") != args.format:
                print(
                    f"clickaudit: batch {batch} was sent for --format {made.report['format']}: "
                    "resume it with that format",
                    file=sys.stderr,
                )
                return EXIT_INPUT
            resumed = cluster.resume(batch)
            print(f"clickaudit: resuming {resumed.summary()}", file=sys.stderr)

            def results(on_progress: Callable[[int, int], None]) -> Iterator[Any]:
                return cluster.collect(batch, on_progress=on_progress)
        else:
            report = {"format": args.format, "width": _width()} if rendered_by_workers else None
            spec = spec_for(mode, settings_data, report=report)
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

        outcome = _collect(cluster, batch, results, args, save=save, shown=shown)
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
    save: bool,
    shown: Callable[[list[Any]], list[Any]],
) -> int:
    from clickaudit.commands.common import open_output, write_document
    from clickaudit.commands.progress_line import ProgressLine
    from clickaudit.events import Progress
    from clickaudit.model import Audit
    from clickaudit.report.stream import (
        STREAMED_FORMATS,
        DocumentWriter,
        ReportWriter,
        render_piece,
    )
    from clickaudit.wire import from_wire

    store = _open_store(args.db) if save else None
    failed = save and store is None  # reported; the report is still written, then exit 2
    progress = ProgressLine()
    threshold = FAIL_ON[args.fail_on]
    has_findings = False
    out = open_output(args.output) if args.format in STREAMED_FORMATS else None
    writer = ReportWriter(out, args.format) if out is not None else None
    # A whole document (HTML, CSV, JUnit) is spooled audit by audit, in the inputs' order.
    document = None if writer is not None else DocumentWriter(args.format, fail_on=threshold)
    in_order = (
        _InOrder(writer, done=cluster.collected_seqs(batch))
        if writer is not None and args.format != "jsonl"
        else None
    )
    documented = (
        _InOrder(_Adding(document), done=cluster.collected_seqs(batch))
        if document is not None
        else None
    )
    width = _width()
    try:
        for item in results(lambda done, total: progress(Progress("cluster", done, total))):
            if item.error is not None:
                progress.clear()
                print(f"clickaudit: {item.error}", file=sys.stderr)
                failed = True
                cluster.mark_collected(batch, item)
                if in_order is not None:
                    in_order.put(item.info.seq, [])
                continue
            if item.pieces is not None:  # rendered by the worker (a scan): only written here
                cluster.mark_collected(batch, item)
                has_findings = has_findings or (
                    threshold is not None and item.worst >= threshold.rank
                )
                if writer is None or in_order is None:
                    for piece in item.pieces:
                        _write(writer, piece)
                else:
                    in_order.put(item.info.seq, list(item.pieces))
                continue
            audits = [from_wire(Audit, report) for report in item.reports]
            if store is not None:
                for audit in audits:
                    failed = not _save_one(store, audit) or failed
            cluster.mark_collected(batch, item)
            if threshold is not None and exit_status(audits, args.fail_on):
                has_findings = True
            if documented is not None:
                documented.put(item.info.seq, shown(audits))
                continue
            pieces = [render_piece(audit, args.format, width=width) for audit in shown(audits)]
            if in_order is None:
                for piece in pieces:
                    _write(writer, piece)
            else:
                in_order.put(item.info.seq, pieces)
    finally:
        progress.clear()
        if store is not None:
            store.close()
        for ordered in (in_order, documented):
            if ordered is not None:
                ordered.finish()
        if writer is not None and (writer.count or args.format == "json"):
            writer.close()
        if out is not None and out is not sys.stdout:
            out.close()
    status = cluster.status(batch)
    print(f"clickaudit: {status.summary()}", file=sys.stderr)
    if document is not None:
        write_document(document.write_to, args.output, ends_with_newline=document.ends_with_newline)
    if failed or status.failed:
        return EXIT_INPUT
    return 1 if has_findings else 0


def _width() -> int:
    """The text report's width, as a local scan picks it."""
    import shutil

    return max(40, min(shutil.get_terminal_size((120, 24)).columns, 240))


def _write(writer: Any, piece: str) -> None:
    if writer is None:
        raise ClickauditError("a report rendered by the workers needs a streamed format")
    writer.write(piece)


class _InOrder:
    """Writes each email's report pieces (or audits, to a document) in the order of the inputs
    (``seq``), whatever order the workers finish them in; ``done`` are the places already
    reported (a resumed batch)."""

    def __init__(self, writer: Any, *, done: set[int]) -> None:
        self._writer = writer
        self._next = 0
        self._waiting: dict[int, list[Any]] = {seq: [] for seq in done}
        self._advance()

    def put(self, seq: int, pieces: list[Any]) -> None:
        self._waiting[seq] = pieces
        self._advance()

    def finish(self) -> None:
        """Write whatever still waits (an interrupted batch), in order."""
        for seq in sorted(self._waiting):
            for piece in self._waiting.pop(seq):
                self._writer.write(piece)

    def _advance(self) -> None:
        while self._next in self._waiting:
            for piece in self._waiting.pop(self._next):
                self._writer.write(piece)
            self._next += 1


class _Adding:
    """What :class:`_InOrder` writes to, for a document: each audit added to it."""

    def __init__(self, document: Any) -> None:
        self._document = document

    def write(self, audit: Any) -> None:
        self._document.add(audit)


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


__all__: Sequence[str] = ("add_cluster_options", "check_inputs", "run_batch")
