"""``clickaudit scan FILE… [--format text|json]``: offline analysis only, no request, no DNS."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from clickaudit.commands.cluster_run import add_cluster_options, check_inputs
from clickaudit.commands.common import (
    EXIT_INPUT,
    add_fail_on,
    exit_status,
    run_per_file,
    write_output,
)

NAME = "scan"


def render(audits: list[Any], fmt: str) -> str:
    from clickaudit.report import json_report, text

    if fmt == "jsonl":
        return "".join(json_report.dumps_line(audit) + "\n" for audit in audits)
    return json_report.dumps(audits) if fmt == "json" else text.render(audits)


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="analyse emails offline: every link, what tracks it, where it goes (no network)",
        description="Offline analysis: load each email, find every link and open pixel, say which "
        "ESP tracks it, unwrap security gateways, decode destinations carried in tracking links, "
        "and report malformed links, merge tags and other problems. Makes no request and no DNS "
        "query.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help=".eml, .mbox, .html or .txt")
    parser.add_argument("--format", choices=("text", "json", "jsonl"), default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here")
    add_fail_on(parser)
    add_cluster_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    problem = check_inputs(args)
    if problem:
        print(f"clickaudit: scan: {problem}", file=sys.stderr)
        return EXIT_INPUT
    if args.cluster:
        from clickaudit.commands.cluster_run import run_batch

        return run_batch(
            args,
            mode="scan",
            settings_data={},
            render=lambda audits: render(audits, args.format),
            save=False,
        )
    # Imported here so `clickaudit --help` and other commands start without loading the engine.
    from clickaudit.pipeline import scan_path

    audits, failed = run_per_file(args.files, scan_path)
    if audits:
        write_output(render(audits, args.format), args.output)
    elif args.format == "json":
        write_output("[]", args.output)
    if failed:
        return EXIT_INPUT
    return exit_status(audits, args.fail_on)
