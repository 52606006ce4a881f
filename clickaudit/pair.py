"""Pair a sent email's links with its pre-send template's, so every tracked link has an expected
destination to verify.

The ESP rewrote every href, so hrefs cannot be matched directly. Links are aligned as sequences
(difflib) on a key made of where they are (part, element) and what they say (normalised anchor
text), which survives links the ESP adds (unsubscribe, view online) or drops. Links left over are
then matched by unique anchor text, then by a decoded destination that equals the template's.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from clickaudit.findings import finding
from clickaudit.model import Category, Element, Finding, Link, Part, evolve
from clickaudit.url_display import shorten_url
from clickaudit.urls import normalise_url

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Pairing:
    pairs: tuple[tuple[int, int], ...]  # (sent link id, template link id)
    unmatched_sent: tuple[int, ...]
    unmatched_template: tuple[int, ...]
    findings: tuple[Finding, ...]


def _key(link: Link) -> tuple[str, str, str]:
    text = _SPACE.sub(" ", link.text).strip().lower()
    element = "a" if link.element in (Element.A, Element.AREA) else link.element.value
    return link.part.value, element, text


def _pairable(link: Link) -> bool:
    return link.part is not Part.HEADER


def pair_links(sent: Sequence[Link], template: Sequence[Link]) -> Pairing:
    sent_links = [link for link in sent if _pairable(link)]
    template_links = [link for link in template if _pairable(link)]
    matcher = difflib.SequenceMatcher(
        a=[_key(link) for link in template_links],
        b=[_key(link) for link in sent_links],
        autojunk=False,
    )
    pairs: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            pairs[sent_links[block.b + offset].id] = template_links[block.a + offset].id
    _pair_by_unique_text(sent_links, template_links, pairs)
    _pair_by_destination(sent_links, template_links, pairs)
    matched_template = set(pairs.values())
    template_parts = {link.part for link in template_links}
    _pair_other_parts(sent_links, template_links, pairs, template_parts)
    unmatched_sent = tuple(link.id for link in sent_links if link.id not in pairs)
    unmatched_template = tuple(
        link.id for link in template_links if link.id not in matched_template
    )
    findings: list[Finding] = []
    template_by_id = {link.id: link for link in template_links}
    for template_id in unmatched_template:
        missing = template_by_id[template_id]
        if missing.category is Category.UNTRACKABLE and missing.reason is not None:
            continue  # mailto/tel/fragments: nothing to verify
        findings.append(
            finding(
                "link-missing",
                f"template link {template_id} ({missing.text or 'no text'!r} → "
                f"{_short(missing.href)}) has no counterpart in the sent email",
            )
        )
    sent_by_id = {link.id: link for link in sent_links}
    for sent_id in unmatched_sent:
        extra = sent_by_id[sent_id]
        if extra.system or extra.category is Category.UNTRACKABLE:
            continue
        if extra.part not in template_parts:
            continue  # a text part the template does not have: nothing to compare with
        findings.append(
            finding(
                "link-added",
                f"{extra.text or 'a link'!r} ({_short(extra.href)}) is not in the template",
                extra.subject,
            )
        )
    return Pairing(
        pairs=tuple(sorted(pairs.items())),
        unmatched_sent=unmatched_sent,
        unmatched_template=unmatched_template,
        findings=tuple(findings),
    )


def _pair_by_unique_text(
    sent: Sequence[Link], template: Sequence[Link], pairs: dict[int, int]
) -> None:
    taken = set(pairs.values())
    free_sent = [link for link in sent if link.id not in pairs]
    free_template = [link for link in template if link.id not in taken]
    sent_counts = Counter(_key(link) for link in free_sent)
    template_counts = Counter(_key(link) for link in free_template)
    by_key = {_key(link): link for link in free_template if template_counts[_key(link)] == 1}
    for link in free_sent:
        key = _key(link)
        if key[2] and sent_counts[key] == 1 and key in by_key:
            pairs[link.id] = by_key[key].id


def _pair_by_destination(
    sent: Sequence[Link], template: Sequence[Link], pairs: dict[int, int]
) -> None:
    taken = set(pairs.values())
    free_template = {normalise_url(link.href): link for link in template if link.id not in taken}
    for link in sent:
        if link.id in pairs:
            continue
        destination = link.decoded or (link.href if link.category is Category.DIRECT else None)
        match = free_template.pop(normalise_url(destination), None) if destination else None
        if match is not None:
            pairs[link.id] = match.id


def _pair_other_parts(
    sent: Sequence[Link],
    template: Sequence[Link],
    pairs: dict[int, int],
    template_parts: set[Part],
) -> None:
    """Links of a part the template lacks (the ESP's generated text part) take their expected
    destination from the template link whose anchor text is nearest, when one clearly is."""
    candidates = [link for link in template if link.text.strip()]
    for link in sent:
        if link.id in pairs or link.part in template_parts or not link.text.strip():
            continue
        text = _normal_text(link.text)
        scored = sorted(
            (
                (difflib.SequenceMatcher(a=text, b=_normal_text(t.text)).ratio(), t.id)
                for t in candidates
            ),
            reverse=True,
        )
        if (
            scored
            and scored[0][0] >= 0.8
            and (
                len(scored) == 1
                or scored[1][0] < scored[0][0]
                or _same_destination(template, scored[0][1], scored[1][1])
            )
        ):
            pairs[link.id] = scored[0][1]


def _normal_text(text: str) -> str:
    return re.sub(r"[^\w£€$%]+", " ", text.lower()).strip()


def _same_destination(template: Sequence[Link], first: int, second: int) -> bool:
    by_id = {link.id: link for link in template}
    return normalise_url(by_id[first].href) == normalise_url(by_id[second].href)


def apply_pairing(
    sent: Sequence[Link], template: Sequence[Link], pairing: Pairing
) -> tuple[Link, ...]:
    """The sent links with ``expected`` set to their template link's destination."""
    template_by_id = {link.id: link for link in template}
    expected_by_sent = dict(pairing.pairs)
    paired = []
    for link in sent:
        template_id = expected_by_sent.get(link.id)
        original = template_by_id.get(template_id) if template_id is not None else None
        if original is not None and original.href.lower().startswith(("http://", "https://")):
            expected = original.decoded or original.href
            link = evolve(link, expected=expected)
        paired.append(link)
    return tuple(paired)


def _short(url: str, limit: int = 70) -> str:
    return shorten_url(url, limit)
