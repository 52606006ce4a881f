"""The sentence around each link: what a reader sees next to "click here".

"If you no longer wish to receive these emails, click here" unsubscribes with anchor text that
says nothing; only the sentence around the link tells. This module finds that sentence, for
HTML links by walking the parsed document from the anchor outwards to its block (paragraph,
cell, list item), and for text/plain links from the lines around the URL. It is asked only by an
audit about to request links (a scan never needs it), and every walk is bounded: a few siblings,
a few hundred characters, each element's text taken once.
"""

from __future__ import annotations

import re

import lxml.etree

from clickaudit.extract import parse_html
from clickaudit.model import BodyPart, Element, Email, Link, Part

SIDE_CHARS = 400  # text kept on each side of the anchor before the sentence is cut out
MAX_SIBLINGS = 24  # siblings looked at on each side, per level
MAX_BLOCKS = 2  # a lone "click here" in a cell looks one block further out
MAX_LEVELS = 10
MAX_ANCHORS = 20_000  # per part; an email with more is hostile, and its rest gets no context
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "td",
        "th",
        "li",
        "dd",
        "dt",
        "tr",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "blockquote",
        "center",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "body",
        "html",
        "form",
        "ul",
        "ol",
        "dl",
        "pre",
        "address",
    ]
)
# A sentence ends here; a "|" or bullet separates footer links ("Unsubscribe | Privacy").
_BOUNDARY = re.compile(r"[.!?。！？|•·]")
_SPACES = re.compile(r"\s+")

LinkKey = tuple[int, int, str]  # part index, source line, href as the browser reads it


def key_of(link: Link) -> LinkKey:
    return (link.part_index, link.line, _as_browser_reads(link.href))


class LinkSentences:
    """The sentences around one email's links, found once: ``LinkSentences(email).of(link)``.

    HTML parts are parsed and walked when built; several anchors with the same href on the
    same line get their sentences joined, so a question about any of them sees all of them.
    Text parts are split into lines on first use.
    """

    def __init__(self, email: Email) -> None:
        self._html: dict[LinkKey, str] = {}
        self._text_parts = {p.index: p for p in email.parts if p.kind is Part.TEXT}
        self._lines: dict[int, list[str]] = {}
        for part in email.parts:
            if part.kind is Part.HTML:
                _html_sentences(part, self._html)

    def of(self, link: Link) -> str:
        """The sentence around ``link`` ("" when there is none to find)."""
        if link.element is not Element.TEXT:
            return self._html.get(key_of(link), "")
        part = self._text_parts.get(link.part_index)
        if part is None:
            return ""
        lines = self._lines.get(part.index)
        if lines is None:
            lines = self._lines[part.index] = part.text.split("\n")
        return _text_sentence(lines, link)


def _html_sentences(part: BodyPart, found: dict[LinkKey, str]) -> None:
    root, _ = parse_html(part.text)
    if root is None:
        return
    texts: dict[lxml.etree._Element, str] = {}
    for count, anchor in enumerate(root.iter("a", "area", "A", "AREA")):
        if count >= MAX_ANCHORS:
            break
        href = anchor.get("href")
        if href is None:
            continue
        key = (part.index, anchor.sourceline or 0, _as_browser_reads(href))
        sentence = _sentence(anchor, texts)
        if sentence:
            found[key] = f"{found[key]} {sentence}" if key in found else sentence


