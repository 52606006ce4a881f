"""``clickaudit scan FILE… [--format text|json|jsonl] [--jobs N]``: offline analysis only, no
request, no DNS.

Inputs may be files, folders, globs, mbox files and Maildirs (:mod:`clickaudit.batch`); emails
are read one at a time, scanned in worker processes when there are several, and each report is
written as its email finishes (:mod:`clickaudit.report.stream`), so memory does not grow with
the batch. A terminal gets a progress line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from clickaudit.commands.cluster_run import add_cluster_options, check_inputs
from clickaudit.commands.common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    FAIL_ON,
    add_fail_on,
    add_jobs,
    open_output,
)
from clickaudit.errors import InputError

NAME = "scan"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="analyse emails offline: every link, what tracks it, where it goes (no network)",
        description="Offline analysis: load each email, find every link and open pixel, say which "
        "ESP tracks it, unwrap security gateways, decode destinations carried in tracking links, "
        "and report malformed links, merge tags and other problems. Makes no request and no DNS "
        "query.",
    )
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help=".eml, .mbox, .html or .txt files, folders (Maildir too) or quoted globs",
    )
    parser.add_argument("--format", choices=("text", "json", "jsonl"), default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here")
    add_fail_on(parser)
    add_jobs(parser)
    add_cluster_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    problem = check_inputs(args)
    if problem:
        print(f"clickaudit: scan: {problem}", file=sys.stderr)
        return EXIT_INPUT
    if args.cluster:
        from clickaudit.commands.cluster_run import run_batch

        return run_batch(
            args,
            mode="scan",
            settings_data={},
            save=False,
            rendered_by_workers=True,
        )
    return scan_batch(args)


def scan_batch(args: argparse.Namespace) -> int:
    # Imported here so `clickaudit --help` and other commands start without loading the engine.
    import shutil

    from clickaudit.batch import count_sources, read_sources
    from clickaudit.commands.progress_line import BatchProgress
    from clickaudit.report.stream import ReportWriter
    from clickaudit.scan_batch import default_jobs, scan_sources

    threshold = FAIL_ON[args.fail_on]
    progress = BatchProgress(None)
    if progress.enabled:
        progress = BatchProgress(count_sources(args.files))
    width = max(40, min(shutil.get_terminal_size((120, 24)).columns, 240))
    try:
        out = open_output(args.output)
    except InputError as error:
        print(f"clickaudit: {error.path}: {error.problem}", file=sys.stderr)
        return EXIT_INPUT
    writer = ReportWriter(out, args.format)
    # Reports written to the terminal the progress line is on: the line is cleared first, or
    # the report would start at its end.
    shares_terminal = progress.enabled and out.isatty()
    failed = found = False
    try:
        for result in scan_sources(
            read_sources(args.files), fmt=args.format, width=width, jobs=args.jobs or default_jobs()
        ):
            if result.problem is not None:
                progress.clear()
                print(f"clickaudit: {result.label}: {result.problem}", file=sys.stderr)
                failed = True
                progress.advance()
                continue
            if shares_terminal:
                progress.clear()
            for piece in result.pieces:
                writer.write(piece)
            progress.advance()
            found = found or (threshold is not None and result.worst >= threshold.rank)
    finally:
        progress.clear()
        if writer.count or args.format == "json":
            writer.close()
        if out is not sys.stdout:
            out.close()
    if failed:
        return EXIT_INPUT
    return EXIT_FINDINGS if found else EXIT_OK
