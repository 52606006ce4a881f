"""Recover the destination an ESP's tracking link carries, offline, where its format allows.

Mailgun, Mandrill, Amazon SES, Postmark, ActiveCampaign, Kit, Customer.io, SparkPost, Substack
and Alibaba DirectMail put the destination (or enough of it) inside the link. The others keep it
on their servers; for them this returns None and the report says "destination unknown offline" —
it never guesses. Some formats also expose the recipient (Mailgun's ``r``, SparkPost's ``R``
record), which is flagged as personal data.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

from clickaudit.esp.fingerprints import EspMatch, Fingerprints
from clickaudit.urls import split_url

_DESTINATION_START = re.compile(r"(?i)^(https?|mailto):|/")  # every decoded link is checked
# Bounded repetitions: an unbounded local part backtracks quadratically on a 64 KB URL.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@([A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24})")
MAX_TOKEN = 16_384  # longer tokens are not decoded: a bound against decompression bombs
MAX_INFLATED = 65_536


@dataclass(frozen=True, slots=True)
class Decoded:
    destination: str | None
    personal_data: bool = False
    host_hint: str | None = None


def decode_tracker(
    url: str, fingerprints: Fingerprints, match: EspMatch | None = None
) -> Decoded | None:
    """The destination carried by a tracking link, or None when the URL is not a known tracker.

    A known but opaque format gives ``Decoded(None, ...)`` (possibly with a host hint).
    """
    match = match or fingerprints.esp_for_url(url)
    if match is None:
        return None
    personal = contains_email_address(url)
    decoder = _DECODERS.get(match.decoder.split(":", 1)[0])
    if decoder is None:
        return Decoded(None, personal)
    try:
        found = decoder(url, match.decoder)
    except (
        ValueError,
        KeyError,
        TypeError,
        binascii.Error,
        zlib.error,
        UnicodeError,
        json.JSONDecodeError,
    ):
        found = None
    if found is None:
        return Decoded(None, personal, _mandrill_hint(url) if match.decoder == "mandrill" else None)
    destination = found.destination if isinstance(found.destination, str) else None
    if destination and not _DESTINATION_START.match(destination):
        destination = None  # javascript:, data: or garbage is never a destination
    # A relative destination ("/contact") is kept: the tracker will redirect nowhere useful.
    return Decoded(destination, personal or found.personal_data, found.host_hint)


def contains_email_address(url: str) -> bool:
    """Whether the URL carries an email address: ``name@domain`` whose domain ends in a real
    top-level domain (or one reserved for examples and tests). A retina image's
    ``logo@2x.png`` is a file name, not the recipient's identity."""
    if "@" not in url and "%40" not in url:  # (no letter in "%40": case cannot matter)
        return False
    try:
        text = unquote(unquote(url))
    except ValueError:
        return False
    return any(_is_mail_domain(match.group(1)) for match in _EMAIL.finditer(text))


# RFC 2606 / RFC 6761 names: not on the public suffix list, but what examples and tests use.
_RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost"})


def _is_mail_domain(domain: str) -> bool:
    domain = domain.lower()
    if domain.rpartition(".")[2] in _RESERVED_TLDS:
        return True
    from clickaudit.psl import public_suffix_known

    return public_suffix_known(domain)


def _b64(value: str) -> bytes:
    value = value.strip()
    if len(value) > MAX_TOKEN:
        raise ValueError("token too long")
    padded = value + "=" * (-len(value) % 4)
    try:
        return base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        return base64.b64decode(padded)


def _path_segments(url: str) -> list[str]:
    return [s for s in split_url(url).path.split("/") if s]


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(split_url(url).query, keep_blank_values=True)


def _mailgun(url: str, _: str) -> Decoded | None:
    segments = _path_segments(url)
    token = segments[segments.index("c") + 1] if "c" in segments else ""
    if not token.startswith("eJ"):
        return None
    inflater = zlib.decompressobj()
    data = inflater.decompress(_b64(token), MAX_INFLATED)
    fields = parse_qs(data.decode("utf-8", "replace"))
    destination = fields.get("l", [None])[0]
    return Decoded(destination, bool(fields.get("r")))


