"""JUnit XML: one test suite per email, one test case per link, failures for its findings.

CI systems (GitLab, Jenkins, GitHub annotations) read JUnit, so a campaign check in a pipeline
shows each broken link as a failed test with the finding's message and fix.

A batch's document is made one suite at a time (:func:`suite`), so that a report of thousands of
emails need not hold them all; only the root's totals wait for the last (:func:`head`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from clickaudit.model import Audit, Finding, Severity

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
INDENT = "  "


@dataclass(frozen=True, slots=True)
class Suite:
    """One email's ``<testsuite>``, laid out as it stands inside the root, and its counts."""

    xml: str
    tests: int
    failures: int


def render(audits: Sequence[Audit], *, fail_on: Severity | None = Severity.ERROR) -> str:
    """JUnit XML of the audits; findings at or above ``fail_on`` are failures, the rest output."""
    suites = [suite(audit, fail_on=fail_on) for audit in audits]
    if not suites:
        return DECLARATION + '<testsuites name="clickaudit" tests="0" failures="0" />'
    return (
        head(sum(s.tests for s in suites), sum(s.failures for s in suites))
        + "".join(body_of(s) for s in suites)
        + TAIL
    )


def head(tests: int, failures: int) -> str:
    """The declaration and the root's start tag, with the totals of all suites."""
    return DECLARATION + f'<testsuites name="clickaudit" tests="{tests}" failures="{failures}">'


def body_of(one: Suite) -> str:
    """A suite as the document holds it: on its own line, indented one level."""
    return "\n" + INDENT + one.xml


TAIL = "\n</testsuites>"


def suite(audit: Audit, *, fail_on: Severity | None) -> Suite:
    """One email's test suite: a case per link, one for the email, one per domain."""
    element = ET.Element("testsuite", name=audit.email.source.label)
    cases = [(f"link {link.id}: {link.href}", link.findings) for link in audit.links]
    cases.append(("email", audit.findings))
    cases.extend((f"domain {d.name}", d.findings) for d in audit.domains)
    failures = 0
    for name, findings in cases:
        case = ET.SubElement(element, "testcase", classname=audit.email.source.label, name=name)
        failing = [f for f in findings if _fails(f, fail_on)]
        for f in failing:
            failure = ET.SubElement(case, "failure", type=f.code, message=f.message)
            failure.text = f"{f.severity.value}: {f.message}\nFix: {f.fix}"
        others = [f for f in findings if f not in failing]
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(f"{f.severity.value} {f.code}: {f.message}" for f in others)
        failures += bool(failing)
    element.set("tests", str(len(cases)))
    element.set("failures", str(failures))
    ET.indent(element, space=INDENT, level=1)
    return Suite(ET.tostring(element, encoding="unicode"), len(cases), failures)


def _fails(f: Finding, fail_on: Severity | None) -> bool:
    return fail_on is not None and f.severity.rank >= fail_on.rank
