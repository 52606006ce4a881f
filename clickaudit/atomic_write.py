"""Write a report so that nobody ever reads half of it.

A report file is written beside its final name and renamed into place, so a reader (a browser
refreshing the page, a CI step picking up the artifact, the app's own "exported" message) sees
either the previous file or the whole new one — never a truncated one, and a failed write leaves
the previous file as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` in one rename.

    Raises:
        OSError: the folder cannot be written, or the disk is full; ``path`` is then unchanged.
    """
    target = Path(path)
    descriptor, part = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise
