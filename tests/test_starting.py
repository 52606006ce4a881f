"""Starting clickaudit: no display is a clear message and exit 2 (never a Qt abort), and a word
that is neither a command nor a file is a usage error with a suggestion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_without_display(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    return subprocess.run(
        [sys.executable, "-m", "clickaudit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=cwd,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux's")
def test_no_display_says_so_and_suggests_the_terminal_commands(tmp_path: Path) -> None:
    result = run_without_display(cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "no display" in result.stderr
    assert "clickaudit scan" in result.stderr and "clickaudit audit" in result.stderr
    assert "xcb" not in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux's")
def test_an_existing_file_without_a_display_gets_the_same_message(tmp_path: Path) -> None:
    email = tmp_path / "a.eml"
    email.write_text("Subject: x\n\nhello https://example.org\n", "utf-8")
    result = run_without_display(str(email), cwd=tmp_path)
    assert result.returncode == 2 and "no display" in result.stderr


@pytest.mark.parametrize(
    ("typo", "command"), [("scna", "scan"), ("audti", "audit"), ("histroy", "history")]
)
def test_a_mistyped_command_is_a_usage_error_with_a_suggestion(
    tmp_path: Path, typo: str, command: str
) -> None:
    result = run_without_display(typo, cwd=tmp_path)
    assert result.returncode == 2
    assert f"did you mean '{command}'?" in result.stderr
    assert "no display" not in result.stderr  # a usage error, before any window is tried


def test_a_word_like_no_command_lists_the_commands(tmp_path: Path) -> None:
    result = run_without_display("zzzzzz", cwd=tmp_path)
    assert result.returncode == 2
    assert "neither a command nor an existing file" in result.stderr
    assert "scan" in result.stderr and "audit" in result.stderr
