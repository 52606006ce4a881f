"""Find every link and image of an email, with where each came from.

Links: ``<a>``/``<area>`` hrefs, VML buttons (``<v:roundrect href>``) inside Outlook conditional
comments, URLs in text/plain parts, and the List-Unsubscribe header. Images (``src``, ``srcset``,
``background``, CSS ``url()``) are listed so open pixels can be recognised; nothing is fetched.
Each link keeps its anchor text (or the alt text of an image inside it), its attributes (opt-out
detection reads them), its part and its line in the decoded part, which is what the raw-source
view shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.etree
import lxml.html

from clickaudit.model import BodyPart, Element, Email, Image, Link, Part
from clickaudit.urls import urls_in_text

MAX_TEXT = 200
_VML_HREF = re.compile(
    r"<v:(?:roundrect|rect|oval|shape|image)\b[^>]*?\bhref\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)",
    re.I | re.S,
)
_VML_TEXT = re.compile(
    r"<center[^>]*>(.*?)</center>|<v:textbox[^>]*>(.*?)</v:textbox>", re.I | re.S
)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)", re.I)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_ANGLE_ITEM = re.compile(r"<([^<>]+)>")
# SparkPost's text-part attribute syntax right after a URL: URL[[data-msys-clicktrack="0"]]
_TEXT_ATTRIBUTES = re.compile(r'\[\[([\w:-]+)="([^"]*)"\]\]')


@dataclass(frozen=True, slots=True)
class Extraction:
    links: tuple[Link, ...]
    images: tuple[Image, ...]


@dataclass(frozen=True, slots=True)
class _Found:
    part: Part
    element: Element
    href: str
    text: str
    line: int
    part_index: int
    attributes: dict[str, str]


def extract(email: Email) -> Extraction:
    """Every link (numbered from 1 in document order: parts in order, then headers) and image."""
    found: list[_Found] = []
    images: list[Image] = []
    for part in email.parts:
        if part.kind is Part.HTML:
            part_links, part_images = _from_html(part)
            found.extend(part_links)
            images.extend(part_images)
        else:
            found.extend(_from_text(part))
    found.extend(_from_headers(email))
    links = tuple(
        Link(
            id=number,
            part=f.part,
            element=f.element,
            href=f.href,
            text=f.text,
            line=f.line,
            part_index=f.part_index,
            attributes=f.attributes,
        )
        for number, f in enumerate(found, start=1)
    )
    return Extraction(links, tuple(images))


def parse_html(text: str) -> tuple[lxml.html.HtmlElement | None, bool]:
    """Parse an HTML part as a browser would (recovering from errors).

    Returns the tree (None when there is none) and whether the parser gave up part-way, which
    libxml2 does beyond 2048 levels of nesting (hostile HTML nests 100,000 deep).
    """
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=False)
    data = text.encode("utf-8", "surrogatepass")
    if not data.strip():
        return None, False
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError, lxml.etree.XMLSyntaxError):
        return None, True
    truncated = any(error.level_name == "FATAL" for error in parser.error_log)
    return root, truncated


_A_TAG = re.compile(
    r"<(a|area)\b[^>]*?\bhref\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)[^>]*>(.{0,2000}?)(?:</a>|(?=<a\b)|$)",
    re.I | re.S,
)


def _scan_links(part: BodyPart) -> list[_Found]:
    """Links found by pattern where the parser could not build the whole tree."""
    found = []
    for match in _A_TAG.finditer(part.text):
        text = _SPACE.sub(" ", _TAG.sub(" ", match.group(3))).strip()
        found.append(
            _Found(
                part=Part.HTML,
                element=Element.AREA if match.group(1).lower() == "area" else Element.A,
                href=_as_browser_reads(_unescape(match.group(2).strip("'\""))),
                text=_unescape(text)[:MAX_TEXT],
                line=part.text.count("\n", 0, match.start()) + 1,
                part_index=part.index,
                attributes={"recovered": "pattern"},
            )
        )
    return found


def _from_html(part: BodyPart) -> tuple[list[_Found], list[Image]]:
    root, truncated = parse_html(part.text)
    if truncated:
        return _scan_links(part), []
    if root is None:
        return [], []
    links: list[_Found] = []
    images: list[Image] = []
    text_index = _LineIndex(part.text)
    for node in root.iter():
        tag = node.tag
        if tag is lxml.etree.Comment:
            links.extend(_from_conditional_comment(node, part, text_index))
            continue
        if not isinstance(tag, str):
            continue
        tag = tag.lower()
        if tag in ("a", "area") or tag.startswith("v:"):
            href = node.get("href")
            if href is not None:
                links.append(_link_from_element(node, tag, href, part))
        if tag == "img":
            images.extend(_images_from_img(node, part))
        elif tag == "style" and node.text:
            images.extend(_css_images(node.text, node.sourceline or 0, part, "css"))
        if tag != "img" and node.get("background"):
            images.append(_image(node.get("background", ""), "background", node, part))
        style = node.get("style")
        if style and "url(" in style.lower():
            images.extend(_css_images(style, node.sourceline or 0, part, "css", node))
    return links, images


def _link_from_element(node: lxml.html.HtmlElement, tag: str, href: str, part: BodyPart) -> _Found:
    element = Element.AREA if tag == "area" else Element.VML if tag.startswith("v:") else Element.A
    return _Found(
        part=Part.HTML,
        element=element,
        href=_as_browser_reads(href),
        text=_anchor_text(node),
        line=node.sourceline or 0,
        part_index=part.index,
        attributes={str(k): str(v) for k, v in node.attrib.items() if k != "href"},
    )


def _anchor_text(node: lxml.html.HtmlElement) -> str:
    text = "".join(node.itertext())  # as text_content(), without an XPath evaluation per link
    text = _SPACE.sub(" ", text).strip()
    if not text:
        for image in node.iter("img"):
            alt = (image.get("alt") or "").strip()
            if alt:
                text = alt
                break
    if not text:
        text = (node.get("alt") or node.get("title") or node.get("aria-label") or "").strip()
    return text[:MAX_TEXT]


class _LineIndex:
    """Finds where a comment's text starts in the part (libxml2 reports a comment's last line)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.searched_from = 0

    def line_of(self, snippet: str, fallback: int) -> int:
        position = self.text.find(snippet, self.searched_from)
        if position < 0:
            return fallback
        self.searched_from = position + 1
        return self.text.count("\n", 0, position) + 1


