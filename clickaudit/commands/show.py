"""``clickaudit show ID``: a stored audit's report, exactly as it was."""

from __future__ import annotations

import argparse
from typing import Any

from clickaudit.commands.common import EXIT_OK, add_db, write_output

NAME = "show"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="show a stored audit",
        description="A stored audit's report, exactly as it was saved (ID from 'clickaudit "
        "history').",
    )
    parser.add_argument("audit_id", type=int, metavar="ID")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_db(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import json

    from clickaudit.report import render
    from clickaudit.report.json_report import audit_from_dict
    from clickaudit.store import Store

    with Store.open(args.db, read_only=True) as store:
        report = store.report(args.audit_id)
    if args.format == "json":
        write_output(json.dumps(report, indent=2, ensure_ascii=False), None)
    else:
        write_output(render([audit_from_dict(report)], "text"), None)
    return EXIT_OK
