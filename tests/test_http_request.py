"""The follower builds its requests without httpx's models (clickaudit.net.http): every URL is
sent exactly as httpx would have sent it, and a chain's cookies are kept as httpx kept them."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickaudit.net.http import ChainCookies, Head, InvalidRequestUrl, build_request

HEADERS = [(b"User-Agent", b"clickaudit-test"), (b"Accept", b"*/*")]
PATH_CHARACTERS = st.sampled_from(
    [*"abcXYZ019-._~!$&'()*+,;=:@[]/", "%41", "%2F", "%e2%82%ac", ".", ".."]
)


def httpx_sends(method: str, url: str) -> tuple[bytes, bytes, int | None, bytes, list[tuple]]:
    request = httpx.Request(method, url, headers=dict((k.decode(), v.decode()) for k, v in HEADERS))
    return (
        request.url.raw_scheme,
        request.url.raw_host,
        request.url.port,
        request.url.raw_path,
        list(request.headers.raw),
    )


def clickaudit_sends(method: str, url: str) -> tuple[bytes, bytes, int | None, bytes, list[tuple]]:
    request = build_request(method, url, HEADERS)
    return (
        request.url.scheme,
        request.url.host,
        request.url.port,
        request.url.target,
        list(request.headers),
    )


@given(
    scheme=st.sampled_from(["http", "https"]),
    host=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.-]{0,20}", fullmatch=True),
    port=st.sampled_from(["", ":80", ":443", ":8080", ":0443", ":65535"]),
    path=st.lists(PATH_CHARACTERS, max_size=12).map("".join),
    query=st.one_of(st.none(), st.lists(PATH_CHARACTERS | st.just("?"), max_size=8).map("".join)),
    fragment=st.one_of(st.none(), st.text("abc?/", max_size=4)),
)
def test_a_plain_url_is_sent_as_httpx_sends_it(
    scheme: str, host: str, port: str, path: str, query: str | None, fragment: str | None
) -> None:
    url = f"{scheme}://{host}{port}" + ("/" + path if path else "")
    url += "" if query is None else "?" + query
    url += "" if fragment is None else "#" + fragment
    try:
        expected = httpx_sends("GET", url)
    except httpx.InvalidURL:
        with pytest.raises(InvalidRequestUrl):
            build_request("GET", url, HEADERS)
        return
    assert clickaudit_sends("GET", url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://bücher.example/straße?q=ä ö",
        "http://[::1]:8080/p",
        "http://user:pw@shop.example/p",
        'https://shop.example/a b/<c>?x="y"&z={1}',
        "https://shop.example/%zz/ok",
        "https://SHOP.EXAMPLE:443/./a/../b",
        "http://127.0.0.1:8080/c?n=1",
        "https://xn--bcher-kva.example/",
    ],
)
def test_urls_that_need_escaping_or_idna_are_sent_as_httpx_sends_them(url: str) -> None:
    assert clickaudit_sends("HEAD", url) == httpx_sends("HEAD", url)


@pytest.mark.parametrize(
    "url", ["http://999.1.1.1/", "http://shop.example:99999/", "ftp://shop.example/", "http:///p"]
)
def test_a_url_that_cannot_be_requested_is_refused_before_any_connection(url: str) -> None:
    with pytest.raises(InvalidRequestUrl):
        build_request("GET", url, HEADERS)


def test_a_chain_sends_back_the_cookies_it_was_given_where_httpx_would() -> None:
    ours, theirs = ChainCookies(), httpx.Cookies()
    first = "https://click.example/c/1"
    answer = [
        (b"Set-Cookie", b"session=abc; Path=/"),
        (b"set-cookie", b"narrow=1; Path=/only-here"),
        (b"Set-Cookie", b"other=2; Domain=elsewhere.example"),
    ]
    ours.take(first, "GET", Head(302, answer))
    response = httpx.Response(302, headers=answer, request=httpx.Request("GET", first))
    theirs.extract_cookies(response)
    for url in (
        "https://click.example/landing",
        "https://click.example/only-here/x",
        "https://www.click.example/",
        "https://elsewhere.example/",
    ):
        request = httpx.Request("GET", url)
        theirs.set_cookie_header(request)
        assert ours.header_for(url, "GET") == request.headers.get("cookie"), url


def test_a_hop_that_neither_sets_nor_sends_cookies_costs_no_jar() -> None:
    cookies = ChainCookies()
    cookies.take("https://click.example/c", "GET", Head(302, [(b"Location", b"/x")]))
    assert cookies.header_for("https://click.example/x", "GET") is None
    assert not cookies._jar


def test_repeated_headers_read_as_httpx_reads_them() -> None:
    raw = [(b"Location", b"/a"), (b"location", b"/b"), (b"Content-Type", b"text/html")]
    head = Head(302, raw)
    headers = httpx.Headers(raw)
    assert head.get("location") == headers.get("location") == "/a, /b"
    assert head.get("content-type") == headers.get("content-type")
    assert head.get("retry-after") is None
