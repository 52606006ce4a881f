"""Hostile emails cost bounded time and lose nothing silently (issue 18, defects 6 and 7):
header fields are read in one pass up to a cap, and MIME nested past what can be read is cut
with a note naming what was skipped, never a traceback."""

from __future__ import annotations

import pytest

from clickaudit.load import MAX_ATTACHMENT_DEPTH, MAX_HEADER_FIELDS, load_bytes
from clickaudit.model import EmailNoteKind


def _many_headers(count: int) -> bytes:
    fields = "".join(f"X-Trace-{n}: v{n}\r\n" for n in range(count))
    return (
        "From: Shop <news@shop.example>\r\nSubject: Many headers\r\n"
        f"{fields}DKIM-Signature: v=1; d=shop.example; s=s1; b=x\r\n"
        "Content-Type: text/html\r\n\r\n<a href='https://shop.example/'>Shop</a>\r\n"
    ).encode()


# pytest-timeout bounds the test: before the fix 20,000 fields took 23 s and 100,000 never ended.
@pytest.mark.timeout(60)
def test_a_hundred_thousand_header_fields_are_read_up_to_the_cap_with_a_note() -> None:
    [mail] = load_bytes(_many_headers(100_000), "headers.eml")
    assert mail.headers.from_address == "news@shop.example"
    assert mail.headers.subject == "Many headers"
    assert [n for n in mail.notes if n.kind is EmailNoteKind.TOO_MANY_HEADERS] != []
    [note] = [n for n in mail.notes if n.kind is EmailNoteKind.TOO_MANY_HEADERS]
    assert f"only the first {MAX_HEADER_FIELDS:,} were read" in note.text
    assert "100,004 header fields" in note.text
    assert mail.parts and "shop.example" in mail.parts[0].text  # the body is still read


def test_header_fields_under_the_cap_are_all_read_without_a_note() -> None:
    [mail] = load_bytes(_many_headers(2_000), "headers.eml")
    assert [s.domain for s in mail.headers.dkim] == ["shop.example"]
    assert "X-Trace-0" in mail.headers.esp_headers
    assert not [n for n in mail.notes if n.kind is EmailNoteKind.TOO_MANY_HEADERS]


def _nested_multiparts(depth: int) -> bytes:
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{n}"\r\n\r\n--b{n}\r\n' for n in range(depth)
    )
    closing = "".join(f"\r\n--b{n}--\r\n" for n in reversed(range(depth)))
    return (
        "From: a@shop.example\r\nSubject: Deep\r\nMIME-Version: 1.0\r\n"
        f"{opening}Content-Type: text/html\r\n\r\n<a href='https://deep.example/'>x</a>{closing}"
    ).encode()


def test_a_thousand_nested_multiparts_give_a_note_not_a_traceback() -> None:
    [mail] = load_bytes(_nested_multiparts(1_000), "deep.eml")
    [note] = [n for n in mail.notes if n.kind is EmailNoteKind.NESTING_TOO_DEEP]
    assert "1,000 multipart or attached-message parts" in note.text
    assert "skipped" in note.text


def test_a_deeply_nested_eml_attachment_gives_its_email_a_note() -> None:
    import base64

    inner = base64.encodebytes(_nested_multiparts(1_000)).decode()
    data = (
        "From: a@shop.example\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="o"\r\n\r\n'
        "--o\r\nContent-Type: text/html\r\n\r\n<a href='https://outer.example/'>o</a>\r\n"
        '--o\r\nContent-Type: application/octet-stream; name="deep.eml"\r\n'
        'Content-Disposition: attachment; filename="deep.eml"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{inner}\r\n--o--\r\n"
    ).encode()
    emails = load_bytes(data, "fwd.eml")
    assert len(emails) == 2
    assert "outer.example" in emails[0].parts[0].text
    assert [n.kind for n in emails[0].notes] == [EmailNoteKind.NESTING_TOO_DEEP]


def test_multiparts_nested_a_little_are_read_whole() -> None:
    [mail] = load_bytes(_nested_multiparts(30), "deep.eml")
    assert "deep.example" in mail.parts[0].text
    assert not [n for n in mail.notes if n.kind is EmailNoteKind.NESTING_TOO_DEEP]


def _nested_attached_messages(depth: int) -> bytes:
    inner = (
        "From: last@shop.example\r\nSubject: innermost\r\nContent-Type: text/html\r\n\r\n"
        "<a href='https://inner.example/'>x</a>\r\n"
    )
    for n in range(depth):
        inner = (
            f"From: level{n}@shop.example\r\nSubject: level {n}\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="m{n}"\r\n\r\n'
            f"--m{n}\r\nContent-Type: text/plain\r\n\r\nSee https://level{n}.example/\r\n"
            f"--m{n}\r\nContent-Type: message/rfc822\r\n\r\n{inner}\r\n--m{n}--\r\n"
        )
    return inner.encode()


def test_two_hundred_nested_attached_messages_are_read_to_the_limit_and_the_rest_named() -> None:
    emails = load_bytes(_nested_attached_messages(200), "forwarded.eml")
    assert len(emails) == MAX_ATTACHMENT_DEPTH + 1
    notes = [n for e in emails for n in e.notes if n.kind is EmailNoteKind.NESTING_TOO_DEEP]
    assert len(notes) == 1
    deepest = ".".join(["1"] * (MAX_ATTACHMENT_DEPTH + 1))
    assert f"attached message {deepest} and those inside it were skipped" in notes[0].text


def _email_with_links(count: int) -> bytes:
    anchors = "".join(
        f'<a href="https://shop{n % 50}.example/p/{n}">P{n}</a>\n' for n in range(count)
    )
    return (
        "From: Shop <news@shop.example>\nSubject: Many links\nMIME-Version: 1.0\n"
        f"Content-Type: text/html; charset=utf-8\n\n<html><body>{anchors}</body></html>\n"
    ).encode()


def test_links_past_the_cap_are_counted_and_named_in_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from clickaudit import extract, pipeline, scanning

    monkeypatch.setattr(extract, "MAX_LINKS", 100)
    monkeypatch.setattr(scanning, "MAX_LINKS", 100)
    [mail] = load_bytes(_email_with_links(250), "many.eml")
    audit = pipeline.scan_email(mail)
    assert [link.id for link in audit.links] == list(range(1, 101))
    [note] = [n for n in audit.email.notes if n.kind is EmailNoteKind.TOO_MANY_LINKS]
    assert note.text == "the email has 250 links; only the first 100 were audited (150 skipped)"


# VmHWM, not getrusage: a child's ru_maxrss also counts the parent it was forked from.
MEASURE_SCAN = """
import re, sys
from clickaudit.load import load_path
from clickaudit.pipeline import scan_email
from clickaudit.report.json_report import dumps
[mail] = load_path(sys.argv[1])
audit = scan_email(mail)
report = dumps([audit])
peak_kb = re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)
print(len(audit.links), int(peak_kb) // 1024)
"""


def test_a_two_hundred_thousand_link_email_is_scanned_in_bounded_memory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from clickaudit.extract import MAX_LINKS

    path = tmp_path / "links.eml"
    path.write_bytes(_email_with_links(200_000))
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE_SCAN, str(path)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    links, peak_mb = map(int, completed.stdout.split())
    assert links == MAX_LINKS
    assert peak_mb <= 600, f"peak {peak_mb} MB"  # before the cap: ~5.6 KB a link, 1.1 GB
