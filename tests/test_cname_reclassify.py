"""After the domains stage: a host whose CNAME says "ESP" makes its links tracked by that ESP,
even when no path rule knew the link; the ESP's own pages stay what they are."""

from __future__ import annotations

from clickaudit.classify import classify_link
from clickaudit.esp.fingerprints import load_fingerprints
from clickaudit.model import (
    Category,
    DomainReport,
    DomainRole,
    Element,
    EspSource,
    LayerKind,
    Link,
    Part,
)
from clickaudit.pipeline import reclassify_by_cname

FP = load_fingerprints()
BRANDED = DomainReport(
    "news.shop.example", (DomainRole.TRACKING,), cname=("pi.pardot.com",), esp="Pardot"
)


def classified(href: str, text: str = "link") -> Link:
    return classify_link(Link(1, Part.HTML, Element.A, href, text), FP)


def test_a_direct_looking_link_on_an_esp_cnamed_host_is_tracked_by_that_esp() -> None:
    link = classified("https://news.shop.example/summer")
    assert link.category is Category.DIRECT
    [after] = reclassify_by_cname((link,), (BRANDED,))
    assert (after.category, after.esp, after.esp_source) == (
        Category.TRACKED,
        "Pardot",
        EspSource.CNAME,
    )
    assert [(layer.kind, layer.name, layer.url) for layer in after.layers] == [
        (LayerKind.TRACKER, "Pardot", "https://news.shop.example/summer")
    ]


def test_a_shape_tracked_link_gets_its_esp_named_by_the_cname() -> None:
    link = classified("https://click.shop.example/q8Zk2LmP0xRt7YwA3bNcD5eF")
    assert link.esp_source is EspSource.SHAPE
    branded = DomainReport(
        "click.shop.example", (DomainRole.TRACKING,), cname=("pi.pardot.com",), esp="Pardot"
    )
    [after] = reclassify_by_cname((link,), (branded,))
    assert (after.esp, after.esp_source, after.layers[0].name) == (
        "Pardot",
        EspSource.CNAME,
        "Pardot",
    )


def test_the_esps_own_pages_on_that_host_stay_untracked() -> None:
    unsubscribe = classified("https://news.shop.example/unsubscribe/u/1/abc", "Unsubscribe")
    image = classified("https://news.shop.example/images/logo.png")
    after = reclassify_by_cname((unsubscribe, image), (BRANDED,))
    assert [link.category for link in after] == [Category.DIRECT, Category.DIRECT]
