"""Which links a person cannot see: read from the markup plainly, visible when unsure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clickaudit import visibility
from clickaudit.pipeline import scan_path


def hidden_of(tmp_path: Path, body: str, head: str = "") -> str | None:
    email = tmp_path / "e.html"
    email.write_text(f"<html><head>{head}</head><body>{body}</body></html>")
    [link] = [link for link in scan_path(str(email))[0].links if link.href.startswith("https://")]
    return link.hidden


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('<div style="display: none"><a href="https://a.example/">x</a></div>', "display-none"),
        ('<a style="visibility:hidden" href="https://a.example/">x</a>', "visibility-hidden"),
        (
            '<div style="max-height:0;overflow:hidden"><a href="https://a.example/">x</a></div>',
            "zero-size",
        ),
        ('<a href="https://a.example/"><img src="p.gif" width="1" height="1"></a>', "1px"),
        ('<a href="https://a.example/"></a>', "empty"),
        (
            '<td bgcolor="#FFFFFF"><a style="color:#fff" href="https://a.example/">x</a></td>',
            "same-colour",
        ),
        (
            '<div style="background-color:rgb(0,0,0)"><a style="color:black" href="https://a.example/">x</a></div>',
            "same-colour",
        ),
    ],
)
def test_hidden_links_say_why(tmp_path: Path, body: str, reason: str) -> None:
    assert hidden_of(tmp_path, body) == reason


@pytest.mark.parametrize(
    "body",
    [
        '<a href="https://a.example/">Shop now</a>',
        '<td style="font-size:0"><a href="https://a.example/"><img src="logo.png" width="96"></a></td>',
        '<a style="color:#ffffff;background:rgb(168,15,15) 0 0" href="https://a.example/">Start</a>',
        '<a style="background-image:url(b.png);display:block;width:200px" href="https://a.example/"></a>',
        '<td style="background:#fff url(x.png)"><a style="color:#fff" href="https://a.example/">x</a></td>',
    ],
)
def test_visible_links_are_not_called_hidden(tmp_path: Path, body: str) -> None:
    assert hidden_of(tmp_path, body) is None


def test_inline_hiding_a_stylesheet_can_undo_is_not_trusted(tmp_path: Path) -> None:
    head = "<style>@media (max-width:600px){ .mobile { display:block !important } }</style>"
    body = '<div class="mobile" style="display:none"><a href="https://a.example/">x</a></div>'
    assert hidden_of(tmp_path, body, head) is None


_CSS_PIECES = st.sampled_from(
    ["color", "display", "-webkit-x", "a", ":", " ", "  ", "\t", "\n", "\xa0", "\u2028", "{",
     "}", ";", ".", "#", "none", "@media", "(max-width:600px)", "!important", "/*", "*/", "é"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_CSS_PIECES, max_size=40).map("".join))
@example("color:red")
@example("a:b:c d:e")
@example(" color : red;display:none}")
def test_a_stylesheets_properties_are_those_one_search_from_its_start_finds(css: str) -> None:
    one_search = re.findall(r"(?:^|[{;\s])([a-zA-Z-]+)\s*:", css)
    assert visibility._property_names(css) == one_search
