"""WHERE clauses the history's lists share: a date range and the newest-first listing."""

from __future__ import annotations


def date_range(
    column: str, since: str | None, until: str | None, where: list[str], params: dict[str, object]
) -> None:
    """Add ``column`` from ``since`` up to ``until`` (ISO dates or times; a bare ``until`` date
    includes its whole day) to ``where`` and ``params``."""
    if since:
        where.append(f"{column} >= :since")
        params["since"] = since
    if until:
        where.append(f"{column} <= :until")
        params["until"] = until + ("T23:59:59" if len(until) == 10 else "")


def where_sql(where: list[str]) -> str:
    return " WHERE " + " AND ".join(where) if where else ""
