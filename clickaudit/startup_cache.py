"""Bundled data parsed once per installation, not once per run.

Parsing the public suffix list and the tracker host lists takes tens of milliseconds at every
start — most of what ``clickaudit scan one.eml`` spent after its imports. The parsed form is
kept in the user's cache folder, keyed by the source files' identity (path, size, modification
time), the Python version and the files of the code that parses them, so an updated list or an
upgrade is parsed anew.
Any problem with the cache (unreadable, damaged, unwritable folder) only means parsing again;
``CLICKAUDIT_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "clickaudit"


def parsed_once(name: str, sources: Iterable[object], parse: Callable[[], T]) -> T:
    """``parse()``'s result, from the cache when ``sources`` (file paths) are unchanged."""
    if os.environ.get("CLICKAUDIT_NO_CACHE"):
        return parse()
    try:
        key = _key(name, sources, parse)
    except OSError:
        return parse()
    path = cache_dir() / f"{name}-{key}.pickle"
    try:
        with open(path, "rb") as cached:
            return pickle.load(cached)
    except Exception:
        pass
    value = parse()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when the cache is written

        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as new:
            pickle.dump(value, new, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(new.name, path)
    except (OSError, pickle.PicklingError):
        pass
    return value


def _key(name: str, sources: Iterable[object], parse: Callable[[], object]) -> str:
    """The sources' identity, and that of the code that parses them and reads the result back:
    this module's file and the file of the module defining ``parse``. Installing another
    version rewrites those files, so an upgrade is parsed anew. (Not the installed version
    itself: importlib.metadata took 17 ms to find it, more than the cache saves some lists.)"""
    digest = hashlib.sha256(f"{name}|{sys.version}".encode())
    module = sys.modules.get(getattr(parse, "__module__", None) or "")
    code = [__file__, getattr(module, "__file__", None)]
    for source in [*(c for c in code if c), *sources]:
        stat = os.stat(str(source))
        digest.update(f"|{source}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]
