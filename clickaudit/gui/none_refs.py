"""Keep ``None`` alive under PySide6 wheels that forget the reference they owe it.

PySide6 6.12's wheels are built for the stable ABI with Python 3.12+ headers, where ``None`` is
immortal (PEP 683) and ``Py_RETURN_NONE`` no longer counts a reference. Loaded by Python 3.11,
every Qt call that returns nothing (``label.setText(…)``) then takes one reference from ``None``
and never gives it back; after about five thousand such calls the interpreter aborts with "Fatal
Python error: none_dealloc: deallocating None" — the app dies mid-use. Where a probe shows the
loss, ``None`` is given as many references as 3.12 gives an immortal object, so the lost ones
never reach zero. Nothing changes on Python 3.12+ or with wheels that count correctly.
"""

from __future__ import annotations

import ctypes
import sys

PROBE_CALLS = 64
IMMORTAL = 1 << 40  # references to add: more than any process will ever lose
_kept_alive = False


def none_loses_references() -> bool:
    """Whether a Qt call returning nothing takes a reference from ``None`` here."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - PROBE_CALLS // 2


def keep_none_alive() -> bool:
    """Make ``None`` as good as immortal where the Qt bindings lose references to it, once per
    process; True when this call did it (Python 3.11 with such wheels)."""
    global _kept_alive
    if _kept_alive or sys.version_info >= (3, 12) or not none_loses_references():
        return False
    # PyObject starts with its reference count (a Py_ssize_t) in a release build of CPython
    ctypes.c_ssize_t.from_address(id(None)).value += IMMORTAL
    _kept_alive = True
    return True
