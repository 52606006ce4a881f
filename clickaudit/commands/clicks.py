"""``clickaudit clicks EVENTS… --email SENT.eml``: which clicks of an ESP's log were people.

The email is analysed offline (no link is requested: that would add a click to the log being
judged). When the history holds an audit of the same email (same SHA-256), its followed chains
are used too, so clicks the ESP logged by a destination known only from following still join.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from clickaudit.commands.common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    FAIL_ON,
    add_db,
    add_fail_on,
    to_stdout,
)

NAME = "clicks"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="judge an ESP's click log: which clicks were people, which were security scanners",
        description="Import click events (SendGrid, Mailgun, Postmark, Amazon SES, SparkPost, "
        "Mailjet, Mandrill, Brevo, or CSV), join each click to the link of the sent email, and "
        "give each a verdict (human, scanner, likely-scanner, unknown) with its reasons: seconds "
        "after delivery, bursts, every link clicked, hidden links, scanner networks and agents. "
        "Reports click rates before and after, per link, and scanned unsubscribe links.",
    )
    parser.add_argument(
        "events",
        nargs="+",
        metavar="EVENTS",
        help="click log files (.json, .jsonl, .csv, optionally .gz)",
    )
    parser.add_argument("--email", required=True, metavar="SENT.eml", help="the email as sent")
    parser.add_argument(
        "--format",
        choices=("text", "json", "csv", "html"),
        default="text",
        help="csv is the cleaned export: every click with verdict and reasons; html a "
        "self-contained page with the charts",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here")
    parser.add_argument(
        "--map",
        metavar="FIELD=COLUMN,…",
        help="CSV columns: time, event, recipient, url, ip, user_agent, message_id, method, asn",
    )
    parser.add_argument(
        "--delivered",
        type=int,
        metavar="N",
        help="messages delivered (default: the log's delivered events)",
    )
    parser.add_argument("--redact", action="store_true", help="mask recipients' addresses")
    add_db(parser)
    parser.add_argument("--no-save", action="store_true", help="do not keep it in the history")
    add_fail_on(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from clickaudit.clicks.csv_format import parse_mapping
    from clickaudit.clicks.session import analyse_email, save_analysis
    from clickaudit.errors import ClickauditError, InputError

    if args.db and args.no_save:
        print("clickaudit: --db and --no-save cannot be used together", file=sys.stderr)
        return EXIT_INPUT
    if args.delivered is not None and args.delivered < 0:
        print("clickaudit: --delivered must be 0 or more", file=sys.stderr)
        return EXIT_INPUT
    try:
        mapping = parse_mapping(args.map)
        session = analyse_email(
            args.email,
            args.events,
            mapping=mapping,
            delivered=args.delivered,
            db=None if args.no_save else (args.db or ""),
        )
    except InputError as error:
        print(f"clickaudit: {error.path}: {error.problem}", file=sys.stderr)
        return EXIT_INPUT
    except ClickauditError as error:
        print(f"clickaudit: {error}", file=sys.stderr)
        return EXIT_INPUT
    with session:
        try:
            _write(args, session)
        except InputError as error:
            print(f"clickaudit: {error.path}: {error.problem}", file=sys.stderr)
            return EXIT_INPUT
        for note in session.notes:
            print(f"clickaudit: {note}", file=sys.stderr)
        if session.report.stats.skipped_total:
            print(
                f"clickaudit: {session.report.stats.skipped_total} record(s) skipped "
                f"(first: {_first_skipped(session)})",
                file=sys.stderr,
            )
        if _nothing_read(session):
            print(
                f"clickaudit: {', '.join(args.events)}: no event of a known click-log format "
                "(SendGrid, Mailgun, Postmark, Amazon SES, SparkPost, Mailjet, Mandrill, Brevo; "
                "a CSV names its columns with --map); nothing was saved",
                file=sys.stderr,
            )
            return EXIT_INPUT
        if not args.no_save:
            try:
                save_analysis(session, args.db)
            except ClickauditError as error:
                print(f"clickaudit: {error}", file=sys.stderr)
                return EXIT_INPUT
    threshold = FAIL_ON[args.fail_on]
    if threshold is not None and any(
        {"error": 3, "warning": 2, "info": 1}[f.severity] >= threshold.rank
        for f in session.report.findings
    ):
        return EXIT_FINDINGS
    return EXIT_OK


def _nothing_read(session: Any) -> bool:
    """No click, delivery or other ESP event came out of the logs: wrong file or wrong --map."""
    stats = session.report.stats
    return stats.clicks + stats.deliveries + stats.ignored == 0


def _first_skipped(session: Any) -> str:
    first = session.report.stats.skipped[0]
    return f"{first.source}:{first.line}: {first.problem}"


def _write(args: argparse.Namespace, session: Any) -> None:
    from clickaudit.clicks.report import render_text, write_csv, write_json
    from clickaudit.errors import InputError

    def emit(handle: Any) -> None:
        if args.format == "json":
            write_json(
                handle,
                session.report,
                session.source,
                session.analysis.judged(),
                redact=args.redact,
            )
        elif args.format == "csv":
            write_csv(handle, session.analysis.judged(), redact=args.redact)
        elif args.format == "html":
            from clickaudit.report.clicks_html import render_page

            handle.write(render_page(session.report))
        else:
            handle.write(render_text(session.report, redact=args.redact))

    if not to_stdout(args.output):
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                emit(handle)
        except OSError as error:
            raise InputError(args.output, f"cannot write the report: {error.strerror}") from None
    else:
        emit(sys.stdout)
