"""Opening a history file: refuse what is damaged or foreign before anything is written to it.

For writing, a file must be empty, missing, or a SQLite database whose header and pages are whole
(``PRAGMA quick_check``) and whose schema is clickaudit's, at this version or older; only then is
it switched to WAL and migrated. For reading, the file is opened read-only (``mode=ro``, or
``immutable=1`` where the file system cannot take SQLite's shared-memory file), so ``history``
and ``show`` work on a read-only disk and never change a file.
"""

from __future__ import annotations

import sqlite3
import time
from enum import StrEnum
from pathlib import Path

from clickaudit.errors import StoreError
from clickaudit.store import schema

BUSY_TIMEOUT_MS = 15_000
SQLITE_HEADER = b"SQLite format 3\x00"
SMALLEST_DATABASE = 512  # bytes: a 100-byte header inside a first page of at least 512


class Found(StrEnum):
    """What was at the path when it was opened."""

    DATABASE = "database"
    NOTHING = "nothing"  # a new database was made
    EMPTY_FILE = "empty-file"  # a 0-byte file, taken as a new database (and said so)


def inspect(path: Path) -> Found:
    """What is at ``path``; a file that is not a whole SQLite header is refused untouched."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return Found.NOTHING
    except OSError as error:
        raise StoreError(f"{path}: cannot read: {error.strerror}") from None
    if size == 0:
        return Found.EMPTY_FILE
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StoreError(f"{path}: cannot read: {error.strerror}") from None
    if header != SQLITE_HEADER:
        raise StoreError(f"{path}: not a clickaudit database (left untouched)")
    if size < SMALLEST_DATABASE:
        raise StoreError(f"{path}: a damaged database (cut short at {size} bytes; left untouched)")
    return Found.DATABASE


def open_for_writing(path: Path) -> tuple[sqlite3.Connection, Found]:
    """A connection in autocommit mode, WAL, foreign keys on, schema at :data:`schema.LATEST`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"{path.parent}: cannot create the folder: {error.strerror}") from None
    found = inspect(path)
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as error:
        raise StoreError(f"{path}: cannot open: {error}") from None
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        schema.refuse_newer(connection, path)  # before anything writes, WAL mode included
        if found is Found.DATABASE:
            _refuse_damaged(connection, path)
        _use_wal(connection)
        if schema.migrate(connection, path) != 0:
            found = Found.DATABASE  # a racing first user made it: it was not ours to report
        connection.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as error:
        connection.close()
        raise StoreError(f"{path}: {error} (left untouched)") from error
    except BaseException:
        connection.close()
        raise
    return connection, found


def _use_wal(connection: sqlite3.Connection) -> None:
    """Switch to WAL, waiting like the busy timeout does: turning a new file to WAL needs it
    alone, and SQLite answers "busy" at once, without its busy handler, while a racing first
    user holds it."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _refuse_damaged(connection: sqlite3.Connection, path: Path) -> None:
    """``quick_check`` reads every page: a damaged b-tree or a cut-off file is found here."""
    try:
        problems = [row[0] for row in connection.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as error:  # pages cut off or zeroed: SQLite cannot even walk it
        problems = [str(error)]
    if problems != ["ok"]:
        raise StoreError(
            f"{path}: a damaged database ({'; '.join(problems)}); left untouched — "
            "restore it from a backup or move it away"
        )


def open_for_reading(path: Path) -> tuple[sqlite3.Connection, Found]:
    """A read-only connection; a missing, empty or older file is read through a copy in memory.

    Nothing is created or migrated on disk: a missing or empty file reads as an empty history,
    and a file at an older schema version is copied to memory and migrated there.
    """
    found = inspect(path)
    if found is not Found.DATABASE:
        return _empty_in_memory(), found
    connection = _connect_read_only(path)
    try:
        at = schema.refuse_newer(connection, path)
        if at < schema.LATEST:
            copy = sqlite3.connect(":memory:", isolation_level=None)
            connection.backup(copy)
            connection.close()
            connection = copy
            schema.migrate(connection, path)
    except sqlite3.Error as error:
        connection.close()
        raise StoreError(f"{path}: cannot read: {error}") from None
    except BaseException:
        connection.close()
        raise
    return connection, found


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """``mode=ro`` first; ``immutable=1`` when SQLite cannot make its WAL index (a read-only
    file system), which is safe because nothing can be writing to such a file either."""
    uri = path.absolute().as_uri()
    last: sqlite3.Error | None = None
    for options in ("mode=ro", "mode=ro&immutable=1"):
        try:
            connection = sqlite3.connect(
                f"{uri}?{options}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        except sqlite3.Error as error:
            last = error
            continue
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as error:
            connection.close()
            last = error
            if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_CANTOPEN:
                break  # busy, say: reading without locks is only safe where no one can write
            continue
        except sqlite3.Error as error:
            connection.close()
            raise StoreError(f"{path}: cannot read: {error}") from None
        return connection
    raise StoreError(f"{path}: cannot open for reading: {last}")


def _empty_in_memory() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    schema.migrate(connection, ":memory:")
    return connection
