"""The open-pixel rules are asked only where their literal text occurs, with the same answers.

MailTrackerBlocker's and Trocker's 462 pixel patterns were searched as one joined regular
expression for every image (most of a batch scan's time). Now each rule's required literal
text (``yesware.com``) picks the few rules worth asking. These properties hold the literal to
be in every string a rule matches (strings Hypothesis builds from each bundled rule), and the
vendor named to be the one the joined search names.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickaudit.esp.trackers import load_tracker_lists, required_literal

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
        assert required_literal(rule) in text.lower(), (rule, text)


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


_PIECES = st.sampled_from(
    [*(required_literal(rule) for rule in RULES[::7]), "/", ".gif", "?id=", "x", "T", "0", "."]
)


@EXAMPLES
@given(st.lists(_PIECES | st.sampled_from(RULES).flatmap(st.from_regex), max_size=6), st.booleans())
def test_the_vendor_named_is_the_joined_searchs(pieces: list[str], pixel: bool) -> None:
    url = "img.example/" + "".join(pieces)
    host = "img.example"
    named = LISTS.open_tracker(url, host, "/" + url.partition("/")[2], looks_like_pixel=pixel)
    if LISTS._prefix_match("open", host, "/" + url.partition("/")[2]) is None:
        assert named == _by_joined_search(url, pixel), url
