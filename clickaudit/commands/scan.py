"""``clickaudit scan FILE… [--format text|json]``: offline analysis only, no request, no DNS."""

from __future__ import annotations

import argparse
from typing import Any

from clickaudit.commands.common import (
    EXIT_INPUT,
    add_fail_on,
    exit_status,
    run_per_file,
    write_output,
)

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
    parser.add_argument("files", nargs="+", metavar="FILE", help=".eml, .mbox, .html or .txt")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here")
    add_fail_on(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so `clickaudit --help` and other commands start without loading the engine.
    from clickaudit.pipeline import scan_path
    from clickaudit.report import json_report, text

    audits, failed = run_per_file(args.files, scan_path)
    if audits:
        report = json_report.dumps(audits) if args.format == "json" else text.render(audits)
        write_output(report, args.output)
    elif args.format == "json":
        write_output("[]", args.output)
    if failed:
        return EXIT_INPUT
    return exit_status(audits, args.fail_on)
