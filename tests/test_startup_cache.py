"""Bundled lists are parsed once per installation; a changed list, a damaged cache or a cache
folder that cannot be written only means parsing again."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from clickaudit.startup_cache import cache_dir, parsed_once


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CLICKAUDIT_NO_CACHE", raising=False)
    return tmp_path


def counting_parser(calls: list[int]) -> Callable[[], dict[str, int]]:
    def parse() -> dict[str, int]:
        calls.append(1)
        return {"parsed": len(calls)}

    return parse


def test_a_list_is_parsed_once_and_again_when_it_changes(cache_home: Path) -> None:
    source = cache_home / "list.txt"
    source.write_text("one")
    calls: list[int] = []
    parse = counting_parser(calls)
    assert parsed_once("demo", [source], parse) == {"parsed": 1}
    assert parsed_once("demo", [source], parse) == {"parsed": 1}
    assert len(calls) == 1
    source.write_text("two, longer")
    os.utime(source, ns=(1, 1))
    assert parsed_once("demo", [source], parse) == {"parsed": 2}


def test_a_damaged_cache_is_parsed_again(cache_home: Path) -> None:
    source = cache_home / "list.txt"
    source.write_text("one")
    calls: list[int] = []
    parse = counting_parser(calls)
    parsed_once("demo", [source], parse)
    for cached in cache_dir().glob("demo-*.pickle"):
        cached.write_bytes(b"\x80\x05damaged")
    assert parsed_once("demo", [source], parse) == {"parsed": 2}


def test_a_cache_folder_that_cannot_be_made_is_no_error(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = cache_home / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    source = cache_home / "list.txt"
    source.write_text("one")
    calls: list[int] = []
    assert parsed_once("demo", [source], counting_parser(calls)) == {"parsed": 1}


def test_a_new_version_of_the_parsing_code_parses_again(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade rewrites the module that parses: its cached results are not read back (the
    installed version is not looked up: importlib.metadata costs more than the cache saves)."""
    import importlib

    code = cache_home / "code"
    code.mkdir()
    module_file = code / "list_parser_demo.py"
    module_file.write_text("CALLS = []\ndef parse():\n    CALLS.append(1)\n    return len(CALLS)\n")
    monkeypatch.syspath_prepend(str(code))
    module = importlib.import_module("list_parser_demo")
    source = cache_home / "list.txt"
    source.write_text("one")
    assert parsed_once("demo", [source], module.parse) == 1
    assert parsed_once("demo", [source], module.parse) == 1
    os.utime(module_file, ns=(1, 1))  # what installing another version does to the file
    assert parsed_once("demo", [source], module.parse) == 2
