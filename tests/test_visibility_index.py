"""The per-document index of hiding and painting elements never changes a link's visibility.

:class:`clickaudit.visibility.DocumentStyle` lets most links skip the walks up their ancestors;
these properties hold its answers equal to the walk's on markup built to hit every edge (hiding
and background declarations in any case, spelled through character references, nested, at the
link itself, inside a stylesheet-overridden block) and on every HTML part of the real corpus.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clickaudit import visibility
from clickaudit.extract import parse_html
from clickaudit.load import load_path
from clickaudit.model import Part
from clickaudit.visibility import DocumentStyle, hidden_reason, stylesheet_properties

EXAMPLES = settings(max_examples=int(os.environ.get("CLICKAUDIT_FUZZ_EXAMPLES", "300")))

_STYLES = [
    "",
    "color:#fff",
    "color:#FFFFFF",
    "COLOR:White",
    "color:black",
    "display:none",
    "DISPLAY: NONE",
    "disp&#108;ay:none",
    "display:&#110;one",
    "visibility:hidden",
    "visibility:collapse",
    "opacity:0",
    "opacity:0.5",
    "max-height:0;overflow:hidden",
    "width:0px;OVERFLOW:HIDDEN",
    "font-size:0",
    "font-size:12px",
    "background:#fff",
    "background-color:rgb(255,255,255)",
    "BACKGROUND-COLOR:#FFF",
    "&#98;ackground:#fff",
    "background-image:url(x.png)",
    "background:none",
    "text-decoration:none",
]
_ATTRIBUTES = ["", ' bgcolor="#ffffff"', ' bgcolor="black"', " hidden", ' bgcolor=""']
_CONTAINERS = ["div", "td", "span", "table", "p", "center"]


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    style = draw(st.sampled_from(_STYLES))
    attributes = draw(st.sampled_from(_ATTRIBUTES)) + (f' style="{style}"' if style else "")
    if depth >= 4 or draw(st.integers(0, 3)) == 0:
        inner = draw(
            st.sampled_from(["x", "", " ", '<img src="p.gif" width="1" height="1">', "<b>y</b>"])
        )
        tag = draw(st.sampled_from(["a", "area", "a"]))
        return f'<{tag} href="https://a.example/"{attributes}>{inner}</{tag}>'
    tag = draw(st.sampled_from(_CONTAINERS))
    children = draw(st.lists(_element(depth + 1), min_size=1, max_size=3))
    return f"<{tag}{attributes}>{''.join(children)}</{tag}>"


def _answers(html: str) -> list[tuple[str | None, str | None]]:
    root, _ = parse_html(html)
    assert root is not None
    stylesheet = stylesheet_properties(root)
    document = DocumentStyle(root)
    return [
        (hidden_reason(node, stylesheet), hidden_reason(node, stylesheet, document))
        for node in root.iter("a", "area")
    ]


@EXAMPLES
@given(st.lists(_element(), min_size=1, max_size=4), st.booleans())
def test_the_index_gives_the_walks_answer_for_every_link(bodies: list[str], sheet: bool) -> None:
    head = "<style>.m { display:block !important }</style>" if sheet else ""
    html = f"<html><head>{head}</head><body>{''.join(bodies)}</body></html>"
    for walked, indexed in _answers(html):
        assert indexed == walked, html


def test_a_link_hidden_through_a_character_reference_is_still_found() -> None:
    html = '<div style="disp&#108;ay:none"><a href="https://a.example/">x</a></div>'
    assert _answers(html) == [("display-none", "display-none")]


def test_a_link_with_no_hiding_or_painting_ancestor_is_not_walked() -> None:
    html = '<table><tr><td style="padding:4px"><a href="h">x</a></td></tr></table>'
    root, _ = parse_html(html + '<div style="display:none" bgcolor="#fff"><a href="o">y</a></div>')
    assert root is not None
    document = DocumentStyle(root)
    link, other = root.iter("a")
    assert not document.may_be_hidden_by_ancestor(link)
    assert not document.may_have_background_behind(link)
    assert document.may_be_hidden_by_ancestor(other)
    assert document.may_have_background_behind(other)


def test_every_corpus_html_part_gets_the_same_answers(corpus: Path) -> None:
    checked = 0
    for path in sorted(corpus.glob("*.eml")):
        for email in load_path(path):
            for part in email.parts:
                if part.kind is Part.HTML:
                    for walked, indexed in _answers(part.text):
                        assert indexed == walked, path.name
                        checked += 1
    assert checked > 400  # 476 links in 39 emails


def test_nesting_past_the_index_budget_falls_back_to_the_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(visibility, "_INDEX_BUDGET", 3)
    html = "".join('<div style="background:#fff">' for _ in range(5)) + (
        '<a style="color:#fff" href="https://a.example/">x</a>'
    )
    root, _ = parse_html(html)
    assert root is not None
    document = DocumentStyle(root)
    [link] = root.iter("a")
    assert document.may_have_background_behind(link)
    assert hidden_reason(link, frozenset(), document) == "same-colour"
