"""``clickaudit demo [--cli]``: the bundled Northwind campaign audited against a local world.

Starts the tracking simulator and a local DNS server, writes the sample email and its template,
and opens them in the desktop app (which audits at once), or with ``--cli`` prints the report in
the terminal. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from clickaudit.commands.common import EXIT_OK, write_output

NAME = "demo"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="audit the bundled sample campaign against a built-in simulator (no network)",
        description="Audit the bundled Northwind sample campaign (a sent email and its template) "
        "against the built-in tracking simulator and a local DNS server on 127.0.0.1: every "
        "panel has something real to show, and no request leaves the machine.",
    )
    parser.add_argument(
        "--cli", action="store_true", help="print the report instead of opening the app"
    )
    parser.add_argument(
        "--format", choices=("text", "json", "html", "csv", "junit"), default="text"
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here (--cli)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from clickaudit.demo import DemoWorld

    if not args.cli:
        from clickaudit.cli import open_app

        return open_app([], demo=True)
    from clickaudit.commands.progress_line import ProgressLine
    from clickaudit.load import load_path
    from clickaudit.pipeline import audit_emails
    from clickaudit.report import render

    with DemoWorld() as world:
        assert world.files is not None
        print(f"clickaudit: demo campaign in {world.files.campaign.parent}", file=sys.stderr)
        progress = ProgressLine()
        try:
            audits = audit_emails(
                load_path(world.files.campaign), world.settings, progress=progress
            )
        finally:
            progress.clear()
        write_output(render(audits, args.format, fail_on=None), args.output)
    return EXIT_OK
