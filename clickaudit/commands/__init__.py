"""One module per subcommand; each has ``NAME`` and ``register(subparsers)``."""

from types import ModuleType

from clickaudit.commands import checks, scan

COMMAND_MODULES: tuple[ModuleType, ...] = (scan, checks)
