"""``clickaudit history``: past audits, newest first, searchable."""

from __future__ import annotations

import argparse
import datetime
import json
from dataclasses import asdict
from typing import Any

from clickaudit.commands.common import EXIT_OK, add_db, write_output

NAME = "history"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="list past audits (newest first), with search",
        description="Past audits, newest first; search words match subjects, senders, URLs "
        "and anchor texts.",
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
    from clickaudit.store import Store

    with Store.open(args.db, read_only=True) as store:
        rows = store.history(
            text=args.search, esp=args.esp, since=args.since, until=args.until, limit=args.limit
        )
    if args.format == "json":
        write_output(json.dumps([asdict(row) for row in rows], indent=2, ensure_ascii=False), None)
        return EXIT_OK
    if not rows:
        write_output("No audits.", None)
        return EXIT_OK
    lines = [f"{'ID':>5}  {'when':<19}  {'ESP':<16} {'links':>5} {'err':>4} {'warn':>4}  subject"]
    for row in rows:
        lines.append(
            f"{row.id:>5}  {row.created_at[:19]:<19}  {(row.esp or '-')[:16]:<16} {row.links:>5} "
            f"{row.errors:>4} {row.warnings:>4}  {row.subject[:70] or row.source_path}"
        )
    write_output("\n".join(lines), None)
    return EXIT_OK
