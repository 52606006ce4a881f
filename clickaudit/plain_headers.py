"""Address, date and message-id headers in their plain shapes, read without the email library's
structured parse — giving exactly the text that parse gives, or None.

The library builds a token tree for every ``From``, ``To``, ``Reply-To``, ``Date`` and
``Message-ID`` it is asked for: about 150 us an email, and the values are new in almost every
email (a date, a message id, a recipient), so no cache helps. Most values are plain: ``Name
<local@host>``, ``"Name, Title" <local@host>``, ``local@host``, lists of those, an RFC 5322
date, ``<id@host>``. For those the text the library makes is known (it re-quotes a display name
holding specials, joins a phrase's words with one space, drops an empty one, joins addresses
with ", "); anything else — encoded words, comments, groups, obsolete syntax, non-ASCII, quoted
local parts, domain literals, backslashes — gives None and is left to the library (fail
closed). Hypothesis tests and the corpus hold every answer to the library's.
"""

from __future__ import annotations

import re
from email.utils import format_datetime, parsedate_to_datetime

# RFC 5322 atext (ASCII): the characters of an atom; a dot-atom joins atoms with single dots.
_ATOM = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+"
_DOT_ATOM = rf"{_ATOM}(?:\.{_ATOM})*"
_ADDR_SPEC = rf"{_DOT_ATOM}@{_DOT_ATOM}"
# One address: a bare addr-spec, or a display name (words of atext, or one quoted string of
# printable ASCII without backslash or quote, not blank at either end) before <addr-spec>.
_ADDRESS = re.compile(
    rf"[ \t]*(?:(?P<bare>{_ADDR_SPEC})"
    rf"|(?:(?P<words>{_ATOM}(?:[ \t]+{_ATOM})*)"
    r'|"(?P<quoted>[!#-\[\]-~](?:[ !#-\[\]-~]*[!#-\[\]-~])?)"'
    rf")?[ \t]*<(?P<angled>{_ADDR_SPEC})>)[ \t]*"
)
_SPECIALS = frozenset('()<>@,:;."[]')  # the library quotes a display name holding any of these
_MESSAGE_ID = re.compile(rf"[ \t]*<{_DOT_ATOM}@{_DOT_ATOM}>[ \t]*")
_PLAIN_DATE = re.compile(r"[ \t\x21-\x7e]*")


def address_list_text(value: str) -> str | None:
    """The text of an address header (``From``, ``To``, ...) whose value is a list of plain
    addresses, as the library writes it; None for any other value."""
    if "=?" in value or not value.isascii():
        return None
    written: list[str] = []
    for item in value.split(","):  # a plain address holds no comma outside its quotes
        match = _ADDRESS.fullmatch(item)
        if match is None:
            return _quoted_commas_list(value)
        written.append(_address_text(match))
    return ", ".join(written)


def _quoted_commas_list(value: str) -> str | None:
    """A list whose quoted display names hold commas (``"Doe, John" <j@x.example>``)."""
    if '"' not in value:
        return None
    written: list[str] = []
    position = 0
    while True:
        match = _ADDRESS.match(value, position)
        if match is None:
            return None
        written.append(_address_text(match))
        position = match.end()
        if position == len(value):
            return ", ".join(written)
        if value[position] != ",":
            return None
        position += 1


def _address_text(match: re.Match[str]) -> str:
    if match["bare"] is not None:
        return match["bare"]
    words, quoted = match["words"], match["quoted"]
    name = " ".join(words.split()) if words is not None else quoted or ""
    if not name:
        return match["angled"]
    if not _SPECIALS.isdisjoint(name):
        name = f'"{name}"'  # no backslash or quote inside: quoting adds nothing else
    return f"{name} <{match['angled']}>"


def date_text(value: str) -> str | None:
    """The text of a date header as the library writes it: the date made again by
    :func:`email.utils.format_datetime` when it reads as one, else the value as it is; None
    for a value that is not printable ASCII or that the date functions fail on otherwise."""
    if not _PLAIN_DATE.fullmatch(value):
        return None
    if not value:
        return ""
    try:
        when = parsedate_to_datetime(value)
    except ValueError:
        return value  # the library keeps a date it cannot read as it is
    except Exception:
        return None
    try:
        return format_datetime(when)
    except Exception:
        return None


def message_id_text(value: str) -> str | None:
    """A ``<local@host>`` message id, which the library gives back as it is; None otherwise."""
    return value if _MESSAGE_ID.fullmatch(value) else None
