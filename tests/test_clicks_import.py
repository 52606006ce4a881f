"""Click logs of every supported ESP format are read, detected and never fatal when damaged."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from clickaudit.clicks.csv_format import MappingError, parse_mapping
from clickaudit.clicks.formats import message_key, parse_time
from clickaudit.clicks.importer import Tally, read_events
from clickaudit.clicks.model import EventKind
from clickaudit.clicks.reader import json_records
from clickaudit.errors import InputError
from tests.conftest import FIXTURES

SAMPLES = FIXTURES / "clicks" / "samples"
DOCS = FIXTURES / "clicks" / "docs"


def read(*paths: Path, mapping: dict[str, str] | None = None) -> tuple[list, Tally]:
    tally = Tally()
    return list(read_events([str(p) for p in paths], tally, mapping)), tally


@pytest.mark.parametrize(
    ("sample", "esp", "url", "ip", "agent_start"),
    [
        (
            "sendgrid/django-anymail_test_click_event.json",
            "sendgrid",
            "http://www.example.com",
            "24.130.34.103",
            "Mozilla/5.0 (Macintosh",
        ),
        (
            "mailgun/symfony-mailgun-mailer_clicks.json",
            "mailgun",
            "",
            "50.56.129.169",
            "Mozilla/5.0 (X11",
        ),
        (
            "postmark/symfony-postmark-mailer_link_click.json",
            "postmark",
            "https://example.com",
            "188.2.95.4",
            "Mozilla/5.0 (Macintosh",
        ),
        (
            "postmark/django-anymail_test_click_event.json",
            "postmark",
            "https://example.com/click/me",
            "8.8.8.8",
            "Mozilla/5.0 (Macintosh",
        ),
        (
            "amazon-ses/awsdocs_sns_click_record.json",
            "amazon-ses",
            "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html",
            "192.0.2.1",
            "Mozilla/5.0 (Windows",
        ),
        (
            "sparkpost/django-anymail_test_click_event.json",
            "sparkpost",
            "http://example.com",
            "",
            "Mozilla/5.0 (Macintosh",
        ),
        (
            "mailjet/symfony-mailjet-mailer_click.json",
            "mailjet",
            "https://mailjet.com",
            "127.0.0.1",
            "Mozilla/5.0 (Windows",
        ),
        (
            "mandrill/Mandrill.net_mandrill_webhook_example_click.json",
            "mandrill",
            "http://mandrill.com",
            "127.0.0.1",
            "Mozilla/5.0 (Macintosh",
        ),
        (
            "mandrill/django-anymail_test_click_event.json",
            "mandrill",
            "http://example.com",
            "",
            "Mozilla/5.0 (Windows",
        ),
    ],
)
def test_real_sample_of_each_esp_is_read_as_one_click(
    sample: str, esp: str, url: str, ip: str, agent_start: str
) -> None:
    events, tally = read(SAMPLES / sample)
    [event] = events
    assert (event.kind, event.esp, event.url, event.ip) == (EventKind.CLICK, esp, url, ip)
    assert event.user_agent.startswith(agent_start)
    assert tally.formats == {esp} and tally.skipped_total == 0


def test_sendgrid_click_keeps_url_offset_and_message_key_without_filter_tail() -> None:
    events, _ = read(SAMPLES / "sendgrid" / "django-anymail_test_click_event.json")
    assert (events[0].url_index, events[0].url_part) == (0, "html")
    assert events[0].message == "_fjpjujfrw-ips5suvyotg"
    assert events[0].time == 1461095250


def test_ses_click_time_is_the_click_not_the_send() -> None:
    [event], _ = read(SAMPLES / "amazon-ses" / "awsdocs_sns_click_record.json")
    assert event.time == pytest.approx(1502322685.57)
    assert event.recipient == "recipient@example.com"


@pytest.mark.parametrize(
    ("fixture", "esp", "kinds"),
    [
        ("sendgrid_events.json", "sendgrid", ["sent", "delivered", "click", "click"]),
        ("mailgun_events_page.json", "mailgun", ["delivered", "click"]),
        ("postmark_delivery_and_click.jsonl", "postmark", ["delivered", "click"]),
        ("ses_sns_notifications.json", "amazon-ses", ["delivered", "click"]),
        ("ses_firehose.jsonl", "amazon-ses", ["delivered", "click"]),
        ("sparkpost_batch.json", "sparkpost", ["delivered", "click"]),
        ("mailjet_events.json", "mailjet", ["delivered", "click"]),
        ("mandrill_events.json", "mandrill", ["sent", "click"]),
        ("brevo_events.jsonl", "brevo", ["delivered", "click"]),
    ],
)
def test_documented_formats_give_deliveries_and_clicks(
    fixture: str, esp: str, kinds: list[str]
) -> None:
    events, tally = read(DOCS / fixture)
    assert [e.kind.value for e in events] == kinds
    assert tally.formats == {esp}
    assert tally.skipped_total == 0
    assert len({e.message for e in events if e.message}) <= 2


def test_opens_and_other_events_are_counted_as_ignored_not_skipped() -> None:
    _, tally = read(DOCS / "sendgrid_events.json")
    assert (tally.ignored, tally.skipped_total) == (1, 0)


def test_brevo_sending_ip_is_never_taken_for_the_clicker() -> None:
    events, _ = read(DOCS / "brevo_events.jsonl")
    assert events[1].ip == ""
    assert events[1].time == 1795516205


def test_sns_envelope_and_firehose_line_give_the_same_events() -> None:
    sns, _ = read(DOCS / "ses_sns_notifications.json")
    firehose, _ = read(DOCS / "ses_firehose.jsonl")
    strip = lambda events: [(e.kind, e.time, e.message, e.url, e.ip) for e in events]  # noqa: E731
    assert strip(sns) == strip(firehose)


def test_malformed_records_are_counted_with_their_line_numbers_and_the_rest_is_read() -> None:
    events, tally = read(DOCS / "sendgrid_malformed.json")
    assert [(e.kind.value, e.recipient) for e in events] == [
        ("delivered", "alice@example.org"),
        ("click", "carol@example.org"),
    ]
    assert [s.line for s in tally.skipped] == [3, 4, 5]
    assert "not valid JSON" in tally.skipped[0].problem
    assert "not a time" in tally.skipped[1].problem
    assert "not a JSON object" in tally.skipped[2].problem


def test_truncated_file_keeps_every_complete_record() -> None:
    text = (DOCS / "sendgrid_events.json").read_text()
    items = list(json_records(io.StringIO(text[: text.rfind("{")]), "cut.json"))
    assert sum(1 for item in items if isinstance(item, tuple)) == 4


def test_compressed_logs_are_read(tmp_path: Path) -> None:
    target = tmp_path / "events.jsonl.gz"
    target.write_bytes(gzip.compress((DOCS / "brevo_events.jsonl").read_bytes()))
    events, _ = read(target)
    assert len(events) == 2


def test_generic_csv_with_a_column_mapping() -> None:
    mapping = parse_mapping("time=Clicked At,ip=Client IP,user_agent=Agent")
    events, tally = read(DOCS / "generic_clicks.csv", mapping=mapping)
    assert [(e.url, e.ip, e.method, e.line) for e in events] == [
        ("https://shop.example.com/boots", "81.2.69.142", "HEAD", 2),
        ("https://shop.example.com/jackets", "81.2.69.143", "GET", 3),
    ]
    assert events[0].time == parse_time("2026-11-24T09:30:06Z")
    assert tally.formats == {"csv"}


def test_csv_columns_found_by_their_usual_names_without_a_mapping(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "timestamp,email,url,ip,user_agent,event\n1795512607,a@x.example,https://a.example/,1.2.3.4,curl/8,click\n1795512600,a@x.example,,,,delivered\n"
    )
    events, _ = read(log)
    assert [e.kind.value for e in events] == ["click", "delivered"]


def test_mapping_errors_name_the_field_or_column(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="unknown field 'colour'"):
        parse_mapping("colour=Red")
    with pytest.raises(MappingError, match="no column 'Nope'"):
        read(DOCS / "generic_clicks.csv", mapping={"url": "Nope"})


def test_unreadable_log_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read(tmp_path / "missing.json")
    assert caught.value.path.endswith("missing.json")


def test_message_keys_join_across_forms_of_the_same_id() -> None:
    assert message_key("<0102019a6c1e7f2b-3d5c@email.amazonses.com>") == message_key(
        "0102019a6c1e7f2b-3d5c"
    )
    assert (
        message_key("14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0")
        == "14c5d75ce93.dfd.64b469"
    )


def test_times_in_seconds_milliseconds_and_iso_agree() -> None:
    assert (
        parse_time(1795512605) == parse_time("1795512605000") == parse_time("2026-11-24T09:30:05Z")
    )


def test_deeply_nested_json_is_a_skipped_record_not_a_crash(tmp_path: Path) -> None:
    log = tmp_path / "deep.jsonl"
    first, second = (DOCS / "brevo_events.jsonl").read_text().splitlines()
    log.write_text(f'{first}\n{{"a": {"[" * 100_000}{"]" * 100_000}}}\n{second}\n')
    events, tally = read(log)
    assert len(events) == 2
    assert tally.skipped[0].line == 2 and "nested too deeply" in tally.skipped[0].problem


def test_damaged_compressed_log_keeps_what_was_read(tmp_path: Path) -> None:
    data = gzip.compress((DOCS / "brevo_events.jsonl").read_bytes() * 5000)
    log = tmp_path / "cut.jsonl.gz"
    log.write_bytes(data[: len(data) // 2])
    events, tally = read(log)
    assert events and tally.skipped_total == 1
    assert "cannot be read" in tally.skipped[-1].problem


def test_binary_garbage_is_reported_row_by_row_never_fatal(tmp_path: Path) -> None:
    log = tmp_path / "garbage.bin"
    log.write_bytes(bytes(range(256)) * 40)
    events, tally = read(log)
    assert events == [] and tally.skipped_total >= 1


def test_a_column_mapping_never_turns_a_json_log_into_csv() -> None:
    events, tally = read(DOCS / "brevo_events.jsonl", mapping={"url": "Link"})
    assert [e.kind.value for e in events] == ["delivered", "click"] and tally.formats == {"brevo"}
