"""Host names that imitate others: mixed scripts in a label, Cyrillic or Greek that looks Latin,
full-width characters. A judgement (``link-homograph``) about a parsed host."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from clickaudit.urls import host_to_unicode

_CONFUSABLE_LATIN = frozenset("аеорсухіјѕԁһӏԛԝաօցոսᴠνοατіɡ")


@lru_cache(maxsize=4096)
def homograph_reason(host: str) -> str | None:
    """Why a host name imitates another (mixed scripts in a label, Latin look-alikes), or None."""
    unicode_host = host_to_unicode(host)
    if unicode_host.isascii():
        return None
    for label in unicode_host.split("."):
        scripts = {_script(c) for c in label if c.isalpha()}
        scripts.discard("COMMON")
        if len(scripts) > 1:
            return f"the label '{label}' mixes {' and '.join(sorted(s.title() for s in scripts))}"
        if (
            scripts
            and scripts <= {"CYRILLIC", "GREEK"}
            and all(c in _CONFUSABLE_LATIN or not c.isalpha() for c in label.lower())
        ):
            script = next(iter(scripts)).title()
            return f"the label '{label}' is written in {script} letters that look Latin"
    for character in unicode_host:
        if unicodedata.name(character, "").startswith("FULLWIDTH"):
            return "it uses full-width characters that imitate ASCII"
    return None


def _script(character: str) -> str:
    name = unicodedata.name(character, "")
    if not name:
        return "UNKNOWN"
    if character.isascii():
        return "LATIN"
    first = name.split(" ", 1)[0]
    return "LATIN" if first in ("LATIN", "FULLWIDTH") else first
