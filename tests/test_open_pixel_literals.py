"""The open-pixel rules are asked only where their literal text occurs, with the same answers.

MailTrackerBlocker's and Trocker's 462 pixel patterns were searched as one joined regular
expression for every image (most of a batch scan's time). Now each rule's required literal
text (``yesware.com``) picks the few rules worth asking, found all at once by an Aho-Corasick
automaton, for ASCII and non-ASCII URLs alike. These properties hold the literal to be in every
string a rule matches (strings Hypothesis builds from each bundled rule), and the vendor named
to be the one the joined search names.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickaudit.esp.trackers import _ASCII_CASE_TWINS, load_tracker_lists, required_literal

EXAMPLES = settings(
    max_examples=int(os.environ.get("CLICKAUDIT_FUZZ_EXAMPLES", "300")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
LISTS = load_tracker_lists()
RULES = [rule for _, rule in LISTS._open_rules + LISTS._path_rules]


def _matching(rule: str) -> st.SearchStrategy[tuple[str, str]]:
    return st.tuples(st.just(rule), st.from_regex(re.compile(rule, re.IGNORECASE)))


@EXAMPLES
@given(st.sampled_from(RULES).flatmap(_matching))
def test_every_string_a_rule_matches_contains_its_literal(case: tuple[str, str]) -> None:
    rule, text = case
    if text.isascii():
        assert required_literal(rule) in text.translate(_ASCII_CASE_TWINS).lower(), (rule, text)


def test_every_bundled_rule_has_a_literal() -> None:
    assert all(required_literal(rule) for rule in RULES)


def test_literals_are_read_conservatively() -> None:
    assert required_literal("t.yesware.com/t/") == "yesware"
    assert required_literal("/\\?x[ou]l=.+&(amp;)?eih=") == "eih="
    assert required_literal("abc*d") == "ab"
    assert required_literal("ab{2,3}cd") == "cd"
    assert required_literal("a(b|c)d") == ""  # an alternation: no text is safe to require
    assert required_literal("(?x) a b c") == ""  # inline flags change how text reads
    assert required_literal("\\d\\d\\.gif") == ".gif"


def _by_joined_search(url: str, looks_like_pixel: bool) -> str | None:
    rules = LISTS._open_rules + (LISTS._path_rules if looks_like_pixel else [])
    joined = re.compile("|".join(f"(?:{rule})" for _, rule in rules), re.IGNORECASE)
    if not joined.search(url):
        return None
    return next(vendor for vendor, rule in rules if re.search(rule, url, re.IGNORECASE))


# non-ASCII text, and the four characters a case-insensitive rule reads as ASCII letters
_NON_ASCII = ("数据", "é", "\u017f", "\u212a", "\u0130", "\u0131", "YE\u017fWARE")
_PIECES = st.sampled_from(
    [*(required_literal(rule) for rule in RULES[::7]), "/", ".gif", "?id=", "x", "T", "0", "."]
)
_PIECES = _PIECES | st.sampled_from(_NON_ASCII)


@EXAMPLES
@given(st.lists(_PIECES | st.sampled_from(RULES).flatmap(st.from_regex), max_size=6), st.booleans())
def test_the_vendor_named_is_the_joined_searchs(pieces: list[str], pixel: bool) -> None:
    url = "img.example/" + "".join(pieces)
    host = "img.example"
    named = LISTS.open_tracker(url, host, "/" + url.partition("/")[2], looks_like_pixel=pixel)
    if LISTS._prefix_match("open", host, "/" + url.partition("/")[2]) is None:
        assert named == _by_joined_search(url, pixel), url


def test_a_non_ascii_url_is_named_as_the_rules_name_it() -> None:
    # the long s and the Kelvin sign match "s" and "k" ignoring case, as the rules are read
    for url in ("t.ye\u017fware.com/t/abc", "t.yesware.com/t/\u5c55\u4f1a.png"):
        assert LISTS.open_tracker(url, "t.yesware.com", "/t/abc") == _by_joined_search(url, False)
    assert LISTS.open_tracker("t.ye\u017fware.com/t/", "x.example", "/t/") == "Yesware"


def test_the_characters_read_as_ascii_letters_are_those_a_case_insensitive_rule_matches() -> None:
    letter = re.compile("[a-z]", re.IGNORECASE)
    twins = {
        chr(point): chr(point).translate(_ASCII_CASE_TWINS)
        for point in range(128, 0x110000)
        if letter.fullmatch(chr(point))
    }
    assert set(twins) == {chr(point) for point in _ASCII_CASE_TWINS}
    for char, ascii_letter in twins.items():
        assert re.fullmatch(ascii_letter, char, re.IGNORECASE), (char, ascii_letter)
