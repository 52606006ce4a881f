"""The bundled fingerprints are checked here, once, instead of at every start.

The app compiles a fingerprint's regular expression when a link first needs it, so a bad pattern
in the bundled file would only show when some link met it. This data test compiles every one
(and the joined searches built from them); a file a user gives is still checked pattern by
pattern when it is loaded, and refused naming the file and the entry.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clickaudit.bundled import read_text
from clickaudit.errors import InputError
from clickaudit.esp import fingerprints
from clickaudit.esp.fingerprints import BUNDLED_WHERE, load_fingerprints, parse_fingerprints
from clickaudit.model import Headers


def test_every_bundled_pattern_compiles() -> None:
    checked = parse_fingerprints(read_text("esp", "fingerprints.toml"), BUNDLED_WHERE)
    compiled = 0
    for esp in checked.esps:
        for patterns in (
            esp.host_paths,
            esp.click_paths,
            esp.open_paths,
            esp.system_paths,
            esp.view_paths,
            esp.asset_paths,
        ):
            for source in patterns.sources:
                re.compile(source)
                compiled += 1
            patterns.search("/")  # the joined search compiles too
        for host in (*esp.click_hosts, *esp.open_hosts, *esp.other_hosts):
            assert host.regex.match(host.glob.replace("*", "x")) is not None, host.glob
    for wrapper in checked.wrappers:
        if wrapper.path is not None:
            re.compile(wrapper.path)
            compiled += 1
    # the one-search answers for "which ESP's click / open path is this" are in use
    assert checked._first_click_path.usable()
    assert checked._first_open_path.usable()
    assert compiled > 150  # 179 path patterns in 2026-11


def test_the_bundled_file_loads_without_compiling_its_patterns() -> None:
    fingerprints._compiled.cache_clear()
    fingerprints._bundled.cache_clear()
    try:
        load_fingerprints()
        assert fingerprints._compiled.cache_info().currsize == 0
    finally:
        fingerprints._bundled.cache_clear()


BAD = """
[[esp]]
name = "Example"
click_hosts = ["click.example.com"]
click_paths = ["^/ok/", "^/broken/(unclosed"]
"""


def test_a_bad_pattern_in_a_users_file_is_refused_at_load_naming_file_and_entry(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(BAD)
    with pytest.raises(InputError, match=r"mine\.toml \[esp Example\].*bad regular expression"):
        load_fingerprints(str(path))


def test_a_bad_wrapper_path_is_refused_at_load() -> None:
    text = '[[wrapper]]\nname = "Gate"\nhosts = ["gate.example"]\npath = "^/(x"\n'
    with pytest.raises(InputError, match=r"\[wrapper Gate\].*bad regular expression"):
        parse_fingerprints(text, "gates.toml")


def test_the_first_open_path_owner_is_the_first_esp_in_the_datas_order() -> None:
    text = """
[[esp]]
name = "First"
open_paths = ["^/o/[a-z]+", "^/pixel/"]
[[esp]]
name = "Second"
open_paths = ["^/o/abc"]
[[esp]]
name = "Third"
open_paths = ["^/t/(x)\\\\1"]
"""
    found = parse_fingerprints(text)
    assert found.esp_for_open_pixel("https://img.example/o/abc") == "First"
    assert found.esp_for_open_pixel("https://img.example/pixel/1.gif") == "First"
    assert found.esp_for_open_pixel("https://img.example/other") is None
    assert not found._first_open_path.usable()  # a back-reference: asked ESP by ESP
    assert found.esp_for_open_pixel("https://img.example/t/xx") == "Third"


def _named_by_headers_one_by_one(names: list[str]) -> str | None:
    """The ESP the headers name, asked ESP by ESP and header by header (the reference)."""
    lowered = [name.lower() for name in names]
    for esp in load_fingerprints().esps:
        for wanted in esp.headers:
            wanted = wanted.lower()
            if wanted.endswith("*"):
                if any(name.startswith(wanted[:-1]) for name in lowered):
                    return esp.name
            elif wanted in lowered:
                return esp.name
    return None


_HEADER_NAMES = sorted(
    {
        variant
        for esp in load_fingerprints().esps
        for wanted in esp.headers
        for variant in (wanted.rstrip("*") + "Tag", wanted.rstrip("*"), wanted.upper())
    }
    | {"X-Mailer", "Feedback-ID", "X-Other", "List-Id"}
)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_HEADER_NAMES), max_size=6))
def test_the_esp_named_by_headers_is_the_first_in_the_datas_order(names: list[str]) -> None:
    headers = Headers(esp_headers=dict.fromkeys(names, "1"))
    assert load_fingerprints().esp_for_headers(headers) == _named_by_headers_one_by_one(names)
