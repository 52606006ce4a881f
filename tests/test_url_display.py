"""URLs shortened for people keep the host, the end of the path and the query's keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clickaudit.url_display import distinct_parts, elide_middle, shorten_url

BOOTS = (
    "https://shop.northwind.example/collections/outdoor/trail-boots"
    "?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale_2026"
)
SHOES = BOOTS.replace("trail-boots", "trail-shoes")


def test_a_url_that_fits_is_left_exactly_as_written() -> None:
    assert shorten_url("https://a.example/x?y=1", 60) == "https://a.example/x?y=1"


@pytest.mark.parametrize("limit", [40, 45, 60, 80])
def test_two_destinations_differing_at_the_end_of_the_path_stay_apart(limit: int) -> None:
    boots, shoes = shorten_url(BOOTS, limit), shorten_url(SHOES, limit)
    assert boots != shoes
    assert "trail-boots" in boots and "trail-shoes" in shoes
    assert "shop.northwind.example" in boots


def test_query_keys_survive_when_their_values_do_not_fit() -> None:
    short = shorten_url(BOOTS, 80)
    assert short.startswith("shop.northwind.example/")
    for key in ("utm_source", "utm_medium", "utm_campaign"):
        assert key in short
    assert "newsletter" not in short


def test_the_middle_of_the_path_is_what_goes() -> None:
    short = shorten_url(BOOTS, 60)
    assert short == "shop.northwind.example/…/outdoor/trail-boots?utm_source&…"
    assert "collections" not in short


def test_plain_http_is_kept_because_it_is_a_finding() -> None:
    url = "http://click.example.com/ls/click?upn=" + "x" * 400
    assert shorten_url(url, 45).startswith("http://click.example.com/ls/click?upn")


def test_a_safe_links_wrapper_keeps_its_keys_not_its_payload() -> None:
    url = (
        "https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fshop.example.com%2F"
        + "A" * 3000
        + "&data=05%7C01&reserved=0"
    )
    short = shorten_url(url, 60)
    assert "safelinks.protection.outlook.com" in short
    assert short.endswith(("?url&data&reserved", "?url=…&data=…&reserved=…"))
    assert "AAAA" not in short


def test_an_unbreakable_last_segment_is_cut_in_its_middle() -> None:
    short = shorten_url("https://x.example/a/b/" + "h" * 200, 40)
    assert short.startswith("x.example/…/h") and short.endswith("hhh") and "…" in short[12:]


def test_a_non_web_url_is_cut_in_the_middle() -> None:
    assert elide_middle("mailto:someone@example.com?subject=hello", 20) == shorten_url(
        "mailto:someone@example.com?subject=hello", 20
    )


@given(st.text(min_size=1, max_size=400), st.integers(min_value=8, max_value=120))
def test_the_result_never_exceeds_the_limit(text: str, limit: int) -> None:
    for url in (text, "https://" + text, "http://h.example/" + text, "https://h.example/?" + text):
        assert len(shorten_url(url, limit)) <= limit


def test_a_loop_names_the_part_of_each_hop_that_differs() -> None:
    hops = [
        "http://127.0.0.1:4455/gifts/finder?step=a&id=9",
        "http://127.0.0.1:4455/gifts/finder?step=b&id=9",
        "http://127.0.0.1:4455/gifts/finder?step=a&id=9",
    ]
    assert distinct_parts(hops) == ["…?step=a…", "…?step=b…", "…?step=a…"]


def test_hops_on_different_hosts_are_named_by_host() -> None:
    parts = distinct_parts(["https://a.example/gift", "https://b.example/gift"])
    assert parts == ["https://a.example/gift", "https://b.example/gift"]


def test_path_hops_are_named_by_segment() -> None:
    parts = distinct_parts(["https://a.example/loop/one", "https://a.example/loop/two"])
    assert parts == ["…/one", "…/two"]


DEMO = "https://shop.northwind.example:36475/products/trail-boots?utm_source=x"


def test_a_narrow_column_keeps_the_whole_host_and_elides_the_path_first() -> None:
    assert shorten_url(DEMO, 45) == "shop.northwind.example:36475/…/trail-boots?…"
    # the port is worth less than the last segment; the host's name is worth more than both
    assert shorten_url(DEMO, 40) == "shop.northwind.example/…/trail-boots?…"
    assert shorten_url(DEMO, 30) == "shop.northwind.example/…?…"


def test_a_host_too_long_loses_whole_labels_from_the_left() -> None:
    assert shorten_url(DEMO, 22) == "…northwind.example/…?…"
    # two short last labels are one suffix: example.co.uk stays whole
    assert shorten_url("https://a.b.example.co.uk/x/y/z?q=1", 19) == "…example.co.uk/…?…"


def test_a_host_is_cut_inside_a_label_only_when_nothing_whole_fits() -> None:
    assert shorten_url(DEMO, 18) == "…hwind.example/…?…"


def test_a_user_name_in_the_address_goes_before_the_host_shrinks() -> None:
    url = "https://someone@login.bank.example/account/settings/security"
    assert shorten_url(url, 26) == "login.bank.example/…"
    assert shorten_url(url, 40) == "someone@login.bank.example/…/security"


def _shortened_by_every_host_form(url: str, limit: int) -> str:
    """shorten_url as it was before its common case was taken first (44781d0): the reference
    the quick answer must equal."""
    from clickaudit.url_display import _elide_start, _host_forms, _with_host
    from clickaudit.urls import split_url

    if len(url) <= limit:
        return url
    try:
        parts = split_url(url)
    except ValueError:
        return elide_middle(url, limit)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        return elide_middle(url, limit)
    prefix = "" if scheme == "https" else "http://"
    fragment = "#…" if parts.fragment else ""
    rest = (
        (len("/…") if parts.path not in ("", "/") else len(parts.path))
        + (len("?…") if parts.query else 0)
        + len(fragment)
    )
    forms = _host_forms(parts.netloc)
    fitting = [prefix + form for form in forms if len(prefix + form) + rest <= limit]
    if not fitting:
        host = prefix + _elide_start(forms[-1], max(2, limit - len(prefix) - rest))
        return _with_host(host, parts, fragment, limit)
    whole = [host for host in fitting if not host.startswith(prefix + "…")]
    if not whole:
        return _with_host(fitting[0], parts, fragment, limit)
    last_segment = next((s for s in reversed(parts.path.split("/")) if s), "")
    for host in whole:
        shortened = _with_host(host, parts, fragment, limit)
        if last_segment in shortened:
            return shortened
    return shortened


LABELS = st.text(alphabet="abcxyz0-…", min_size=0, max_size=12)
HOSTS = st.builds(
    lambda user, labels, port: user + ".".join(labels) + port,
    st.sampled_from(["", "user@", "a:b@", "…@", "someone.long@"]),
    st.lists(LABELS, min_size=1, max_size=6),
    st.sampled_from(["", ":8080", ":36475", ":x"]),
)
PATHS = st.lists(st.text(alphabet="abcdefgh-_.…%", max_size=30), max_size=6).map("/".join)


@settings(max_examples=500)
@given(
    st.sampled_from(["https://", "http://", "HTTPS://", "ftp://"]),
    HOSTS | st.sampled_from(["[2001:db8::1]:443", "192.0.2.1:80", "…northwind.example"]),
    PATHS,
    st.sampled_from(["", "?a=1", "?utm_source=news&utm_medium=email&x=" + "v" * 40, "?k"]),
    st.sampled_from(["", "#top"]),
    st.integers(min_value=8, max_value=120),
)
def test_shortening_equals_trying_every_host_form(
    scheme: str, host: str, path: str, query: str, fragment: str, limit: int
) -> None:
    url = scheme + host + ("/" + path if path else "") + query + fragment
    assert shorten_url(url, limit) == _shortened_by_every_host_form(url, limit)


def test_shortening_corpus_links_equals_trying_every_host_form(corpus: Path) -> None:
    import re

    compared = 0
    for path in sorted(corpus.glob("*.eml")):
        text = path.read_text(errors="replace").replace("=\n", "")
        for url in re.findall(r"https?://[^\s\"<>'()]+", text):
            for limit in (24, 40, 60, 90):
                assert shorten_url(url, limit) == _shortened_by_every_host_form(url, limit)
                compared += 1
    assert compared > 1000


def _query_forms_all_at_once(query: str, limit: int) -> list[str]:
    """The query's forms as they were made before they were made one at a time (0b5e9f7)."""
    from clickaudit.url_display import _query_keys

    if not query:
        return [""]
    keys = _query_keys(query)
    forms = ["?" + query]
    if any("=" in pair for pair in query.split("&")):
        forms.append("?" + "&".join(f"{key}=…" for key in keys))
    forms.append("?" + "&".join(keys))
    for count in range(len(keys) - 1, 0, -1):
        form = "?" + "&".join(keys[:count]) + "&…"
        if len(form) <= limit // 2:
            forms.append(form)
            break
    forms.append("?…")
    return forms


@given(st.text(alphabet="ab=&k_…x", max_size=60), st.integers(min_value=0, max_value=120))
def test_query_forms_come_one_at_a_time_in_the_same_order(query: str, limit: int) -> None:
    from clickaudit.url_display import _query_forms

    assert list(_query_forms(query, limit)) == _query_forms_all_at_once(query, limit)
