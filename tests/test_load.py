"""Loading: MIME structures, transfer encodings, charsets with fallbacks, mbox, attachments, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from clickaudit.errors import InputError
from clickaudit.load import decode_text, load_bytes, load_path
from clickaudit.model import DkimSignature, EmailNoteKind, Part
from tests.conftest import corpus_file


def test_quoted_printable_soft_breaks_are_joined_and_headers_kept(fixtures: Path) -> None:
    [email] = load_path(fixtures / "emails" / "qp_soft_breaks.eml")
    html = email.html_parts[0].text
    assert 'href="https://shop.example/product?id=42&amp;utm_source=newsletter&amp;' in html
    text = email.text_parts[0].text
    assert "<https://shop.example/sale?utm_source=newsletter&utm_medium=email>" in text
    headers = email.headers
    assert headers.subject == "Soft breaks ✓"
    assert headers.from_address == "news@shop.example"
    assert headers.from_domain == "shop.example"
    assert headers.dkim == (DkimSignature("shop.example", "s2026"),)
    assert headers.list_unsubscribe.startswith("<https://shop.example/unsub?u=1>")
    assert headers.list_unsubscribe_post == "List-Unsubscribe=One-Click"
    assert headers.esp_headers["X-SG-EID"] == "abc"
    assert email.source.kind == "eml" and len(email.source.sha256) == 64


def test_wrongly_declared_charset_falls_back_and_says_so(fixtures: Path) -> None:
    [email] = load_path(fixtures / "emails" / "windows1252_declared_utf8.eml")
    part = email.parts[0]
    assert part.charset == "cp1252"
    assert "Café crème – 20€" in part.text
    assert "declared utf-8" in part.charset_note and "cp1252" in part.charset_note


def test_an_attached_message_is_loaded_as_its_own_email(fixtures: Path) -> None:
    outer, inner = load_path(fixtures / "emails" / "forwarded_attachment.eml")
    assert outer.headers.subject == "Fwd: this link does not work for me"
    assert inner.headers.subject == "Original campaign"
    assert inner.source.attachment_path == "1"
    assert inner.source.label.endswith("> attached 1")
    assert "safelinks" in inner.html_parts[0].text


def test_mbox_gives_one_email_per_message_and_unquotes_from_lines(fixtures: Path) -> None:
    emails = load_path(fixtures / "emails" / "two_messages.mbox")
    assert [e.headers.subject for e in emails] == ["First", "Second"]
    assert [e.source.index for e in emails] == [0, 1]
    assert "From the archive" in emails[0].text_parts[0].text


def test_html_and_text_files_are_emails_without_headers(tmp_path: Path) -> None:
    page = tmp_path / "template.html"
    page.write_text("<html><head><title>Sale</title></head><body>hi</body></html>", "utf-8")
    note = tmp_path / "note.txt"
    note.write_text("see https://shop.example/", "utf-8")
    [html] = load_path(page)
    [text] = load_path(note)
    assert (html.source.kind, html.parts[0].kind, html.headers.subject) == (
        "html",
        Part.HTML,
        "Sale",
    )
    assert (text.source.kind, text.parts[0].kind) == ("txt", Part.TEXT)


def test_html_saved_with_an_eml_name_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "saved.eml"
    path.write_text('<html><body><a href="https://x.example/">x</a></body></html>', "utf-8")
    [email] = load_path(path)
    assert email.parts[0].kind is Part.HTML


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "is a PNG image"),
        (b"%PDF-1.7\n" + bytes(100), "is a PDF document"),
        (bytes(range(256)) * 40, "binary data"),
    ],
)
def test_files_that_are_not_emails_are_refused_with_the_reason(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "input.eml"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_path(path)
    assert caught.value.path == str(path)
    assert problem in caught.value.problem


def test_a_missing_file_and_a_folder_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_path(tmp_path / "nope.eml")
    with pytest.raises(InputError, match="folder"):
        load_path(tmp_path)


def test_declared_charset_that_does_not_exist_falls_back() -> None:
    text, charset, note = decode_text("Grüße".encode(), "x-no-such-charset")
    assert (text, charset) == ("Grüße", "utf-8")
    assert "unknown charset" in note


def test_a_few_null_bytes_do_not_make_an_email_binary() -> None:
    data = b"From: a@b.example\r\nSubject: x\r\n\r\nhello \x00 https://b.example/\r\n"
    [email] = load_bytes(data, "nulls.eml")
    assert "https://b.example/" in email.parts[0].text


def test_deeply_nested_attachments_stop_at_the_cap_with_a_note() -> None:
    message = b"From: a@b.example\r\nSubject: leaf\r\nContent-Type: text/plain\r\n\r\nhttps://b.example/\r\n"
    for depth in range(30):
        message = (
            b"From: a@b.example\r\nSubject: level %d\r\nContent-Type: message/rfc822\r\n\r\n"
            % depth
            + message
        )
    emails = load_bytes(message, "nested.eml")
    assert 2 <= len(emails) <= 22
    assert any(note.kind is EmailNoteKind.NESTING_TOO_DEEP for e in emails for note in e.notes)


def test_declared_boundary_that_never_occurs_is_repaired() -> None:
    path = corpus_file("ss_malformed_boundary_base64.eml")
    [email] = load_path(path)
    assert email.parts[0].kind is Part.HTML
    assert "calorsolar.tk" in email.parts[0].text
    assert any("declared boundary" in note.text for note in email.notes)


def test_every_corpus_email_loads_with_at_least_one_part(corpus: Path) -> None:
    for path in sorted(corpus.glob("*.eml")):
        emails = load_path(path)
        assert emails, path.name
        assert emails[0].parts, path.name
