"""``clickaudit export ID --format html|json|csv|junit --output FILE [--redact]``."""

from __future__ import annotations

import argparse
from typing import Any

from clickaudit.commands.common import EXIT_OK, add_db, write_output

NAME = "export"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="write a stored audit as an HTML, JSON, CSV or JUnit report",
        description="Write a stored audit as an HTML, JSON, CSV or JUnit report ('-o -' for "
        "stdout); the HTML report ends with the email's latest click analysis.",
    )
    parser.add_argument("audit_id", type=int, metavar="ID")
    parser.add_argument("--format", choices=("html", "json", "csv", "junit"), required=True)
    parser.add_argument(
        "--output", "-o", metavar="FILE", required=True, help="the report's file; '-' for stdout"
    )
    parser.add_argument(
        "--redact", action="store_true", help="mask recipients' addresses and tracking tokens"
    )
    add_db(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from clickaudit.report import render
    from clickaudit.store import Store

    with Store.open(args.db, read_only=True) as store:
        audit = store.get(args.audit_id)
        clicks = None
        if args.format == "html":
            from clickaudit.clicks.store import latest_head

            clicks = latest_head(store.connection, args.audit_id, audit.email.source.sha256)
    text = render([audit], args.format, redact=args.redact)
    if clicks is not None:
        text = _with_clicks(text, clicks, redact=args.redact)
    write_output(text, args.output)
    return EXIT_OK


def _with_clicks(page: str, head: dict[str, Any], *, redact: bool) -> str:
    """The HTML report with the email's latest click analysis as its last section."""
    from clickaudit.clicks.report import report_from_head
    from clickaudit.report.clicks_html import CLICK_STYLE, section

    html = section(report_from_head(head, redact=redact))
    page = page.replace("</style>", CLICK_STYLE + "</style>", 1)
    at = page.rfind("</body>")
    return page[:at] + html + page[at:] if at >= 0 else page + html
