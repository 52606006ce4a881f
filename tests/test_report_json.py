"""The JSON report is DESIGN.md's contract, described by resources/schema/report.schema.json."""

from __future__ import annotations

import json

import jsonschema

from clickaudit.bundled import read_text
from clickaudit.report.json_report import audit_from_dict, audit_to_dict, dumps
from tests.factories import sample_audit

SCHEMA = json.loads(read_text("schema", "report.schema.json"))


def test_report_of_one_email_is_an_object_that_validates() -> None:
    report = json.loads(dumps([sample_audit()]))
    jsonschema.validate(report, SCHEMA)
    assert isinstance(report, dict)


def test_report_of_several_emails_is_an_array() -> None:
    report = json.loads(dumps([sample_audit(), sample_audit()]))
    jsonschema.validate(report, SCHEMA)
    assert isinstance(report, list) and len(report) == 2


def test_report_has_the_keys_design_md_promises() -> None:
    report = audit_to_dict(sample_audit())
    assert {
        "schema",
        "tool",
        "version",
        "source",
        "links",
        "domains",
        "findings",
        "summary",
    } <= set(report)
    assert set(report["source"]) >= {"path", "sha256", "kind", "subject", "from", "esp"}
    link = report["links"][0]
    assert set(link) >= {
        "id",
        "part",
        "element",
        "text",
        "href",
        "category",
        "reason",
        "esp",
        "decoded",
        "expected",
        "chain",
        "final_url",
        "utm",
        "findings",
    }
    assert set(link["chain"][0]) >= {"url", "status", "location", "kind", "ms"}
    assert set(link["findings"][0]) == {"code", "severity", "message", "fix", "subject"}
    domain = report["domains"][0]
    assert set(domain) >= {
        "name",
        "roles",
        "cname",
        "esp",
        "addresses",
        "tls",
        "auth",
        "blocklists",
        "findings",
    }
    assert set(report["summary"]) >= {"links", "tracked", "untrackable", "errors", "warnings"}


def test_summary_counts_every_finding_of_the_audit() -> None:
    summary = audit_to_dict(sample_audit())["summary"]
    assert summary["links"] == 4
    assert summary["tracked"] == 1 and summary["untrackable"] == 1
    assert summary["errors"] == 2  # redirect-broken, link-merge-tag
    assert summary["warnings"] == 2  # tracking-domain-shared, list-unsubscribe-no-one-click
    assert summary["pixels"] == 1


def test_a_report_read_back_gives_the_same_report() -> None:
    first = audit_to_dict(sample_audit())
    again = audit_to_dict(audit_from_dict(json.loads(json.dumps(first))))
    assert again == first


def test_a_report_that_breaks_the_schema_is_rejected() -> None:
    report = audit_to_dict(sample_audit())
    report["links"][0]["category"] = "clicked"
    try:
        jsonschema.validate(report, SCHEMA)
    except jsonschema.ValidationError as error:
        assert "clicked" in error.message
    else:
        raise AssertionError("an unknown category must not validate")


def test_layers_and_esp_source_are_in_the_report_and_round_trip() -> None:
    from clickaudit.classify import classify_link
    from clickaudit.esp.fingerprints import load_fingerprints
    from clickaudit.model import Element, Link, Part
    from clickaudit.report.json_report import link_to_dict
    from clickaudit.report.layers import layers_line

    href = (
        "https://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fexample.us5.list-"
        "manage.com%2Ftrack%2Fclick%3Fu%3Dabc123%26id%3Ddef456&data=1"
    )
    link = classify_link(Link(1, Part.HTML, Element.A, href, "Sale"), load_fingerprints())
    data = link_to_dict(link)
    assert data["layers"] == [
        {"kind": "wrapper", "name": "Microsoft Safe Links", "url": href},
        {
            "kind": "tracker",
            "name": "Mailchimp",
            "url": "https://example.us5.list-manage.com/track/click?u=abc123&id=def456",
        },
    ]
    assert data["esp_source"] == "fingerprint"
    assert layers_line(link) == (
        "Microsoft Safe Links (wrapper) → Mailchimp (tracker) → (destination kept on the server)"
    )
    from clickaudit.model import evolve

    audit = sample_audit()
    first = evolve(audit.links[0], layers=link.layers, esp_source=link.esp_source)
    audit = evolve(audit, links=(first, *audit.links[1:]))
    report = audit_to_dict(audit)
    jsonschema.validate(report, SCHEMA)
    back = audit_from_dict(report)
    assert (back.links[0].layers, back.links[0].esp_source) == (link.layers, link.esp_source)
