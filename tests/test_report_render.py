"""Every report is made by one function, ``clickaudit.report.render``: each format comes out of it
as its own module writes it, and nothing outside ``clickaudit.report`` picks a format's module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import clickaudit
from clickaudit.model import Severity
from clickaudit.report import FORMATS, csv_report, html, json_report, junit, render, text
from clickaudit.report.redact import redact_audit
from tests.factories import sample_audit

AUDITS = [sample_audit(), sample_audit()]
FORMAT_MODULES = {"json_report", "html", "csv_report", "junit", "text"}
RENDERERS = {"render", "render_one", "dumps", "dumps_line"}


def test_each_format_renders_through_the_one_function_as_its_module_writes_it() -> None:
    expected = {
        "text": text.render(AUDITS, width=100),
        "json": json_report.dumps(AUDITS),
        "jsonl": "".join(json_report.dumps_line(audit) + "\n" for audit in AUDITS),
        "html": html.render(AUDITS),
        "csv": csv_report.render(AUDITS),
        "junit": junit.render(AUDITS, fail_on=Severity.ERROR),
    }
    assert set(expected) == set(FORMATS)
    for fmt, report in expected.items():
        assert render(AUDITS, fmt, width=100) == report, fmt


def test_junit_cases_fail_at_the_severity_asked_for() -> None:
    for fail_on in (Severity.WARNING, None):
        assert render(AUDITS, "junit", fail_on=fail_on) == junit.render(AUDITS, fail_on=fail_on)


def test_a_redacted_report_is_the_report_of_the_redacted_audits() -> None:
    for fmt in FORMATS:
        redacted = [redact_audit(audit) for audit in AUDITS]
        assert render(AUDITS, fmt, width=100, redact=True) == render(redacted, fmt, width=100)


def test_an_unknown_format_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'pdf'"):
        render(AUDITS, "pdf")


def test_no_module_outside_the_reports_imports_a_formats_module_to_render_it() -> None:
    """The command line, the app and the cluster call ``report.render`` (or the stream's pieces);
    a second dispatch on the format is how the app once reached into the command line's."""
    package = Path(clickaudit.__file__).parent
    offenders = []
    for path in package.rglob("*.py"):
        if path.is_relative_to(package / "report"):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "clickaudit.report":
                names = {alias.name for alias in node.names} & FORMAT_MODULES
            elif isinstance(node, ast.ImportFrom) and node.module in {
                f"clickaudit.report.{name}" for name in FORMAT_MODULES
            }:
                names = {alias.name for alias in node.names} & RENDERERS
            else:
                continue
            if names:
                offenders.append(f"{path.relative_to(package)}: {sorted(names)}")
    assert offenders == []
