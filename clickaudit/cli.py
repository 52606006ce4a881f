"""The ``clickaudit`` command line (the contract is in DESIGN.md, "Command line").

``clickaudit [FILE…]`` with no subcommand opens the desktop app; every subcommand lives in its own
module under :mod:`clickaudit.commands` and registers itself here. Exit status: 0 no finding at or
above ``--fail-on``, 1 there are such findings, 2 usage error or unreadable input.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from clickaudit.commands import COMMAND_NAMES, command_module
from clickaudit.commands.common import EXIT_INPUT
from clickaudit.desktop import no_display
from clickaudit.errors import ClickauditError


class _VersionAction(argparse.Action):
    """``--version``, finding the version only when asked (start-up stays light)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **_: object) -> None:
        super().__init__(
            option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version"
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: object, **__: object) -> None:
        from clickaudit import version

        parser.exit(message=f"clickaudit {version()}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``only`` a command's name, the parser of that command
    alone (what ``clickaudit scan x.eml`` needs, without importing the other commands)."""
    parser = argparse.ArgumentParser(
        prog="clickaudit",
        description="Test and audit the click-tracked links of emails. "
        "Run without a command to open the desktop app (files given are opened in it).",
        epilog="Run 'clickaudit COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only else COMMAND_NAMES:
        command_module(name).register(commands)
    for command in commands.choices.values():
        # --help shows each option's default, and the docstrings' reST reads as plain text
        command.formatter_class = HelpFormatter
        command.description = plain_text(command.description)
    return parser


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Names an option's default where it has one worth naming (not None, False or empty)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, (), []) or action.default is argparse.SUPPRESS:
            return action.help
        if action.help and "default" in action.help:
            return action.help
        return super()._get_help_string(action)


def plain_text(text: str | None) -> str | None:
    """A docstring's reST markup as a terminal shows it: ``x`` and :role:`x` become 'x'."""
    if not text:
        return text
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"'\1'", text)
    return re.sub(r"``([^`]+)``", r"'\1'", text)


def command_names() -> set[str]:
    return set(COMMAND_NAMES)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in command_names() and not args_list[0].startswith("-")):
        if args_list and not os.path.exists(args_list[0]):
            return _not_a_command(args_list[0])
        return open_app(args_list)
    parser = build_parser(args_list[0] if args_list[0] in COMMAND_NAMES else None)
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


def _not_a_command(word: str) -> int:
    """A first word that is neither a command nor an existing file is a usage error (a typo of
    a command), not a file for the app to fail to open."""
    import difflib  # only for a mistyped command

    close = difflib.get_close_matches(word, sorted(command_names()), n=1, cutoff=0.6)
    hint = (
        f"did you mean '{close[0]}'?"
        if close
        else ("commands: " + ", ".join(sorted(command_names())))
    )
    print(
        f"clickaudit: '{word}' is neither a command nor an existing file; {hint}\n"
        "Run 'clickaudit --help' for the commands, or give the path of an email to open it.",
        file=sys.stderr,
    )
    return EXIT_INPUT


def open_app(files: list[str], *, demo: bool = False) -> int:
    """Start the desktop app; the CLI works without Qt installed, so import it only here."""
    if no_display():
        print(
            "clickaudit: there is no display to open the desktop app on (neither DISPLAY nor "
            "WAYLAND_DISPLAY is set).\n"
            "In a terminal, use 'clickaudit scan FILE…' (offline, nothing requested) or "
            "'clickaudit audit FILE' (follows the links); see 'clickaudit --help'.",
            file=sys.stderr,
        )
        return EXIT_INPUT
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
