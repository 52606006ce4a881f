"""Batches of emails read one at a time: files, folders, globs, mbox files and Maildirs.

A batch of 100,000 emails must not cost 100,000 emails of memory. :func:`read_sources` yields
one :class:`EmailSource` at a time — an mbox is split by scanning for its ``From`` lines, never
read whole — and :meth:`EmailSource.load` turns one into emails. The source carries where its
bytes are (file, offset, length), not the bytes, so a worker process can read its own and the
process handing out work stays small and idle.

What counts as an input:

- a file: ``.eml`` and the other email suffixes, ``.html``, ``.txt``, ``.mbox`` (or any file
  whose first line is an mbox ``From`` line);
- a folder: every such file under it, in name order, hidden files and folders skipped; a
  Maildir (a folder with ``cur`` and ``new``) contributes every message file in them;
- a glob (``'mail/**/*.eml'``, quoted so the shell leaves it alone): every match, in name order.

A path that cannot be read, or a glob that matches nothing, is yielded as an :class:`InputError`
in its place; the rest of the batch goes on.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from clickaudit.errors import ClickauditError, InputError
from clickaudit.model import Email

CHUNK = 1 << 20
FROM_LINE_END_LIMIT = 4096  # an mbox "From " line longer than this is not a separator line
EMAIL_SUFFIXES = (".eml", ".msg822", ".mht", ".email", ".html", ".htm", ".xhtml", ".txt", ".text")
MBOX_SUFFIXES = (".mbox", ".mbx")
_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class EmailSource:
    """One email to load: the file it is in and, for an mbox message, where in the file.

    ``kind``: ``file`` (an .eml, .html or .txt file, loaded as the loader decides) or ``mbox``
    (message ``index`` of the mbox, ``length`` bytes at ``offset``).
    """

    path: str
    kind: str = "file"
    index: int = 0
    offset: int = 0
    length: int = -1

    @property
    def label(self) -> str:
        return f"{self.path} #{self.index + 1}" if self.kind == "mbox" else self.path

    def read(self) -> bytes:
        """This source's bytes (the loader's size limit applies to each message, not the mbox).

        Raises:
            InputError: the file cannot be read.
        """
        from clickaudit.load import MAX_FILE_BYTES

        try:
            with open(self.path, "rb") as file:
                file.seek(self.offset)
                size = self.length if self.length >= 0 else os.fstat(file.fileno()).st_size
                if size > MAX_FILE_BYTES:
                    raise InputError(
                        self.label, f"is too large ({size / 1e6:.0f} MB; the limit is "
                        f"{MAX_FILE_BYTES // 2**20} MB)"
                    )  # fmt: skip
                data = file.read(size)
        except FileNotFoundError:
            raise InputError(self.label, "no such file") from None
        except PermissionError:
            raise InputError(self.label, "permission denied: the file cannot be read") from None
        except IsADirectoryError:
            raise InputError(self.label, "is a folder, not a file") from None
        except OSError as error:
            raise InputError(self.label, f"cannot be read: {error.strerror or error}") from None
        if self.kind == "mbox" and data.endswith(b"\n\n"):
            data = data[:-1]  # the blank line before the next "From " belongs to the mbox
        return data

    def load(self) -> list[Email]:
        """The email(s) of this source: one, plus any attached as message/rfc822; a whole file
        that is an mbox after all gives each of its messages.

        Raises:
            InputError: the source is unreadable, empty, binary or not an email.
        """
        from clickaudit.load import load_message_bytes, load_path

        if self.kind == "mbox":
            return load_message_bytes(self.read(), self.path, kind="mbox", index=self.index)
        return load_path(self.path)


def read_sources(inputs: Iterable[str]) -> Iterator[EmailSource | InputError]:
    """Every email source of the inputs, in order, one at a time (see the module docstring)."""
    for path in expand_inputs(inputs):
        if isinstance(path, InputError):
            yield path
        elif _is_mbox(path):
            yield from _mbox_sources(path)
        else:
            yield EmailSource(str(path))


def count_sources(inputs: Iterable[str]) -> int:
    """How many sources :func:`read_sources` will yield (errors included), for a progress
    line's total; an mbox is counted by scanning for its separator lines, which is fast."""
    total = 0
    for path in expand_inputs(inputs):
        if not isinstance(path, InputError) and _is_mbox(path):
            total += sum(1 for _ in _mbox_spans(path)) or 1
        else:
            total += 1
    return total


