"""Generic embedded-destination decoding: a URL carried in any common encoding is found, and
random tokens never decode to a URL that was not there."""

from __future__ import annotations

import base64
import json
import zlib
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from clickaudit.embedded import decode_value, find_embedded_url

_LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
_PATH = st.lists(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~",
        min_size=1,
        max_size=10,
    ),
    max_size=4,
)
_QUERY = st.dictionaries(_LABEL, _LABEL, max_size=3)


@st.composite
def destinations(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https"]))
    host = (
        ".".join(draw(st.lists(_LABEL, min_size=1, max_size=3)))
        + "."
        + draw(st.sampled_from(["com", "org", "example", "co.uk", "io"]))
    )
    path = "/" + "/".join(draw(_PATH))
    query = draw(_QUERY)
    url = f"{scheme}://{host}{path}"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


ENCODINGS = {
    "percent": lambda url: quote(url, safe=""),
    "double-percent": lambda url: quote(quote(url, safe=""), safe=""),
    "base64": lambda url: base64.b64encode(url.encode()).decode(),
    "base64url-unpadded": lambda url: _b64url(url.encode()),
    "json-base64url": lambda url: _b64url(json.dumps({"id": 7, "url": url}).encode()),
    "jwt": lambda url: (
        _b64url(b'{"alg":"HS256","typ":"JWT"}')
        + "."
        + _b64url(json.dumps({"href": url, "exp": 1}).encode())
        + ".c2lnbmF0dXJl"
    ),
    "zlib-form": lambda url: _b64url(zlib.compress(("a=1&l=" + quote(url, safe="")).encode())),
    "json-in-json": lambda url: _b64url(
        json.dumps({"s": "x", "p": json.dumps({"url": url})}).encode()
    ),
}


@settings(max_examples=60, deadline=None)
@given(destination=destinations(), encoding=st.sampled_from(sorted(ENCODINGS)))
def test_a_generated_url_survives_every_encoding_round_trip(
    destination: str, encoding: str
) -> None:
    encoded = ENCODINGS[encoding](destination)
    found = find_embedded_url(f"https://t.tracker.example/c?x=1&d={quote(encoded, safe='')}")
    assert found is not None and found.url == destination
    in_path = find_embedded_url(f"https://t.tracker.example/c/{encoded}/sig")
    if "/" not in encoded:  # standard base64 may hold "/", which no path segment can carry
        assert in_path is not None and in_path.url == destination


@settings(max_examples=200, deadline=None)
@given(token=st.binary(min_size=8, max_size=120))
def test_random_tokens_never_decode_to_a_url_that_is_not_there(token: bytes) -> None:
    for text in (_b64url(token), base64.b64encode(token).decode(), token.hex()):
        found = decode_value(text)
        if found is not None:
            # only possible if the bytes really were a URL (or compressed/JSON text of one)
            assert found[0].encode() in token or any(
                step in found[1] for step in ("zlib", "json", "jwt")
            )


@settings(max_examples=200, deadline=None)
@given(
    token=st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        min_size=12,
        max_size=200,
    )
)
def test_random_tracking_tokens_carry_no_destination(token: str) -> None:
    assert find_embedded_url(f"https://u1.ct.example/ls/click?upn=u001.{token}") is None


def test_decoding_is_bounded_in_depth() -> None:
    url = "https://shop.example/a"
    value = url
    for _ in range(12):
        value = _b64url(value.encode())
    assert decode_value(value) is None  # twelve layers deep is past the cap; never a hang
