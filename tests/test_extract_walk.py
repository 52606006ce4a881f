"""Extraction looks at every element only when the document may need it, with the same result.

VML buttons, CSS ``url()`` in style attributes and ``background=`` attributes are found by
looking at every element; most documents say "background" only as ``background-color``, and for
them the look is skipped. Forcing it must find exactly the same links and images.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clickaudit import extract as extraction
from clickaudit.load import load_bytes, load_path
from clickaudit.model import Email

EDGES = [
    '<td style="background-color:#fff"><a href="https://a.example/">x</a></td>',
    '<td background="https://img.example/bg.png"><a href="https://a.example/">x</a></td>',
    '<td style="background:&#117;rl(https://img.example/bg.png)"><a href="h">x</a></td>',
    '<div style="BACKGROUND-IMAGE: URL(https://img.example/b.png)">y</div>',
    '<!--[if mso]><v:roundrect href="https://v.example/">go</v:roundrect><![endif]-->',
    '<table bgcolor="#fff"><tr><td><img src="https://img.example/p.gif" width="1"></td></tr>',
]


def _everything(emails: list[Email], monkeypatch: pytest.MonkeyPatch, force: bool) -> list[object]:
    with monkeypatch.context() as patch:
        if force:
            patch.setattr(extraction, "_needs_every_element", lambda root, lowered: True)
        return [extraction.extract(email) for email in emails]


@pytest.mark.parametrize("body", EDGES)
def test_a_document_finds_the_same_links_and_images_either_way(
    body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    emails = load_bytes(f"<html><body>{body}</body></html>".encode(), "e.html")
    assert _everything(emails, monkeypatch, False) == _everything(emails, monkeypatch, True)


def test_every_corpus_email_finds_the_same_links_and_images_either_way(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emails = [email for path in sorted(corpus.glob("*.eml")) for email in load_path(path)]
    assert _everything(emails, monkeypatch, False) == _everything(emails, monkeypatch, True)