def _sentence(anchor: lxml.etree._Element, texts: dict[lxml.etree._Element, str]) -> str:
    """The anchor's sentence. Another link is a boundary too: in a row of links ("Offer 1 Offer 2
    Unsubscribe", "Privacy Terms Unsubscribe") each link's sentence is its own text."""
    before: list[str] = []  # nearest first
    after: list[str] = []
    before_open = after_open = True
    inner = _collapse(_own_text(anchor, texts))
    node = anchor
    blocks = 0
    for _ in range(MAX_LEVELS):
        parent = node.getparent()
        if parent is None:
            break
        if after_open:
            after.append(node.tail or "")
            sibling = node.getnext()
            for _ in range(MAX_SIBLINGS):
                if sibling is None or sum(map(len, after)) > SIDE_CHARS:
                    break
                if _holds_a_link(sibling):
                    after_open = False
                    break
                after.append(_own_text(sibling, texts) + (sibling.tail or ""))
                sibling = sibling.getnext()
        if before_open:
            sibling = node.getprevious()
            for _ in range(MAX_SIBLINGS):
                if sibling is None or sum(map(len, before)) > SIDE_CHARS:
                    break
                if _holds_a_link(sibling):
                    before.append(sibling.tail or "")
                    before_open = False
                    break
                before.append(_own_text(sibling, texts) + (sibling.tail or ""))
                sibling = sibling.getprevious()
            if before_open:
                before.append(parent.text or "")
        tag = parent.tag.lower() if isinstance(parent.tag, str) else ""
        if tag in BLOCK_TAGS:
            blocks += 1
            nearby = _collapse("".join(before) + "".join(after))
            if nearby or blocks >= MAX_BLOCKS:
                break
        if not (before_open or after_open):
            break
        node = parent
    return _cut_sentence(
        _collapse("".join(reversed(before)))[-SIDE_CHARS:],
        inner,
        _collapse("".join(after))[:SIDE_CHARS],
    )


def _holds_a_link(element: lxml.etree._Element) -> bool:
    tag = element.tag
    if not isinstance(tag, str):
        return False
    if tag.lower() in ("a", "area"):
        return True
    return next(element.iter("a", "A", "area", "AREA"), None) is not None


def _cut_sentence(before: str, inner: str, after: str) -> str:
    """The sentence holding the anchor: back to the last boundary before it, on to the first
    after it; when the anchor starts its sentence right after a question or a colon ("Don't
    want these emails? Click here"), that question belongs to it."""
    pieces = _BOUNDARY.split(before)
    lead = pieces[-1]
    if not lead.strip() and len(pieces) > 1 and before.rstrip()[-1:] in ("?", "？"):
        lead = pieces[-2] + "?"
    tail = _BOUNDARY.split(after, maxsplit=1)[0]
    return _collapse(f"{lead} {inner} {tail}")


def _own_text(element: lxml.etree._Element, texts: dict[lxml.etree._Element, str]) -> str:
    """An element's text without its tail, each element's asked once (ends kept only)."""
    known = texts.get(element)
    if known is not None:
        return known
    if not isinstance(element.tag, str):
        text = ""  # a comment or processing instruction shows nothing
    else:
        try:
            text = lxml.etree.tostring(element, method="text", encoding="unicode", with_tail=False)
        except (ValueError, lxml.etree.LxmlError):
            text = ""
        if len(text) > 2 * SIDE_CHARS:
            text = text[:SIDE_CHARS] + " . " + text[-SIDE_CHARS:]
    texts[element] = text
    return text


def _text_sentence(lines: list[str], link: Link) -> str:
    """A text/plain link's sentence: the line before it and its own line around the URL
    (plain text wraps lines inside sentences, so line breaks are not boundaries)."""
    if not 1 <= link.line <= len(lines):
        return ""
    own = lines[link.line - 1]
    position = own.find(link.href)
    before = own[:position] if position >= 0 else own
    after = own[position + len(link.href) :] if position >= 0 else ""
    previous = lines[link.line - 2] if link.line > 1 else ""
    return _cut_sentence(
        _collapse(f"{previous} {before}")[-SIDE_CHARS:], "", _collapse(after)[:SIDE_CHARS]
    )


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _as_browser_reads(href: str) -> str:
    """As extraction records a link's href: trimmed, tabs and line breaks removed (WHATWG)."""
    return href.strip().replace("\t", "").replace("\r", "").replace("\n", "")
