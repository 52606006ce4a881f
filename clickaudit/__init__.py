"""clickaudit: test and audit the click-tracked links of emails.

The engine (everything in this package outside :mod:`clickaudit.gui`) never imports Qt; the
command line and the desktop app are two front ends over the same stages.
"""

import functools

TOOL_NAME = "clickaudit"


@functools.cache
def version() -> str:
    """The installed version ("0.0.0+source" in a source tree that was never installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("clickaudit")
    except PackageNotFoundError:
        return "0.0.0+source"


def __getattr__(name: str) -> str:
    """``__version__`` is looked up when first asked for: importlib.metadata costs tens of
    milliseconds that a command which never prints the version should not pay."""
    if name == "__version__":
        return version()
    raise AttributeError(f"module 'clickaudit' has no attribute {name!r}")
