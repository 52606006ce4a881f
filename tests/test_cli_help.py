"""What a user reads from ``--help`` and from a mistyped finding code."""

from __future__ import annotations

from pathlib import Path

import pytest

from clickaudit.cli import command_names, main


@pytest.mark.parametrize("command", sorted(command_names()))
def test_every_command_help_is_plain_text_with_a_description(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert "``" not in text  # reST markup from a docstring is not for the terminal
    usage, description = text.split("\n\n")[:2]
    assert usage.startswith(f"usage: clickaudit {command}")
    assert not description.lstrip().startswith(("positional arguments", "options"))


def test_an_unknown_finding_code_is_a_usage_error_naming_the_nearest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["checks", "redirect-lop"]) == 2
    err = capsys.readouterr().err
    assert "no finding code 'redirect-lop'" in err
    assert "redirect-loop" in err


def test_a_known_finding_code_is_shown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks", "redirect-loop"]) == 0
    assert capsys.readouterr().out.startswith("redirect-loop  [error")


def test_audit_help_names_every_user_agent_profile_and_the_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from clickaudit.commands.audit import USER_AGENT_PROFILES
    from clickaudit.follow import USER_AGENTS
    from clickaudit.thresholds import MAX_HOPS

    assert set(USER_AGENT_PROFILES) == set(USER_AGENTS)
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert ", ".join(USER_AGENT_PROFILES) + " (default desktop)" in text
    assert "(default 10)" in text and f"(default {MAX_HOPS})" in text
    assert "--blocklist [NAME=]ZONE[@TESTNAME]" in text  # as the README writes it


def test_a_mistyped_history_date_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was compared as text, and the history answered 'No audits.' with exit 0."""
    with pytest.raises(SystemExit) as exited:
        main(["history", "--db", str(tmp_path / "h.db"), "--since", "26/11/2026"])
    assert exited.value.code == 2
    assert "'26/11/2026' is not a date (YYYY-MM-DD)" in capsys.readouterr().err
