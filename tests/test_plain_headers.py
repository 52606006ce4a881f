"""Address, date and message-id headers read in their plain shapes give exactly the text the
email library's structured parse gives, and every other shape is left to the library: values
built from the pieces of every shape the library reads (quoted names with specials, comments,
groups, encoded words, obsolete syntax, domain literals, folding, 8-bit bytes), plain values
(which must be read plainly), dates in every form the date functions take, and every such
header of the real corpus."""

from __future__ import annotations

import email
import email.message
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from clickaudit import plain_headers
from clickaudit.load import POLICY, _header_text, _header_text_by_policy, _plain_reader

ADDRESS_HEADERS = ("From", "To", "Reply-To", "Cc", "Sender", "Resent-From", "Bcc")


def _message(name: str, raw: str) -> email.message.Message:
    """The header as a parsed message holds it (folded, with raw 8-bit bytes as mail has them)."""
    head = f"{name}: {raw}\r\n".encode("utf-8" if len(raw) % 2 else "latin-1", "replace")
    return email.message_from_bytes(head + b"\r\nbody\r\n", policy=POLICY)


def _both(name: str, raw: str) -> tuple[str, str, bool]:
    """(the text read, the library's text, whether it was read plainly)."""
    message = _message(name, raw)
    [(parsed_name, parsed_raw)] = message.raw_items()
    reader = _plain_reader(parsed_name)
    assert reader is not None
    plainly = reader(parsed_raw.replace("\r", "").replace("\n", "")) is not None
    return (
        _header_text(message, parsed_name, parsed_raw),
        _header_text_by_policy(message, parsed_name, parsed_raw),
        plainly,
    )


ATOMS = st.sampled_from(["john", "Doe", "a.b", "x-y", "o'brien", "J", "=", "?", "info+news", "1"])
ADDRESS_PIECES = st.sampled_from(
    ["john", "Doe", "news", "shop.example", "@", "<", ">", ",", ".", " ", "  ", "\t", '"',
     '"Doe, John"', '"J. Doe"', '" padded "', '""', '"a\\"b"', '"a\\\\b"', "\\", "(comment)",
     "(", ")", ":", ";", "Team:", "[1.2.3.4]", "=?utf-8?q?Caf=C3=A9?=", "=?", "Café", "é",
     "\r\n ", "\r\n\t", "\x7f", "..", "+tag", "'", "<>", "@@", "!#$%&*/=?^_`{|}~"]
)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(
    name=st.sampled_from(ADDRESS_HEADERS), raw=st.lists(ADDRESS_PIECES, max_size=14).map("".join)
)
@example(name="From", raw='"Doe, John" <j@x.example>, jane@y.example')
@example(name="To", raw='"a@b" <c@d>')
@example(name="To", raw="John   Doe\t<j@x.example> ,k@y.example")
@example(name="To", raw="a@b,,c@d")
@example(name="From", raw='" " <a@b>')
def test_an_address_header_reads_as_the_library_reads_it(name: str, raw: str) -> None:
    fast, reference, _ = _both(name, raw)
    assert fast == reference


def _dot_atom(atoms: list[str]) -> str:
    return ".".join(atom.replace(".", "") or "x" for atom in atoms)


@st.composite
def plain_addresses(draw: st.DrawFn) -> str:
    local = _dot_atom(draw(st.lists(ATOMS, min_size=1, max_size=3)))
    domain = _dot_atom(draw(st.lists(ATOMS, min_size=1, max_size=3)))
    spec = f"{local}@{domain}"
    space = draw(st.sampled_from(["", " ", "  ", "\t"]))
    shape = draw(st.sampled_from(["bare", "angled", "words", "quoted"]))
    if shape == "bare":
        return space + spec + space
    if shape == "angled":
        return f"{space}<{spec}>"
    if shape == "words":
        words = draw(st.lists(ATOMS.filter(lambda a: "." not in a), min_size=1, max_size=3))
        return draw(st.sampled_from([" ", "  ", "\t"])).join(words) + f"{space}<{spec}>"
    quoted = draw(st.text(st.sampled_from("abc ,.;:@<>()[]!#"), min_size=1, max_size=12))
    quoted = quoted.strip() or "q"
    return f'"{quoted}"{space}<{spec}>'


