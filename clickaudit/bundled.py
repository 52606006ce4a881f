"""Locate the bundled resources (fingerprints, schema, policy, samples, icons).

In a source checkout they live in the top-level ``resources/`` folder; installed, setup.py maps
that folder to the data package ``clickaudit.resources``. This module hides the difference.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path


@cache
def resources_root() -> Traversable:
    """The folder holding the bundled resources, wherever the package was installed from."""
    try:
        root = importlib.resources.files("clickaudit.resources")
        if root.joinpath("schema").is_dir():
            return root
    except ModuleNotFoundError:
        pass
    checkout = Path(__file__).resolve().parent.parent / "resources"
    return checkout


def resource(*parts: str) -> Traversable:
    """A file or folder in the bundled resources: ``resource("esp", "fingerprints.toml")``."""
    node = resources_root()
    for part in parts:
        node = node.joinpath(part)
    return node


def read_text(*parts: str) -> str:
    return resource(*parts).read_text(encoding="utf-8")
