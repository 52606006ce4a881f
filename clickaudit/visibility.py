"""Can a person see this link? Inline styles and attributes of the link and its ancestors.

Click forensics needs it: a click on a link nobody can see (``display:none``, a 1 px image, text
in the background's colour, an empty anchor) was made by a machine that requests every href of a
message. Only what the email itself says is read — inline ``style``, ``hidden``, ``bgcolor``,
``width``/``height`` — never a stylesheet's cascade, so a link is called hidden only when the
markup says so plainly (fail closed: "visible" when unsure, because "hidden" condemns a click).
"""

from __future__ import annotations

import re
from collections.abc import Container
from functools import lru_cache

import lxml.etree

_DECLARATION = re.compile(r"([a-zA-Z-]+)\s*:\s*([^;]+)")
# A property a stylesheet sets: a name after "{", ";", a space or the text's start, then ":"
# (selectors add noise only). Two patterns, the text's start asked once: a pattern starting with
# a class lets the search skip in C to the next place one may start (twice as fast on the
# corpus's stylesheets as "(?:^|[{;\s])", which is tried at every character).
_PROPERTY_AT_START = re.compile(r"([a-zA-Z-]+)\s*:")
_PROPERTY = re.compile(r"[{;\s]([a-zA-Z-]+)\s*:")
_NAMED = {
    "white": "#ffffff",
    "black": "#000000",
    "red": "#ff0000",
    "green": "#008000",
    "blue": "#0000ff",
    "yellow": "#ffff00",
    "gray": "#808080",
    "grey": "#808080",
    "silver": "#c0c0c0",
    "navy": "#000080",
}
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([0-9.]+)\s*)?\)")
MAX_DEPTH = 64
# Emails repeat a handful of style strings on thousands of elements: each distinct string is parsed
# once. Bounded, because an email chooses how many distinct strings it has.
_STYLE_CACHE = 4096


def stylesheet_properties(root: lxml.etree._Element) -> frozenset[str]:
    """The CSS properties that the ``<style>`` elements of a document set.

    Responsive emails hide a block inline (``display:none``) and show it from a media query
    (``display:block !important``); a property a stylesheet sets may override what the inline
    style says, so inline hiding by that property is not trusted.
    """
    found: set[str] = set()
    for style in root.iter("style"):
        if style.text:
            found.update(map(str.lower, _property_names(style.text)))
    return frozenset(found)


class StylesheetProperties:
    """:func:`stylesheet_properties` of a document, read the first time a link's hiding asks
    (most links hide nothing, so most documents never need their stylesheets read)."""

    __slots__ = ("_found", "_root")

    def __init__(self, root: lxml.etree._Element) -> None:
        self._root = root
        self._found: frozenset[str] | None = None

    def __contains__(self, prop: object) -> bool:
        if self._found is None:
            self._found = stylesheet_properties(self._root)
        return prop in self._found


def _property_names(css: str) -> list[str]:
    """The property names a stylesheet's text sets, as written, in order."""
    first = _PROPERTY_AT_START.match(css)
    if first is None:
        return _PROPERTY.findall(css)  # groups, in C
    return [first.group(1), *_PROPERTY.findall(css, first.end())]


_OVERRIDDEN_BY = {
    "display-none": ("display",),
    "visibility-hidden": ("visibility",),
    "opacity-0": ("opacity",),
    "zero-size": ("max-height", "height", "max-width", "width", "overflow", "font-size"),
    "same-colour": ("color", "background", "background-color"),
}


def hidden_reason(
    node: lxml.etree._Element,
    stylesheet: Container[str] = frozenset(),
    document: DocumentStyle | None = None,
) -> str | None:
    """Why the link element ``node`` cannot be seen (``display-none``, ``visibility-hidden``,
    ``zero-size``, ``1px``, ``same-colour``, ``empty``), or ``None`` when it can (or may) be.

    ``stylesheet`` is :func:`stylesheet_properties` of the document (or
    :class:`StylesheetProperties`, which reads them when asked): a reason that a property the
    stylesheet sets could undo is dropped. ``document`` (:class:`DocumentStyle` of the same
    tree) lets a link skip the walks up its ancestors that cannot find anything; the answer is
    the same with or without it.
    """
    reason = _hidden_reason(node, document)
    if reason and any(prop in stylesheet for prop in _OVERRIDDEN_BY.get(reason, ())):
        return None
    return reason


# Beyond this many (element, link inside it) pairs the index is not built: every link asks its
# ancestors itself, as without an index (hostile nesting must not cost links × depth twice).
_INDEX_BUDGET = 200_000
_LINK_TAGS = ("a", "area")


