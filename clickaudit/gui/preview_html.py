"""The HTML the preview shows: a copy of the email's HTML part with inert, numbered links.

Pure Python (lxml, no Qt), so a worker thread can build it for a large email while the window
stays responsive.
"""

from __future__ import annotations

import re

import lxml.html

from clickaudit.extract import parse_html
from clickaudit.model import BodyPart, Element, Email, Link

LINK_PREFIX = "https://clickaudit.invalid/link/"


def preview_html(email: Email, links: tuple[Link, ...]) -> str:
    part = next((p for p in email.parts if p.kind.value == "html"), None)
    if part is None:
        text = next((p.text for p in email.parts), "")
        return "<pre style='white-space:pre-wrap;font:13px monospace'>" + _escape(text) + "</pre>"
    return rewrite_links(part, links)


def rewrite_links(part: BodyPart, links: tuple[Link, ...]) -> str:
    """A copy of the part's HTML whose ``<a>``/``<area>`` hrefs name the link they are.

    The k-th ``<a>``/``<area>`` with an href in document order is the k-th such link that
    extraction found in this part: both walk the same tree in the same order.
    """
    root, _ = parse_html(part.text)
    if root is None:
        return part.text
    ids = [
        link.id
        for link in links
        if link.part.value == "html"
        and link.part_index == part.index
        and link.element in (Element.A, Element.AREA)
        and "recovered" not in link.attributes
    ]
    position = 0
    for node in root.iter("a", "area", "A", "AREA"):
        if node.get("href") is None:
            continue
        if position < len(ids):
            node.set("href", f"{LINK_PREFIX}{ids[position]}")
            node.set("title", f"link {ids[position]}")
        else:
            node.set("href", LINK_PREFIX + "0")
        node.attrib.pop("target", None)
        position += 1
    for script in root.iter("script"):
        script.getparent().remove(script)  # JavaScript is off anyway; keep the copy inert
    html = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    return re.sub(r"<meta[^>]+http-equiv=[\"']?refresh[^>]*>", "", html, flags=re.I)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
