"""clickaudit: test and audit the click-tracked links of emails.

The engine (everything in this package outside :mod:`clickaudit.gui`) never imports Qt; the
command line and the desktop app are two front ends over the same stages.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clickaudit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

TOOL_NAME = "clickaudit"
