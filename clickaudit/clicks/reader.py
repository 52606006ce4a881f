"""Read ESP log files as a stream of records with their line numbers, in bounded memory.

JSON logs come as one array (SendGrid, Mandrill, SparkPost webhook batches), as one value per
line (SES through Firehose, saved webhook posts) or as concatenated objects (Mailgun event
pages). One reader serves them all: it decodes one top-level value — or one element of a
top-level array — at a time with the C decoder (``json.JSONDecoder.raw_decode``) from a buffer
that holds at most one record beyond a read chunk. ``ijson`` streams arrays too but reports no
positions and stops at the first syntax error; a log with one truncated record must still give
the rest, and say where the bad one was.

A malformed record is reported as :class:`~clickaudit.clicks.model.Skipped` with its line and
the reader resynchronises on the next record (the next line for line-based files, the next
element at the same indentation, or after ``},{``, inside an array).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from typing import IO

from clickaudit.clicks.model import Skipped

CHUNK = 1 << 20
MAX_RECORD = 16 << 20  # one webhook post or event page; beyond this a record is refused
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[\s,]*")
_TOP_SPACE = re.compile(r"\s*")
_NEXT_IN_LINE = re.compile(r"\}\s*,\s*(?=\{)")


class _Buffer:
    """A window on a text stream that keeps line numbers as it slides."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.text = ""
        self.pos = 0
        self.eof = False
        self._line_at = 0  # text position up to which newlines are counted
        self._line = 1  # the line number at _line_at

    def fill(self) -> bool:
        """Read another chunk; ``False`` at the end of the stream."""
        if self.eof:
            return False
        chunk = self.handle.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        if self.pos > CHUNK:
            self.line_of(self.pos)
            self.text = self.text[self.pos :]
            self._line_at -= self.pos
            self.pos = 0
        self.text += chunk
        return True

    def line_of(self, position: int) -> int:
        if position >= self._line_at:
            self._line += self.text.count("\n", self._line_at, position)
        else:
            self._line -= self.text.count("\n", position, self._line_at)
        self._line_at = position
        return self._line

    def skip(self, pattern: re.Pattern[str]) -> bool:
        """Move past ``pattern`` (whitespace); ``False`` when the stream is exhausted."""
        while True:
            match = pattern.match(self.text, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.text):
                return True
            if not self.fill():
                return False


def json_records(handle: IO[str], source: str) -> Iterator[tuple[int, object] | Skipped]:
    """Each top-level JSON value, or each element of a top-level array, with its first line."""
    buffer = _Buffer(handle)
    in_array = False
    while buffer.skip(_SPACE if in_array else _TOP_SPACE):
        char = buffer.text[buffer.pos]
        if not in_array and char == "[":
            in_array = True
            buffer.pos += 1
            continue
        if in_array and char == "]":
            in_array = False
            buffer.pos += 1
            continue
        start = buffer.pos
        line = buffer.line_of(start)
        try:
            value, end = _decode(buffer)
        except _Malformed as error:
            yield Skipped(source, line, error.problem)
            if not _resync(buffer, start, in_array):
                return
            continue
        buffer.pos = end
        yield line, value


class _Malformed(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _decode(buffer: _Buffer) -> tuple[object, int]:
    while True:
        try:
            return _DECODER.raw_decode(buffer.text, buffer.pos)
        except RecursionError:
            raise _Malformed("nested too deeply to be an event") from None
        except json.JSONDecodeError as error:
            at_end = error.pos >= len(buffer.text) - 1 or error.msg.startswith("Unterminated")
            if at_end and len(buffer.text) - buffer.pos < MAX_RECORD and buffer.fill():
                continue
            if len(buffer.text) - buffer.pos >= MAX_RECORD:
                raise _Malformed(f"a record larger than {MAX_RECORD >> 20} MB") from None
            line = buffer.line_of(error.pos)
            buffer.line_of(buffer.pos)
            raise _Malformed(f"not valid JSON: {error.msg} (line {line})") from None


def _resync(buffer: _Buffer, start: int, in_array: bool) -> bool:
    """Move to the start of the next record after a malformed one at ``start``."""
    line_start = buffer.text.rfind("\n", 0, start) + 1
    indent = buffer.text[line_start:start]
    began_line = indent.strip() == "" or indent.strip() == ","
    if not in_array or began_line:
        indentation = indent if in_array and indent.strip() == "" else ""
        pattern = re.compile("\n" + re.escape(indentation) + r"(?=[\[{])" if in_array else "\n")
    else:
        pattern = _NEXT_IN_LINE
    buffer.pos = start + 1
    while True:
        match = pattern.search(buffer.text, buffer.pos)
        if match:
            buffer.pos = match.end()
            return True
        buffer.pos = max(buffer.pos, len(buffer.text) - 64)  # a match may span two chunks
        if not buffer.fill():
            buffer.pos = len(buffer.text)
            return False


def csv_records(handle: IO[str], source: str) -> Iterator[tuple[int, dict[str, str]] | Skipped]:
    """Each row of a CSV file with a header, as a dict, with its line number."""
    try:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
    except csv.Error as error:
        yield Skipped(source, 1, f"not a CSV header: {error}")
        return
    if not fields:
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Skipped(source, reader.line_num, f"not valid CSV: {error}")
            continue
        if None in row:
            yield Skipped(source, reader.line_num, "more fields than the header has")
            continue
        yield reader.line_num, row


def sniff(handle: IO[str]) -> str:
    """``json`` or ``csv``, from the first characters of a seekable text stream."""
    head = handle.read(4096)
    handle.seek(0)
    stripped = head.lstrip("\ufeff \t\r\n")
    return "json" if stripped[:1] in ("[", "{") else "csv"
