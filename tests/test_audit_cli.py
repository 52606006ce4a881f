"""`clickaudit audit` and `clickaudit demo --cli` end to end against the built-in demo world:
every failure the sample campaign is built to show is found, and the options do what they say."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from clickaudit.bundled import read_text
from clickaudit.cli import main
from clickaudit.demo import EXPECTED_FINDINGS, DemoWorld
from clickaudit.store import Store
from tests.conftest import run_clickaudit

SCHEMA = json.loads(read_text("schema", "report.schema.json"))


@pytest.fixture(scope="module")
def world() -> Iterator[DemoWorld]:
    with DemoWorld() as demo:
        yield demo


def audit_args(world: DemoWorld, *extra: str) -> list[str]:
    settings = world.settings
    assert world.files is not None and settings.ca_bundle
    return [
        "audit",
        "--nameserver",
        f"127.0.0.1:{settings.nameservers[0].port}",
        "--ca-bundle",
        settings.ca_bundle,
        "--allow-private",
        "--timeout",
        "3",
        "--blocklist",
        settings.blocklist_zones[0],
        "--template",
        str(world.files.template),
        *extra,
        str(world.files.campaign),
    ]


def test_the_demo_campaign_shows_every_failure_it_is_built_for(
    world: DemoWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "h.db"
    status = main(audit_args(world, "--format", "json", "--db", str(db)))
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, SCHEMA)
    codes = {f["code"] for f in report["findings"]}
    codes |= {f["code"] for link in report["links"] for f in link["findings"]}
    codes |= {f["code"] for domain in report["domains"] for f in domain["findings"]}
    assert sorted(set(EXPECTED_FINDINGS) - codes) == []
    assert status == 1  # errors exist: the default --fail-on error fails
    loop = next(
        link
        for link in report["links"]
        if any(f["code"] == "redirect-loop" for f in link["findings"])
    )
    assert len(loop["chain"]) >= 3 and loop["chain"][0]["status"] == 302
    boots = next(link for link in report["links"] if link["text"] == "Trail boots")
    assert boots["expected"].endswith(
        "/p/trail-boots?utm_source=newsletter&utm_medium=email&utm_campaign=winter-sale"
    )
    unsubscribe = [link for link in report["links"] if link["text"] == "Unsubscribe"]
    assert unsubscribe and all(not link["chain"] for link in unsubscribe)
    with Store.open(db) as store:
        assert len(store.history()) == 1


def test_safe_mode_never_requests_a_tracked_link(
    world: DemoWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(world.sim.requests_to("click.northwind.example"))
    main(audit_args(world, "--safe", "--no-save", "--no-domains", "--format", "json"))
    report = json.loads(capsys.readouterr().out)
    assert len(world.sim.requests_to("click.northwind.example")) == before
    opaque = [
        link for link in report["links"] if link["category"] == "tracked" and not link["decoded"]
    ]
    assert opaque and all(not link["chain"] for link in opaque)
    assert any(f["code"] == "redirect-not-followed" for link in opaque for f in link["findings"])


def test_junit_report_for_a_ci_pipeline(
    world: DemoWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "audit.xml"
    status = main(
        audit_args(
            world,
            "--no-save",
            "--no-domains",
            "--format",
            "junit",
            "--output",
            str(target),
            "--fail-on",
            "warning",
        )
    )
    assert status == 1
    root = ElementTree.parse(target).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    failures = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert int(suite.get("failures", "0")) == len(failures) > 0
    assert int(suite.get("tests", "0")) == len(list(suite.iter("testcase")))


def test_html_report_is_self_contained_and_redaction_masks_recipients(
    world: DemoWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.html"
    main(
        audit_args(
            world,
            "--no-save",
            "--no-domains",
            "--format",
            "html",
            "--output",
            str(target),
            "--redact",
        )
    )
    html = target.read_text("utf-8")
    assert "<!DOCTYPE html>" in html and "Winter sale" in html
    assert ' src="http' not in html and "<link" not in html and "<script" not in html
    assert "@northwind.example" not in html.split("<footer>")[0].replace(
        "news@northwind.example", ""
    )
    assert "upn=[token]" in html or "upn=%5Btoken%5D" in html


def test_bad_options_and_files_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["audit", "--user-agent", "toaster", str(tmp_path / "x.eml")]) == 2
    assert "unknown profile 'toaster'" in capsys.readouterr().err
    assert main(["audit", "--no-save", str(tmp_path / "missing.eml")]) == 2
    assert "missing.eml: no such file" in capsys.readouterr().err
    policy = tmp_path / "policy.toml"
    policy.write_text("[policy]\nnope = 1\n", "utf-8")
    empty = tmp_path / "a.html"
    empty.write_text('<a href="https://x.example/">x</a>', "utf-8")
    assert (
        main(
            [
                "audit",
                "--no-save",
                "--no-follow",
                "--no-domains",
                "--policy",
                str(policy),
                str(empty),
            ]
        )
        == 2
    )
    assert "policy.toml: unknown key" in capsys.readouterr().err


def test_demo_cli_prints_the_report() -> None:
    result = run_clickaudit("demo", "--cli", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["source"]["esp"] == "SendGrid" and len(report["links"]) == 40


def test_every_command_has_help_and_the_version_is_printed() -> None:
    from clickaudit import __version__
    from clickaudit.commands import COMMAND_MODULES

    for module in COMMAND_MODULES:
        with pytest.raises(SystemExit) as exited:
            main([module.NAME, "--help"])
        assert exited.value.code == 0
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__
