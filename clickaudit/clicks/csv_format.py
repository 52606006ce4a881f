"""Click logs as CSV: any ESP's export or a web server's log, given which column is which.

Columns are found by common names (``timestamp``, ``email``, ``url``, ``ip``, ``user_agent``,
...) unless a mapping names them (``--map time=Clicked At,url=Link``). A file without an event
column is read as clicks only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from clickaudit.clicks.formats import RecordError, message_key, parse_time
from clickaudit.clicks.model import Event, EventKind
from clickaudit.errors import ClickauditError

FIELDS = ("time", "event", "recipient", "url", "ip", "user_agent", "message_id", "method", "asn")
ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "date", "datetime", "clicked_at", "event_time", "created_at"),
    "event": ("event", "event_type", "type", "action", "status"),
    "recipient": ("recipient", "email", "email_address", "to", "rcpt_to", "address"),
    "url": ("url", "link", "target_url", "clicked_url", "original_link", "target_link_url"),
    "ip": ("ip", "ip_address", "ipaddress", "client_ip", "remote_addr", "source_ip"),
    "user_agent": ("user_agent", "useragent", "agent", "ua", "http_user_agent"),
    "message_id": ("message_id", "messageid", "msg_id", "sg_message_id", "message-id"),
    "method": ("method", "http_method", "request_method"),
    "asn": ("asn", "as_number", "autonomous_system"),
}
CLICK_NAMES = {"click", "clicked", "clicks", "link_click", "email_click", "amp_click"}
DELIVERED_NAMES = {"delivered", "delivery", "deliver"}
SENT_NAMES = {"sent", "send", "processed", "injection", "accepted"}


class MappingError(ClickauditError):
    """A column mapping that names a field or column that does not exist."""


def parse_mapping(text: str | None) -> dict[str, str]:
    """``field=Column,field=Column`` → ``{field: Column}``; fields are those of :data:`FIELDS`."""
    mapping: dict[str, str] = {}
    if not text:
        return mapping
    for item in text.split(","):
        name, sep, column = item.partition("=")
        name = name.strip().lower().replace("-", "_")
        if not sep or not column.strip():
            raise MappingError(f"--map: '{item.strip()}' is not FIELD=COLUMN")
        if name not in FIELDS:
            raise MappingError(f"--map: unknown field '{name}' (fields: {', '.join(FIELDS)})")
        mapping[name] = column.strip()
    return mapping


def resolve_columns(header: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Which header column holds each field: the mapping's, else the first alias present."""
    lowered = {column.strip().lower().replace(" ", "_"): column for column in header}
    columns: dict[str, str] = {}
    for name in FIELDS:
        if name in mapping:
            if mapping[name] not in header:
                raise MappingError(
                    f"--map: there is no column '{mapping[name]}' (columns: {', '.join(header)})"
                )
            columns[name] = mapping[name]
            continue
        for alias in ALIASES[name]:
            if alias in lowered:
                columns[name] = lowered[alias]
                break
    return columns


def events(
    row: Mapping[str, str], columns: Mapping[str, str], source: str, line: int
) -> Iterator[Event]:
    def get(name: str) -> str:
        column = columns.get(name)
        return (row.get(column) or "").strip() if column else ""

    kind = EventKind.CLICK
    if "event" in columns:
        name = get("event").lower()
        if name in CLICK_NAMES:
            kind = EventKind.CLICK
        elif name in DELIVERED_NAMES:
            kind = EventKind.DELIVERED
        elif name in SENT_NAMES:
            kind = EventKind.SENT
        else:
            return
    if kind is EventKind.CLICK and "url" not in columns:
        raise RecordError("no URL column (name it with --map url=COLUMN)")
    asn_text = get("asn").upper().removeprefix("AS")
    yield Event(
        kind,
        parse_time(get("time")),
        message_key(get("message_id")),
        get("recipient"),
        get("url"),
        ip=get("ip"),
        user_agent=get("user_agent"),
        method=get("method").upper(),
        asn=int(asn_text) if asn_text.isdigit() else None,
        esp="csv",
        source=source,
        line=line,
    )
