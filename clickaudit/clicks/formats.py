"""ESP event records → :class:`Event`, one function per ESP, and which function a record needs.

Field names are those of each ESP's public documentation:

- SendGrid Event Webhook (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event):
  a JSON array of events; ``event`` (processed, delivered, click, ...), ``timestamp`` (epoch s),
  ``email``, ``sg_message_id``, ``url``, ``url_offset`` {``index``, ``type``}, ``ip``,
  ``useragent``.
- Mailgun (https://documentation.mailgun.com/docs/mailgun/user-manual/events/): webhooks post
  ``{"signature", "event-data"}``; the Events API returns pages ``{"items": [...], "paging"}``;
  an event has ``event`` (accepted, delivered, clicked), ``timestamp`` (epoch s, fractional),
  ``recipient``, ``message.headers.message-id``, ``url``, ``ip``, ``client-info.user-agent``.
- Postmark (https://postmarkapp.com/developer/webhooks/click-webhook and .../delivery-webhook):
  ``RecordType`` Click | Delivery, ``ReceivedAt`` / ``DeliveredAt`` (ISO 8601), ``Recipient``,
  ``MessageID``, ``OriginalLink``, ``UserAgent``, ``Geo.IP``.
- Amazon SES event publishing (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html):
  ``eventType`` Send | Delivery | Click (``notificationType`` in older notifications), ``mail``
  {``messageId``, ``destination``, ``timestamp``}, ``click`` {``timestamp``, ``ipAddress``,
  ``userAgent``, ``link``}, ``delivery.timestamp``; through SNS wrapped as ``{"Type":
  "Notification", "Message": "<the event as a JSON string>"}``, through Firehose one per line.
- SparkPost (https://developers.sparkpost.com/api/webhooks/): a JSON array of ``{"msys":
  {"track_event" | "message_event": {...}}}``; ``type`` click | amp_click | delivery |
  injection, ``timestamp`` (epoch s as a string), ``rcpt_to``/``raw_rcpt_to``, ``message_id``,
  ``target_link_url``, ``ip_address``, ``user_agent``.
- Mailjet (https://dev.mailjet.com/email/guides/webhooks/): ``event`` sent (accepted by the
  recipient's server: a delivery) | click, ``time``
  (epoch s), ``email``, ``MessageID``, ``url``, ``ip``, ``agent``.
- Mandrill (https://mailchimp.com/developer/transactional/docs/webhooks/): a JSON array
  (``mandrill_events``); ``event`` send | deliver | click, ``ts`` (epoch s), ``msg`` {``_id``,
  ``email``, ``ts`` (sent)}, ``url``, ``ip``, ``user_agent``.
- Brevo (https://developers.brevo.com/docs/transactional-webhooks): ``event`` delivered | click,
  ``email``, ``message-id``, ``ts_event`` (epoch s) / ``ts_epoch`` (ms), ``link``,
  ``user_agent``. Its ``sending_ip`` is Brevo's own server, never the clicker.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from clickaudit.clicks.model import Event, EventKind


class RecordError(ValueError):
    """A record that is JSON but not an event this reader understands."""


Parser = Callable[[Mapping[str, Any], str, int], Iterator[Event]]


def message_key(value: object) -> str:
    """An ESP's message id as a join key: no angle brackets, lower case, no SendGrid filter tail.

    SendGrid's ``sg_message_id`` is the ``X-Message-Id`` header plus ``.filterNNNN...``;
    SES, Postmark and Mailgun ids are the Message-ID header without its angle brackets (SES and
    Postmark add their own domain), so the part before ``@`` is compared.
    """
    if value is None:
        return ""
    text = str(value).strip().strip("<>").lower()
    text = text.split(".filter", 1)[0]
    return text.split("@", 1)[0]


def parse_time(value: object) -> float | None:
    """Epoch seconds (int, float, numeric string; milliseconds recognised) or ISO 8601."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RecordError(f"not a time: {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        try:
            number = float(text)
        except ValueError:
            try:
                moment = datetime.fromisoformat(text.replace(" UTC", "+00:00"))
            except ValueError:
                raise RecordError(f"not a time: {text[:40]!r}") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.timestamp()
    if number > 1e14:  # microseconds
        number /= 1e6
    elif number > 1e11:  # milliseconds
        number /= 1e3
    return number


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _kind(name: str, clicks: set[str], delivered: set[str], sent: set[str]) -> EventKind | None:
    name = name.lower()
    if name in clicks:
        return EventKind.CLICK
    if name in delivered:
        return EventKind.DELIVERED
    if name in sent:
        return EventKind.SENT
    return None


def sendgrid(record: Mapping[str, Any], source: str, line: int) -> Iterator[Event]:
    kind = _kind(_text(record.get("event")), {"click"}, {"delivered"}, {"processed"})
    if kind is None:
        return
    offset = record.get("url_offset")
    index = part = None
    if isinstance(offset, Mapping):
        raw = offset.get("index")
        index = int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else None
        part = _text(offset.get("type")).lower() or None
    yield Event(
        kind,
        parse_time(record.get("timestamp")),
        message_key(record.get("sg_message_id") or record.get("smtp-id")),
        _text(record.get("email")),
        _text(record.get("url")),
        index,
        part,
        _text(record.get("ip")) if kind is EventKind.CLICK else "",
        _text(record.get("useragent")),
        esp="sendgrid",
        source=source,
        line=line,
    )


def mailgun(record: Mapping[str, Any], source: str, line: int) -> Iterator[Event]:
    if isinstance(record.get("items"), list):  # an Events API page
        for item in record["items"]:
            if isinstance(item, Mapping):
                yield from mailgun(item, source, line)
        return
    data = record.get("event-data", record)
    if not isinstance(data, Mapping):
        raise RecordError("Mailgun 'event-data' is not an object")
    kind = _kind(_text(data.get("event")), {"clicked"}, {"delivered"}, {"accepted"})
    if kind is None:
        return
    message = data.get("message")
    headers = message.get("headers") if isinstance(message, Mapping) else None
    message_id = headers.get("message-id") if isinstance(headers, Mapping) else None
    client = data.get("client-info")
    agent = client.get("user-agent") if isinstance(client, Mapping) else None
    yield Event(
        kind,
        parse_time(data.get("timestamp")),
        message_key(message_id),
        _text(data.get("recipient")),
        _text(data.get("url")),
        ip=_text(data.get("ip")) if kind is EventKind.CLICK else "",
        user_agent=_text(agent),
        esp="mailgun",
        source=source,
        line=line,
    )


def postmark(record: Mapping[str, Any], source: str, line: int) -> Iterator[Event]:
    kind = _kind(_text(record.get("RecordType")), {"click"}, {"delivery"}, set())
    if kind is None:
        return
    geo = record.get("Geo")
    ip = geo.get("IP") if isinstance(geo, Mapping) else None
    when = record.get("ReceivedAt") if kind is EventKind.CLICK else record.get("DeliveredAt")
    yield Event(
        kind,
        parse_time(when),
        message_key(record.get("MessageID")),
        _text(record.get("Recipient")),
        _text(record.get("OriginalLink")),
        ip=_text(ip),
        user_agent=_text(record.get("UserAgent")),
        esp="postmark",
        source=source,
        line=line,
    )


def ses(record: Mapping[str, Any], source: str, line: int) -> Iterator[Event]:
    if record.get("Type") == "Notification" and isinstance(record.get("Message"), str):
        try:
            inner = json.loads(record["Message"])
        except ValueError as error:
            raise RecordError(f"SNS 'Message' is not JSON: {error}") from None
        if not isinstance(inner, Mapping):
            raise RecordError("SNS 'Message' is not an object")
        yield from ses(inner, source, line)
        return
    name = _text(record.get("eventType") or record.get("notificationType"))
    kind = _kind(name, {"click"}, {"delivery"}, {"send"})
    if kind is None:
        return
    mail = record.get("mail")
    if not isinstance(mail, Mapping):
        raise RecordError("SES event without 'mail'")
    destination = mail.get("destination")
    recipient = destination[0] if isinstance(destination, list) and destination else ""
    if kind is EventKind.CLICK:
        click = record.get("click")
        if not isinstance(click, Mapping):
            raise RecordError("SES Click event without 'click'")
        when, url = click.get("timestamp"), _text(click.get("link"))
        ip, agent = _text(click.get("ipAddress")), _text(click.get("userAgent"))
    elif kind is EventKind.DELIVERED:
        delivery = record.get("delivery")
        when = delivery.get("timestamp") if isinstance(delivery, Mapping) else None
        url = ip = agent = ""
        if isinstance(delivery, Mapping) and isinstance(delivery.get("recipients"), list):
            recipient = _text(delivery["recipients"][0]) if delivery["recipients"] else recipient
    else:
        when, url, ip, agent = mail.get("timestamp"), "", "", ""
    yield Event(
        kind,
        parse_time(when),
        message_key(mail.get("messageId")),
        _text(recipient),
        url,
        ip=ip,
        user_agent=agent,
        esp="amazon-ses",
        source=source,
        line=line,
    )


def sparkpost(record: Mapping[str, Any], source: str, line: int) -> Iterator[Event]:
    msys = record.get("msys")
    if not isinstance(msys, Mapping):
        raise RecordError("SparkPost 'msys' is not an object")
    for event in msys.values():
        if not isinstance(event, Mapping):
            continue
        kind = _kind(_text(event.get("type")), {"click", "amp_click"}, {"delivery"}, {"injection"})
        if kind is None:
            continue
        yield Event(
            kind,
            parse_time(event.get("timestamp")),
            message_key(event.get("message_id")),
            _text(event.get("rcpt_to") or event.get("raw_rcpt_to")),
            _text(event.get("target_link_url")),
            ip=_text(event.get("ip_address")) if kind is EventKind.CLICK else "",
            user_agent=_text(event.get("user_agent")),
            esp="sparkpost",
            source=source,
            line=line,
        )


def mailjet(record: Mapping[str, Any], source: str, line: int) -> Iterator[Event]:
    # Mailjet's "sent" is the recipient's server accepting the message: a delivery
    kind = _kind(_text(record.get("event")), {"click"}, {"sent"}, set())
    if kind is None:
        return
    yield Event(
        kind,
        parse_time(record.get("time")),
        message_key(record.get("MessageID") or record.get("Message_GUID")),
        _text(record.get("email")),
        _text(record.get("url")),
        ip=_text(record.get("ip")) if kind is EventKind.CLICK else "",
        user_agent=_text(record.get("agent")),
        esp="mailjet",
        source=source,
        line=line,
    )


def mandrill(record: Mapping[str, Any], source: str, line: int) -> Iterator[Event]:
    kind = _kind(_text(record.get("event")), {"click"}, {"deliver", "delivered"}, {"send"})
    if kind is None:
        return
    msg = record.get("msg")
    msg = msg if isinstance(msg, Mapping) else {}
    yield Event(
        kind,
        parse_time(record.get("ts")),
        message_key(record.get("_id") or msg.get("_id")),
        _text(msg.get("email")),
        _text(record.get("url")),
        ip=_text(record.get("ip")),
        user_agent=_text(record.get("user_agent")),
        esp="mandrill",
        source=source,
        line=line,
    )


def brevo(record: Mapping[str, Any], source: str, line: int) -> Iterator[Event]:
    kind = _kind(_text(record.get("event")), {"click"}, {"delivered"}, {"request", "sent"})
    if kind is None:
        return
    when = record.get("ts_epoch") or record.get("ts_event") or record.get("date")
    yield Event(
        kind,
        parse_time(when),
        message_key(record.get("message-id")),
        _text(record.get("email")),
        _text(record.get("link") or record.get("URL")),
        ip=_text(record.get("ip")) if kind is EventKind.CLICK else "",
        user_agent=_text(record.get("user_agent")),
        esp="brevo",
        source=source,
        line=line,
    )


FORMATS: dict[str, Parser] = {
    "sendgrid": sendgrid,
    "mailgun": mailgun,
    "postmark": postmark,
    "amazon-ses": ses,
    "sparkpost": sparkpost,
    "mailjet": mailjet,
    "mandrill": mandrill,
    "brevo": brevo,
}


def detect(record: Mapping[str, Any]) -> str | None:
    """Which ESP wrote this record, from the keys only that ESP uses; ``None`` when unknown."""
    keys = record.keys()
    if "msys" in keys:
        return "sparkpost"
    if "RecordType" in keys:
        return "postmark"
    if "eventType" in keys or "notificationType" in keys or record.get("Type") == "Notification":
        return "amazon-ses"
    if "event-data" in keys or ("items" in keys and "paging" in keys) or "log-level" in keys:
        return "mailgun"
    if "sg_message_id" in keys or "sg_event_id" in keys or "url_offset" in keys:
        return "sendgrid"
    if "mj_campaign_id" in keys or "Message_GUID" in keys or "mj_contact_id" in keys:
        return "mailjet"
    if "msg" in keys and "ts" in keys:
        return "mandrill"
    if "message-id" in keys and ("ts_event" in keys or "ts_epoch" in keys):
        return "brevo"
    if "event" in keys and "MessageID" in keys and "time" in keys:
        return "mailjet"
    return None
