"""``clickaudit show ID``: a stored audit's report, exactly as it was; ``show --clicks ID`` a
stored click analysis."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from clickaudit.commands.common import EXIT_OK, add_db, write_output

if TYPE_CHECKING:
    from clickaudit.history import History

NAME = "show"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="show a stored audit",
        description="A stored audit's report, exactly as it was saved (ID from 'clickaudit "
        "history').",
    )
    parser.add_argument("audit_id", type=int, metavar="ID")
    parser.add_argument(
        "--clicks",
        action="store_true",
        help="ID is a click analysis ('run' in 'clickaudit history'): its report without "
        "the clicks themselves",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_db(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import json

    from clickaudit.history import History
    from clickaudit.report import render
    from clickaudit.report.json_report import audit_from_dict

    history = History(args.db)
    if args.clicks:
        return _show_clicks(history, args)
    report = history.report(args.audit_id)
    if args.format == "json":
        write_output(json.dumps(report, indent=2, ensure_ascii=False), None)
    else:
        write_output(render([audit_from_dict(report)], "text"), None)
    return EXIT_OK


def _show_clicks(history: History, args: argparse.Namespace) -> int:
    """The stored analysis without its clicks (they stay in the history's click_events)."""
    import json

    from clickaudit.clicks.report import render_text

    if args.format == "json":
        head = history.click_report(args.audit_id)
        write_output(json.dumps(head, indent=2, ensure_ascii=False), None)
    else:
        write_output(render_text(history.click_run(args.audit_id).report), None)
    return EXIT_OK
