"""HTML, CSV and JUnit reports of a batch: each audit's part is made as the audit is, the
document written when the batch ends — byte for byte the report made from the whole list, in
memory that does not grow with the number of emails."""

from __future__ import annotations

import io
import mailbox
from dataclasses import replace
from pathlib import Path

import pytest

from clickaudit.cli import main
from clickaudit.model import Audit, Severity
from clickaudit.report import render
from clickaudit.report import stream as report_stream
from clickaudit.report.stream import DOCUMENT_FORMATS, DocumentWriter
from tests.factories import sample_audit


def audits(count: int) -> list[Audit]:
    audit = sample_audit()
    return [
        replace(audit, email=replace(audit.email, source=replace(audit.email.source, path=f"e{n}")))
        for n in range(count)
    ]


def made_piece_by_piece(batch: list[Audit], fmt: str, fail_on: Severity | None) -> str:
    document = DocumentWriter(fmt, fail_on=fail_on)
    for audit in batch:
        document.add(audit)
    out = io.StringIO()
    document.write_to(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", DOCUMENT_FORMATS)
@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_document_made_audit_by_audit_is_the_report_of_the_whole_list(
    fmt: str, count: int
) -> None:
    batch = audits(count)
    for fail_on in (Severity.ERROR, Severity.WARNING, None):
        assert made_piece_by_piece(batch, fmt, fail_on) == render(batch, fmt, fail_on=fail_on)


@pytest.mark.parametrize("fmt", DOCUMENT_FORMATS)
def test_a_document_larger_than_the_memory_spool_is_written_whole_from_disk(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_stream, "SPOOL_IN_MEMORY", 100)
    batch = audits(5)
    assert made_piece_by_piece(batch, fmt, Severity.ERROR) == render(batch, fmt)


def test_a_report_of_one_email_is_titled_with_its_subject_and_of_several_is_not() -> None:
    one, two = (
        made_piece_by_piece(audits(1), "html", None),
        made_piece_by_piece(audits(2), "html", None),
    )
    subject = sample_audit().email.headers.subject
    assert f"<title>clickaudit: {subject}</title>" in one
    assert "<title>clickaudit report</title>" in two


def test_the_junit_root_counts_every_suite_of_the_batch() -> None:
    document = made_piece_by_piece(audits(3), "junit", Severity.WARNING)
    suites = render(audits(1), "junit", fail_on=Severity.WARNING)
    one_tests = suites.split('<testsuite name="e0" tests="', 1)[1].split('"', 1)[0]
    assert f'<testsuites name="clickaudit" tests="{3 * int(one_tests)}"' in document


@pytest.mark.parametrize("fmt", DOCUMENT_FORMATS)
def test_an_audit_batch_writes_its_document_to_the_file_asked_for(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = mailbox.mbox(str(tmp_path / "box.mbox"))
    for n in range(3):
        box.add(
            f"From: a@shop.example\nSubject: Offer {n}\n\n<a href='https://shop.example/{n}'>x</a>"
        )
    box.close()
    report = tmp_path / f"report.{fmt}"
    status = main(
        ["audit", str(tmp_path / "box.mbox"), "--no-follow", "--no-domains", "--no-save",
         "--format", fmt, "-o", str(report), "-j", "1", "--fail-on", "never"]
    )  # fmt: skip
    assert status == 0
    assert f"wrote {report}" in capsys.readouterr().err
    written = report.read_text(encoding="utf-8")
    assert [f"https://shop.example/{n}" in written for n in range(3)] == [True] * 3
    assert not list(tmp_path.glob(".report.*.part"))  # renamed into place, nothing left beside
    main(
        ["audit", str(tmp_path / "box.mbox"), "--no-follow", "--no-domains", "--no-save",
         "--format", fmt, "-j", "1", "--fail-on", "never"]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert printed.rstrip("\n") == written.rstrip("\n") and printed.endswith("\n")