@settings(max_examples=500, deadline=None)
@given(
    name=st.sampled_from(ADDRESS_HEADERS),
    addresses=st.lists(plain_addresses(), min_size=1, max_size=4),
    separator=st.sampled_from([",", ", ", " ,", ",\r\n ", ",\r\n\t"]),
)
def test_plain_address_lists_are_read_plainly_as_the_library_reads_them(
    name: str, addresses: list[str], separator: str
) -> None:
    fast, reference, plainly = _both(name, separator.join(addresses))
    assert plainly
    assert fast == reference


ZONES = st.sampled_from(
    [" +0000", " -0000", " +0530", " -0800", " GMT", " UT", " EST", " PDT", " Z", " +2400", "",
     " (UTC)", " +0100 (CET)", " bogus"]
)  # fmt: skip


@st.composite
def dates(draw: st.DrawFn) -> str:
    when = draw(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 1, 1)))
    offset = draw(st.integers(min_value=-24 * 60 + 1, max_value=24 * 60 - 1))
    zone = timezone(timedelta(minutes=offset)) if draw(st.booleans()) else UTC
    text = format_datetime(when.replace(tzinfo=zone))
    if draw(st.booleans()):
        text = text.rsplit(" ", 1)[0] + draw(ZONES)  # another zone, or none
    if draw(st.booleans()):
        text = text.split(", ", 1)[-1]  # no weekday
    if draw(st.booleans()):
        text = text.replace(" ", draw(st.sampled_from(["  ", "\t", "\r\n ", " , "])), 1)
    if draw(st.booleans()):
        year = text.split()[2] if len(text.split()) > 2 else ""
        text = text.replace(year, year[-2:], 1) if len(year) == 4 else text
    return text


@settings(max_examples=800, deadline=None)
@given(raw=dates() | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40))
@example(raw="Thu, 26 Nov 2026 09:00:00 +0000")
@example(raw="26 Nov 2026 09:00 -0000")
@example(raw="Thu, 31 Feb 2026 09:00:00 +0000")
@example(raw="Thu, 26 Nov 26 25:61:61 +0000")
@example(raw="not a date")
@example(raw=" ")
@example(raw="Thu, 26 Nov 2026 09:00:00 +0000 (Coordinated Universal Time)")
def test_a_date_header_reads_as_the_library_reads_it(raw: str) -> None:
    for name in ("Date", "Resent-Date"):
        fast, reference, _ = _both(name, raw)
        assert fast == reference, name


def test_a_date_format_datetime_wrote_is_read_plainly() -> None:
    assert plain_headers.date_text("Thu, 26 Nov 2026 09:00:00 +0100") == (
        "Thu, 26 Nov 2026 09:00:00 +0100"
    )
    assert plain_headers.date_text("26 Nov 2026 09:00 GMT") == "Thu, 26 Nov 2026 09:00:00 +0000"


@settings(max_examples=300, deadline=None)
@given(st.lists(ADDRESS_PIECES | st.sampled_from(["<a.b@c.example>", "id", "%", "$"]), max_size=8))
@example(["<a.b@c.example>"])
@example([" ", "<a.b@c.example>", " "])
def test_a_message_id_reads_as_the_library_reads_it(pieces: list[str]) -> None:
    fast, reference, _ = _both("Message-ID", "".join(pieces))
    assert fast == reference


def test_shapes_the_plain_reading_does_not_know_are_left_to_the_library() -> None:
    for value in (
        "=?utf-8?q?Caf=C3=A9?= <a@b.example>", "John (work) <a@b.example>", "Team: a@b.example;",
        '"J\\" D" <a@b.example>', '"" <a@b.example>', "a@[1.2.3.4]", '"john doe"@b.example',
        "J. Doe <a@b.example>", "Café <a@b.example>", "a@b.example,", "",
    ):  # fmt: skip
        assert plain_headers.address_list_text(value) is None, value
    assert plain_headers.message_id_text("<a b@c>") is None
    assert plain_headers.date_text("Thu, 26 Nov 2026 09:00:00 +0000 caf\xe9") is None


def test_every_structured_header_of_the_corpus_reads_as_the_library_reads_it(
    corpus: Path,
) -> None:
    compared = read_plainly = 0
    for path in sorted(corpus.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=POLICY)
        for name, raw in message.raw_items():
            reader = _plain_reader(name)
            if reader is None:
                continue
            assert _header_text(message, name, raw) == _header_text_by_policy(message, name, raw)
            compared += 1
            read_plainly += reader(raw.replace("\r", "").replace("\n", "")) is not None
    assert compared > 150
    assert read_plainly > compared // 2  # most real headers take the plain reading
