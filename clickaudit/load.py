"""Load emails from files: .eml, .mbox, .html/.htm and .txt, into :class:`clickaudit.model.Email`.

Real emails lie about themselves: wrong charsets, broken boundaries, truncated base64, HTML saved
with a .eml name. Loading keeps going wherever a mail client would, and records each problem as a
note on the email (reports show them); only a file that is not an email at all (missing, empty,
binary, too large) raises :class:`InputError`, whose message names the file and the problem.
A forwarded message attached as message/rfc822 becomes an email of its own.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.headerregistry
import email.policy
import functools
import hashlib
import importlib
import mailbox
import os
import re
from collections.abc import Callable, Iterator
from email.message import Message
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from clickaudit import plain_headers
from clickaudit.errors import InputError
from clickaudit.model import (
    BodyPart,
    DkimSignature,
    Email,
    EmailNote,
    EmailNoteKind,
    Headers,
    Part,
    Source,
)

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_ATTACHMENT_DEPTH = 20
# Real mail has tens of header fields (long Received chains: a few hundred); more is an attack.
MAX_HEADER_FIELDS = 5_000
# multipart and attached-message parts read when a tree nests deeper than Python's parser recurses
MAX_MIME_CONTAINERS = 64
MAX_VALUES_PER_HEADER = 100  # DKIM-Signature, Authentication-Results
MAX_ESP_HEADERS = 200  # X-, Feedback-ID, List-ID...: tens in real mail
_ESP_HEADER_CHARS = 500  # of each: names and short values fingerprint an ESP, not 4 KB blobs
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt", ".text")
MBOX_SUFFIXES = (".mbox", ".mbx")
EML_SUFFIXES = (".eml", ".msg822", ".mht", ".email")
_BINARY_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an Outlook .msg or old Office file (save it as .eml)"),
    (b"\x7fELF", "a program"),
)
# Headers that name the sending platform: classification reads them to name the ESP.
_ESP_HEADER = re.compile(
    r"^(x-|feedback-id$|list-id$|precedence$|errors-to$|sender$|return-receipt)", re.I
)
# Control bytes text never has (tab, newlines, form feed and ESC, used by ISO-2022-JP, are allowed)
_BINARY_CONTROLS = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)


def load_path(path: str | os.PathLike[str]) -> list[Email]:
    """Every email in a file: one for .eml/.html/.txt, one per message of an mbox, plus one per
    attached message/rfc822.

    Raises:
        InputError: the file is missing, unreadable, empty, binary or too large.
    """
    file = Path(path)
    name = str(path)
    data = _read(file, name)
    kind = _kind_of(file, data)
    if kind == "mbox":
        return _load_mbox(file, name)
    return load_bytes(data, name, kind=kind)


def load_bytes(data: bytes, name: str = "<input>", *, kind: str | None = None) -> list[Email]:
    """Load from bytes; ``kind`` is ``eml``, ``html``, ``txt`` or ``mbox`` (sniffed when None)."""
    if not data.strip():
        raise InputError(name, "the file is empty")
    _refuse_binary(data, name)
    kind = kind or _sniff(data)
    if kind == "html":
        return [_load_document(data, name, Part.HTML)]
    if kind == "txt":
        return [_load_document(data, name, Part.TEXT)]
    try:
        if kind == "mbox":
            return [
                mail
                for index, message in enumerate(_split_mbox(data))
                for mail in _load_message(message, name, "mbox", index)
            ]
        return _load_message(data, name, "eml", 0)
    except RecursionError:
        # Each known deep structure is cut with a note where it is met; this is the backstop.
        raise InputError(name, "its MIME structure nests too deep to be read") from None


def _read(file: Path, name: str) -> bytes:
    try:
        if file.is_dir():
            raise InputError(name, "is a folder, not a file")
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                name,
                f"is too large ({size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB)",
            )
        return file.read_bytes()
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "permission denied: the file cannot be read") from None
    except OSError as error:
        raise InputError(name, f"cannot be read: {error.strerror or error}") from None


def _kind_of(file: Path, data: bytes) -> str:
    suffix = file.suffix.lower()
    if suffix in MBOX_SUFFIXES:
        return "mbox"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "txt"
    sniffed = _sniff(data)
    if suffix in EML_SUFFIXES and sniffed != "html":
        return "mbox" if sniffed == "mbox" else "eml"
    return sniffed


def _sniff(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = head[:512].lower()
    if head.startswith(b"From ") and re.match(rb"From \S+ ", head):
        return "mbox"
    if lower.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<table", b"<div")):
        return "html"
    if re.match(rb"[A-Za-z0-9-]+:[ \t]", head) or re.match(rb"[A-Za-z0-9-]+:\r?\n[ \t]", head):
        return "eml"
    if b"<html" in lower or b"<a " in lower:
        return "html"
    return "txt"


def _refuse_binary(data: bytes, name: str) -> None:
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise InputError(name, f"is {what}, not an email, HTML or text file")
    sample = data[:65536]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 text
    controls = len(sample) - len(sample.translate(None, _BINARY_CONTROLS))  # one pass, in C
    if sample.count(0) > max(8, len(sample) // 100) or controls > max(16, len(sample) // 20):
        raise InputError(name, "contains binary data, not an email, HTML or text file")


def _split_mbox(data: bytes) -> list[bytes]:
    """Messages of an mbox held in memory (``From `` separator lines, mboxrd ``>From`` unquoted)."""
    messages: list[bytes] = []
    current: list[bytes] = []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"From ") and (not current or current[-1].strip() == b""):
            if current:
                messages.append(b"".join(current))
            current = []
            continue
        if re.match(rb">+From ", line):
            line = line[1:]
        current.append(line)
    if current and b"".join(current).strip():
        messages.append(b"".join(current))
    return messages


def _load_mbox(file: Path, name: str) -> list[Email]:
    try:
        box = mailbox.mbox(str(file), create=False)
        keys = list(box.keys())
    except (OSError, mailbox.Error) as error:
        raise InputError(name, f"is not a readable mbox: {error}") from None
    emails: list[Email] = []
    for index, key in enumerate(keys):
        emails.extend(_load_message(box.get_bytes(key), name, "mbox", index))
    box.close()
    if not emails:
        raise InputError(name, "is an mbox with no messages")
    return emails


def _load_message(
    data: bytes, name: str, kind: str, index: int, attachment_path: str = "", depth: int = 0
) -> list[Email]:
    notes: list[EmailNote] = []
    message = _parse(data, notes)
    repaired = _repair_boundary(message, data)
    if repaired is not None:
        message, note = repaired
        notes.append(note)
    if not list(message.keys()):
        if _sniff(data) == "html":
            document = _load_document(data, name, Part.HTML)
            note = EmailNote(
                EmailNoteKind.READ_AS_DOCUMENT,
                "the file has no email headers; it was read as an HTML document",
            )
            return [_with_note(document, note)]
        notes.append(EmailNote(EmailNoteKind.NO_HEADERS, "the message has no headers"))
    source = Source(
        path=name,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=kind,
        index=index,
        attachment_path=attachment_path,
    )
    parts: list[BodyPart] = []
    attached: list[Message] = []
    attachment_names: list[str] = []
    _collect(message, parts, attached, attachment_names, notes)
    notes.extend(_defect_notes(message))
    if not parts:
        parts.extend(_recover_body(message, notes))
    headers = read_headers(message, notes)
    mail = Email(
        source=source,
        headers=headers,
        parts=tuple(
            BodyPart(p.kind, p.content_type, p.charset, p.text, i, p.charset_note)
            for i, p in enumerate(parts)
        ),
        raw=_decode_raw(data),
        attachments=tuple(attachment_names),
        notes=tuple(dict.fromkeys(notes)),
    )
    emails = [mail]
    for number, inner in enumerate(attached, start=1):
        path = f"{attachment_path}.{number}" if attachment_path else str(number)
        if depth + 1 > MAX_ATTACHMENT_DEPTH:
            emails[0] = _with_note(
                emails[0],
                EmailNote(
                    EmailNoteKind.NESTING_TOO_DEEP,
                    f"attached message {path} and those inside it were skipped: attached "
                    f"messages nest deeper than {MAX_ATTACHMENT_DEPTH} levels",
                ),
            )
            break
        inner_bytes = _message_bytes(_prune_attached(inner, MAX_ATTACHMENT_DEPTH - depth))
        if inner_bytes.strip():
            emails.extend(_load_message(inner_bytes, name, kind, index, path, depth + 1))
    return emails


class _HeaderClasses(email.headerregistry.HeaderRegistry):
    """The standard header registry, minus its habit of creating a new class for every header
    it parses (a third of a mail's parsing time went to ``type()``): one class per kind."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[type, type] = {}

    def __getitem__(self, name: str) -> type:
        cls = self.registry.get(name.lower(), self.default_class)
        made = self._made.get(cls)
        if made is None:
            made = self._made[cls] = super().__getitem__(name)
        return made


_HEADER_CLASSES = _HeaderClasses()


@functools.lru_cache(maxsize=4096)
def _parsed_header(name: str, value: str) -> Any:
    return _HEADER_CLASSES(name, value)


class _Policy(email.policy.EmailPolicy):
    """email.policy.default, each distinct header parsed once: the message asks for a part's
    Content-Type again for its type, its main type, its charset and each parameter, and the
    structured parse is slow. Parsed headers are immutable, so sharing one is safe."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if hasattr(value, "name") or len(value) > 2048:
            return super().header_fetch_parse(name, value)
        return _parsed_header(name, value.replace("\n", "").replace("\r", ""))


POLICY = _Policy(header_factory=_HEADER_CLASSES)

_CONTAINER_TYPE = re.compile(rb"^(content-type:[ \t]*)(multipart/|message/rfc822)", re.I | re.M)


def _parse(data: bytes, notes: list[EmailNote]) -> Message:
    """The MIME tree; a tree nested deeper than Python's parser can recurse is read down to
    :data:`MAX_MIME_CONTAINERS` containers, the parts below kept out, and a note says so."""
    try:
        return email.message_from_bytes(data, policy=POLICY)
    except RecursionError:
        pass
    kept = 0

    def keep_or_flatten(match: re.Match[bytes]) -> bytes:
        nonlocal kept
        kept += 1
        if kept <= MAX_MIME_CONTAINERS:
            return match.group(0)
        return match.group(1) + b"application/x-clickaudit-too-deep; was="

    flattened = _CONTAINER_TYPE.sub(keep_or_flatten, data)
    notes.append(
        EmailNote(
            EmailNoteKind.NESTING_TOO_DEEP,
            f"MIME parts nest deeper than can be read ({kept:,} multipart or attached-message "
            f"parts); the parts inside the first {MAX_MIME_CONTAINERS} were skipped",
        )
    )
    return email.message_from_bytes(flattened, policy=POLICY)


def _prune_attached(message: Message, levels: int) -> Message:
    """Cut attached messages nested more than ``levels`` deep inside ``message``.

    Re-serialising an attached message recurses through everything inside it, and a few
    hundred levels exhaust Python's stack; what lies beyond the attachment depth limit is never
    read anyway. The one level past the limit stays (emptied), so the depth note is given where
    the limit is reached. Iterative, so any depth is walked.
    """
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, level = stack.pop()
        payload = part.get_payload() if part.is_multipart() else None
        if not isinstance(payload, list):
            continue
        is_attached = part.get_content_type() == "message/rfc822"
        if is_attached and level >= levels:
            part.set_payload("(nested too deep: skipped)")
            continue
        for child in payload:
            if isinstance(child, Message):
                stack.append((child, level + 1 if is_attached else level))
    return message


_BOUNDARY_LINE = re.compile(rb"^--([^\s]{1,200}?)[ \t]*\r?\n(?=content-)", re.I | re.M)


def _repair_boundary(message: Message, data: bytes) -> tuple[Message, EmailNote] | None:
    """A multipart whose declared boundary never occurs, but whose body uses another one.

    Spam kits and broken mailers get this wrong; mail clients then show nothing, but the
    links are still in the body, so the boundary the body really uses is put in its place.
    """
    payload = message.get_payload()
    if message.get_content_maintype() != "multipart" or (isinstance(payload, list) and payload):
        return None
    declared = message.get_boundary()
    header_end = re.search(rb"\r?\n\r?\n", data)
    if not declared or not header_end:
        return None
    head, body = data[: header_end.start()], data[header_end.start() :]
    found = _BOUNDARY_LINE.search(body)
    if not found:
        return None
    actual = found.group(1)
    if actual.decode("ascii", "replace") == declared:
        return None
    fixed_head = head.replace(declared.encode("ascii", "replace"), actual, 1)
    if fixed_head == head:
        return None
    repaired = email.message_from_bytes(fixed_head + body, policy=POLICY)
    repaired_payload = repaired.get_payload()
    if not (isinstance(repaired_payload, list) and repaired_payload):
        return None
    note = EmailNote(
        EmailNoteKind.MALFORMED_MIME,
        f"MIME boundary problem: the declared boundary {declared!r} never occurs; the body's "
        f"boundary {actual.decode('ascii', 'replace')!r} was used instead",
    )
    return repaired, note


def _with_note(mail: Email, note: EmailNote) -> Email:
    from dataclasses import replace

    return replace(mail, notes=(*mail.notes, note))


def _message_bytes(message: Message) -> bytes:
    try:
        return message.as_bytes(policy=email.policy.default.clone(linesep="\r\n"))
    except Exception:  # a defective inner message the generator cannot re-serialise
        try:
            return message.as_string().encode("utf-8", "surrogateescape")
        except Exception:
            return b""


def _collect(
    part: Message,
    parts: list[BodyPart],
    attached: list[Message],
    attachment_names: list[str],
    notes: list[EmailNote],
) -> None:
    """Walk the MIME tree, stopping at attached messages (they are emails of their own)."""
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            attached.append(inner)
        return
    if part.is_multipart():
        payload = part.get_payload()
        for child in payload if isinstance(payload, list) else []:
            if isinstance(child, Message):
                _collect(child, parts, attached, attachment_names, notes)
        return
    disposition = (part.get_content_disposition() or "").lower()
    if content_type in ("text/html", "text/plain") and disposition != "attachment":
        kind = Part.HTML if content_type == "text/html" else Part.TEXT
        body = _decode_part(part, kind, notes)
        if body is not None and body.text.strip():
            parts.append(body)
        return
    filename = _safe_filename(part)  # only what is not a body part can be an attachment
    if content_type.endswith("/rfc822") or (filename or "").lower().endswith(".eml"):
        raw = part.get_payload(decode=True)
        if isinstance(raw, bytes) and raw.strip():
            attached.append(_parse(raw, notes))
            return
    if filename or disposition == "attachment":
        attachment_names.append(filename or content_type)


def _safe_filename(part: Message) -> str | None:
    try:
        return part.get_filename()
    except Exception:
        return None


def _decode_part(part: Message, kind: Part, notes: list[EmailNote]) -> BodyPart | None:
    content_type = part.get_content_type()
    try:
        payload = part.get_payload(decode=True)
    except Exception as error:
        notes.append(
            EmailNote(
                EmailNoteKind.PART_UNDECODABLE,
                f"a {content_type} part could not be decoded ({error}); it was skipped",
            )
        )
        return None
    if not isinstance(payload, bytes):
        return None
    if _damaged_base64(part):
        payload = _lenient_base64(part) or payload
    declared = _declared_charset(part)
    if kind is Part.HTML and not declared:
        match = _META_CHARSET.search(payload[:4096])
        declared = match.group(1).decode("ascii", "replace").lower() if match else None
    text, charset, note = decode_text(payload, declared)
    if note:
        note = f"{content_type}: {note}"
    return BodyPart(kind, content_type, charset, _normalise_newlines(text), 0, note)


def _damaged_base64(part: Message) -> bool:
    return any("Base64" in type(defect).__name__ for defect in getattr(part, "defects", ()))


def _lenient_base64(part: Message) -> bytes | None:
    """Decode what survives of a truncated or damaged base64 part: whole 4-character groups."""
    raw = part.get_payload(decode=False)
    if not isinstance(raw, str):
        return None
    text = re.sub(r"[^A-Za-z0-9+/=]", "", raw).split("=", 1)[0]
    text = text[: len(text) // 4 * 4]
    try:
        return base64.b64decode(text)
    except (binascii.Error, ValueError):
        return None


def _declared_charset(part: Message) -> str | None:
    try:
        charset = part.get_content_charset()
    except Exception:
        return None
    return charset.strip().strip('"').lower() if charset else None


def decode_text(data: bytes, declared: str | None) -> tuple[str, str, str]:
    """Decode bytes with the declared charset, falling back when it is wrong, unknown or absent.

    Returns (text, charset used, note); the note is empty when the declaration was right.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8", ""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16", ""
    if declared:
        codec = _codec(declared)
        if codec is None:
            text, used = _fallback(data)
            return text, used, f"unknown charset '{declared}'; decoded as {used}"
        try:
            return data.decode(codec), declared, ""
        except UnicodeDecodeError:
            text, used = _fallback(data, exclude=codec)
            return (
                text,
                used,
                f"declared {declared} but the bytes are not {declared}; decoded as {used}",
            )
    if data.isascii():
        return data.decode("ascii"), "us-ascii", ""
    text, used = _fallback(data)
    return text, used, f"no charset declared for non-ASCII text; decoded as {used}"


def _codec(name: str) -> str | None:
    import codecs

    aliases = {
        "utf8": "utf-8",
        "unicode-1-1-utf-7": "utf-7",
        "x-sjis": "shift_jis",
        "cp-850": "cp850",
    }
    name = aliases.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _fallback(data: bytes, exclude: str | None = None) -> tuple[str, str]:
    for codec in ("utf-8", "cp1252"):
        if codec == exclude:
            continue
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _normalise_newlines(text: str) -> str:
    if "\r" not in text:  # most text: one search instead of two replacing passes that copy
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_raw(data: bytes) -> str:
    try:
        return _normalise_newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        return _normalise_newlines(data.decode("latin-1"))


def _defect_notes(message: Message) -> Iterator[EmailNote]:
    for text in _defect_texts(message):
        yield EmailNote(EmailNoteKind.MALFORMED_MIME, text)


def _defect_texts(message: Message) -> Iterator[str]:
    for part in message.walk():
        for defect in getattr(part, "defects", ()):
            name = type(defect).__name__
            if name in ("StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect"):
                yield f"MIME boundary problem: {defect.__doc__ or name}".strip()
            elif name == "MultipartInvariantViolationDefect":
                yield "MIME structure: a multipart part has no parts"
            elif name in (
                "InvalidBase64PaddingDefect",
                "InvalidBase64CharactersDefect",
                "InvalidBase64LengthDefect",
            ):
                yield "MIME: a base64 part is damaged or truncated; its text may be incomplete"
            elif name == "MissingHeaderBodySeparatorDefect":
                yield "MIME: a header line without a colon; the headers may be truncated"


def _recover_body(message: Message, notes: list[EmailNote]) -> list[BodyPart]:
    """Nothing recognisable as a body part: read whatever text the message holds."""
    payload: object
    try:
        payload = (
            message.get_payload() if message.is_multipart() else message.get_payload(decode=True)
        )
    except Exception:
        payload = None
    if isinstance(payload, list) or payload is None:
        payload = message.get_payload() if not message.is_multipart() else ""
        if isinstance(payload, list):
            return []
    data = payload if isinstance(payload, bytes) else str(payload).encode("utf-8", "replace")
    if not data.strip():
        return []
    text, charset, note = decode_text(data, _declared_charset(message))
    kind = Part.HTML if re.search(rb"<(html|body|a\s|table)", data[:65536], re.I) else Part.TEXT
    if message.is_multipart() or message.get_content_maintype() not in ("text", ""):
        notes.append(
            EmailNote(
                EmailNoteKind.MALFORMED_MIME,
                "MIME structure broken: no readable part; the raw body was read instead",
            )
        )
    return [
        BodyPart(
            kind,
            f"text/{'html' if kind is Part.HTML else 'plain'}",
            charset,
            _normalise_newlines(text),
            0,
            note,
        )
    ]


def _load_document(data: bytes, name: str, kind: Part) -> Email:
    declared = None
    if kind is Part.HTML:
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii", "replace").lower() if match else None
    text, charset, note = decode_text(data, declared)
    if note and not declared:
        note = ""  # a file on disk has no declaration to be wrong; only report real mismatches
    content_type = "text/html" if kind is Part.HTML else "text/plain"
    text = _normalise_newlines(text)
    return Email(
        source=Source(
            path=name,
            sha256=hashlib.sha256(data).hexdigest(),
            kind="html" if kind is Part.HTML else "txt",
        ),
        headers=Headers(subject=_html_title(text) if kind is Part.HTML else ""),
        parts=(BodyPart(kind, content_type, charset, text, 0, note),),
        raw=text,
    )


def _html_title(text: str) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title>", text[:65536], re.I | re.S)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else ""


def read_headers(message: Message, notes: list[EmailNote] | None = None) -> Headers:
    """The headers an audit uses, each read defensively: one bad header never loses the rest.

    One pass over the header fields (asking the message for each name walks them all again:
    100,000 headers took minutes), at most :data:`MAX_HEADER_FIELDS` of them; ``notes``, when
    given, is told of the rest.
    """
    values: dict[str, list[str]] = {}
    esp_headers: dict[str, str] = {}
    esp_seen: set[str] = set()
    total = len(message)
    for number, (name, raw) in enumerate(message.raw_items()):
        if number == MAX_HEADER_FIELDS:
            if notes is not None:
                notes.append(
                    EmailNote(
                        EmailNoteKind.TOO_MANY_HEADERS,
                        f"the message has {total:,} header fields; only the first "
                        f"{MAX_HEADER_FIELDS:,} were read",
                    )
                )
            break
        key = name.lower()
        if key in _READ_HEADERS:
            found = values.setdefault(key, [])
            if len(found) < MAX_VALUES_PER_HEADER:
                found.append(_header_text(message, name, raw))
        if key not in esp_seen and _ESP_HEADER.match(key):
            esp_seen.add(key)
            if len(esp_headers) < MAX_ESP_HEADERS:
                esp_headers[name] = _header_text(message, name, raw, limit=_ESP_HEADER_CHARS)
    from_ = _first(values, "from")
    addresses = _addresses(from_)
    return Headers(
        from_=from_,
        from_address=addresses[0] if addresses else "",
        reply_to=_first(values, "reply-to"),
        return_path=_first(values, "return-path"),
        subject=_first(values, "subject"),
        date=_first(values, "date"),
        message_id=_first(values, "message-id"),
        to=_first(values, "to"),
        dkim=tuple(
            signature
            for value in values.get("dkim-signature", ())
            if (signature := parse_dkim_signature(value)) is not None
        ),
        list_unsubscribe=_first(values, "list-unsubscribe"),
        list_unsubscribe_post=_first(values, "list-unsubscribe-post"),
        authentication_results=tuple(values.get("authentication-results", ())),
        esp_headers=esp_headers,
    )


_READ_HEADERS = frozenset(
    (
        "from", "reply-to", "return-path", "subject", "date", "message-id", "to",
        "dkim-signature", "list-unsubscribe", "list-unsubscribe-post", "authentication-results",
    )
)  # fmt: skip


def _first(values: dict[str, list[str]], name: str) -> str:
    found = values.get(name)
    return found[0] if found else ""


_PLAIN_TEXT = re.compile(r"[\t\r\n\x20-\x7e]*")
# One RFC 2047 encoded word the library reads the plain way: a charset without a language, B or Q,
# text without '?' or whitespace that does not begin with an '=' the library would take for the
# word's end (it looks for the first '?=' and reads on only when two hex digits follow).
_PLAIN_ENCODED_WORD = re.compile(
    r"=\?[^?*\s]+\?[bBqQ]\?(?:=[0-9A-Fa-f]{2}[^?\s]*|[^?=\s][^?\s]*)?\?="
)
_SPACE_RUN = re.compile(r"([ \t]+)")
# The decoder the library's header parser calls for each encoded word (no type stubs: private)
_encoded_words: Any = importlib.import_module("email._encoded_words")


def _header_text(message: Message, name: str, raw: str, limit: int | None = None) -> str:
    """A header's value as text (RFC 2047 decoded by the message's policy), on one line; with
    ``limit``, its first ``limit`` characters (a long header of encoded words is decoded only
    as far as they need)."""
    if message.policy is POLICY and isinstance(raw, str):
        if _is_unstructured(name):
            unfolded = raw.replace("\r", "").replace("\n", "")
            if "=?" not in raw:
                # No encoded word: the policy's parse (slow) gives the value back as it is,
                # with only its line breaks removed and raw 8-bit bytes made replacement
                # characters.
                return _valid_text(unfolded).strip()[:limit]
            if _PLAIN_TEXT.fullmatch(raw):
                decoded = _decode_plain_encoded_words(unfolded, limit)
                if decoded is not None:
                    return _one_line(decoded)[:limit]
        else:
            read_plainly = _plain_reader(name)
            text = read_plainly(raw.replace("\r", "").replace("\n", "")) if read_plainly else None
            if text is not None:
                return _one_line(text)[:limit]
    return _header_text_by_policy(message, name, raw)[:limit]


def _one_line(text: str) -> str:
    return re.sub(r"\s*\r?\n\s*", " ", text).strip()


def _header_text_by_policy(message: Message, name: str, raw: str) -> str:
    """The header's text as the message's policy parses it (the reference the fast paths keep)."""
    try:
        text = str(message.policy.header_fetch_parse(name, raw))
    except Exception:
        text = raw if isinstance(raw, str) else repr(raw)
    return re.sub(r"\s*\r?\n\s*", " ", text).strip()


@functools.lru_cache(maxsize=256)
def _is_unstructured(name: str) -> bool:
    registered = _HEADER_CLASSES.registry.get(name.lower(), _HEADER_CLASSES.default_class)
    return issubclass(registered, email.headerregistry.UnstructuredHeader)


# The structured headers clickaudit.plain_headers reads in their plain shapes, by the class the
# policy's registry gives a name.
_PLAIN_READERS: tuple[tuple[type, Callable[[str], str | None]], ...] = (
    (email.headerregistry.AddressHeader, plain_headers.address_list_text),
    (email.headerregistry.DateHeader, plain_headers.date_text),
    (email.headerregistry.MessageIDHeader, plain_headers.message_id_text),
)


@functools.lru_cache(maxsize=256)
def _plain_reader(name: str) -> Callable[[str], str | None] | None:
    """The plain reading of a structured header's unfolded value (None: the policy reads it)."""
    registered = _HEADER_CLASSES.registry.get(name.lower(), _HEADER_CLASSES.default_class)
    for kind, reader in _PLAIN_READERS:
        if issubclass(registered, kind):
            return reader
    return None


def _decode_plain_encoded_words(value: str, limit: int | None = None) -> str | None:
    """An unstructured ASCII value of words and plain encoded words, decoded as the standard
    library's unstructured-header parser decodes it, at a fraction of its cost (its token tree
    made decoding Microsoft's 4 KB X-*-Antispam headers of 60 encoded words most of the cost of
    reading an email's headers); None for any other shape, left to the library.

    As the library does: each encoded word is decoded by ``email._encoded_words.decode``;
    the spaces between two encoded words are dropped, all other spaces kept as they are; text
    with undecodable bytes is made valid UTF-8 with replacement characters. With ``limit``,
    decoding stops once the text's first ``limit`` characters are settled (those are returned,
    already on one line, possibly with more after them).
    """
    pieces = _SPACE_RUN.split(value)  # words at even indexes, runs of spaces between them
    for word in pieces[::2]:
        if "=?" in word and not _PLAIN_ENCODED_WORD.fullmatch(word):
            return None
    out: list[str] = []
    length = 0
    enough = limit + 8 if limit is not None else None
    encoded = [("=?" in word) for word in pieces[::2]]
    for index, piece in enumerate(pieces):
        if index % 2:
            if not (encoded[index // 2] and encoded[index // 2 + 1]):
                out.append(piece)
                length += len(piece)
            continue
        if encoded[index // 2]:
            try:
                piece = _encoded_words.decode(piece)[0]
            except Exception:  # the library reads such a word as plain text
                return None
        out.append(piece)
        length += len(piece)
        if enough is not None and length >= enough:
            # The text so far, less what the words after it could still change (its last
            # three characters: the bytes of a character split across two words; its closing
            # spaces, which strip() drops: a line break after them), starts the whole text.
            settled = _one_line(_valid_text("".join(out))[:-3])
            if len(settled) >= enough - 8:
                return settled
            enough = 2 * length
    return _valid_text("".join(out))


def _valid_text(text: str) -> str:
    """Bytes the parser or a word's charset could not decode (held as surrogates) made
    replacement characters, as the library's headers make them."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def _addresses(value: str) -> list[str]:
    try:
        return [address for _, address in getaddresses([value]) if "@" in address]
    except Exception:
        match = re.search(r"[\w.+-]+@[\w.-]+", value)
        return [match.group(0)] if match else []


def parse_dkim_signature(value: str) -> DkimSignature | None:
    """``d=`` and ``s=`` of a DKIM-Signature header value, or None when either is missing."""
    tags = {}
    for item in re.sub(r"\s+", "", value).split(";"):
        key, sep, tag_value = item.partition("=")
        if sep:
            tags[key.lower()] = tag_value
    domain, selector = tags.get("d", "").lower(), tags.get("s", "")
    if not domain or not selector:
        return None
    return DkimSignature(domain=domain, selector=selector)


def load_message_bytes(data: bytes, name: str, *, kind: str = "eml", index: int = 0) -> list[Email]:
    """One message's bytes — an .eml file's, or message ``index`` of an mbox (``kind="mbox"``)
    — and the messages attached to it; what batch reading (:mod:`clickaudit.batch`) loads.

    Raises:
        InputError: the message is empty or binary.
    """
    label = f"{name} #{index + 1}" if kind == "mbox" else name
    if not data.strip():
        raise InputError(label, "the message is empty")
    _refuse_binary(data, label)
    return _load_message(data, name, kind, index)
