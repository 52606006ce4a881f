"""One URL parser: only clickaudit/urls.py splits URLs with urllib (one set of caches, hosts
IDNA-normal through ``parse_url``); every other module asks it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "clickaudit"
SPLITTERS = {"urlsplit", "urlparse"}


def splitters_used(source: str) -> set[str]:
    used = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "urllib.parse":
            used |= {alias.name for alias in node.names} & SPLITTERS
        elif isinstance(node, ast.Attribute) and node.attr in SPLITTERS:
            used.add(node.attr)
    return used


def test_the_scan_sees_urllib_splitting() -> None:
    assert splitters_used("from urllib.parse import urlsplit") == {"urlsplit"}
    assert splitters_used("import urllib.parse\nurllib.parse.urlparse(x)") == {"urlparse"}


def test_only_urls_py_splits_urls_with_urllib() -> None:
    offenders = {
        str(path.relative_to(PACKAGE.parent)): used
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "urls.py" or path.parent != PACKAGE
        if (used := splitters_used(path.read_text(encoding="utf-8")))
    }
    assert not offenders, f"split URLs through clickaudit.urls instead: {offenders}"
