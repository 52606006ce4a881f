"""One write transaction, whose failure is reported as itself.

``BEGIN IMMEDIATE`` takes the write lock at the start (a second writer waits for the busy
timeout instead of failing halfway). When a statement fails, SQLite may already have rolled the
transaction back (a full disk, a malformed page); the ROLLBACK is then skipped, and if it fails
anyway its error is dropped, so the caller always sees the error that stopped the write.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator


@contextlib.contextmanager
def write_transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """All or nothing; the connection must be in autocommit mode (``isolation_level=None``)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
        raise
