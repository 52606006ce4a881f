"""Unsubscribe and preference links are never requested without --follow-unsubscribe: not when
the link only says "click here" (its URL is the List-Unsubscribe URL, or the sentence around it
says what it does, in the languages mail is written in), and not when an innocent link redirects
to one — every redirect target is checked before it is requested (issue 18, defect 3)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from clickaudit.esp.fingerprints import load_fingerprints
from clickaudit.extract import extract
from clickaudit.follow import Follower
from clickaudit.load import load_bytes
from clickaudit.model import Audit, Email, NotFollowedReason
from clickaudit.net.transport import StaticResolver
from clickaudit.pipeline import NetworkOverrides, audit_emails
from clickaudit.settings import AuditSettings
from clickaudit.sim import Route, SimServer
from clickaudit.unsubscribe import kind_of_text, kind_of_url_shape, mark_unsubscribe_links

ROUTES = [
    Route(path="/read-more", action="redirect", to="/unsubscribe?list=7&id=abc"),
    Route(path="/go", action="redirect", to="http://click.shop.example:{http}/asm/3kd9Zk2"),
    Route(path="/hop", action="meta-refresh", to="/email/opt_out?r=9"),
    Route(path="/pref-hop", action="redirect", to="/preference-center/edit?id=1"),
    Route(path="*"),
]

# The sentence a "click here" link stands in, in the languages mail is most often written in.
SENTENCES = {
    "en": "If you no longer wish to receive these emails, {a}.",
    "es": "Si ya no deseas recibir estos correos, {a}.",
    "fr": "Pour vous désinscrire de cette liste, {a}.",
    "fr-short": "Se désabonner : {a}",
    "de": "Wenn Sie diesen Newsletter nicht mehr erhalten möchten, {a}.",
    "pt": "Se não deseja mais receber nossos e-mails, {a}.",
    "it": "Se non desideri più ricevere queste email, {a}.",
    "nl": "Wilt u geen e-mails meer ontvangen? {a}",
    "ja": "配信停止をご希望の方は{a}",
    "zh": "如果您不想再收到此类邮件，请{a}",
    "ru": "Чтобы отписаться от рассылки, {a}.",
    "pl": "Jeśli nie chcesz otrzymywać naszych wiadomości, {a}.",
    "sv": "Vill du avsluta din prenumeration? {a}",
    "tr": "Bu e-postaları almak istemiyorsanız {a}.",
    "ko": "수신을 원하지 않으시면 {a}",
    "en-question": "Don't want these emails? {a}",
    "en-preferences": "To change how often we write, update your preferences {a}.",
}
ANCHORS = {"ja": "こちら", "zh": "点击这里", "ko": "여기", "ru": "нажмите здесь"}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    with SimServer(ROUTES, tls=False) as server:
        yield server


def email(html: str, *, list_unsubscribe: str = "") -> Email:
    header = f"List-Unsubscribe: <{list_unsubscribe}>\r\n" if list_unsubscribe else ""
    raw = (
        "From: Shop <news@shop.example>\r\nTo: a@b.example\r\nSubject: News\r\n"
        f"{header}MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f"<html><body>{html}</body></html>\r\n"
    )
    return load_bytes(raw.encode(), "test.eml")[0]


def audit(sim: SimServer, message: Email, **overrides: object) -> Audit:
    values: dict[str, object] = {
        "allow_private": True,
        "check_domains": False,
        "timeout": 3.0,
        "chain_timeout": 6.0,
    }
    values.update(overrides)
    settings = AuditSettings(**values)  # type: ignore[arg-type]
    network = NetworkOverrides(address_resolver=StaticResolver({}, default=["127.0.0.1"]))
    return audit_emails([message], settings, network=network)[0]


def requested(sim: SimServer, path: str) -> bool:
    return any(r.path == path for r in sim.request_log)


def test_click_here_whose_url_is_the_list_unsubscribe_url_is_never_requested(
    sim: SimServer,
) -> None:
    url = sim.url("shop.example", "/l/8f3k2j9d")
    result = audit(sim, email(f'<p><a href="{url}">click here</a></p>', list_unsubscribe=url))
    assert not requested(sim, "/l/8f3k2j9d")
    body_link = next(link for link in result.links if link.text == "click here")
    assert body_link.outcome == "not-followed"
    assert body_link.not_followed is NotFollowedReason.SYSTEM_LINK


@pytest.mark.parametrize("language", SENTENCES)
def test_click_here_in_an_unsubscribe_sentence_is_never_requested(
    sim: SimServer, language: str
) -> None:
    path = f"/c/{language}/Zx81kq"
    anchor = f'<a href="{sim.url("shop.example", path)}">{ANCHORS.get(language, "click here")}</a>'
    html = "<p>Thanks for reading.</p><p>" + SENTENCES[language].format(a=anchor) + "</p>"
    result = audit(sim, email(html))
    assert not requested(sim, path), language
    assert result.links[0].not_followed is NotFollowedReason.SYSTEM_LINK


def test_a_read_more_that_redirects_to_unsubscribe_stops_before_it(sim: SimServer) -> None:
    result = audit(
        sim, email(f'<p><a href="{sim.url("shop.example", "/read-more")}">Read more</a>')
    )
    assert requested(sim, "/read-more")
    assert not requested(sim, "/unsubscribe")
    link = result.links[0]
    assert link.outcome == "not-followed"
    assert link.not_followed is NotFollowedReason.UNSUBSCRIBE_TARGET
    assert link.chain[-1].url.endswith("/unsubscribe?list=7&id=abc")
    assert link.chain[-1].status is None


@pytest.mark.parametrize(
    ("path", "never"),
    [("/go", "/asm/3kd9Zk2"), ("/hop", "/email/opt_out"), ("/pref-hop", "/preference-center/edit")],
)
def test_every_redirect_target_is_checked_before_it_is_requested(
    sim: SimServer, path: str, never: str
) -> None:
    result = audit(sim, email(f'<p><a href="{sim.url("shop.example", path)}">Our new range</a>'))
    assert requested(sim, path)
    assert not requested(sim, never)
    assert result.links[0].not_followed is NotFollowedReason.UNSUBSCRIBE_TARGET


def test_with_follow_unsubscribe_they_are_requested(sim: SimServer) -> None:
    url = sim.url("shop.example", "/l/asked-for")
    html = f'<p>If you no longer wish to receive these emails, <a href="{url}">click here</a>.'
    audit(sim, email(html), follow_unsubscribe=True)
    assert requested(sim, "/l/asked-for")


# --- recognition, offline -------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "https://u1.shop.example/asm/unsubscribe/?user_id=1",
        "https://shop.us1.list-manage.com/unsubscribe?u=1&id=2",
        "https://shop.example/email/opt-out?t=1",
        "https://shop.example/newsletter/abmelden?x=1",
        "https://shop.example/desinscription?id=1",
        "https://shop.example/%E9%85%8D%E4%BF%A1%E5%81%9C%E6%AD%A2",
        "https://shop.example/%D0%BE%D1%82%D0%BF%D0%B8%D1%81%D0%B0%D1%82%D1%8C%D1%81%D1%8F",
        "https://shop.example/mail?action=unsubscribe&id=3",
        "https://shop.example/manage-preferences?id=1",
    ],
)
def test_unsubscribe_and_preference_shaped_urls_are_recognised(url: str) -> None:
    assert kind_of_url_shape(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.example/sale/spring?utm_source=email",
        "https://shop.us1.list-manage.com/track/click?u=abc&id=def&e=123",
        "https://shop.example/blog/how-we-subscribe-to-quality",
        "https://shop.example/account/settings?tab=orders",
    ],
)
def test_ordinary_urls_are_not_unsubscribe_links(url: str) -> None:
    assert kind_of_url_shape(url) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Se désabonner", "unsubscribe"),
        ("Abmelden", "unsubscribe"),
        ("Darse de baja", "unsubscribe"),
        ("配信停止", "unsubscribe"),
        ("退订", "unsubscribe"),
        ("Отписаться", "unsubscribe"),
        ("Wypisz się", "unsubscribe"),
        ("Uitschrijven", "unsubscribe"),
        ("Annulla iscrizione", "unsubscribe"),
        ("Cancelar inscrição", "unsubscribe"),
        ("Manage your email preferences", "preferences"),
        ("Gérer vos préférences", "preferences"),
    ],
)
def test_anchor_text_in_many_languages_is_recognised(text: str, kind: str) -> None:
    found = kind_of_text(text)
    assert found is not None and found.kind == kind


def test_the_links_beside_an_unsubscribe_link_are_not_taken_for_one() -> None:
    html = (
        '<p>You are receiving this because you signed up. <a href="https://shop.example/u/1">'
        'Unsubscribe</a> | <a href="https://shop.example/privacy">Privacy policy</a> | '
        '<a href="https://shop.example/">Visit our shop</a></p>'
        '<p>Our spring range is here. <a href="https://shop.example/spring">Read more</a></p>'
        '<a href="https://shop.example/o1">Offer 1</a>\n<a href="https://shop.example/o2">Offer 2'
        '</a><a href="https://shop.example/u/2">Unsubscribe</a>'
    )
    message = email(html)
    links = mark_unsubscribe_links(message, extract(message).links, load_fingerprints())
    kinds = {link.href.rsplit("/", 1)[-1]: link.system for link in links}
    assert kinds == {
        "1": "unsubscribe",
        "privacy": None,
        "": None,
        "spring": None,
        "o1": None,
        "o2": None,
        "2": "unsubscribe",
    }


def test_a_chain_followed_on_its_own_also_stops_before_an_unsubscribe_page(
    sim: SimServer,
) -> None:
    async def run() -> str:
        async with Follower(
            AuditSettings(allow_private=True, timeout=3.0),
            resolver=StaticResolver({}, default=["127.0.0.1"]),
        ) as follower:
            result = await follower.follow(sim.url("shop.example", "/go"))
        return result.not_followed or ""

    assert asyncio.run(run()) == NotFollowedReason.UNSUBSCRIBE_TARGET
