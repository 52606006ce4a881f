"""One module per subcommand; each has ``NAME`` and ``register(subparsers)``."""

from types import ModuleType

from clickaudit.commands import audit, checks, scan

COMMAND_MODULES: tuple[ModuleType, ...] = (scan, audit, checks)
