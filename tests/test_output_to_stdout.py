"""``-o -`` writes the report to stdout, as it does for every Unix tool: never a file named "-"."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from clickaudit.cli import main
from clickaudit.store import Store
from tests.conftest import FIXTURES
from tests.factories import sample_audit

CLICKS = FIXTURES / "clicks"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", ["html", "json", "csv", "junit"])
def test_export_dash_o_dash_writes_the_report_to_stdout(
    workdir: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    db = str(workdir / "h.db")
    with Store.open(db) as store:
        audit_id = store.save(sample_audit())
    assert main(["export", str(audit_id), "--db", db, "--format", fmt, "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert len(out) > 100
    if fmt == "json":
        assert json.loads(out)["source"]["esp"] == "SendGrid"
    if fmt == "csv":
        assert next(csv.reader(io.StringIO(out)))[:3] == ["email", "subject", "link_id"]
    assert not (workdir / "-").exists()


def test_scan_dash_o_dash_writes_the_report_to_stdout(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    email = str(CLICKS / "campaign.eml")
    assert main(["scan", email, "--format", "json", "--fail-on", "never", "-o", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["links"]
    assert not (workdir / "-").exists()


def test_clicks_dash_o_dash_writes_the_report_to_stdout(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = str(CLICKS / "docs" / "sendgrid_events.json")
    email = str(CLICKS / "campaign.eml")
    status = main(["clicks", events, "--email", email, "--format", "csv", "--no-save", "-o", "-"])
    assert status in (0, 1)
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) > 1
    assert not (workdir / "-").exists()
