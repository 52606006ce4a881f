"""Every scanner signal, and for each the person it must not condemn.

The email is tests/fixtures/clicks/campaign.eml: seven body links to seven places (link 6 hidden
by ``display:none``), an unsubscribe link, and the List-Unsubscribe header. Delivery at T.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clickaudit.clicks.join import LinkIndex
from clickaudit.clicks.judge import Click, judge_message
from clickaudit.clicks.model import Event, EventKind, JudgedClick, Reason, Verdict
from clickaudit.pipeline import scan_path
from tests.conftest import FIXTURES

T = 1_795_512_605.0
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
HOME = "81.2.69.142"  # a residential address: no scanner range, no cloud
EOP = "40.107.22.10"  # Exchange Online Protection (Microsoft 365 endpoint set 10)
AWS = "3.5.140.1"


@pytest.fixture(scope="module")
def index() -> LinkIndex:
    return LinkIndex(scan_path(str(FIXTURES / "clicks" / "campaign.eml"))[0].links)


def click(
    link_id: int,
    after: float | None,
    *,
    ip: str = HOME,
    agent: str = PHONE,
    method: str = "",
    asn: int | None = None,
) -> Click:
    event = Event(
        EventKind.CLICK,
        None if after is None else T + after,
        "m1",
        "alice@example.org",
        ip=ip,
        user_agent=agent,
        method=method,
        asn=asn,
    )
    return Click(event, link_id)


def judge(index: LinkIndex, *clicks: Click, delivered: float | None = T) -> list[JudgedClick]:
    return judge_message(sorted(clicks, key=lambda c: c.event.time or 0), delivered, index)


def test_person_clicking_one_link_on_a_phone_3_seconds_after_delivery_is_human(
    index: LinkIndex,
) -> None:
    [result] = judge(index, click(1, 3))
    assert (result.verdict, result.reasons) == (Verdict.HUMAN, ())
    assert result.seconds_after_delivery == 3


def test_burst_across_links_within_seconds_of_delivery_is_a_scanner(index: LinkIndex) -> None:
    results = judge(index, click(1, 2), click(2, 2.4), click(3, 3.1), click(4, 3.5))
    assert {r.verdict for r in results} == {Verdict.SCANNER}
    assert all({Reason.BURST, Reason.DELIVERY_SECONDS} <= set(r.reasons) for r in results)


def test_burst_long_after_delivery_is_likely_a_scanner(index: LinkIndex) -> None:
    results = judge(index, click(1, 7200), click(2, 7201), click(3, 7203))
    assert {r.verdict for r in results} == {Verdict.LIKELY_SCANNER}
    assert all(r.reasons == (Reason.BURST,) for r in results)


def test_person_opening_three_links_over_minutes_is_not_a_burst(index: LinkIndex) -> None:
    results = judge(index, click(1, 60), click(2, 140), click(3, 300))
    assert {r.verdict for r in results} == {Verdict.HUMAN}


def test_double_click_on_one_link_is_not_a_burst(index: LinkIndex) -> None:
    results = judge(index, click(2, 900), click(2, 900.3), click(2, 901))
    assert {r.verdict for r in results} == {Verdict.HUMAN}


def test_every_link_of_the_message_clicked_is_likely_a_scanner(index: LinkIndex) -> None:
    all_but_one = judge(
        index, *(click(link, 3600 + 120 * link) for link in range(1, 9) if link != 6)
    )
    everything = judge(index, *(click(link, 3600 + 120 * link) for link in range(1, 9)))
    assert {r.verdict for r in all_but_one} == {Verdict.HUMAN}
    assert all(Reason.ALL_LINKS in r.reasons for r in everything)
    assert {r.verdict for r in everything if Reason.HIDDEN_LINK not in r.reasons} == {
        Verdict.LIKELY_SCANNER
    }


def test_person_clicking_two_of_the_links_is_human(index: LinkIndex) -> None:
    results = judge(index, click(1, 600), click(4, 1800))
    assert {r.verdict for r in results} == {Verdict.HUMAN}


def test_click_on_a_hidden_link_is_a_scanner(index: LinkIndex) -> None:
    [result] = judge(index, click(6, 5000))
    assert result.verdict is Verdict.SCANNER and result.reasons == (Reason.HIDDEN_LINK,)


def test_hidden_link_whose_destination_is_also_visible_is_not_hidden(tmp_path: Path) -> None:
    email = tmp_path / "mobile.html"
    email.write_text(
        '<div style="display:none"><a href="https://a.example/x">mobile</a></div>'
        '<p><a href="https://a.example/x">desktop</a></p>'
    )
    index = LinkIndex(scan_path(str(email))[0].links)
    [result] = judge_message([click(1, 4000)], T, index)
    assert result.verdict is Verdict.HUMAN


def test_exchange_online_protection_address_is_a_scanner(index: LinkIndex) -> None:
    [result] = judge(index, click(2, 4000, ip=EOP, agent=DESKTOP))
    assert result.verdict is Verdict.SCANNER
    assert Reason.SCANNER_NETWORK in result.reasons
    assert result.network == "microsoft-365-protection"


def test_outlook_web_reader_on_microsofts_other_ranges_is_human(index: LinkIndex) -> None:
    [result] = judge(index, click(2, 2400, ip="52.96.1.1", agent=DESKTOP))
    assert result.verdict is Verdict.HUMAN


def test_probable_gateway_network_at_delivery_is_a_scanner(index: LinkIndex) -> None:
    [result] = judge(index, click(2, 5, ip="198.51.100.7", asn=22843, agent=DESKTOP))
    assert result.verdict is Verdict.SCANNER
    assert set(result.reasons) == {Reason.SCANNER_NETWORK, Reason.DELIVERY_SECONDS}


def test_person_behind_proofpoint_isolation_an_hour_later_is_human(index: LinkIndex) -> None:
    [result] = judge(index, click(2, 3600, ip="198.51.100.7", asn=22843, agent=DESKTOP))
    assert result.verdict is Verdict.HUMAN
    assert result.network == "proofpoint"


def test_cloud_address_seconds_after_delivery_is_likely_a_scanner(index: LinkIndex) -> None:
    [result] = judge(index, click(3, 8, ip=AWS, agent=DESKTOP))
    assert result.verdict is Verdict.LIKELY_SCANNER
    assert set(result.reasons) == {Reason.CLOUD_NETWORK, Reason.DELIVERY_SECONDS}


def test_person_on_a_cloud_vpn_hours_later_is_human(index: LinkIndex) -> None:
    [result] = judge(index, click(3, 7200, ip=AWS, agent=DESKTOP))
    assert result.verdict is Verdict.HUMAN
    assert result.network == "aws"


def test_program_user_agent_is_a_scanner(index: LinkIndex) -> None:
    [result] = judge(index, click(2, 4000, agent="python-requests/2.31.0"))
    assert (result.verdict, result.reasons) == (Verdict.SCANNER, (Reason.SCANNER_AGENT,))


@pytest.mark.parametrize(
    "agent",
    [
        PHONE,
        DESKTOP,
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
    ],
)
def test_browsers_and_mail_apps_are_not_scanner_agents(index: LinkIndex, agent: str) -> None:
    [result] = judge(index, click(2, 4000, agent=agent))
    assert result.verdict is Verdict.HUMAN


def test_head_request_is_a_scanner_and_the_same_get_is_human(index: LinkIndex) -> None:
    [head] = judge(index, click(2, 4000, method="HEAD"))
    [get] = judge(index, click(2, 4000, method="GET"))
    assert (head.verdict, head.reasons) == (Verdict.SCANNER, (Reason.HEAD_REQUEST,))
    assert get.verdict is Verdict.HUMAN


def test_click_without_time_address_or_agent_is_unknown(index: LinkIndex) -> None:
    [result] = judge(index, click(2, None, ip="", agent=""), delivered=None)
    assert result.verdict is Verdict.UNKNOWN


def test_without_a_delivery_time_no_seconds_are_claimed(index: LinkIndex) -> None:
    [result] = judge(index, click(2, 3), delivered=None)
    assert result.seconds_after_delivery is None and result.verdict is Verdict.HUMAN


def test_person_reading_after_the_gateway_swept_every_link_is_not_part_of_the_sweep(
    index: LinkIndex,
) -> None:
    sweep = [click(link, 2 + 0.3 * link, ip=EOP, agent=DESKTOP) for link in range(1, 9)]
    results = judge(index, *sweep, click(3, 5400))
    person = results[-1]
    assert person.verdict is Verdict.HUMAN and person.reasons == ()
    assert all(Reason.ALL_LINKS in r.reasons for r in results[:-1])
