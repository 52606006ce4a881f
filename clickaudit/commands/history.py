"""``clickaudit history``: past audits and click analyses, newest first, searchable."""

from __future__ import annotations

import argparse
import datetime
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from clickaudit.commands.common import EXIT_OK, add_db, write_output

if TYPE_CHECKING:
    from clickaudit.history import AuditSummary, ClickRunSummary

NAME = "history"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="list past audits and click analyses (newest first), with search",
        description="Past audits, newest first, then past click analyses; search words match "
        "subjects, senders, URLs and anchor texts (an analysis: its subject, email and logs).",
    )
    parser.add_argument("search", nargs="?", help="words in subjects, senders, URLs, anchor texts")
    parser.add_argument("--esp", help="only audits of this ESP")
    parser.add_argument("--since", type=_date, metavar="DATE", help="from this date (YYYY-MM-DD)")
    parser.add_argument(
        "--until", type=_date, metavar="DATE", help="up to this date, inclusive (YYYY-MM-DD)"
    )
    parser.add_argument(
        "--limit", type=int, default=50, help="show at most this many audits (default 50)"
    )
    parser.add_argument(
        "--clicks",
        action="store_true",
        help="list the click analyses only (JSON: a list of them instead of audits)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_db(parser)
    parser.set_defaults(handler=run)


def _date(text: str) -> str:
    """A YYYY-MM-DD date, checked: a mistyped date was compared as text and listed nothing."""
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def run(args: argparse.Namespace) -> int:
    from clickaudit.history import History, HistoryQuery

    history = History(args.db)
    query = HistoryQuery(
        text=args.search, esp=args.esp, since=args.since, until=args.until, limit=args.limit
    )
    if args.format == "json":
        rows = history.click_runs(query) if args.clicks else history.audits(query)
        write_output(json.dumps([asdict(row) for row in rows], indent=2, ensure_ascii=False), None)
        return EXIT_OK
    runs = history.click_runs(query)
    if args.clicks:
        write_output("\n".join(_click_lines(runs)) if runs else "No click analyses.", None)
        return EXIT_OK
    audits = history.audits(query)
    lines = _audit_lines(audits) if audits else ["No audits."]
    if runs:
        lines += ["", "Click analyses (clickaudit clicks):", *_click_lines(runs)]
    write_output("\n".join(lines), None)
    return EXIT_OK


def _audit_lines(rows: list[AuditSummary]) -> list[str]:
    lines = [f"{'ID':>5}  {'when':<19}  {'ESP':<16} {'links':>5} {'err':>4} {'warn':>4}  subject"]
    for row in rows:
        lines.append(
            f"{row.id:>5}  {row.created_at[:19]:<19}  {(row.esp or '-')[:16]:<16} {row.links:>5} "
            f"{row.errors:>4} {row.warnings:>4}  {row.subject[:70] or row.source_path}"
        )
    return lines


def _click_lines(runs: list[ClickRunSummary]) -> list[str]:
    from clickaudit.clicks.report import percent

    lines = [
        f"{'run':>5}  {'when':<19}  {'audit':>5} {'clicks':>7} {'human':>7} "
        f"{'raw':>6} {'human':>6}  subject"
    ]
    for run in runs:
        audit = str(run.audit_id) if run.audit_id is not None else "-"
        lines.append(
            f"{run.id:>5}  {run.created_at[:19]:<19}  {audit:>5} {run.clicks:>7} {run.human:>7} "
            f"{percent(run.click_rate_raw):>6} {percent(run.click_rate_human):>6}  "
            f"{run.subject[:70] or run.email_path}"
        )
    return lines
