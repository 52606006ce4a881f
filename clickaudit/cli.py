"""The ``clickaudit`` command line (the contract is in DESIGN.md, "Command line").

``clickaudit [FILE…]`` with no subcommand opens the desktop app; every subcommand lives in its own
module under :mod:`clickaudit.commands` and registers itself here. Exit status: 0 no finding at or
above ``--fail-on``, 1 there are such findings, 2 usage error or unreadable input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from clickaudit import __version__
from clickaudit.commands import COMMAND_MODULES
from clickaudit.commands.common import EXIT_INPUT
from clickaudit.errors import ClickauditError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clickaudit",
        description="Test and audit the click-tracked links of emails. "
        "Run without a command to open the desktop app (files given are opened in it).",
        epilog="Run 'clickaudit COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"clickaudit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def command_names() -> set[str]:
    return {module.NAME for module in COMMAND_MODULES}


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in command_names() and not args_list[0].startswith("-")):
        return open_app(args_list)
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    try:
        status: int = args.handler(args)
    except ClickauditError as error:
        print(f"clickaudit: {error}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("clickaudit: cancelled", file=sys.stderr)
        return 130
    return status


def open_app(files: list[str], *, demo: bool = False) -> int:
    """Start the desktop app; the CLI works without Qt installed, so import it only here."""
    try:
        from clickaudit.gui.app import main as gui_main
    except ImportError as error:
        print(
            f"clickaudit: the desktop app needs PySide6 ({error}); install 'clickaudit[gui]', "
            "or use a command such as 'clickaudit scan FILE'",
            file=sys.stderr,
        )
        return EXIT_INPUT
    return gui_main(files, demo=demo)
