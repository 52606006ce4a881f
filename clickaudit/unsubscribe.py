"""Recognise unsubscribe and preference links, so an audit never requests one unless asked.

An auditor that unsubscribes the test recipient is worse than none. A link is recognised by its
URL — the List-Unsubscribe URL found again in the body, an ESP's own unsubscribe paths
(SendGrid's ``/asm/``, Mailchimp's ``/unsubscribe``), unsubscribe-shaped paths and parameters in
many languages — and by what a reader sees: its anchor text and the sentence around it ("If you
no longer wish to receive these emails, click here", "Se désabonner"). The words are data
(``resources/unsubscribe/phrases.toml``), not code. The follower asks the same question of every
redirect target before requesting it, so a "Read more" that redirects to ``/unsubscribe`` stops
there.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote

from clickaudit.bundled import resource
from clickaudit.esp.fingerprints import Fingerprints
from clickaudit.link_context import LinkSentences
from clickaudit.model import Element, Email, Link, evolve
from clickaudit.urls import normalise_url, parse_url

UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
_KINDS = (UNSUBSCRIBE, PREFERENCES)  # the order questions are asked: unsubscribing is worse
_SQUASH = re.compile(r"[-_.+\s]")
_SPACES = re.compile(r"\s+")
_Trie = dict[str, "_Trie"]


@dataclass(frozen=True, slots=True)
class Recognition:
    """What a link or URL was recognised as, and the evidence, for the report's note."""

    kind: str  # "unsubscribe" or "preferences"
    why: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The phrases, URL stems and URL patterns of each kind, each compiled into one search."""

    text: tuple[tuple[str, re.Pattern[str]], ...]
    stems: tuple[tuple[str, re.Pattern[str]], ...]
    patterns: tuple[tuple[str, re.Pattern[str]], ...]


@cache
def load_vocabulary() -> Vocabulary:
    with resource("unsubscribe", "phrases.toml").open("rb") as handle:
        data = tomllib.load(handle)

    def alternation(words: Iterable[str]) -> re.Pattern[str]:
        return re.compile(_trie_pattern({w for w in words if w}))

    text = tuple(
        (kind, alternation(_normalise_text(p) for ps in data["text"][kind].values() for p in ps))
        for kind in _KINDS
    )
    stems = tuple(
        (kind, alternation(_SQUASH.sub("", s.lower()) for s in data["url_stems"][kind]))
        for kind in _KINDS
    )
    patterns = tuple(
        (kind, re.compile("|".join(f"(?:{p})" for p in data["url_patterns"][kind])))
        for kind in _KINDS
    )
    return Vocabulary(text, stems, patterns)


def kind_of_text(text: str) -> Recognition | None:
    """Whether anchor text or a sentence says "unsubscribe" or "preferences", in any language."""
    if not text:
        return None
    normalised = _normalise_text(text)
    for kind, pattern in load_vocabulary().text:
        found = pattern.search(normalised)
        if found:
            return Recognition(kind, f"the text around it says {found.group(0)!r}")
    return None


def kind_of_url_shape(url: str) -> Recognition | None:
    """Whether a URL's path or query is unsubscribe- or preference-shaped, in any language."""
    parsed = parse_url(url)
    if parsed is None:
        return None
    where = f"{parsed.path}?{parsed.query}".lower()
    squashed = _SQUASH.sub("", unquote(where))
    vocabulary = load_vocabulary()
    for (kind, stems), (_, patterns) in zip(vocabulary.stems, vocabulary.patterns, strict=True):
        found = patterns.search(where) or stems.search(squashed)
        if found:
            return Recognition(kind, f"its URL is {kind}-shaped ({found.group(0)!r})")
    return None


class UnsubscribeRecogniser:
    """Answers "is this an unsubscribe or preference link?" for one email's links and for any
    URL a redirect leads to, knowing the email's List-Unsubscribe URLs and the ESPs' own
    unsubscribe paths."""

    def __init__(self, list_unsubscribe: Iterable[str], fingerprints: Fingerprints) -> None:
        self._fingerprints = fingerprints
        self._list_unsubscribe = frozenset(
            _comparable(url) for url in list_unsubscribe if url.lower().startswith("http")
        )

    @classmethod
    def for_links(cls, links: Sequence[Link], fingerprints: Fingerprints) -> UnsubscribeRecogniser:
        """Built from the links themselves: the List-Unsubscribe header's links are among them."""
        header = [link.href for link in links if link.element is Element.LIST_UNSUBSCRIBE]
        return cls(header, fingerprints)

    def kind_of_url(self, url: str, *, esp: str | None = None) -> Recognition | None:
        """Unsubscribe or preferences, judged by the URL alone (what a redirect target has).

        ``esp``: the ESP classification already found for this URL (saves asking again)."""
        if self._list_unsubscribe and _comparable(url) in self._list_unsubscribe:
            return Recognition(UNSUBSCRIBE, "its URL is the List-Unsubscribe URL")
        if esp is None:
            match = self._fingerprints.esp_for_url(url)
            esp = match.esp if match is not None else None
        if esp is not None and self._fingerprints.is_system_path(esp, url):
            return Recognition(UNSUBSCRIBE, f"its URL is {esp}'s unsubscribe page")
        return kind_of_url_shape(url)

    def kind_of_link(self, link: Link, sentence: str = "") -> Recognition | None:
        """Unsubscribe or preferences, judged by every URL the link is known to lead to and by
        its anchor text and sentence."""
        found = self.kind_of_url(link.href, esp=link.esp or "")
        for url in (link.decoded, link.expected):
            if found is None and url:
                found = self.kind_of_url(url)
        if found is not None:
            return found
        return kind_of_text(f"{link.text} {sentence}")


def mark_unsubscribe_links(
    email: Email, links: Sequence[Link], fingerprints: Fingerprints
) -> tuple[Link, ...]:
    """The links with every unsubscribe and preference link marked (``system``), with a note
    saying how it was recognised; links already marked (view-online too) are kept."""
    recogniser = UnsubscribeRecogniser.for_links(links, fingerprints)
    sentences = LinkSentences(email)
    marked: list[Link] = []
    for link in links:
        if link.system or link.element is Element.LIST_UNSUBSCRIBE:
            marked.append(link)
            continue
        found = recogniser.kind_of_link(link, sentences.of(link))
        if found is None:
            marked.append(link)
            continue
        marked.append(
            evolve(
                link,
                system=found.kind,
                notes=(*link.notes, f"{found.kind} link: {found.why}"),
            )
        )
    return tuple(marked)


def _trie_pattern(words: set[str]) -> str:
    """One regular expression matching any of ``words``, with shared prefixes factored out.

    Hundreds of phrases as a flat alternation make the matcher try each at every position of
    the text; as a trie it fails after a character or two (five times faster on a footer).
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        ends = "" in node
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


def _normalise_text(text: str) -> str:
    return _SPACES.sub(" ", text.replace("\u2019", "'").lower()).strip()


def _comparable(url: str) -> str:
    return normalise_url(url.strip())
