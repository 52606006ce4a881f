"""The hand fingerprints: at least 60 ESPs, each with sources and rules that tell a click link
from the ESP's own pages (open pixels, assets, web views, unsubscribe and preference pages);
the coverage table in docs/ is generated from them and current."""

from __future__ import annotations

from pathlib import Path

import pytest

from clickaudit.classify import classify_link
from clickaudit.esp.coverage import coverage_markdown
from clickaudit.esp.fingerprints import LinkRole, load_fingerprints
from clickaudit.esp.trackers import load_tracker_lists
from clickaudit.model import Category, Element, EspSource, Link, Part

FP = load_fingerprints()
DOC = Path(__file__).resolve().parent.parent / "docs" / "esp-coverage.md"


def classified(href: str, text: str = "link") -> Link:
    return classify_link(Link(1, Part.HTML, Element.A, href, text), FP)


def test_at_least_sixty_esps_each_with_sources_and_click_rules() -> None:
    assert len(FP.esps) >= 60
    for esp in FP.esps:
        assert esp.sources, esp.name
        assert esp.click_hosts or esp.click_paths, esp.name


def test_the_coverage_table_in_docs_is_current() -> None:
    """Regenerate with scripts/esp-coverage after editing the fingerprints or lists."""
    assert DOC.read_text(encoding="utf-8") == coverage_markdown(FP, load_tracker_lists())


@pytest.mark.parametrize(
    ("href", "esp"),
    [
        ("https://go.pardot.com/e/149621/2019-10-28/4r5n1x/123456789", "Pardot"),
        (
            "https://link.sailthru.com/click/12345678.1234/aHR0cHM6Ly9zaG9wLmV4YW1wbGUvYQ/5d1",
            "Sailthru",
        ),
        ("https://link.emarsys.com/u/nrd.php?p=AbCdEf_1234_567_1_2", "Emarsys"),
        (
            "https://news.brand.example/pub/cc?_ri_=X0Gzc2X%3DAQpglLjHJlTQGkzgXzd",
            "Oracle Responsys",
        ),
        ("https://s1234.t.eloqua.com/e/er?s=1234&lid=567&elqTrackId=abc", "Oracle Eloqua"),
        ("https://click.brand.example/rts/go2.aspx?h=12345&tp=i-H43-abc", "Cheetah Digital"),
        (
            "https://click.icptrack.com/icp/relay.php?r=1&destination=https%3A%2F%2Fshop.example%2F",
            "iContact",
        ),
        (
            "https://lnks.gd/l/eyJhbGciOiJIUzI1NiJ9.eyJ1cmwiOiJodHRwczovL3d3dy5leGFtcGxlLmdvdi9uZXdzIn0.c2ln",
            "Granicus GovDelivery",
        ),
        ("https://marketing.brand.example/acton/ct/1234/e-0001-1901:0/Zm9v", "Act-On"),
        ("https://shop.example/tools/emails/click/newsletter/1/abc?redirect=1", "Shopify Email"),
        (
            "https://mautic.brand.example/r/5fd912d7bba1e1848604971?ct=YTo0OntzOjY6InNvdXJjZSI7",
            "Mautic",
        ),
        ("https://brand.example/lists/lt.php?tid=ABCdef123", "phpList"),
        ("https://t.yesware.com/tl/abc123/def?ytl=https%3A%2F%2Fshop.example%2F", "Yesware"),
    ],
)
def test_new_esps_click_links_are_tracked_by_them(href: str, esp: str) -> None:
    link = classified(href)
    assert (link.category, link.esp, link.esp_source) == (
        Category.TRACKED,
        esp,
        EspSource.FINGERPRINT,
    )


def test_a_destination_carried_by_an_icontact_or_govdelivery_link_is_decoded() -> None:
    assert (
        classified(
            "https://click.icptrack.com/icp/relay.php?r=1&destination=https%3A%2F%2Fshop.example%2F"
        ).decoded
        == "https://shop.example/"
    )
    assert (
        classified(
            "https://lnks.gd/l/eyJhbGciOiJIUzI1NiJ9.eyJ1cmwiOiJodHRwczovL3d3dy5leGFtcGxlLmdvdi9uZXdzIn0"
            ".c2ln"
        ).decoded
        == "https://www.example.gov/news"
    )


@pytest.mark.parametrize(
    ("href", "role"),
    [
        ("https://go.pardot.com/unsubscribe/u/149621/abc", LinkRole.SYSTEM),
        ("https://go.pardot.com/l/149621/2019-10-28/4r5n1x", LinkRole.VIEW),
        (
            "https://i7.cmail20.com/static/eb/master/13-the-blueprint-3/images/fblike@2x.png",
            LinkRole.ASSET,
        ),
        ("https://xz01x.mjt.lu/unsub2?hl=en&m=AWkAAAwt04U", LinkRole.SYSTEM),
        (
            "https://t2d857ce9.emailsys2a.net/mailing/136/1071579/4531494/9012/cbec6aad81/index.html",
            LinkRole.VIEW,
        ),
        ("https://u123.ct.sendgrid.net/wf/open?upn=abc", LinkRole.OPEN),
    ],
)
def test_an_esps_own_pages_are_not_click_links(href: str, role: LinkRole) -> None:
    host = href.split("/")[2]
    owner = FP.esp_for_host(host)
    assert FP.role_on_esp_host(owner, href) is role
    link = classified(href)
    assert link.category is not Category.TRACKED


def test_a_web_view_page_on_a_listed_sfmc_host_is_not_a_tracked_click() -> None:
    # AdGuard's Salesforce list names view.* hosts next to click.* ones: the view host serves
    # the web copy of the email, not a redirect.
    lists = load_tracker_lists()
    view = next(
        h for h in lists.hosts if h.startswith("view.") and lists.hosts[h].startswith("Sales")
    )
    link = classified(f"https://{view}/?qs=0123456789abcdef0123456789abcdef")
    assert (link.category, link.system) == (Category.DIRECT, "view-online")
