"""Unsubscribe, preference and view-online links: a classification rule (``Link.system``).

Such links are never requested unless the user asks (an auditor that unsubscribes the test
recipient is worse than none), so recognising them is a safety rule: anchor text in the
languages mail is written in first, then the URL's path.
"""

from __future__ import annotations

import re
from functools import lru_cache

from clickaudit.urls import plain_http_url, split_url

_SYSTEM_TEXT = (
    (
        "unsubscribe",
        re.compile(
            r"unsubscri|opt[\s-]?out|abmelden|désinscri|desinscri|darse de baja|desuscri|"
            r"cancel(?:ar)? (?:la )?suscrip|afmelden|disiscriv|stop (?:receiving|these) emails",
            re.I,
        ),
    ),
    (
        "preferences",
        re.compile(
            r"(?:manage|update|change|email|your|subscription|communication)\s+(?:your\s+)?"
            r"(?:preferences|settings|subscriptions)|preference cent(?:er|re)|einstellungen"
            r"|^preferences$",  # a footer's "update your <a>preferences</a>" links the word alone
            re.I,
        ),
    ),
    (
        "view-online",
        re.compile(
            r"view (?:it |this (?:email |message )?)?"
            r"(?:in (?:your |a )?browser|online|as a web ?page)"
            r"|web ?version|trouble (?:viewing|reading)|im browser (?:ansehen|öffnen)",
            re.I,
        ),
    ),
)
_SYSTEM_PATH = (
    ("unsubscribe", re.compile(r"unsub|opt-?out|/asm/|list-manage\.com/unsubscribe", re.I)),
    ("preferences", re.compile(r"/(?:preferences|manage-?subscriptions?|profile/update)", re.I)),
    ("view-online", re.compile(r"/(?:webversion|view-?online|web-?view|mirror)\b", re.I)),
)

# The patterns are lowercase; matching lowercased text without re.I is four times faster, and
# every link of an email asks.
_ANY_SYSTEM_TEXT = re.compile("|".join(f"(?:{p.pattern})" for _, p in _SYSTEM_TEXT))
_ANY_SYSTEM_PATH = re.compile("|".join(f"(?:{p.pattern})" for _, p in _SYSTEM_PATH))
# Text that every match of _ANY_SYSTEM_PATH contains (a test holds them to the patterns): most
# URLs contain none of them, and looking for these few costs a fraction of trying the patterns
# at every character of a long tracking URL.
_SYSTEM_PATH_WORDS = (
    "unsub", "opt", "/asm/", "/preferences", "/manage", "/profile/update", "/web", "/view",
    "/mirror",
)  # fmt: skip


def system_link_kind(href: str, text: str = "") -> str | None:
    """``unsubscribe``, ``preferences`` or ``view-online`` when the link is one, else None.

    Such links are never requested unless the user asks: an auditor that unsubscribes the
    test recipient is worse than none. Anchor text decides first; then the URL's path.
    """
    if text:
        lowered = text.lower()
        if _ANY_SYSTEM_TEXT.search(lowered):
            for kind, pattern in _SYSTEM_TEXT:
                if pattern.search(lowered):
                    return kind
    where = _path_and_query(href).lower()
    if _has_system_path_word(where) and _ANY_SYSTEM_PATH.search(where):
        for kind, pattern in _SYSTEM_PATH:
            if pattern.search(where):
                return kind
    return None


def _has_system_path_word(where: str) -> bool:
    return any(word in where for word in _SYSTEM_PATH_WORDS)


@lru_cache(maxsize=8192)
def _path_and_query(href: str) -> str:
    plain = plain_http_url(href.strip())
    if plain is not None:
        return plain.path + "?" + plain.query
    try:
        parts = split_url(href.strip())
    except ValueError:
        return href
    return parts.path + "?" + parts.query
