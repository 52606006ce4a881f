"""URLs shortened for people keep the host, the end of the path and the query's keys."""

from __future__ import annotations

import pytest
from hypothesis import given
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
