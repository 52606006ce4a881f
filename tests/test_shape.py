"""Trackers nobody listed are known by their shape and reported as tracked with the ESP unknown;
ordinary links (share buttons, a site's own ?next=, slugs) are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from clickaudit.classify import classify_link, tracker_evidence
from clickaudit.esp.fingerprints import load_fingerprints
from clickaudit.judge.offline import judge_link_offline
from clickaudit.model import Category, Element, EspSource, LayerKind, Link, Part
from clickaudit.pipeline import scan_path
from clickaudit.shape import EvidenceKind, is_opaque_token

FP = load_fingerprints()


def classified(href: str, text: str = "link") -> Link:
    return classify_link(Link(1, Part.HTML, Element.A, href, text), FP)


def test_a_click_host_with_an_opaque_token_is_tracked_by_an_unknown_esp() -> None:
    link = classified("https://click.news.shop.example/q8Zk2LmP0xRt7YwA3bNcD5eF")
    assert (link.category, link.esp, link.esp_source) == (
        Category.TRACKED,
        None,
        EspSource.SHAPE,
    )
    assert [(layer.kind, layer.name) for layer in link.layers] == [(LayerKind.REDIRECTOR, None)]


def test_the_tracker_unknown_finding_names_the_evidence() -> None:
    link = classified("https://click.news.shop.example/q8Zk2LmP0xRt7YwA3bNcD5eF")
    [found] = [
        f for f in judge_link_offline(link, message_is_tracked=True) if f.code == "tracker-unknown"
    ]
    assert found.severity.value == "info"
    assert "tracking host label (click.)" in found.message


def test_a_redirect_path_with_a_token_on_any_host_is_tracked() -> None:
    evidence = tracker_evidence("https://news.shop.example/ls/click?upn=Zk2LmP0xRt7YwA3bNcD5eF9")
    assert evidence is not None and evidence.kind is EvidenceKind.REDIRECT_PATH


def test_a_url_carried_in_a_redirect_parameter_is_the_destination() -> None:
    link = classified("https://out.shop.example/r?url=https%3A%2F%2Fpartner.example%2Foffer")
    assert (link.category, link.esp_source, link.decoded) == (
        Category.TRACKED,
        EspSource.SHAPE,
        "https://partner.example/offer",
    )


def test_a_base64url_destination_in_a_path_segment_is_decoded() -> None:
    # base64url of "https://partner.example/offer?x=1", unpadded
    link = classified("https://t.shop.example/v1/aHR0cHM6Ly9wYXJ0bmVyLmV4YW1wbGUvb2ZmZXI_eD0x")
    assert link.decoded == "https://partner.example/offer?x=1"


@pytest.mark.parametrize(
    "href",
    [
        "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fshop.example%2Fa",
        "https://twitter.com/intent/tweet?url=https%3A%2F%2Fshop.example%2Fa&text=Sale",
        "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fshop.example%2Fa",
        "https://web.archive.org/web/2020/https://shop.example/a",
        "https://shop.example/login?next=https%3A%2F%2Fshop.example%2Faccount",
        "https://shop.example/blog/summer-sale-2024-best-offers-for-you",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://go.shop.example/pricing",
        "https://support.example/form?ref=https%3A%2F%2Fshop.example%2Fa",
        "https://email.shop.example/",
    ],
)
def test_ordinary_links_show_no_tracker_evidence(href: str) -> None:
    assert tracker_evidence(href) is None
    assert classified(href).category is Category.DIRECT


def test_an_unsubscribe_page_on_a_tracking_host_is_not_a_redirector() -> None:
    link = classified(
        "https://email.shop.example/hs/manage-preferences/unsubscribe?d=VnnT7J55pzbqW1tLLGT4hL",
        "Unsubscribe",
    )
    assert (link.category, link.system) == (Category.DIRECT, "unsubscribe")


@pytest.mark.parametrize(
    ("token", "opaque"),
    [
        ("u001.Xk3-2BqLmZ9aW0pQ", True),
        ("9f86d081884c7d659a2feaa0c55ad015", True),
        ("3e212efd-1737-43f6-87f2-c6077ac89d05", True),
        ("summer-sale-2024-best", False),
        ("index-2024-10-01.html", False),
        ("12345678901234567890", False),
        ("newsletter", False),
    ],
)
def test_opaque_tokens_are_identifiers_not_words(token: str, opaque: bool) -> None:
    assert is_opaque_token(token) is opaque


def test_the_corpus_direct_links_get_no_false_positives(corpus: Path) -> None:
    """Every real email of the corpus: the only links "tracked, ESP unknown" are the four
    short links of nebenan.de's own shortener (lnk.nebenan.de/<code>); every direct link stays
    direct — the shapes are for what the lists and fingerprints miss."""
    shaped = [
        (path.name, link.href)
        for path in sorted(corpus.glob("*.eml"))
        for audit in scan_path(path)
        for link in audit.links
        if link.esp_source is EspSource.SHAPE
    ]
    assert sorted(shaped) == [
        ("ipd_8bit_utf8_shortlinks_utm.eml", f"https://lnk.nebenan.de/{code}")
        for code in ("11taQhMz7", "1chzwEbNg", "KENCJfnJ", "iT7aKhy4")
    ]


def test_an_esps_preference_page_on_a_branded_host_is_not_a_redirector() -> None:
    # Seen in held-out real mail: SFMC's preference centre and Brevo's unsubscribe page on
    # branded hosts carry opaque tokens but are the ESP's pages, not click redirects.
    sfmc = classified(
        "https://click.email.brand.example/profile_center.aspx?qs=a03c151608792c88900aacf7e14d8dac"
    )
    brevo = classified("http://r.notification.brand.example/mk/un/sh/7nVTPdbLJ2bPbZUt1kMhyN2yt9SB")
    assert (sfmc.category, sfmc.esp, sfmc.system) == (
        Category.DIRECT,
        "Salesforce Marketing Cloud",
        "unsubscribe",
    )
    assert (brevo.category, brevo.esp) == (Category.DIRECT, "Brevo")


def test_a_generic_open_path_of_one_esp_does_not_name_every_pixel() -> None:
    # Emma's pixels are on t.e2ma.net; a /track/ image elsewhere is not Emma's
    assert FP.esp_for_open_pixel("https://img.shop.example/track/abc.gif") is None


def test_a_shape_tracked_subdomain_of_the_sender_is_the_header_esps_branded_domain() -> None:
    from clickaudit.classify import classify
    from tests.factories import sample_email

    email = sample_email()  # From news@shop.example, X-SG-EID: SendGrid
    links = [
        Link(1, Part.HTML, Element.A, "https://click.news.shop.example/q8Zk2LmP0xRt7YwA3bNcD5eF"),
        Link(2, Part.HTML, Element.A, "https://click.elsewhere.example/q8Zk2LmP0xRt7YwA3bNcD5eF"),
    ]
    branded, other = classify(email, links, fingerprints=FP).links
    assert (branded.esp, branded.esp_source, branded.layers[0].kind) == (
        "SendGrid",
        EspSource.HEADER,
        LayerKind.TRACKER,
    )
    assert (other.esp, other.esp_source) == (None, EspSource.SHAPE)


@pytest.mark.parametrize(
    "href",
    [
        "https://t.co/XYI0L8H4jd",  # in Twitter notification mail of the held-out check set
        "https://bit.ly/3xYzAbC",
        "https://lnk.nebenan.de/11taQhMz7",  # corpus: ipd_8bit_utf8_shortlinks_utm.eml
    ],
)
def test_short_links_are_redirectors_with_the_destination_unknown(href: str) -> None:
    link = classified(href)
    assert (link.category, link.esp_source, link.decoded) == (
        Category.TRACKED,
        EspSource.SHAPE,
        None,
    )
    evidence = tracker_evidence(href)
    assert evidence is not None and evidence.kind is EvidenceKind.SHORT_LINK


@pytest.mark.parametrize(
    "href",
    [
        "https://go.shop.example/Pricing",
        "https://links.shop.example/About",
        "https://go.shop.example/iPhone",
        "https://s.shop.example/summer2024",
        "https://www.shop.example/abc123",
    ],
)
def test_words_on_link_hosts_are_not_short_codes(href: str) -> None:
    assert tracker_evidence(href) is None
