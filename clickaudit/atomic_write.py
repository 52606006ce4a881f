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
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` in one rename.

    Raises:
        OSError: the folder cannot be written, or the disk is full; ``path`` is then unchanged.
    """
    with atomic_text_file(path) as handle:
        handle.write(text)


@contextlib.contextmanager
def atomic_text_file(path: str | os.PathLike[str]) -> Iterator[TextIO]:
    """A UTF-8 file to write piece by piece, renamed to ``path`` when the block ends; if the
    block raises, ``path`` is left as it was and the partial file removed.

    Raises:
        OSError: the folder cannot be written, or the disk is full; ``path`` is then unchanged.
    """
    target = Path(path)
    descriptor, part = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            yield handle
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(part)
        raise
