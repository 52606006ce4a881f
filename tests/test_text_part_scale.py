"""A text part's URLs are found and placed in time proportional to the text, not its square.

Each URL's line used to be counted from the top of the part, and each URL was checked against
every ``<…>``-bracketed URL: a text part of 20,000 URLs asked for 20,000 × its length. The
answers are the same as the simple counts (checked here on a generated part).
"""

from __future__ import annotations

import itertools

from clickaudit.extract import _from_text, urls_in_text
from clickaudit.model import BodyPart, Part


def _part(text: str) -> BodyPart:
    return BodyPart(Part.TEXT, "text/plain", "utf-8", text)


def test_each_text_url_has_the_line_it_starts_on() -> None:
    lines = []
    for n in range(300):
        if n % 3 == 0:
            lines.append(f"see <https://a.example/{n}> and https://b.example/{n}")
        elif n % 3 == 1:
            lines.append("")
        else:
            lines.append(f"https://c.example/{n}=\nmore{n} www.d.example/{n}")
    text = "\n".join(lines)
    links = list(_from_text(_part(text), itertools.count(1)))
    expected = [text.count("\n", 0, offset) + 1 for _, offset in urls_in_text(text)]
    assert [link.line for link in links] == expected
    assert len(links) == 400


def test_urls_inside_brackets_are_found_once() -> None:
    text = "<https://a.example/1> https://b.example/2 <https://c.example/\n3> https://d.example/4"
    assert [url for url, _ in urls_in_text(text)] == [
        "https://a.example/1",
        "https://b.example/2",
        "https://c.example/3",
        "https://d.example/4",
    ]
