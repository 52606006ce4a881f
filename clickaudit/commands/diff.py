"""``clickaudit diff A B``: what changed between two stored audits of a campaign."""

from __future__ import annotations

import argparse
import json
from typing import Any

from clickaudit.commands.common import EXIT_FINDINGS, EXIT_OK, add_db, write_output

NAME = "diff"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="compare two stored audits",
        description="What changed between two stored audits of a campaign: links added or "
        "removed, statuses, destinations, and findings new or fixed.",
    )
    parser.add_argument("a", type=int, metavar="A")
    parser.add_argument("b", type=int, metavar="B")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_db(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from clickaudit.diff import diff_audits, diff_to_dict, render_diff_text
    from clickaudit.history import History

    a, b = History(args.db).audits_by_id([args.a, args.b])
    difference = diff_audits(a, b, a_label=f"audit {args.a}", b_label=f"audit {args.b}")
    if args.format == "json":
        write_output(json.dumps(diff_to_dict(difference), indent=2, ensure_ascii=False), None)
    else:
        write_output(render_diff_text(difference), None)
    return EXIT_OK if difference.unchanged else EXIT_FINDINGS
