"""Header text: the fast reading of unstructured headers (plain words and RFC 2047 encoded words)
gives exactly what the email library's policy gives, for every shape the library reads itself:
encoded words in any charset (unknown, undecodable, bogus), B and Q with bad padding, words that
only look encoded, folded lines, spaces and tabs between words. Structured headers (addresses,
dates, message ids) have their own plain reading: tests/test_plain_headers.py."""

from __future__ import annotations

import base64
import email
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clickaudit import load
from clickaudit.load import POLICY, _header_text, _header_text_by_policy

CHARSETS = (
    "utf-8", "UTF-8", "iso-8859-1", "windows-1252", "shift_jis", "koi8-r", "utf-7", "us-ascii",
    "unknown-8bit", "x-unknown", "idna", "hex", "utf-16", "gb2312", "utf-8*en",
)  # fmt: skip
NAMES = ("Subject", "X-Microsoft-Antispam-Message-Info", "X-Mailer", "Comments", "From", "Date")


def _message(name: str, raw: str) -> email.message.Message:
    """Raw non-ASCII bytes in the header, as 8-bit mail has them: UTF-8, or Latin-1 for half."""
    head = f"{name}: {raw}\r\n".encode("utf-8" if len(raw) % 2 else "latin-1", "replace")
    return email.message_from_bytes(head + b"\r\nbody\r\n", policy=POLICY)


def _both(name: str, raw: str) -> tuple[str, str]:
    message = _message(name, raw)
    [(parsed_name, parsed_raw)] = message.raw_items()
    return (
        _header_text(message, parsed_name, parsed_raw),
        _header_text_by_policy(message, parsed_name, parsed_raw),
    )


@st.composite
def encoded_words(draw: st.DrawFn) -> str:
    charset = draw(st.sampled_from(CHARSETS))
    data = draw(st.binary(max_size=24) | st.text(max_size=12).map(lambda t: t.encode()))
    if draw(st.booleans()):
        text = base64.b64encode(data).decode()
        if draw(st.booleans()):
            text = text.rstrip("=")  # padding missing, as real mailers send
        return f"=?{charset}?{draw(st.sampled_from('bB'))}?{text}?="
    text = "".join(
        chr(byte) if chr(byte).isalnum() and byte < 128 else "_" if byte == 32 else f"={byte:02X}"
        for byte in data
    )
    return f"=?{charset}?{draw(st.sampled_from('qQ'))}?{text}?="


LOOKALIKES = st.text(alphabet="=?QqBb_-aZ09+/ \t.*", max_size=16)
PLAIN_WORDS = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)
    | st.sampled_from("éñ€\xa0\x0b\x0c\u3000\u2028"),
    max_size=10,
)
SPACES = st.sampled_from([" ", "  ", "\t", " \t ", "\r\n ", "\r\n\t", "\n "])


@st.composite
def header_values(draw: st.DrawFn) -> str:
    words = draw(st.lists(encoded_words() | PLAIN_WORDS | LOOKALIKES, min_size=1, max_size=8))
    value = draw(SPACES)
    for word in words:
        value += word + draw(SPACES)
    return value.strip("\r\n") if draw(st.booleans()) else value.lstrip()


@settings(max_examples=600, deadline=None)
@given(name=st.sampled_from(NAMES), raw=header_values())
@example(name="Subject", raw="=?utf-8?q?=C3=A9t=C3=A9?= =?utf-8?q?_d=C3=A9j=C3=A0?=")
@example(name="Subject", raw="=?utf-8?q?=ZZ?= =?utf-8?q?=Ag?=")
@example(name="Subject", raw="=?utf-8?b?/w==?= =?x-bogus?q?caf=E9?= end")
@example(name="Subject", raw="=?utf-8?q?a=0Ab?=\t =?utf-8?q?c?= d\t")
@example(name="Subject", raw="a=?utf-8?q?b?= =?utf-8?q?c?=d =?utf-8*fr?q?e?=")
@example(name="X-Spam-Report", raw="pts rule\r\n 0.0 caf\xe9 cr\xe8me\x0b \xa0 x")
@example(name="X-Test", raw="=?utf-8?B?Zm9v?=\r\n =?utf-8?B?YmFy?=\r\n\t=?utf-8?B?YmF6?=")
def test_fast_header_text_is_the_policys_text(name: str, raw: str) -> None:
    fast, reference = _both(name, raw)
    assert fast == reference


@settings(max_examples=600, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    raw=st.lists(header_values(), min_size=1, max_size=4).map(" ".join),
    limit=st.integers(min_value=0, max_value=80),
)
@example(name="X-Test", raw="=?utf-8?q?abcdefghij=C3?= =?utf-8?q?=A9?= rest", limit=5)
@example(
    name="X-Test", raw="=?utf-8?q?abcdefgh" + "=0A" * 9 + "=C3?= =?utf-8?q?=A9tail?=", limit=10
)
@example(name="X-Test", raw="=?utf-8?q?abcdefghijklm?= =?utf-8?q?_=0A_x?= =?utf-8?q?y?=", limit=3)
@example(name="X-Test", raw="=?utf-8?q?_______________a?= =?utf-8?q?bcdefghijklmnop?=", limit=4)
@example(name="X-Test", raw="=?utf-8?q?abcdefghijklmnop?= =?idna?q?xn--a?= b", limit=2)
def test_a_header_read_to_a_limit_is_the_start_of_the_whole_text(
    name: str, raw: str, limit: int
) -> None:
    message = _message(name, raw)
    [(parsed_name, parsed_raw)] = message.raw_items()
    bounded = _header_text(message, parsed_name, parsed_raw, limit=limit)
    assert bounded == _header_text_by_policy(message, parsed_name, parsed_raw)[:limit]


def test_a_huge_header_of_encoded_words_is_decoded_only_as_far_as_the_limit() -> None:
    word = "=?utf-8?b?" + "QUJD" * 10 + "?="
    raw = " ".join([word] * 50_000)  # 1.5 MB of encoded words: 1.5 million characters decoded
    decoded = load._decode_plain_encoded_words(raw, limit=500)
    assert decoded is not None and decoded.startswith("ABCABC") and len(decoded) < 2_000


def test_every_header_of_the_corpus_reads_as_the_policy_reads_it(corpus: Path) -> None:
    compared = 0
    for path in sorted(corpus.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=POLICY)
        for name, raw in message.raw_items():
            reference = _header_text_by_policy(message, name, raw)
            assert _header_text(message, name, raw) == reference
            assert _header_text(message, name, raw, limit=500) == reference[:500]
            compared += 1
    assert compared > 1000


def test_a_folded_subject_of_encoded_words_reads_as_one_line_keeping_its_tab() -> None:
    raw = "=?utf-8?q?Caf=C3=A9?=\r\n =?utf-8?b?IGNyw6htZQ==?= et\r\n\t=?iso-8859-1?q?th=E9?="
    assert _both("Subject", raw) == ("Café crème et\tthé", "Café crème et\tthé")


def test_an_undecodable_word_becomes_replacement_characters_as_the_library_makes_it() -> None:
    fast, reference = _both("X-Note", "=?utf-8?q?caf=E9?= ok")
    assert fast == reference == "caf\ufffd ok"


@pytest.mark.parametrize(
    "raw", ["=?utf-8?q?=ZZ?=", "=?utf-8*en?q?a?=", "x=?utf-8?q?a?=", "=?utf-8?q?a b?="]
)
def test_shapes_the_fast_reading_does_not_know_are_left_to_the_library(raw: str) -> None:
    assert load._decode_plain_encoded_words(raw) is None
