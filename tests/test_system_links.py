"""Unsubscribe, preference and view-online links by their URL: the few words looked for first
decide nothing by themselves; every URL the path patterns match contains one of them."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from clickaudit import system_links
from clickaudit.system_links import system_link_kind


@settings(max_examples=500, deadline=None)
@given(st.from_regex(system_links._ANY_SYSTEM_PATH))
def test_every_path_the_patterns_match_contains_a_word_looked_for_first(where: str) -> None:
    assert system_links._has_system_path_word(where), where


def _kind_by_the_patterns_alone(href: str) -> str | None:
    where = system_links._path_and_query(href).lower()
    if not system_links._ANY_SYSTEM_PATH.search(where):  # the joined patterns, case-sensitive
        return None
    return next(
        (kind for kind, pattern in system_links._SYSTEM_PATH if pattern.search(where)), None
    )


_URL_PIECES = st.sampled_from(
    ["/", "unsub", "UNSUB", "opt-out", "OptOut", "/asm/", "/preferences", "/manage-subscription",
     "/profile/update", "/webversion", "/web-view", "/view-online", "/mirror", "/mirrors", "?",
     "&u=", "x", "ſ", "/Web", "%2F", "=", "#"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_URL_PIECES, max_size=8).map("".join))
@example("/Mirror")
@example("/lists/unſubscribe")
def test_a_urls_kind_is_the_one_its_patterns_give(path: str) -> None:
    href = "https://esp.example" + path
    assert system_link_kind(href) == _kind_by_the_patterns_alone(href)
