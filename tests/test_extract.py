"""Extraction: every link with its element, anchor text, part and line; images for pixel spotting."""

from __future__ import annotations

from pathlib import Path

from clickaudit.extract import extract
from clickaudit.load import load_bytes, load_path
from clickaudit.model import Element, Part


def test_links_keep_element_text_part_and_line(fixtures: Path) -> None:
    [email] = load_path(fixtures / "emails" / "qp_soft_breaks.eml")
    links = extract(email).links
    by_href = {link.href: link for link in links}
    product = by_href["https://shop.example/product?id=42&utm_source=newsletter&utm_medium=email"]
    assert (product.element, product.part, product.text) == (Element.A, Part.HTML, "Product ✓")
    assert product.line == 2
    logo = by_href["https://shop.example/logo"]
    assert logo.text == "Shop logo"  # the alt text of the image inside the link
    text_link = by_href["https://shop.example/sale?utm_source=newsletter&utm_medium=email"]
    assert (text_link.part, text_link.element, text_link.line) == (Part.TEXT, Element.TEXT, 1)
    assert by_href["https://shop.example/help"].part is Part.TEXT
    headers = [link for link in links if link.part is Part.HEADER]
    assert [h.href for h in headers] == [
        "https://shop.example/unsub?u=1",
        "mailto:unsub@shop.example",
    ]
    assert all(h.element is Element.LIST_UNSUBSCRIBE for h in headers)
    assert [link.id for link in links] == list(range(1, len(links) + 1))


def test_vml_buttons_in_outlook_conditional_comments_and_area_links(fixtures: Path) -> None:
    [email] = load_path(fixtures / "emails" / "vml_button.html")
    links = extract(email).links
    vml = [link for link in links if link.element is Element.VML]
    assert [(v.href, v.text) for v in vml] == [
        ("https://shop.example/outlook?utm_source=newsletter&utm_medium=email", "Shop the sale")
    ]
    assert vml[0].line == 7
    area = [link for link in links if link.element is Element.AREA]
    assert [(a.href, a.text) for a in area] == [("https://shop.example/area", "Area link")]


def test_images_from_src_srcset_background_and_css_and_pixels(fixtures: Path) -> None:
    [email] = load_path(fixtures / "emails" / "vml_button.html")
    images = extract(email).images
    found = {(image.element, image.src) for image in images}
    assert ("css", "https://cdn.shop.example/hero.jpg") in found
    assert ("background", "https://cdn.shop.example/bg.png") in found
    assert ("srcset", "https://cdn.shop.example/a@2x.png") in found
    assert ("img", "https://cdn.shop.example/a.png") in found
    hidden = [image for image in images if image.src == "https://tracker.example/p.gif"]
    assert hidden[0].pixel and hidden[0].reason == "hidden"


def test_one_by_one_image_is_a_pixel(fixtures: Path) -> None:
    [email] = load_path(fixtures / "emails" / "qp_soft_breaks.eml")
    pixels = [image for image in extract(email).images if image.pixel]
    assert [p.src for p in pixels] == ["https://u1.ct.sendgrid.net/wf/open?upn=abc"]


def test_line_breaks_inside_an_href_are_removed_as_browsers_do() -> None:
    html = b'<a href="https://shop.example/a\n/b?x=1\r\n&amp;y=2">x</a>'
    [email] = load_bytes(html, "t.html", kind="html")
    assert extract(email).links[0].href == "https://shop.example/a/b?x=1&y=2"


def test_html_nested_very_deep_is_handled() -> None:
    html = b"<div>" * 5000 + b'<a href="https://deep.example/">deep</a>' + b"</div>" * 5000
    [email] = load_bytes(html, "deep.html", kind="html")
    assert [link.href for link in extract(email).links] == ["https://deep.example/"]


def test_sparkpost_text_opt_out_suffix_is_kept_as_attribute() -> None:
    text = b'See https://shop.example/x[[data-msys-clicktrack="0"]] and https://shop.example/y'
    [email] = load_bytes(text, "t.txt", kind="txt")
    links = extract(email).links
    assert links[0].href == "https://shop.example/x"
    assert links[0].attributes == {"data-msys-clicktrack": "0"}
    assert links[1].attributes == {}


def test_content_after_closing_html_is_part_of_the_email_as_browsers_show_it() -> None:
    # ESPs append their footer and open pixel after </html>; libxml2 starts a second document
    # there, browsers render it at the end of the body.
    html = (
        b'<html><body><a href="https://shop.example/a">A</a></body></html>\n'
        b'<div><a href="https://esp.example/prefs">preferences</a></div>\n'
        b'<img src="https://esp.example/open/1.gif" width="1" height="1">'
    )
    [email] = load_bytes(html, "t.html", kind="html")
    extraction = extract(email)
    assert [link.href for link in extraction.links] == [
        "https://shop.example/a",
        "https://esp.example/prefs",
    ]
    assert [(link.text, link.line) for link in extraction.links][1] == ("preferences", 2)
    assert [image.src for image in extraction.images if image.pixel] == [
        "https://esp.example/open/1.gif"
    ]


def test_links_are_numbered_in_document_order_across_elements_and_comments() -> None:
    html = (
        b'<p><a href="https://shop.example/1">one</a></p>'
        b'<!--[if mso]><v:roundrect href="https://shop.example/2"><center>two</center>'
        b"</v:roundrect><![endif]-->"
        b'<map><area href="https://shop.example/3" alt="three"></map>'
        b'<p><a href="https://shop.example/4">four</a><a name="no-href">x</a></p>'
    )
    [email] = load_bytes(html, "t.html", kind="html")
    links = extract(email).links
    assert [(link.id, link.href[-1], link.element) for link in links] == [
        (1, "1", Element.A),
        (2, "2", Element.VML),
        (3, "3", Element.AREA),
        (4, "4", Element.A),
    ]
