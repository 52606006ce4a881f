"""The audit history database (SQLite): see :mod:`clickaudit.store.repository`."""

from clickaudit.store.repository import HistoryRow, Store

__all__ = ["HistoryRow", "Store"]