def _mandrill(url: str, _: str) -> Decoded | None:
    p = _query(url).get("p", [""])[0]
    outer = json.loads(_b64(p))
    if not isinstance(outer, dict):
        return None
    inner = outer.get("p")
    inner = json.loads(inner) if isinstance(inner, str) else inner
    destination = inner.get("url") if isinstance(inner, dict) else None
    return Decoded(destination, False, _mandrill_hint(url))


def _mandrill_hint(url: str) -> str | None:
    segments = _path_segments(url)
    if len(segments) >= 4 and segments[:2] == ["track", "click"]:
        return segments[3]
    return None


def _ses(url: str, _: str) -> Decoded | None:
    path = split_url(url).path
    marker = "/CL0/" if path.startswith("/CL0/") else "/L0/"
    index = path.find(marker)
    if index < 0:
        return None
    encoded = path[index + len(marker) :].split("/", 1)[0]
    return Decoded(unquote(encoded))


def _postmark(url: str, _: str) -> Decoded | None:
    segments = split_url(url).path.split("/")
    segments = [s for s in segments if s]
    if len(segments) < 2 or not re.fullmatch(r"\d+[sh]", segments[0]):
        return None
    scheme = "https" if segments[0].endswith("s") else "http"
    return Decoded(f"{scheme}://{unquote(segments[1])}")


def _activecampaign(url: str, _: str) -> Decoded | None:
    query = _query(url)
    value = query.get("redirectUrl", [""])[0]
    if not value:
        return None
    decoded = _b64(value).decode("utf-8")
    if re.match(r"(?i)^https?%3a", decoded):
        decoded = unquote(decoded)
    return Decoded(decoded, bool(query.get("email")))


def _convertkit(url: str, _: str) -> Decoded | None:
    segments = _path_segments(url)
    if not segments:
        return None
    decoded = _b64(segments[-1]).decode("utf-8")
    return Decoded(decoded) if decoded.startswith(("http://", "https://")) else None


def _customerio(url: str, _: str) -> Decoded | None:
    segments = _path_segments(url)
    if len(segments) < 3 or segments[:2] != ["e", "c"]:
        return None
    data = json.loads(_b64(segments[2]))
    if not isinstance(data, dict):
        return None
    return Decoded(data.get("href"), "email" in data or "email_id" in data)


def _substack(url: str, _: str) -> Decoded | None:
    segments = _path_segments(url)
    if len(segments) < 3 or segments[0] != "redirect":
        return None
    payload = segments[2].split(".", 1)[0]  # a signed token: payload.signature
    data = json.loads(_b64(payload))
    if not isinstance(data, dict):
        return None
    return Decoded(data.get("e"))


def _sparkpost(url: str, _: str) -> Decoded | None:
    target = _query(url).get("target", [""])[0]
    if target:
        return Decoded(target)
    segments = _path_segments(url)  # f, <sublink>, <hmac>~~, <track_info1>~, <track_info2>
    if len(segments) < 5 or segments[0] != "f":
        return None
    data = _b64(segments[4].replace("~", "="))
    if not data.startswith(b"F\x04"):
        return None  # not the timestamp-first record format: encrypted, so opaque
    records = _sparkpost_records(data)
    return Decoded(records.get("D"), "R" in records)


def _sparkpost_records(data: bytes) -> dict[str, str]:
    """Tag/length/value records after SparkPost's timestamp (reverse-engineered, see research)."""
    records: dict[str, str] = {}
    index = 0
    while index + 2 <= len(data):
        tag = chr(data[index])
        if tag in "?>":
            index += 1
            continue
        length = data[index + 1]
        value = data[index + 2 : index + 2 + length]
        if len(value) < length:
            break
        if tag in "DER":
            records[tag] = value.decode("utf-8", "replace")
        index += 2 + length
    return records


def _query_param(url: str, spec: str) -> Decoded | None:
    for name in spec.split(":", 1)[1].split(","):
        value = _query(url).get(name.strip(), [""])[0]
        if value:
            return Decoded(value)
    return None


_DECODERS: dict[str, Callable[[str, str], Decoded | None]] = {
    "mailgun": _mailgun,
    "mandrill": _mandrill,
    "ses": _ses,
    "postmark": _postmark,
    "activecampaign": _activecampaign,
    "convertkit": _convertkit,
    "customerio": _customerio,
    "substack": _substack,
    "sparkpost": _sparkpost,
    "query": _query_param,
}