class DocumentStyle:
    """What one parsed document can hide a link with, found once instead of once per link.

    Most links have no ancestor that hides its content and no ancestor that declares a
    background: for those, :func:`hidden_reason` need not walk up the tree (twice) at all. One
    pass over the elements (their few distinct style strings are read once each) lists the
    links that do have one; those take the same walk as without this index, so the answer never
    changes.
    """

    __slots__ = ("_under_background", "_under_hider")

    def __init__(self, root: lxml.etree._Element) -> None:
        hiders: list[lxml.etree._Element] = []
        painters: list[lxml.etree._Element] = []
        # attributes most documents never use are looked for once, in C, not on every element
        # (root.xpath, not a shared compiled XPath: scans may run in several threads)
        any_hidden = bool(root.xpath("boolean(//@hidden)"))
        any_bgcolor = bool(root.xpath("boolean(//@bgcolor)"))
        # (hides, paints) of each distinct style (and bgcolor): a document repeats a few
        by_style: dict[str, tuple[bool, bool]] = {}
        by_both: dict[tuple[str | None, str], tuple[bool, bool]] = {}
        for element in root.iter(lxml.etree.Element):  # elements only, filtered in C
            style = element.get("style")
            bgcolor = element.get("bgcolor") if any_bgcolor else None
            if bgcolor is None:
                if style is None:
                    if any_hidden and element.get("hidden") is not None:
                        hiders.append(element)
                    continue
                known = by_style.get(style)
                if known is None:
                    known = by_style[style] = _facts(style, None)
            else:
                known = by_both.get((style, bgcolor))
                if known is None:
                    known = by_both[style, bgcolor] = _facts(style, bgcolor)
            if known[0] or (any_hidden and element.get("hidden") is not None):
                hiders.append(element)
            if known[1]:
                painters.append(element)
        self._under_hider = _links_inside(hiders)
        self._under_background = _links_inside(painters)

    def may_be_hidden_by_ancestor(self, node: lxml.etree._Element) -> bool:
        return self._under_hider is None or node in self._under_hider or node.tag not in _LINK_TAGS

    def may_have_background_behind(self, node: lxml.etree._Element) -> bool:
        return (
            self._under_background is None
            or node in self._under_background
            or node.tag not in _LINK_TAGS
        )


def _facts(style: str | None, bgcolor: str | None) -> tuple[bool, bool]:
    """(hides its content, declares a background) of an element's style and bgcolor."""
    return (
        bool(style and _hiding_style_text(style)),
        bool((style or bgcolor) and _declared_background(style or "", bgcolor)[0]),
    )


def _links_inside(elements: list[lxml.etree._Element]) -> set[lxml.etree._Element] | None:
    """The link elements among and below ``elements``; None when that is too much to list.

    The set holds the elements, so lxml hands out the same proxy objects for them later."""
    found: set[lxml.etree._Element] = set()
    budget = _INDEX_BUDGET
    for element in elements:
        for link in element.iter(*_LINK_TAGS):
            found.add(link)
            budget -= 1
            if budget < 0:
                return None
    return found


def _hidden_reason(node: lxml.etree._Element, document: DocumentStyle | None = None) -> str | None:
    own_text = node.get("style")
    own = _declarations(own_text) if own_text else _NO_DECLARATIONS
    reason = (_hiding_style_text(own_text) if own_text else None) or (
        "hidden-attribute" if node.get("hidden") is not None else None
    )
    if reason:
        return reason
    # the index's lists (None: not known, ask the tree), read inline: every link asks
    under_hider = under_background = None
    if document is not None and node.tag in _LINK_TAGS:
        under_hider, under_background = document._under_hider, document._under_background
    if under_hider is None or node in under_hider:
        reason = _ancestor_hiding(node)
        if reason:
            return reason
    if not _has_text(node):
        images = list(node.iter("img"))  # libxml2 filters by tag in C
        if not images:
            return "empty" if node.tag == "a" and not _painted(node) else None
        return "1px" if all(_tiny_image(image) for image in images) else None
    zero_size = "font-size" in own and _number(own["font-size"]) == 0
    same_colour_possible = under_background is None or node in under_background
    if not zero_size and not same_colour_possible:
        return None  # nothing left that text could be hidden by
    if next(node.iter("img"), None) is not None:
        return None
    if zero_size and not _resized_inside(node):
        return "zero-size"
    if same_colour_possible and _same_colour(node, own):
        return "same-colour"
    return None


_NO_DECLARATIONS: dict[str, str] = {}


def _ancestor_hiding(node: lxml.etree._Element) -> str | None:
    """The reason of the nearest ancestor (within :data:`MAX_DEPTH`) that hides its content."""
    for depth, ancestor in enumerate(node.iterancestors(), start=1):
        if depth > MAX_DEPTH or not isinstance(ancestor.tag, str):
            break
        style_text = ancestor.get("style")
        reason = (_hiding_style_text(style_text) if style_text else None) or (
            "hidden-attribute" if ancestor.get("hidden") is not None else None
        )
        if reason:
            return reason
    return None


