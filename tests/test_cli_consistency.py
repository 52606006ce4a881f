"""CLI consistency: export -o - writes to stdout and a file export says where it went; an unknown
finding code is a usage error (exit 2); --help shows defaults and no reST markup; diff ignores
what only the simulator's random port changed; stale demo folders are removed."""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path

import pytest

from clickaudit.cli import build_parser, main
from clickaudit.demo import OWNER_FILE, remove_stale_demo_folders
from clickaudit.diff import diff_audits
from clickaudit.model import Outcome, evolve
from tests.factories import sample_audit


def test_checks_with_an_unknown_code_is_a_usage_error_with_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["checks", "link-emty"]) == 2
    err = capsys.readouterr().err
    assert "no finding code 'link-emty'" in err and "link-empty" in err.split("did you mean")[1]


def subcommand(name: str) -> argparse.ArgumentParser:
    """The parser of one subcommand, as the command line builds it."""
    [subparsers] = [
        action
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    parser: argparse.ArgumentParser = subparsers.choices[name]
    return parser


@pytest.mark.parametrize("command", ["scan", "audit", "export", "history", "diff", "checks"])
def test_help_has_no_rest_markup(command: str) -> None:
    sub = subcommand(command)
    text = sub.format_help()
    assert "``" not in text and ":func:" not in text and ":class:" not in text


def test_help_names_defaults() -> None:
    audit = subcommand("audit")
    assert "default: error" in " ".join(audit.format_help().split())


def _export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str
) -> tuple[int, str, str]:
    from clickaudit.store import Store

    db = tmp_path / "history.db"
    with Store.open(str(db)) as store:
        audit_id = store.save(sample_audit())
    capsys.readouterr()
    status = main(["export", str(audit_id), "--format", "json", "-o", output, "--db", str(db)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_export_to_dash_writes_to_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chdir(tmp_path)
    status, out, _ = _export(tmp_path, capsys, "-")
    assert status == 0 and out.lstrip()[:1] in ("{", "[")
    assert not (tmp_path / "-").exists()


def test_export_to_a_file_says_where_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    status, out, err = _export(tmp_path, capsys, str(target))
    assert status == 0 and target.exists() and out == ""
    assert f"wrote {target}" in err


def test_diff_ignores_a_port_that_only_the_simulator_changed() -> None:
    a = sample_audit()
    link = a.links[0]
    moved = [
        evolve(link, final_url="https://shop.example:41607/sale", outcome=Outcome.OK),
    ]
    b_links = [
        evolve(link, final_url="https://shop.example:50211/sale", outcome=Outcome.OK),
    ]
    before = replace(a, links=(*moved, *a.links[1:]))
    after = replace(a, links=(*b_links, *a.links[1:]))
    assert not [c for c in diff_audits(before, after).changes if c.kind == "destination"]


def test_diff_still_reports_a_port_change_on_a_real_host() -> None:
    a = sample_audit()
    link = a.links[0]
    before = replace(
        a,
        links=(
            evolve(link, final_url="https://shop.com:8443/sale", outcome=Outcome.OK),
            *a.links[1:],
        ),
    )
    after = replace(
        a, links=(evolve(link, final_url="https://shop.com/sale", outcome=Outcome.OK), *a.links[1:])
    )
    assert [c for c in diff_audits(before, after).changes if c.kind == "destination"]


def test_a_demo_folder_left_by_a_killed_process_is_removed(tmp_path: Path) -> None:
    dead = tmp_path / "clickaudit-demo-dead"
    dead.mkdir()
    (dead / OWNER_FILE).write_text("999999999", "ascii")
    alive = tmp_path / "clickaudit-demo-alive"
    alive.mkdir()
    (alive / OWNER_FILE).write_text(str(os.getpid()), "ascii")
    foreign = tmp_path / "clickaudit-demo-foreign"
    foreign.mkdir()
    assert remove_stale_demo_folders(tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and foreign.exists()
