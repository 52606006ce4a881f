"""What the subcommands share: exit statuses, --fail-on, reading several files, writing output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from clickaudit.errors import ClickauditError, InputError
from clickaudit.model import Audit, Severity

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2

FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "never": None}


def add_fail_on(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fail-on",
        choices=tuple(FAIL_ON),
        default="error",
        help="exit 1 when a finding at or above this severity exists (default: error)",
    )


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", metavar="FILE", help="history database (default: per user; CLICKAUDIT_DB overrides)"
    )


def exit_status(audits: Iterable[Audit], fail_on: str) -> int:
    threshold = FAIL_ON[fail_on]
    if threshold is None:
        return EXIT_OK
    for audit in audits:
        if any(f.severity.rank >= threshold.rank for f in audit.all_findings()):
            return EXIT_FINDINGS
    return EXIT_OK


def run_per_file(
    paths: Sequence[str], work: Callable[[str], list[Audit]]
) -> tuple[list[Audit], bool]:
    """Run ``work`` on each file; a file that fails is reported on stderr and the rest go on.

    Returns the audits and whether any file failed (the caller then exits 2).
    """
    audits: list[Audit] = []
    failed = False
    for path in paths:
        try:
            audits.extend(work(path))
        except InputError as error:
            print(f"clickaudit: {error.path}: {error.problem}", file=sys.stderr)
            failed = True
        except ClickauditError as error:
            print(f"clickaudit: {path}: {error}", file=sys.stderr)
            failed = True
    return audits, failed


def to_stdout(output: str | None) -> bool:
    """No --output, or ``-o -``: the report goes to stdout (never to a file named "-")."""
    return not output or output == "-"


def write_output(text: str, output: str | None) -> None:
    """Write to --output FILE, or to stdout (no --output, or ``-o -``)."""
    if output and not to_stdout(output):
        try:
            from clickaudit.atomic_write import write_text_atomically  # tempfile: on use

            write_text_atomically(output, text)
        except OSError as error:
            raise InputError(output, f"cannot write the report: {error.strerror}") from error
        print(f"clickaudit: wrote {Path(output).resolve()}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def write_document(
    write: Callable[[TextIO], None], output: str | None, *, ends_with_newline: bool
) -> None:
    """As :func:`write_output`, for a report that ``write`` writes piece by piece to the file
    it is given: --output FILE written beside its name and renamed into place, or stdout (a
    newline added there if the report does not end with one)."""
    if output and not to_stdout(output):
        try:
            from clickaudit.atomic_write import atomic_text_file

            with atomic_text_file(output) as handle:
                write(handle)
        except OSError as error:
            raise InputError(output, f"cannot write the report: {error.strerror}") from error
        print(f"clickaudit: wrote {Path(output).resolve()}", file=sys.stderr)
    else:
        write(sys.stdout)
        if not ends_with_newline:
            sys.stdout.write("\n")


def add_jobs(
    parser: argparse.ArgumentParser,
    text: str = "worker processes for a batch of emails (default: the machine's cores)",
) -> None:
    parser.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help=text)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of jobs") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of jobs")
    return value


def open_output(output: str | None) -> TextIO:
    """--output FILE opened for writing (a report streamed into it as it is made), or stdout.

    Raises:
        InputError: the file cannot be written.
    """
    if output is None or to_stdout(output):
        return sys.stdout
    try:
        return open(output, "w", encoding="utf-8")
    except OSError as error:
        raise InputError(output, f"cannot write the report: {error.strerror}") from error
