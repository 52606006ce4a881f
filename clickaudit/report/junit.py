"""JUnit XML: one test suite per email, one test case per link, failures for its findings.

CI systems (GitLab, Jenkins, GitHub annotations) read JUnit, so a campaign check in a pipeline
shows each broken link as a failed test with the finding's message and fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree import ElementTree as ET

from clickaudit.model import Audit, Finding, Severity


def render(audits: Sequence[Audit], *, fail_on: Severity | None = Severity.ERROR) -> str:
    """JUnit XML of the audits; findings at or above ``fail_on`` are failures, the rest output."""
    suites = ET.Element("testsuites", name="clickaudit")
    total = failures = 0
    for audit in audits:
        suite = ET.SubElement(suites, "testsuite", name=audit.email.source.label)
        cases = [(f"link {link.id}: {link.href}", link.findings) for link in audit.links]
        cases.append(("email", audit.findings))
        cases.extend((f"domain {d.name}", d.findings) for d in audit.domains)
        suite_failures = 0
        for name, findings in cases:
            case = ET.SubElement(suite, "testcase", classname=audit.email.source.label, name=name)
            failing = [f for f in findings if _fails(f, fail_on)]
            for f in failing:
                failure = ET.SubElement(case, "failure", type=f.code, message=f.message)
                failure.text = f"{f.severity.value}: {f.message}\nFix: {f.fix}"
            others = [f for f in findings if f not in failing]
            if others:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(f"{f.severity.value} {f.code}: {f.message}" for f in others)
            suite_failures += bool(failing)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(suite_failures))
        total += len(cases)
        failures += suite_failures
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


def _fails(f: Finding, fail_on: Severity | None) -> bool:
    return fail_on is not None and f.severity.rank >= fail_on.rank
