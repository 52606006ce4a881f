"""The engine's exceptions: one hierarchy, so callers catch the engine's errors and nothing else.

Every message names what failed (the file, link or domain) and says what to do, because the CLI
prints it as it is and the GUI shows it in the window.
"""

from __future__ import annotations


class ClickauditError(Exception):
    """Base class of every error the engine raises on purpose."""


class InputError(ClickauditError):
    """A file could not be read or understood. ``path`` names it; ``problem`` says why."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class PolicyError(ClickauditError):
    """A UTM policy file (or another settings file) is invalid; the message says where."""


class StoreError(ClickauditError):
    """The audit database could not be opened, read or written; the file is left as it was."""


class Cancelled(ClickauditError):
    """The user cancelled the audit; nothing half-done was kept."""
