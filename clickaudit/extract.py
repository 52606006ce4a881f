"""Find every link and image of an email, with where each came from.

Links: ``<a>``/``<area>`` hrefs, VML buttons (``<v:roundrect href>``) inside Outlook conditional
comments, URLs in text/plain parts, and the List-Unsubscribe header. Images (``src``, ``srcset``,
``background``, CSS ``url()``) are listed so open pixels can be recognised; nothing is fetched.
Each link keeps its anchor text (or the alt text of an image inside it), its attributes (opt-out
detection reads them), its part and its line in the decoded part, which is what the raw-source
view shows.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass

import lxml.etree
import lxml.html

from clickaudit.model import BodyPart, Element, Email, Image, Link, Part
from clickaudit.system_links import system_link_kind
from clickaudit.visibility import DocumentStyle, StylesheetProperties, hidden_reason

MAX_TEXT = 200
# Real mail has tens of links, a long digest a few thousand; beyond this they are counted only.
MAX_LINKS = 20_000
MAX_IMAGES = 20_000
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
    links_skipped: int = 0  # links past MAX_LINKS, counted but not built


def extract(email: Email) -> Extraction:
    """Every link (numbered from 1 in document order: parts in order, then headers) and image,
    up to :data:`MAX_LINKS` links; the rest are only counted, so a million-link email costs the
    memory of the first twenty thousand."""
    ids = itertools.count(1)
    links: list[Link] = []
    images: list[Image] = []
    skipped = 0
    for part in email.parts:
        room = MAX_LINKS - len(links)
        if part.kind is Part.HTML:
            part_links, part_images, part_skipped = _from_html(part, ids, room)
            links.extend(part_links)
            images.extend(part_images[: max(0, MAX_IMAGES - len(images))])
            skipped += part_skipped
        else:
            found = _from_text(part, ids)
            links.extend(itertools.islice(found, max(0, room)))
            skipped += sum(1 for _ in found)
    found = _from_headers(email, ids)
    links.extend(itertools.islice(found, max(0, MAX_LINKS - len(links))))
    skipped += sum(1 for _ in found)
    return Extraction(tuple(links), tuple(images), skipped)


def parse_html(text: str) -> tuple[lxml.etree._Element | None, bool]:
    """Parse an HTML part as a browser would (recovering from errors).

    Returns the tree (None when there is none) and whether the parser gave up part-way, which
    libxml2 does beyond 2048 levels of nesting (hostile HTML nests 100,000 deep).
    """
    return _parse_html_bytes(text.encode("utf-8", "surrogatepass"))


def _parse_html_bytes(data: bytes) -> tuple[lxml.etree._Element | None, bool]:
    # lxml.etree's parser, not lxml.html's: lxml.html looks up a Python class for every element
    # the walk touches, which cost more than the parse itself on a large email.
    parser = lxml.etree.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=False)
    if not data.strip():
        return None, False
    try:
        root = lxml.etree.fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError, lxml.etree.XMLSyntaxError):
        return None, True
    if root is None:
        return None, False
    _merge_trailing_documents(root)
    truncated = any(error.level_name == "FATAL" for error in parser.error_log)
    return root, truncated


def _merge_trailing_documents(root: lxml.etree._Element) -> None:
    """Move what follows ``</html>`` into the body, as a browser does.

    libxml2 starts a second ``<html>`` element for content after ``</html>`` (ESPs append their
    footer and open pixel there); browsers show it at the end of the body, so it is part of the
    email the recipient sees.
    """
    trailing = list(root.itersiblings())
    if not trailing:
        return
    body = root.find("body")
    if body is None:
        body = lxml.etree.SubElement(root, "body")
    for extra in trailing:
        if not isinstance(extra.tag, str):
            continue
        for child in list(extra):
            if isinstance(child.tag, str) and child.tag == "body":
                body.extend(list(child))
            elif not (isinstance(child.tag, str) and child.tag == "head"):
                body.append(child)


_A_TAG = re.compile(
    r"<(a|area)\b[^>]*?\bhref\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)[^>]*>(.{0,2000}?)(?:</a>|(?=<a\b)|$)",
    re.I | re.S,
)


def _scan_links(part: BodyPart, ids: Iterator[int]) -> list[Link]:
    """Links found by pattern where the parser could not build the whole tree."""
    found = []
    for match in _A_TAG.finditer(part.text):
        text = _SPACE.sub(" ", _TAG.sub(" ", match.group(3))).strip()
        found.append(
            Link(
                id=next(ids),
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


# Tags extraction reads in every email; the attribute-driven cases (VML elements, CSS url(),
# background=) need a look at every element, which is only done when the document has them.
_COMMON_TAGS = ("a", "area", "img", "style", lxml.etree.Comment)


def _needs_every_element(root: lxml.etree._Element, lowered: bytes) -> bool:
    """Whether the document may have VML elements, a CSS ``url(`` in a style attribute or a
    ``background=`` attribute, which only a look at every element finds.

    The word "background" alone is mostly ``background-color``, which needs no such look: only a
    ``background`` attribute does (one XPath test, in C), or a ``url(`` spelled with a character
    reference (no ``&#``, no such spelling).
    """
    if b"<v:" in lowered or b"url(" in lowered:
        return True
    if b"background" not in lowered:
        return False
    return b"&#" in lowered or bool(root.xpath("boolean(//@background)"))


def _from_html(
    part: BodyPart, ids: Iterator[int], room: int
) -> tuple[list[Link], list[Image], int]:
    """The part's links (at most ``room``; the rest counted) and images."""
    data = part.text.encode("utf-8", "surrogatepass")
    root, truncated = _parse_html_bytes(data)
    if truncated:
        recovered = _scan_links(part, ids)
        return recovered[: max(0, room)], [], max(0, len(recovered) - room)
    if root is None:
        return [], [], 0
    skipped = 0
    links: list[Link] = []
    images: list[Image] = []
    text_index = _LineIndex(part.text)
    # libxml2 filters by tag in C; walking every element of a 2 MB email from Python cost more
    # than the parse, so the full walk is kept for emails that need it.
    lowered = data.lower()  # bytes: ASCII case folding, far faster than str.lower on 2 MB
    every_element = _needs_every_element(root, lowered)
    stylesheet: Container[str] = StylesheetProperties(root) if b"<style" in lowered else frozenset()
    document = DocumentStyle(root)
    for node in root.iter() if every_element else root.iter(*_COMMON_TAGS):
        tag = node.tag
        if tag is lxml.etree.Comment:
            links.extend(_from_conditional_comment(node, part, text_index, ids))
            continue
        if not isinstance(tag, str):
            continue
        tag = tag.lower()
        if tag == "a" or tag == "area" or tag.startswith("v:"):
            href = node.get("href")
            if href is not None:
                if len(links) < room:
                    links.append(
                        _link_from_element(node, tag, href, part, next(ids), stylesheet, document)
                    )
                else:
                    skipped += 1
        if tag == "img":
            images.extend(_images_from_img(node, part))
        elif tag == "style" and node.text:
            images.extend(_css_images(node.text, node.sourceline or 0, part, "css"))
        if every_element:
            images.extend(_attribute_images(node, tag, part))
    return links, images, skipped


def _attribute_images(node: lxml.etree._Element, tag: str, part: BodyPart) -> list[Image]:
    found = []
    if tag != "img" and node.get("background"):
        found.append(_image(node.get("background", ""), "background", node, part))
    style = node.get("style")
    if style and "url(" in style.lower():
        found.extend(_css_images(style, node.sourceline or 0, part, "css", node))
    return found


def _link_from_element(
    node: lxml.etree._Element,
    tag: str,
    href: str,
    part: BodyPart,
    number: int,
    stylesheet: Container[str] = frozenset(),
    document: DocumentStyle | None = None,
) -> Link:
    element = Element.A if tag == "a" else Element.AREA if tag == "area" else Element.VML
    attributes = dict(node.items())
    del attributes["href"]
    return Link(
        number,
        Part.HTML,
        element,
        _as_browser_reads(href),
        _anchor_text(node),
        node.sourceline or 0,
        part.index,
        attributes,
        hidden=(hidden_reason(node, stylesheet, document) if element is not Element.VML else None),
    )


def _anchor_text(node: lxml.etree._Element) -> str:
    if len(node):
        # the serializer gathers the text in C: three times faster than "".join(itertext())
        text = lxml.etree.tostring(node, method="text", encoding="unicode", with_tail=False)
    else:
        text = node.text or ""
    text = " ".join(text.split())
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
    comment: lxml.etree._Element, part: BodyPart, text_index: _LineIndex, ids: Iterator[int]
) -> Iterator[Link]:
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
        yield Link(
            id=next(ids),
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
    if href.isprintable():
        return href.strip()
    return href.strip().replace("\t", "").replace("\r", "").replace("\n", "")


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


# A label that reads as a web address: a scheme, "www.", or dotted host labels, with an optional
# path; no spaces and no "@" (an email address is not a link's text).
_URL_LOOKING = re.compile(
    r"(?:[a-z][a-z0-9+.\-]*://[^\s@]+|www\.[^\s@]+|[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}(?:[/?#][^\s@]*)?)",
    re.I,
)
# What the text-part scanner takes for a link by itself (a scheme or "www.").
_STANDALONE_URL = re.compile(r"(?:[a-z][a-z0-9+.\-]*://|www\.)", re.I)
_LABEL_EDGES = "<>()[]{}\"'“”‘’«»:;,"


def url_label(before: str) -> str:
    """The text of a URL in a text part: a URL-looking word directly before it
    (``www.shop.example <https://click.esp/…>``) or a bracketed label (``[Shop] https://…``);
    the words of a sentence before a URL are not its anchor text, and treating them so made
    false ``link-text-mismatch`` warnings and text cut mid-word."""
    stripped = before.rstrip().rstrip("<(:").rstrip()
    if stripped.endswith("]") and "[" in stripped:
        # "[Facebook] https://…": the bracketed label plain-text versions of HTML mail write
        # (html2text and the ESPs' own converters) is the link's text, as written on purpose.
        inside = stripped[stripped.rindex("[") + 1 : -1].strip()
        if inside:
            return inside[:MAX_TEXT]
    words = before.rstrip().rstrip(_LABEL_EDGES).rstrip().split()
    if not words:
        return ""
    word = words[-1].strip(_LABEL_EDGES)
    if not word or word.endswith(".") or not _URL_LOOKING.fullmatch(word):
        return ""
    if _STANDALONE_URL.match(word) and before.rstrip().endswith(words[-1]):
        # "https://twitter.com/x   https://instagram.com/y": a URL set off by spaces alone is
        # a link of its own beside this one, not its label ("www.shop.example <https://…>" is).
        return ""
    return word[:MAX_TEXT]


# A URL as the text-part scanner finds one, to cut the context of the next URL after it.
_URL_IN_LINE = re.compile(r"(?:[a-z][a-z0-9+.\-]*://|www\.|mailto:)\S+", re.I)


def url_context(before: str) -> str:
    """The words that say what a text-part URL is for: the line before it, from the end of the
    URL before it on that line, at most ``MAX_TEXT`` characters. A line can be thousands of
    characters long (a text part without line breaks, CSS pasted into it); a word far back
    ("unsubscribe", ".webversion") is not about this URL and must not make it a system link
    that an audit never requests."""
    # A URL ends where its word does (\S+), so the last one that ends among the last MAX_TEXT
    # characters is found by searching from the word reaching into them: a long line is not
    # searched from its start again for each URL on it (a text part of one 50 KB line took
    # most of its scan doing so).
    keep_from = max(0, len(before) - MAX_TEXT)
    last_end = None
    for match in _URL_IN_LINE.finditer(before, _start_of_word_before(before, keep_from)):
        last_end = match.end()
    own = before[last_end:] if last_end is not None else before
    return own[-MAX_TEXT:].strip().rstrip("<(:").strip()


def _start_of_word_before(text: str, end: int) -> int:
    """Where the word (non-space run) holding ``text[end - 1]`` starts; ``end`` when that
    character is a space or there is none."""
    if end == 0 or text[end - 1].isspace():
        return end
    return end - len(text[:end].rsplit(None, 1)[-1])


def _from_text(part: BodyPart, ids: Iterator[int]) -> Iterator[Link]:
    text = part.text
    line, counted_to = 1, 0  # URLs come in order: lines are counted once, not from the top
    for url, offset in urls_in_text(text):
        if offset < counted_to:
            line, counted_to = 1, 0
        line += text.count("\n", counted_to, offset)
        counted_to = offset
        line_start = text.rfind("\n", 0, offset) + 1
        before = text[line_start:offset]
        # The words before a URL are not its text, but they do say what it is for
        # ("Manage your preferences: https://…"): they decide an unsubscribe or preferences link.
        context = url_context(before)
        suffix = _TEXT_ATTRIBUTES.match(text, offset + len(url))
        yield Link(
            id=next(ids),
            part=Part.TEXT,
            element=Element.TEXT,
            href=url,
            text=url_label(before),
            system=system_link_kind(url, context) if context else None,
            line=line,
            part_index=part.index,
            attributes={suffix.group(1): suffix.group(2)} if suffix else {},
        )


def _from_headers(email: Email, ids: Iterator[int]) -> Iterator[Link]:
    value = email.headers.list_unsubscribe
    if not value:
        return
    for match in _ANGLE_ITEM.finditer(value):
        url = re.sub(r"\s+", "", match.group(1))
        yield Link(
            id=next(ids),
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


def _images_from_img(node: lxml.etree._Element, part: BodyPart) -> Iterator[Image]:
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
    node: lxml.etree._Element | None = None,
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


def _image(src: str, element: str, node: lxml.etree._Element, part: BodyPart) -> Image:
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


# A URL in plain text: a scheme URL, or a www. host. Trailing punctuation is trimmed after.
_TEXT_URL = re.compile(
    # (?:(?:https?|ftp)://|mailto:|www\.)[^\s<>"'\][]+ ignoring case, spelled so that the pattern
    # starts with a class of its first letters: the engine then skips in C to the next such
    # letter instead of trying the pattern at every character (4x faster on text parts). Each
    # letter's class also holds the characters re.IGNORECASE takes for it: long s, dotted and
    # dotless i (a Hypothesis test holds the spelling to the case-insensitive pattern).
    r"[hHfFmMwW](?:(?<=[hH])[tT][tT][pP][sS\u017f]?://|(?<=[fF])[tT][pP]://"
    r"|(?<=[mM])[aA][iI\u0130\u0131][lL][tT][oO]:|(?<=[wW])[wW][wW]\.)[^\s<>\"'\]\[]+"
)
_ANGLE_URL = re.compile(r"<\s*((?:https?|ftp)://[^<>]+|mailto:[^<>]+)>", re.I)
_TRAILING = ".,;:!?'\")]}»›"


def urls_in_text(text: str) -> list[tuple[str, int]]:
    """URLs in a plain-text body with the offset where each starts, in order.

    Handles ``<https://...>`` (whitespace and line breaks inside the brackets are removed: RFC
    3986 appendix C, and how mailers wrap long URLs), bare URLs ending at whitespace with
    trailing punctuation trimmed (a closing bracket is kept when the URL opened one), and a
    bare URL whose line was broken at a ``=`` or ``/`` followed directly by more URL on the next
    line with no indentation (joined; a blank line or a space always ends a URL).
    """
    found: list[tuple[str, int]] = []
    covered: list[tuple[int, int]] = []
    for match in _ANGLE_URL.finditer(text):
        url = re.sub(r"\s+", "", match.group(1))
        found.append((url, match.start(1)))
        covered.append((match.start(), match.end()))
    covered_starts = [a for a, _ in covered]  # in order and apart: finditer's matches
    for match in _TEXT_URL.finditer(text):
        start = match.start()
        inside = bisect.bisect_right(covered_starts, start) - 1
        if inside >= 0 and start < covered[inside][1]:
            continue
        url, end = match.group(0), match.end()
        while end < len(text) - 1 and text[end] == "\n" and url.endswith(("=", "/", "&", "?")):
            more = _TEXT_URL_CONTINUATION.match(text, end + 1)
            if not more:
                break
            url += more.group(0)
            end = more.end()
        url = _trim_trailing(url)
        if url.lower().startswith("www."):
            url = "http://" + url
        found.append((url, start))
    found.sort(key=lambda item: item[1])
    return found


_TEXT_URL_CONTINUATION = re.compile(r"[A-Za-z0-9%/?=&._~\-+#]+")


def _trim_trailing(url: str) -> str:
    while url and url[-1] in _TRAILING:
        closer = url[-1]
        opener = {")": "(", "]": "[", "}": "{"}.get(closer)
        if opener and url.count(opener) >= url.count(closer):
            break
        url = url[:-1]
    return url