def _has_text(node: lxml.etree._Element) -> bool:
    """Whether the element holds any text that is not white space (its own first text decides
    most anchors without gathering the rest)."""
    first = node.text
    if first and not first.isspace():
        return True
    return bool("".join(node.itertext()).strip())


def _painted(node: lxml.etree._Element) -> bool:
    """The anchor or something inside it draws a background (a bulletproof button's image)."""
    for element in node.iter():
        if isinstance(element.tag, str) and (
            element.get("background") or any(p.startswith("background") for p in _style(element))
        ):
            return True
    return False


def _resized_inside(node: lxml.etree._Element) -> bool:
    return any(
        "font-size" in _style(child)
        for child in node.iterdescendants()
        if isinstance(child.tag, str)
    )


def _style(node: lxml.etree._Element) -> dict[str, str]:
    """The inline declarations of ``node``; shared between elements, so never modified."""
    style = node.get("style")
    if not style:
        return {}
    return _declarations(style)


@lru_cache(maxsize=_STYLE_CACHE)
def _declarations(style: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2).strip().lower() for m in _DECLARATION.finditer(style)}


@lru_cache(maxsize=_STYLE_CACHE)
def _hiding_style_text(style: str) -> str | None:
    return _hiding_style(_declarations(style))


def _hiding_style(style: dict[str, str]) -> str | None:
    if not style:
        return None
    if style.get("display", "").startswith("none"):
        return "display-none"
    if style.get("visibility", "").startswith(("hidden", "collapse")):
        return "visibility-hidden"
    if _number(style.get("opacity")) == 0:
        return "opacity-0"
    overflow_hidden = style.get("overflow", "").startswith("hidden")
    for prop in ("max-height", "height", "max-width", "width"):
        if _number(style.get(prop)) == 0 and overflow_hidden:
            return "zero-size"
    return None


def _number(value: str | None, default: float | None = None) -> float | None:
    if value is None:
        return default
    match = re.match(r"\s*([0-9.]+)\s*(px|pt|em|rem|%)?\s*(!important)?\s*$", value)
    if not match:
        return default
    try:
        return float(match.group(1))
    except ValueError:
        return default


def _tiny_image(image: lxml.etree._Element) -> bool:
    style = _style(image)
    if _hiding_style(style):
        return True
    width = _number(image.get("width") or style.get("width"))
    height = _number(image.get("height") or style.get("height"))
    return width is not None and height is not None and width <= 1 and height <= 1


def _same_colour(node: lxml.etree._Element, own: dict[str, str]) -> bool:
    """The text colour (the link's own, or of its only child) equals the nearest background.

    The nearest element that declares any background decides; one that is not a plain colour
    (an image, a gradient) makes the answer "visible".
    """
    colour = _colour(own.get("color"))
    if colour is None and len(node) == 1 and isinstance(node[0].tag, str):
        colour = _colour(_style(node[0]).get("color"))
    if colour is None:
        return False
    current: lxml.etree._Element | None = node
    for _ in range(MAX_DEPTH):
        if current is None or not isinstance(current.tag, str):
            return False
        declared, background = _background(current)
        if declared:
            return background is not None and background == colour
        current = current.getparent()
    return False


def _background(node: lxml.etree._Element) -> tuple[bool, str | None]:
    """Whether ``node`` declares a background, and its plain colour if it is one."""
    return _declared_background(node.get("style") or "", node.get("bgcolor"))


@lru_cache(maxsize=_STYLE_CACHE)
def _declared_background(style_text: str, bgcolor: str | None) -> tuple[bool, str | None]:
    style = _declarations(style_text) if style_text else {}
    if "background-image" in style and not style["background-image"].startswith("none"):
        return True, None
    for prop in ("background-color", "background"):
        value = style.get(prop)
        if value:
            if "url(" in value or "gradient" in value:
                return True, None  # an image paints over the colour
            if value.startswith(("rgb", "rgba")):
                return True, _colour(value[: value.find(")") + 1])
            return True, _colour(value.split()[0])
    if bgcolor:
        return True, _colour(bgcolor)
    return False, None


@lru_cache(maxsize=_STYLE_CACHE)
def _colour(value: str | None) -> str | None:
    """A colour as ``#rrggbb``, or ``None`` when it is not a plain colour (gradients, urls)."""
    if not value:
        return None
    value = value.strip().lower().removesuffix("!important").strip()
    if value in _NAMED:
        return _NAMED[value]
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "#" + "".join(ch * 2 for ch in value[1:])
    if re.fullmatch(r"#[0-9a-f]{6}", value):
        return value
    match = _RGB.fullmatch(value)
    if match:
        if match.group(4) is not None and float(match.group(4)) == 0:
            return None
        return "#" + "".join(f"{min(int(match.group(i)), 255):02x}" for i in (1, 2, 3))
    return None
