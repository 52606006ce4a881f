"""``clickaudit export ID --format html|json|csv|junit --output FILE [--redact]``."""

from __future__ import annotations

import argparse
from typing import Any

from clickaudit.commands.common import EXIT_OK, add_db, write_output

NAME = "export"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME, help="write a stored audit as an HTML, JSON, CSV or JUnit report", description=__doc__
    )
    parser.add_argument("audit_id", type=int, metavar="ID")
    parser.add_argument("--format", choices=("html", "json", "csv", "junit"), required=True)
    parser.add_argument("--output", "-o", metavar="FILE", required=True)
    parser.add_argument(
        "--redact", action="store_true", help="mask recipients' addresses and tracking tokens"
    )
    add_db(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from clickaudit.commands.audit import render
    from clickaudit.report.redact import redact_audit
    from clickaudit.store import Store

    with Store.open(args.db, read_only=True) as store:
        audit = store.get(args.audit_id)
    if args.redact:
        audit = redact_audit(audit)
    write_output(render([audit], args.format, "error"), args.output)
    return EXIT_OK
