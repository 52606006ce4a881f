"""Where clickaudit keeps its data on this machine (the audit history database).

Follows the XDG base directories on Linux, Application Support on macOS and %APPDATA% on
Windows, and ``CLICKAUDIT_DB`` overrides everything (tests and portable installs use it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DB_FILE_NAME = "audits.db"


def user_data_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "clickaudit"


def default_db_path() -> Path:
    """The history database used when no ``--db`` is given."""
    override = os.environ.get("CLICKAUDIT_DB")
    return Path(override) if override else user_data_dir() / DB_FILE_NAME
