"""The audit history database (SQLite via sqlite-utils): see :mod:`clickaudit.store.repository`."""

from clickaudit.store.opening import Found
from clickaudit.store.repository import HistoryRow, Store

__all__ = ["Found", "HistoryRow", "Store"]