def _from_conditional_comment(
    comment: lxml.etree._Element, part: BodyPart, text_index: _LineIndex
) -> Iterator[_Found]:
    """VML buttons live in ``<!--[if mso]> ... <![endif]-->``, which parsers see as a comment."""
    content = comment.text or ""
    if "href" not in content.lower() or "<v:" not in content.lower():
        return
    fallback = (comment.sourceline or 0) - content.count("\n")
    start_line = text_index.line_of(content[:300], fallback)
    for match in _VML_HREF.finditer(content):
        href = match.group(1).strip("'\"")
        line = start_line + content.count("\n", 0, match.start())
        after = content[match.end() : match.end() + 2000]
        text_match = _VML_TEXT.search(after)
        text = ""
        if text_match:
            text = _SPACE.sub(" ", _TAG.sub("", text_match.group(1) or text_match.group(2) or ""))
            text = lxml.html.fromstring(f"<p>{text}</p>").text_content().strip() if text else ""
        yield _Found(
            part=Part.HTML,
            element=Element.VML,
            href=_as_browser_reads(_unescape(href)),
            text=text[:MAX_TEXT],
            line=line,
            part_index=part.index,
            attributes={"conditional": "mso"},
        )


def _as_browser_reads(href: str) -> str:
    """Browsers drop tabs and line breaks inside a URL (WHATWG URL parser) and trim spaces."""
    return href.strip().replace("\t", "").replace("\r", "").replace("\n", "")


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _from_text(part: BodyPart) -> Iterator[_Found]:
    text = part.text
    for url, offset in urls_in_text(text):
        line_start = text.rfind("\n", 0, offset) + 1
        label = text[line_start:offset].strip().rstrip("<(:").strip()
        suffix = _TEXT_ATTRIBUTES.match(text, offset + len(url))
        yield _Found(
            part=Part.TEXT,
            element=Element.TEXT,
            href=url,
            text=label[-MAX_TEXT:],
            line=text.count("\n", 0, offset) + 1,
            part_index=part.index,
            attributes={suffix.group(1): suffix.group(2)} if suffix else {},
        )


def _from_headers(email: Email) -> Iterator[_Found]:
    value = email.headers.list_unsubscribe
    if not value:
        return
    for match in _ANGLE_ITEM.finditer(value):
        url = re.sub(r"\s+", "", match.group(1))
        yield _Found(
            part=Part.HEADER,
            element=Element.LIST_UNSUBSCRIBE,
            href=url,
            text="List-Unsubscribe",
            line=0,
            part_index=0,
            attributes=(
                {"list-unsubscribe-post": email.headers.list_unsubscribe_post}
                if email.headers.list_unsubscribe_post
                else {}
            ),
        )


def _images_from_img(node: lxml.html.HtmlElement, part: BodyPart) -> Iterator[Image]:
    src = node.get("src")
    if src:
        yield _image(src, "img", node, part)
    srcset = node.get("srcset")
    if srcset:
        for candidate in srcset.split(","):
            url = candidate.strip().split(" ", 1)[0]
            if url:
                yield _image(url, "srcset", node, part)


def _css_images(
    css: str,
    line: int,
    part: BodyPart,
    element: str,
    node: lxml.html.HtmlElement | None = None,
) -> Iterator[Image]:
    for match in _CSS_URL.finditer(css):
        url = match.group(2).strip()
        if url and not url.startswith("#"):
            yield Image(
                src=url,
                element=element,
                line=line + css.count("\n", 0, match.start()),
                part_index=part.index,
            )


def _image(src: str, element: str, node: lxml.html.HtmlElement, part: BodyPart) -> Image:
    width = (node.get("width") or _style_size(node.get("style"), "width") or "").strip()
    height = (node.get("height") or _style_size(node.get("style"), "height") or "").strip()
    reason = _pixel_reason(width, height, node.get("style") or "") if element == "img" else ""
    return Image(
        src=src.strip(),
        element=element,
        line=node.sourceline or 0,
        part_index=part.index,
        width=width,
        height=height,
        alt=(node.get("alt") or "").strip(),
        pixel=bool(reason),
        reason=reason,
    )


def _style_size(style: str | None, prop: str) -> str | None:
    if not style:
        return None
    match = re.search(rf"(?:^|;|\s){prop}\s*:\s*([0-9.]+)\s*(px)?", style, re.I)
    return match.group(1) if match else None


def _pixel_reason(width: str, height: str, style: str) -> str:
    def tiny(value: str) -> bool:
        number = value.lower().removesuffix("px").strip()
        try:
            return float(number) <= 1
        except ValueError:
            return False

    if tiny(width) and tiny(height):
        return f"{width}x{height}"
    lowered = style.replace(" ", "").lower()
    if "display:none" in lowered or "visibility:hidden" in lowered:
        return "hidden"
    if (tiny(width) or tiny(height)) and (width or height):
        return f"{width or '?'}x{height or '?'}"
    return ""
