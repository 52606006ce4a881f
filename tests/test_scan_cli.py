"""`clickaudit scan`: reports, exit statuses, and bad files that never stop the others."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from clickaudit.bundled import read_text
from clickaudit.cli import main
from tests.conftest import run_clickaudit

SCHEMA = json.loads(read_text("schema", "report.schema.json"))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_report_of_one_email_validates_and_lists_every_link(
    capsys: pytest.CaptureFixture[str], fixtures: Path
) -> None:
    status, out, _ = run(
        capsys, "scan", "--format", "json", str(fixtures / "emails" / "qp_soft_breaks.eml")
    )
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    assert report["source"]["esp"] == "SendGrid"
    assert report["summary"]["links"] == len(report["links"]) == 6
    assert {link["part"] for link in report["links"]} == {"html", "text", "header"}
    assert report["pixels"][0]["src"] == "https://u1.ct.sendgrid.net/wf/open?upn=abc"
    assert status == 0


def test_an_mbox_gives_an_array_of_reports(
    capsys: pytest.CaptureFixture[str], fixtures: Path
) -> None:
    _, out, _ = run(
        capsys, "scan", "--format", "json", str(fixtures / "emails" / "two_messages.mbox")
    )
    reports = json.loads(out)
    jsonschema.validate(reports, SCHEMA)
    assert [r["source"]["subject"] for r in reports] == ["First", "Second"]


def test_errors_set_the_exit_status_unless_told_otherwise(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "broken.html"
    page.write_text('<a href="{{ url }}">Buy</a> <a href="https://shop.example/">Shop</a>', "utf-8")
    assert run(capsys, "scan", str(page))[0] == 1
    assert run(capsys, "scan", "--fail-on", "never", str(page))[0] == 0


def test_a_bad_file_is_named_on_stderr_and_the_others_are_still_scanned(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fixtures: Path
) -> None:
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    good = fixtures / "emails" / "qp_soft_breaks.eml"
    status, out, err = run(
        capsys, "scan", "--format", "json", str(empty), str(tmp_path / "missing.eml"), str(good)
    )
    assert status == 2
    assert f"{empty}: the file is empty" in err
    assert "missing.eml: no such file" in err
    assert json.loads(out)["source"]["path"] == str(good)


def test_the_text_report_is_a_table_with_findings_and_fixes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "campaign.html"
    page.write_text(
        '<a href="https://shop.example/gift cards">Gift cards</a> <a href="/account">Account</a>',
        "utf-8",
    )
    _, out, _ = run(capsys, "scan", str(page))
    assert "Gift cards" in out and "malformed" in out
    assert "link-malformed" in out and "link-relative" in out
    assert "fix:" in out


def test_python_dash_m_and_the_console_script_agree(fixtures: Path) -> None:
    result = run_clickaudit(
        "scan", "--format", "json", str(fixtures / "emails" / "vml_button.html"), timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert any(link["element"] == "vml" for link in json.loads(result.stdout)["links"])


def test_every_corpus_email_scans_without_a_traceback(corpus: Path) -> None:
    emails = sorted(str(p) for p in corpus.glob("*.eml"))
    result = run_clickaudit("scan", "--format", "json", "--fail-on", "never", *emails)
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    jsonschema.validate(reports, SCHEMA)
    assert len(reports) == len(list(corpus.glob("*.eml")))
