"""The fast paths for plain URLs give exactly the answers of the general code they skip.

A large email is scanned link by link, so the common case (a plain https URL) is answered by one
regular expression instead of urllib's parser and RFC 3986 checks. These properties hold the
shortcuts to the general answers on URL-like text built to hit every edge: escapes, ports,
userinfo, brackets, whitespace, non-ASCII, template syntax.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from clickaudit import merge_tags, urls
from clickaudit.merge_tags import merge_tag

EXAMPLES = settings(max_examples=int(os.environ.get("CLICKAUDIT_FUZZ_EXAMPLES", "300")))

_PIECES = [
    "https://",
    "http://",
    "HTTPS://",
    "ftp://",
    "mailto:",
    "//",
    "shop.example",
    "a.b",
    "-x",
    "xn--bcher-kva.example",
    "1.2.3.4",
    "0x7f.1",
    "[::1]",
    ":443",
    ":99999",
    ":",
    "@",
    "user:pw@",
    "/",
    "/p",
    "?",
    "&",
    "=",
    "#",
    "%2F",
    "%zz",
    "%",
    "%E2%82%AC",
    "+",
    " ",
    "\t",
    "\n",
    "é",
    "€",
    "{{name}}",
    "*|FNAME|*",
    "%%=v(@x)=%%",
    "<%= x %>",
    "[unsubscribe]",
    "##x##",
    "%FIRSTNAME%",
    "=-name-",
    "-tag-",
    "%recipient.id%",
    "${x}",
    "[[x]]",
    "|",
    "\\",
    "^",
    "`",
    '"',
    "..",
    "url=",
    "u=",
    "a=1",
    "utm_source=news",
]
url_like = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join)


def _split_or_error(url: str) -> object:
    try:
        return urlsplit(url)
    except ValueError:
        return "ValueError"


@EXAMPLES
@given(url_like)
def test_split_url_cuts_a_url_as_urlsplit_does(url: str) -> None:
    try:
        ours: object = urls.split_url(url)
    except ValueError:
        ours = "ValueError"
    assert ours == _split_or_error(url)


@EXAMPLES
@given(url_like)
def test_malformed_reason_of_a_plain_url_is_the_full_checks_answer(url: str) -> None:
    assert urls.malformed_reason(url) == urls.malformed_reason_in_full(url.strip())


@EXAMPLES
@given(url_like)
def test_merge_tag_prefilter_never_hides_a_tag(url: str) -> None:
    found_in_full = any(
        match and not merge_tags._is_false_merge_tag(url.strip(), match)
        for _, pattern in merge_tags._MERGE_TAGS
        for match in [pattern.search(url.strip())]
    )
    if found_in_full:
        assert merge_tag(url) is not None


@EXAMPLES
@given(url_like, st.sampled_from(["url", "u", "a", "x y", "é", ""]))
def test_query_value_is_parse_qs_first_value(query: str, name: str) -> None:
    values = parse_qs(query, keep_blank_values=True).get(name)
    assert urls.query_value(query, name) == (values[0] if values else None)


def test_plain_url_parts() -> None:
    plain = urls.plain_http_url("HTTPS://Shop.Example:8443/a%2Fb?x=1&y=%20#top")
    assert plain == urls.PlainUrl(
        "https", "Shop.Example:8443", "Shop.Example", "8443", "/a%2Fb", "x=1&y=%20", "top"
    )
    assert urls.plain_http_url("https://shop.example/a b") is None  # a space: not plain
    assert urls.plain_http_url("https://user@shop.example/") is None  # userinfo: not plain
