"""One module per subcommand; each has ``NAME`` and ``register(subparsers)``.

The modules are imported by name, when a command line needs them: ``clickaudit scan x.eml``
imports the ``scan`` module and not the nine others (start-up time is part of every scan)."""

import importlib
from types import ModuleType

COMMAND_NAMES: tuple[str, ...] = (
    "scan",
    "audit",
    "history",
    "show",
    "diff",
    "export",
    "demo",
    "checks",
    "worker",
    "clicks",
)
"""Each command's ``NAME``, which is also its module's name in this package (a test checks)."""


def command_module(name: str) -> ModuleType:
    """The module of the command ``name`` (one of :data:`COMMAND_NAMES`)."""
    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name: str) -> tuple[ModuleType, ...]:
    """``COMMAND_MODULES``: every command's module, imported on first use."""
    if name == "COMMAND_MODULES":
        return tuple(command_module(command) for command in COMMAND_NAMES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
