"""``clickaudit checks``: the finding catalogue, with explanations and fixes."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import textwrap
from typing import Any

from clickaudit.commands.common import EXIT_INPUT, EXIT_OK, write_output
from clickaudit.findings import CATALOGUE

NAME = "checks"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="list every finding code with its severity, meaning and fix",
        description="The catalogue of findings: each code with its severity, the stage that "
        "makes it, what it means and how to fix it.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("code", nargs="?", help="show only this code")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    checks = [c for c in CATALOGUE.values() if args.code in (None, c.code)]
    if not checks:
        # A code that does not exist is a usage error (exit 2), with the nearest codes named.
        near = difflib.get_close_matches(args.code, list(CATALOGUE), n=3)
        hint = f"did you mean {' or '.join(near)}? " if near else ""
        print(
            f"clickaudit: no finding code {args.code!r}; {hint}run 'clickaudit checks' for all",
            file=sys.stderr,
        )
        return EXIT_INPUT
    if args.format == "json":
        data = [
            {
                "code": c.code,
                "severity": c.severity.value,
                "title": c.title,
                "explanation": c.explanation,
                "fix": c.fix,
                "stage": c.stage,
            }
            for c in checks
        ]
        write_output(json.dumps(data, indent=2), None)
        return EXIT_OK
    blocks = []
    for c in checks:
        body = textwrap.fill(c.explanation, 96, initial_indent="    ", subsequent_indent="    ")
        fix = textwrap.fill("Fix: " + c.fix, 96, initial_indent="    ", subsequent_indent="    ")
        blocks.append(f"{c.code}  [{c.severity.value}, {c.stage}]  {c.title}\n{body}\n{fix}")
    write_output("\n\n".join(blocks), None)
    return EXIT_OK
