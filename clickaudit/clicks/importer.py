"""Read click logs of any supported ESP format into :class:`Event` records, one at a time.

The format is detected per record from the keys only one ESP uses (a log may hold several
ESPs' events). Records of other kinds
(opens, bounces) are counted as ignored; malformed ones as skipped, with their line.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from clickaudit.clicks import csv_format
from clickaudit.clicks.formats import FORMATS, RecordError, detect
from clickaudit.clicks.model import Event, Skipped
from clickaudit.clicks.reader import csv_records, json_records, sniff
from clickaudit.errors import InputError

MAX_SKIPPED_LISTED = 1000


@dataclass
class Tally:
    """Counts kept while importing; the caller reads them when the stream is exhausted."""

    read: int = 0
    ignored: int = 0
    skipped_total: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    formats: set[str] = field(default_factory=set)

    def skip(self, skipped: Skipped) -> None:
        self.skipped_total += 1
        if len(self.skipped) < MAX_SKIPPED_LISTED:
            self.skipped.append(skipped)


def read_events(
    paths: list[str], tally: Tally, mapping: Mapping[str, str] | None = None
) -> Iterator[Event]:
    """Every click, delivery and send event of the files, in file order.

    Raises:
        InputError: a file cannot be opened or decoded as text (the others are not read).
    """
    for path in paths:
        yield from _read_file(path, tally, mapping or {})


def _open(path: str) -> IO[str]:
    try:
        if path.endswith(".gz"):
            return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace", newline="")
        return open(path, encoding="utf-8-sig", errors="replace", newline="")
    except OSError as error:
        raise InputError(path, f"cannot read the click log: {error.strerror}") from None


def _read_file(path: str, tally: Tally, mapping: Mapping[str, str]) -> Iterator[Event]:
    if Path(path).is_dir():
        raise InputError(path, "is a folder, not a click log")
    handle = _open(path)
    try:
        try:
            kind = sniff(handle)
        except (OSError, EOFError) as error:
            raise InputError(path, f"cannot read the click log: {error}") from None
        try:
            if kind == "json":  # a column mapping is for CSV files; JSON names its own fields
                yield from _json_events(handle, path, tally)
            else:
                yield from _csv_events(handle, path, tally, mapping)
        except (OSError, EOFError, zlib.error) as error:
            # a damaged compressed file: what was read counts, the rest is said to be lost
            tally.skip(Skipped(path, 0, f"the rest of the file cannot be read: {error}"))
    finally:
        handle.close()


def _json_events(handle: IO[str], path: str, tally: Tally) -> Iterator[Event]:
    for item in json_records(handle, path):
        if isinstance(item, Skipped):
            tally.skip(item)
            continue
        line, value = item
        records: list[Any] = value if isinstance(value, list) else [value]
        for record in records:
            tally.read += 1
            if not isinstance(record, Mapping):
                tally.skip(Skipped(path, line, "a record that is not a JSON object"))
                continue
            name = detect(record)
            if name is None:
                tally.skip(Skipped(path, line, "a record of no known ESP format"))
                continue
            tally.formats.add(name)
            parser = FORMATS[name]
            try:
                found = list(parser(record, path, line))
            except (RecordError, TypeError, ValueError, AttributeError) as error:
                tally.skip(Skipped(path, line, f"{name} record: {error}"))
                continue
            if not found:
                tally.ignored += 1
            yield from found


def _csv_events(
    handle: IO[str], path: str, tally: Tally, mapping: Mapping[str, str]
) -> Iterator[Event]:
    columns: dict[str, str] | None = None
    for item in csv_records(handle, path):
        if isinstance(item, Skipped):
            tally.skip(item)
            continue
        line, row = item
        if columns is None:
            columns = csv_format.resolve_columns(list(row), mapping)
            tally.formats.add("csv")
        tally.read += 1
        try:
            found = list(csv_format.events(row, columns, path, line))
        except (RecordError, ValueError) as error:
            tally.skip(Skipped(path, line, f"csv row: {error}"))
            continue
        if not found:
            tally.ignored += 1
        yield from found
