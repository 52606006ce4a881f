"""Verification after following: UTM policy, lost parameters, destination checks, template pairing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clickaudit.errors import PolicyError
from clickaudit.judge.chains import destination_mismatch, judge_chain
from clickaudit.judge.utm import check_link_utm, check_utm_consistency, check_utm_lost
from clickaudit.model import Category, Element, Finding, Hop, Link, Outcome, Part
from clickaudit.pair import apply_pairing, pair_links
from clickaudit.utm import load_policy, parse_policy

POLICY = load_policy()


def link(link_id: int, href: str, text: str = "", **fields: object) -> Link:
    values: dict[str, object] = {"category": Category.DIRECT}
    values.update(fields)
    return Link(id=link_id, part=Part.HTML, element=Element.A, href=href, text=text, **values)  # type: ignore[arg-type]


def codes(findings: tuple[Finding, ...]) -> list[str]:
    return [f.code for f in findings]


def test_required_parameters_missing_on_the_senders_domain() -> None:
    found = check_link_utm(
        link(1, "https://shop.example/p?utm_source=newsletter"),
        POLICY,
        sender_domain="shop.example",
    )
    assert codes(found) == ["utm-missing"]
    assert "utm_medium, utm_campaign" in found[0].message


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("utm_source=Newsletter&utm_medium=email&utm_campaign=w1", "lowercase"),
        ("utm_source=newsletter&utm_medium=social&utm_campaign=w1", "allowed values"),
        ("utm_source=news letter&utm_medium=email&utm_campaign=w1", "pattern"),
        ("utm_source=&utm_medium=email&utm_campaign=w1", "empty"),
    ],
)
def test_values_that_break_the_policy_are_invalid(query: str, why: str) -> None:
    found = check_link_utm(
        link(1, f"https://shop.example/?{query}"), POLICY, sender_domain="shop.example"
    )
    assert codes(found) == ["utm-invalid"] and why in found[0].message


def test_utms_on_a_third_party_link_are_a_leak_not_a_requirement() -> None:
    href = "https://partner.example/?utm_source=newsletter&utm_medium=email&utm_campaign=w"
    assert codes(check_link_utm(link(1, href), POLICY, sender_domain="shop.example")) == [
        "utm-third-party"
    ]
    assert (
        check_link_utm(link(2, "https://partner.example/"), POLICY, sender_domain="shop.example")
        == ()
    )


def test_policy_domains_decide_the_scope(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        '[policy]\nrequired = ["utm_campaign"]\ndomains = ["partner.example"]\n', "utf-8"
    )
    policy = load_policy(str(path))
    assert codes(check_link_utm(link(1, "https://www.partner.example/"), policy)) == ["utm-missing"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[policy]\nunknown = 1\n", "unknown key"),
        ("[parameters.utm_source]\npattern = '(('\n", "bad regular expression"),
        ("not toml = = =", "not valid TOML"),
    ],
)
def test_a_bad_policy_file_is_a_clear_error(text: str, words: str) -> None:
    with pytest.raises(PolicyError, match=words):
        parse_policy(text, "my-policy.toml")


def test_links_of_one_email_must_agree() -> None:
    links = [
        link(1, "https://shop.example/a?utm_source=newsletter&utm_campaign=winter"),
        link(2, "https://shop.example/b?utm_source=newsletter&utm_campaign=winter"),
        link(3, "https://shop.example/c?utm_source=newsletter&utm_campaign=Winter-Sale"),
    ]
    found = check_utm_consistency(links, POLICY, sender_domain="shop.example")
    assert codes(found) == ["utm-inconsistent"]
    assert "'winter' on links 1, 2" in found[0].message and "link 3" in found[0].message


def test_a_hop_that_drops_the_query_loses_the_utms() -> None:
    chained = link(
        1,
        "https://click.esp.example/x",
        category=Category.TRACKED,
        chain=(
            Hop(
                "https://click.esp.example/x",
                302,
                "https://shop.example/p?utm_source=n&utm_medium=email",
            ),
            Hop(
                "https://shop.example/p?utm_source=n&utm_medium=email",
                301,
                "https://shop.example/p/",
            ),
            Hop("https://shop.example/p/", 200),
        ),
        final_url="https://shop.example/p/",
        outcome=Outcome.OK,
    )
    found = check_utm_lost(chained)
    assert codes(found) == ["utm-lost"]
    assert "hop 2" in found[0].message and "utm_medium, utm_source" in found[0].message


@pytest.mark.parametrize(
    ("expected", "final"),
    [
        ("http://shop.example/p", "https://shop.example/p"),
        ("https://shop.example/p", "https://shop.example/p/"),
        ("https://shop.example/p?utm_source=a", "https://www.shop.example/p?utm_source=b&_hsenc=x"),
        ("https://shop.example/p#top", "https://shop.example/p"),
    ],
)
def test_harmless_rewrites_are_not_mismatches(expected: str, final: str) -> None:
    assert destination_mismatch(expected, final, ignore_params=POLICY.ignore_params) is None


def test_a_different_path_or_host_is_a_mismatch_unless_expected() -> None:
    assert "path /p/boots" in (
        destination_mismatch("https://shop.example/p/boots", "https://shop.example/p/shoes") or ""
    )
    assert "landed on login.example" in (
        destination_mismatch("https://shop.example/", "https://login.example/") or ""
    )
    rewrite = [re.compile(r"^https://login\.example/")]
    assert (
        destination_mismatch(
            "https://shop.example/", "https://login.example/", expected_rewrites=rewrite
        )
        is None
    )


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (Outcome.LOOP, "redirect-loop"),
        (Outcome.TOO_LONG, "redirect-too-long"),
        (Outcome.BROKEN, "redirect-broken"),
        (Outcome.TIMEOUT, "redirect-timeout"),
        (Outcome.UNREACHABLE, "redirect-unreachable"),
        (Outcome.BLOCKED, "redirect-blocked"),
        (Outcome.PRIVATE, "address-private"),
    ],
)
def test_each_chain_outcome_has_its_finding(outcome: Outcome, code: str) -> None:
    chained = link(
        1,
        "https://a.example/",
        chain=(Hop("https://a.example/", 404 if outcome is Outcome.BROKEN else None),),
        outcome=outcome,
    )
    assert code in codes(judge_chain(chained, policy=POLICY))


def test_https_to_http_hop_is_a_downgrade_and_the_landing_insecure() -> None:
    chained = link(
        1,
        "https://a.example/",
        chain=(Hop("https://a.example/", 301, "http://b.example/"), Hop("http://b.example/", 200)),
        final_url="http://b.example/",
        outcome=Outcome.OK,
    )
    assert codes(judge_chain(chained, policy=POLICY)) == ["redirect-downgrade", "link-insecure"]


def test_pairing_matches_rewritten_links_by_position_and_text() -> None:
    template = [
        link(1, "https://shop.example/sale", "Shop the sale"),
        link(2, "https://shop.example/boots", "Boots"),
        link(3, "https://shop.example/help", "Help"),
    ]
    sent = [
        link(
            1,
            "https://esp.example/view",
            "View online",
            system="view-online",
            category=Category.TRACKED,
        ),
        link(2, "https://esp.example/c/1", "Shop the sale", category=Category.TRACKED),
        link(3, "https://esp.example/c/2", "Boots", category=Category.TRACKED),
        link(4, "https://esp.example/c/3", "Help", category=Category.TRACKED),
        link(
            5,
            "https://esp.example/unsub",
            "Unsubscribe",
            system="unsubscribe",
            category=Category.TRACKED,
        ),
    ]
    pairing = pair_links(sent, template)
    assert pairing.pairs == ((2, 1), (3, 2), (4, 3))
    assert codes(pairing.findings) == []
    paired = apply_pairing(sent, template, pairing)
    assert [item.expected for item in paired] == [
        None,
        "https://shop.example/sale",
        "https://shop.example/boots",
        "https://shop.example/help",
        None,
    ]


def test_a_template_link_the_sent_email_lost_is_reported() -> None:
    template = [link(1, "https://shop.example/a", "A"), link(2, "https://shop.example/b", "B")]
    sent = [link(1, "https://esp.example/c/1", "A", category=Category.TRACKED)]
    assert codes(pair_links(sent, template).findings) == ["link-missing"]