def expand_inputs(inputs: Iterable[str]) -> Iterator[Path | InputError]:
    """The files the inputs name: files as given, folders walked, globs matched."""
    for text in inputs:
        path = Path(text)
        if path.is_dir():
            yield from _folder_files(path)
        elif not path.exists() and _GLOB_CHARACTERS & set(text):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                yield InputError(text, "no file matches this pattern")
            for match in matches:
                found = Path(match)
                if found.is_dir():
                    yield from _folder_files(found)
                else:
                    yield found
        else:
            yield path  # missing or unreadable files are reported when read


def _folder_files(folder: Path) -> Iterator[Path | InputError]:
    if _is_maildir(folder):
        for sub in ("cur", "new"):
            for message in sorted((folder / sub).iterdir(), key=lambda p: p.name):
                if message.is_file() and not message.name.startswith("."):
                    yield message
        return
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as error:
        yield InputError(str(folder), f"cannot be listed: {error.strerror or error}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _folder_files(entry)
        elif entry.suffix.lower() in EMAIL_SUFFIXES + MBOX_SUFFIXES:
            yield entry


def _is_maildir(folder: Path) -> bool:
    return (folder / "cur").is_dir() and (folder / "new").is_dir()


def _is_mbox(path: Path) -> bool:
    if path.suffix.lower() in MBOX_SUFFIXES:
        return True
    if path.suffix.lower() in EMAIL_SUFFIXES:
        return False
    try:
        with open(path, "rb") as file:
            return file.read(5) == b"From "
    except OSError:
        return False  # reported when it is read


def _mbox_sources(path: Path) -> Iterator[EmailSource | InputError]:
    try:
        index = -1
        for index, (offset, length) in enumerate(_mbox_spans(path)):
            yield EmailSource(str(path), "mbox", index, offset, length)
    except OSError as error:
        yield InputError(str(path), f"cannot be read: {error.strerror or error}")
        return
    if index < 0:
        yield InputError(str(path), "is an mbox with no messages")


def _mbox_spans(path: Path) -> Iterator[tuple[int, int]]:
    """(offset, length) of each message of an mbox, each after its ``From `` line; found by
    searching the file a chunk at a time (in C), never holding more than a chunk and a line."""
    with open(path, "rb") as file:
        start = -1  # the current message's first byte, once its From line has been seen
        offset = 0  # the file offset of data[0]
        data = b""
        at_line_start = True  # data[0] begins a line
        while True:
            chunk = file.read(CHUNK)
            data += chunk
            complete = data.rfind(b"\n") + 1 if chunk else len(data)  # whole lines only
            found = 0 if at_line_start and data.startswith(b"From ") else -1
            if found < 0:
                found = _next_from_line(data, 0, complete)
            while 0 <= found < complete:
                line_end = data.find(b"\n", found, complete)
                if line_end < 0:
                    line_end = complete - 1  # the file ends inside this From line
                if start >= 0:
                    yield start, offset + found - start
                start = offset + line_end + 1
                found = _next_from_line(data, line_end, complete)
            if not chunk:
                if start >= 0 and offset + len(data) > start:
                    yield start, offset + len(data) - start
                return
            if complete == 0 and len(data) > FROM_LINE_END_LIMIT:
                complete = len(data)  # a line this long is no From line: skip what we have
                at_line_start = False
            else:
                at_line_start = at_line_start if complete == 0 else True
            offset += complete
            data = data[complete:]


def _next_from_line(data: bytes, start: int, end: int) -> int:
    found = data.find(b"\nFrom ", start, end)
    return found + 1 if found >= 0 else -1


def failure_of(source: EmailSource, error: Exception, what: str) -> tuple[str, str]:
    """Where and what went wrong with one source of a batch, for a message that names it: the
    engine's own errors as they say it, anything else as a bug in clickaudit (``what``: "could
    not be scanned"), so that one strange email never stops the batch."""
    if isinstance(error, InputError):
        return error.path, error.problem
    if isinstance(error, ClickauditError):
        return source.label, str(error)
    return source.label, (
        f"could not be {what}: {type(error).__name__}: {error} (a bug in clickaudit; please "
        "report it with this email if you can)"
    )
