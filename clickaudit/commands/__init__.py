"""One module per subcommand; each has ``NAME`` and ``register(subparsers)``."""

from types import ModuleType

from clickaudit.commands import (
    audit,
    checks,
    clicks,
    demo,
    diff,
    export,
    history,
    scan,
    show,
    worker,
)

COMMAND_MODULES: tuple[ModuleType, ...] = (
    scan,
    audit,
    history,
    show,
    diff,
    export,
    demo,
    checks,
    worker,
    clicks,
)
