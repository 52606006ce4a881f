"""Links in a text/plain part: only a URL-looking label directly before a URL is its text; an
empty href is reported as link-empty."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clickaudit import extract
from clickaudit.cli import main
from clickaudit.extract import _URL_IN_LINE, MAX_TEXT, url_context, url_label

EMAIL = """From: Shop <news@shop.example>
To: someone@example.org
Subject: Spring sale
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Our spring sale starts today, read all about it here: https://shop.example/spring
www.shop.example <https://click.tracker.example/ls/click?upn=abc>
Questions? Write to help@shop.example or visit https://help.shop.example/faq
--b
Content-Type: text/html; charset=utf-8

<p><a href="">Spring sale</a> <a href="https://shop.example/spring">Spring</a></p>
--b--
"""


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "spring.eml"
    path.write_text(EMAIL, "utf-8")
    main(["scan", "--format", "json", "--fail-on", "never", str(path)])
    return json.loads(capsys.readouterr().out)


def _text_links(report: dict[str, object]) -> dict[str, dict[str, object]]:
    return {link["href"]: link for link in report["links"] if link["part"] == "text"}  # type: ignore[attr-defined]


def test_the_words_of_a_sentence_before_a_url_are_not_its_text(report: dict[str, object]) -> None:
    links = _text_links(report)
    assert links["https://shop.example/spring"]["text"] == ""
    assert links["https://help.shop.example/faq"]["text"] == ""


def test_a_url_looking_label_directly_before_a_url_is_its_text(report: dict[str, object]) -> None:
    tracked = _text_links(report)["https://click.tracker.example/ls/click?upn=abc"]
    assert tracked["text"] == "www.shop.example"


def test_no_false_text_mismatch_from_sentence_words(report: dict[str, object]) -> None:
    for link in _text_links(report).values():
        if link["text"] == "":
            assert all(f["code"] != "link-text-mismatch" for f in link["findings"])  # type: ignore[attr-defined]


def test_an_empty_href_is_a_link_empty_warning(report: dict[str, object]) -> None:
    empty = next(link for link in report["links"] if link["href"] == "")  # type: ignore[attr-defined]
    assert [(f["code"], f["severity"]) for f in empty["findings"]] == [("link-empty", "warning")]


@pytest.mark.parametrize(
    ("before", "label"),
    [
        ("Visit our shop: ", ""),
        ("www.shop.example <", "www.shop.example"),
        ("See shop.example (", "shop.example"),
        ("Mail me at a@b.com ", ""),
        ("End of the sentence. ", ""),
        ("[https://shop.example/boots] ", "https://shop.example/boots"),
        ("Preise ab 3.99 ", ""),
        ("Follow us: [Facebook] ", "Facebook"),
        # a URL beside another, set off by spaces alone, is a sibling link, not its label
        ("https://www.facebook.com/shop/   https://twitter.com/shop   ", ""),
        ("www.shop.example ", ""),
        ("https://shop.example/boots <", "https://shop.example/boots"),
    ],
)
def test_url_label(before: str, label: str) -> None:
    assert url_label(before) == label


@pytest.mark.parametrize(
    ("before", "context"),
    [
        ("Manage your preferences: ", "Manage your preferences"),
        ("To unsubscribe: https://esp.example/unsub?u=1   Shop now: ", "Shop now"),
        (
            "To stop these emails click https://esp.example/u/1 or read our blog ",
            "or read our blog",
        ),
        (".webversion { float: none } " + "x" * 500 + " ", "x" * 199),
    ],
)
def test_url_context_is_the_words_since_the_url_before_it(before: str, context: str) -> None:
    assert url_context(before) == context


def _context_by_searching_the_whole_line(before: str) -> str:
    ends = [match.end() for match in _URL_IN_LINE.finditer(before)]
    own = before[ends[-1] :] if ends else before
    return own[-MAX_TEXT:].strip().rstrip("<(:").strip()


_LINE_PIECES = st.sampled_from(
    ["https://a.example/x", "www.", "WWW.b.example", "mailto:", "ftp://", "x://", "://", "h",
     " ", "  ", "\t", "\xa0", "\u2028", "\u3000", "<", "(", ":", "word", "ſ", "é", "x" * 90]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_LINE_PIECES, max_size=30).map("".join))
@example("https://a.example/" + "x" * 400 + " Shop: ")
@example("x" * 150 + "https://a.example/" + "y" * 100)
@example("https://a.example/u " + "x" * 199)
@example("https://a.example/u " + "x" * 200)
def test_url_context_is_what_searching_the_whole_line_gives(before: str) -> None:
    assert url_context(before) == _context_by_searching_the_whole_line(before)


def test_a_word_far_back_on_a_long_line_does_not_make_a_system_link(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A text part with no line breaks: the unsubscribe sentence belongs to its own URL only."""
    body = (
        "To unsubscribe from these emails click https://news.shop.example/u/abc "
        + "and see our new range " * 20
        + "https://shop.example/boots"
    )
    path = tmp_path / "one-line.eml"
    path.write_text(
        "From: Shop <news@shop.example>\nSubject: Boots\nContent-Type: text/plain\n\n" + body,
        "utf-8",
    )
    main(["scan", "--format", "json", "--fail-on", "never", str(path)])
    links = {link["href"]: link for link in json.loads(capsys.readouterr().out)["links"]}
    assert links["https://news.shop.example/u/abc"]["system"] == "unsubscribe"
    assert links["https://shop.example/boots"]["system"] is None


_CASE_INSENSITIVE_TEXT_URL = re.compile(r"(?:(?:https?|ftp)://|mailto:|www\.)[^\s<>\"'\]\[]+", re.I)
_TEXT_PIECES = st.sampled_from(
    ["http", "HTTPS", "hTtPſ", "ftp", "FTP", "://", ":", "mailto", "MAİLTO", "maıLto", "www.",
     "WwW", ".", "wW", "K", "x", "é", " ", "\n", "\xa0", "<", ">", '"', "'", "[", "]", "/a?b=1"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_TEXT_PIECES, max_size=20).map("".join))
@example("see hTTpſ://a.example/x and MAİLTO:me@a.example or wWw.b.example")
def test_text_urls_are_found_where_the_case_insensitive_pattern_finds_them(text: str) -> None:
    found = [match.span() for match in extract._TEXT_URL.finditer(text)]
    assert found == [match.span() for match in _CASE_INSENSITIVE_TEXT_URL.finditer(text)]
