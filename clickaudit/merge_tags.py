"""Unfilled template variables in links: a classification rule (reason ``merge-tag``).

A link that still reads ``{{ url }}`` or ``*|ARCHIVE|*`` was sent before the ESP filled it in;
it goes nowhere. Each ESP's and templating engine's syntax is recognised, percent-encoded too.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# Template languages of ESPs and templating engines; a match means the tag was never filled in.
_MERGE_TAGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Handlebars/Liquid {{ }}", re.compile(r"\{\{\{?.*?\}?\}\}", re.S)),
    ("Liquid/Jinja {% %}", re.compile(r"\{%.*?%\}", re.S)),
    ("Mailchimp *| |*", re.compile(r"\*\|[^|]*\|\*")),
    ("AMPscript %%= =%%", re.compile(r"%%=.*?=%%", re.S)),
    ("Salesforce/Pardot %% %%", re.compile(r"%%\[?[A-Za-z_][\w .\-]*\]?%%")),
    ("${ } placeholder", re.compile(r"\$\{[^}]*\}")),
    ("ERB/ASP <% %>", re.compile(r"<%.*?%>", re.S)),
    ("Salesforce {! }", re.compile(r"\{![^}]*\}")),
    (
        "Campaign Monitor [ ]",
        re.compile(r"\[(?:unsubscribe|webversion|preferences|forward)\]", re.I),
    ),
    ("Marketo {{my.}}/##", re.compile(r"##[A-Za-z_][\w.]*##")),
    ("ActiveCampaign %TAG%", re.compile(r"%(?:[A-Z][A-Z0-9_]{2,})%")),
    ("SendGrid -tag-", re.compile(r"(?<![\w/.-])-[a-z][a-zA-Z0-9_]*-(?![\w.-])")),
    ("Mailgun %recipient.%", re.compile(r"%recipient\.[\w-]+%")),
    ("Iterable/Braze [[ ]]", re.compile(r"\[\[.*?\]\]")),
)
_ANY_MERGE_TAG = re.compile("|".join(f"(?:{p.pattern})" for _, p in _MERGE_TAGS), re.S | re.I)
_ENCODED_BRACES = re.compile(r"%7B%7B|%7D%7D|%2A%7C|%7C%2A|%7B%25|%25%7D", re.I)


# Every merge-tag syntax above needs one of these (the SendGrid -tag- rule only counts as a whole
# href or query value, hence "=-" and "/-"); checking them with ``in`` rules out almost every
# real URL for a tenth of what the combined pattern costs.
_MERGE_TAG_MARKERS = ("{", "*|", "%%", "<", "[", "##", "=-", "/-", "%recipient")
_PERCENT_TAG_START = re.compile(r"%[A-Z][A-Z0-9_]{2}")


def _may_hold_merge_tag(text: str) -> bool:
    for marker in _MERGE_TAG_MARKERS:
        if marker in text:
            return True
    return text.startswith("-") or _PERCENT_TAG_START.search(text) is not None


def merge_tag(href: str) -> str | None:
    """The unresolved template variable in ``href`` (``"{{ url }}"``, ``"*|ARCHIVE|*"``), or None.

    Percent-encoded tags (``%7B%7B``) count too: an editor that encoded the braces still left
    the variable unfilled. Every syntax is checked whatever the ESP: templates move between them.
    """
    text = href.strip()
    candidates = [text]
    if _ENCODED_BRACES.search(text):
        candidates.append(unquote(text))
    elif not _may_hold_merge_tag(text) or not _ANY_MERGE_TAG.search(text):
        return None
    for candidate in candidates:
        for _name, pattern in _MERGE_TAGS:
            match = pattern.search(candidate)
            if match and not _is_false_merge_tag(candidate, match):
                return match.group(0)
    return None


def _is_false_merge_tag(text: str, match: re.Match[str]) -> bool:
    tag = match.group(0)
    if tag.startswith("%") and tag.endswith("%") and not tag.startswith("%%"):
        # %TAG% must not be a run of percent-escapes (%2F%3A...) in a real URL
        return bool(re.fullmatch(r"%[0-9A-F]{2}.*", tag))
    if tag.startswith("-") and tag.endswith("-"):
        # SendGrid's -name- substitution only counts as the whole href or a whole query value
        return not re.search(r"(^|[=/])" + re.escape(tag) + r"($|&)", text)
    return False
