"""URL facts: RFC 3986 validity in a sender's words, merge tags, look-alike hosts, text URLs."""

from __future__ import annotations

import pytest

from clickaudit import urls
from clickaudit.extract import urls_in_text
from clickaudit.judge.homographs import homograph_reason
from clickaudit.merge_tags import merge_tag
from clickaudit.system_links import system_link_kind


@pytest.mark.parametrize(
    ("href", "words"),
    [
        ("https://shop.example/gift cards", "space"),
        ("http:/shop.example/x", "must be followed by '//'"),
        ("https://shop.example/%zz", "bad percent-escape '%zz'"),
        ("https://shop.example/a%2", "bad percent-escape"),
        ("https://shop..example/", "empty label"),
        ("https://-shop.example/", "invalid host name"),
        ("https://shop.example:99999/", "invalid port"),
        ("https://shop.example/<b>", "unencoded '<'"),
        ("https:///path", "no host"),
        ("https://999.1.1.1/", "invalid IP address"),
        ("https://shop.example/a#b#c", "more than one '#'"),
    ],
)
def test_malformed_urls_are_explained(href: str, words: str) -> None:
    reason = urls.malformed_reason(href)
    assert reason is not None and words in reason


@pytest.mark.parametrize(
    "href",
    [
        "https://shop.example/",
        "https://bücher.example/straße?q=ü",
        "https://[2001:db8::1]:8443/x",
        "https://shop.example/a%20b?x=1&y=%7Bz%7D#top",
        "mailto:help@shop.example",
        "https://user@shop.example/",
    ],
)
def test_valid_urls_are_not_malformed(href: str) -> None:
    assert urls.malformed_reason(href) is None


@pytest.mark.parametrize(
    ("href", "tag"),
    [
        ("{{ unsubscribe_url }}", "{{ unsubscribe_url }}"),
        ("https://shop.example/?e={{email}}", "{{email}}"),
        ("*|ARCHIVE|*", "*|ARCHIVE|*"),
        ("https://shop.example/%%=v(@url)=%%", "%%=v(@url)=%%"),
        ("https://shop.example/p?id=%%FirstName%%", "%%FirstName%%"),
        ("https://shop.example/?x=%7B%7Burl%7D%7D", "{{url}}"),
        ("{% url 'x' %}", "{% url 'x' %}"),
        ("${link}", "${link}"),
        ("[unsubscribe]", "[unsubscribe]"),
        ("-unsubscribe-", "-unsubscribe-"),
    ],
)
def test_merge_tags_of_the_common_syntaxes_are_found(href: str, tag: str) -> None:
    assert merge_tag(href) == tag


@pytest.mark.parametrize(
    "href",
    [
        "https://shop.example/a%2Fb%3Fc",
        "https://x.example/path-with-dashes-/",
        "https://u1.ct.sendgrid.net/ls/click?upn=u001.abc-2B-2F",
        "https://shop.example/%E2%9C%93",
    ],
)
def test_ordinary_urls_have_no_merge_tag(href: str) -> None:
    assert merge_tag(href) is None


def test_parse_url_gives_ascii_and_unicode_hosts() -> None:
    parsed = urls.parse_url("https://Bücher.Example:8443/a?b=1#c")
    assert parsed is not None
    assert (parsed.host, parsed.host_unicode) == ("xn--bcher-kva.example", "bücher.example")
    assert (parsed.port, parsed.path, parsed.query, parsed.fragment) == (8443, "/a", "b=1", "c")


def test_mixed_script_and_lookalike_hosts_are_homographs() -> None:
    assert "mixes" in (homograph_reason("pаypal.example") or "")  # Cyrillic а
    assert "Cyrillic" in (homograph_reason("аррӏе.example") or "")
    assert homograph_reason("bücher.example") is None
    assert homograph_reason("shop.example") is None


def test_credentials_before_the_host_are_noticed() -> None:
    assert urls.has_credentials("https://bank.example@evil.example/")
    assert not urls.has_credentials("https://evil.example/bank.example@x")


def test_anchor_text_showing_another_domain() -> None:
    assert (
        urls.text_shows_other_domain("www.bank.example", "https://evil.example/")
        == "www.bank.example"
    )
    assert (
        urls.text_shows_other_domain("https://shop.example/sale", "https://www.shop.example/")
        is None
    )
    assert urls.text_shows_other_domain("Shop now", "https://evil.example/") is None


def test_urls_in_text_handle_brackets_wrapping_and_punctuation() -> None:
    text = (
        "Read <https://shop.example/very/long/\n path?a=1> now.\n"
        "Or https://shop.example/help. And (see https://shop.example/x_(y)).\n"
        "Also www.shop.example/faq, thanks"
    )
    assert [u for u, _ in urls_in_text(text)] == [
        "https://shop.example/very/long/path?a=1",
        "https://shop.example/help",
        "https://shop.example/x_(y)",
        "http://www.shop.example/faq",
    ]


@pytest.mark.parametrize(
    ("href", "text", "kind"),
    [
        ("https://x.example/a", "Unsubscribe", "unsubscribe"),
        ("https://x.example/asm/unsubscribe/?u=1", "", "unsubscribe"),
        ("https://x.example/a", "Manage your preferences", "preferences"),
        ("https://esp.example/form?t=1", "Preferences", "preferences"),  # the word alone
        ("https://x.example/a", "my preferences for shoes", None),
        ("https://x.example/a", "View in your browser", "view-online"),
        ("https://x.example/sale", "Shop", None),
    ],
)
def test_system_links_are_recognised(href: str, text: str, kind: str | None) -> None:
    assert system_link_kind(href, text) == kind


def test_utm_parameters_and_url_comparison() -> None:
    url = "https://Shop.example:443/p?utm_source=news&x=1&utm_medium=email"
    assert urls.utm_params(url) == {"utm_source": "news", "utm_medium": "email"}
    assert urls.same_url_ignoring(url, "https://shop.example/p?x=1", ignore_params=["utm_*"])
    assert not urls.same_url_ignoring(url, "https://shop.example/q?x=1", ignore_params=["utm_*"])
