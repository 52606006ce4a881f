"""Shared fixtures: the real-email corpus, bundled resources, a guard against leaked threads."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "real"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose machine lacks something (root, a binary, ../shared) — on a developer's
    or user's machine only. CI (``.ci/run``, CI=true) provides all of it, so there a missing
    piece is a failure, never a quiet skip."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


@pytest.fixture
def corpus() -> Path:
    """The folder of real emails (../shared/corpus/real). Skips, saying why, where it is absent:
    a user's clone has no shared/ beside it; CI always does."""
    if not CORPUS.is_dir():
        unavailable(f"the real-email corpus is not at {CORPUS} (only CI and developers have it)")
    return CORPUS


def corpus_file(name: str) -> Path:
    """A file of the corpus, skipping the test when the corpus is absent."""
    path = CORPUS / name
    if not path.is_file():
        unavailable(f"corpus file {name} is not at {CORPUS}")
    return path


def run_clickaudit(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m clickaudit ARGS`` in a fresh interpreter, as a user's shell runs it."""
    return subprocess.run(
        [sys.executable, "-m", "clickaudit", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """One redis-server for the session's cluster tests (skipped, saying why, without the
    binary)."""
    from tests.redis_server import redis_server

    with redis_server() as url:
        yield url


@pytest.fixture
def redis_url(redis_server_url: str) -> Iterator[str]:
    """The session's Redis, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server_url)
    client.flushall()
    client.close()
    yield redis_server_url


@pytest.fixture
def fixtures() -> Path:
    """Small hand-made emails for edge cases (tests/fixtures)."""
    return FIXTURES


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail a test that leaves a thread of its own running: a leaked worker is a hang waiting to
    happen in the app. Threads are given a moment to finish their shutdown."""
    before = set(threading.enumerate())
    yield
    leaked = []
    for thread in set(threading.enumerate()) - before:
        if isinstance(thread, threading._DummyThread):
            continue  # a Qt pool thread seen from Python: its pool is waited for by the app
        thread.join(timeout=2)
        if thread.is_alive() and not thread.daemon:
            leaked.append(thread.name)
    assert not leaked, f"threads left running: {leaked}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With pytest-qt present, a Qt warning logged during any test fails it.

    Set here rather than as the ``qt_log_level_fail`` ini option so that the engine's tests also
    run where pytest-qt is not installed (scripts/test-headless), where that option is unknown.
    """
    if not config.pluginmanager.hasplugin("pytest-qt"):
        return
    for item in items:
        if item.get_closest_marker("qt_log_level_fail") is None:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*QT_ENVIRONMENT_NOISE))


# Warnings of the headless test machine itself (no GPU, no window manager), not of clickaudit.
QT_ENVIRONMENT_NOISE = (
    "propagateSizeHints",
    "QRhiGles2",
    "Failed to create RHI",
    "GPUInfo",
    "Sandboxing disabled",
)
