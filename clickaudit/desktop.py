"""Whether a desktop window can open here: asked by the entry point and by the app itself."""

from __future__ import annotations

import os
import sys


def no_display() -> bool:
    """True where a desktop app cannot open a window: a Linux or BSD session with neither X11
    nor Wayland (over SSH, in a container, in CI). Qt would abort inside its xcb plugin with a
    misleading message; an explicit QT_QPA_PLATFORM (offscreen, vnc, …) is respected."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    if os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
