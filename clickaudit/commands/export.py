"""``clickaudit export ID --format html|json|csv|junit --output FILE [--redact]``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from clickaudit.commands.common import EXIT_OK, add_db, write_output

if TYPE_CHECKING:
    from clickaudit.clicks.model import ClickReport

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
    from clickaudit.history import History
    from clickaudit.report import render

    history = History(args.db)
    if args.format == "html":  # with the email's latest click analysis as its last section
        stored = history.stored_audit(args.audit_id, redact_clicks=args.redact)
        audit, clicks = stored.audit, stored.clicks
    else:
        audit, clicks = history.audit(args.audit_id), None
    text = render([audit], args.format, redact=args.redact)
    if clicks is not None:
        text = _with_clicks(text, clicks)
    write_output(text, args.output)
    return EXIT_OK


def _with_clicks(page: str, clicks: ClickReport) -> str:
    """The HTML report with the email's latest click analysis as its last section."""
    from clickaudit.report.clicks_html import CLICK_STYLE, section

    html = section(clicks)
    page = page.replace("</style>", CLICK_STYLE + "</style>", 1)
    at = page.rfind("</body>")
    return page[:at] + html + page[at:] if at >= 0 else page + html
