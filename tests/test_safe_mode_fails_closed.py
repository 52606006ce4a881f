"""Safe mode requests a URL only when it is known not to be a tracker: no tracker shape, a host
checked in DNS whose CNAME points at no ESP — for a link's first request and for every redirect
target, with or without --no-domains, however many hosts the email has. Anything unknown is
reported not-followed with a typed reason (issue 18, defect 2)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from clickaudit.load import load_bytes
from clickaudit.model import Audit, Email, NotFollowedReason
from clickaudit.net.nameservers import Nameserver, make_resolver
from clickaudit.net.transport import StaticResolver
from clickaudit.pipeline import NetworkOverrides, audit_emails
from clickaudit.settings import AuditSettings
from clickaudit.sim import Route, SimServer
from clickaudit.sim.dns import LocalDnsServer

DESTINATIONS = 70  # more than the domain checks look at (60)
BRANDED = 65  # destination host number whose CNAME points at SendGrid

ZONE = {
    "shop.example": [("A", "127.0.0.1")],
    "u1.ct.sendgrid.net": [("A", "127.0.0.1")],
    "sendgrid.net": [("A", "127.0.0.1")],
    "click.shop.example": [("CNAME", "sendgrid.net")],
    "abc.r.us-east-1.awstrack.me": [("A", "127.0.0.1")],
    **{f"d{n}.example": [("A", "127.0.0.1")] for n in range(DESTINATIONS)},
    f"d{BRANDED}.example": [("CNAME", "eu.sendgrid.net")],
    "eu.sendgrid.net": [("A", "127.0.0.1")],
}


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[SimServer, LocalDnsServer]]:
    routes = [
        Route(
            path="/to-tracker",
            action="redirect",
            to="http://u1.ct.sendgrid.net:{http}/ls/click?upn=redirected-Xk3",
        ),
        Route(path="/to-branded", action="redirect", to="http://click.shop.example:{http}/x9"),
        Route(path="*"),
    ]
    with (
        SimServer(routes, tls=False) as sim,
        LocalDnsServer(ZONE, servfail=["flaky.example"]) as dns,
    ):
        yield sim, dns


def email(html: str) -> Email:
    raw = (
        "From: Shop <news@shop.example>\r\nTo: a@b.example\r\nSubject: News\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f"<html><body>{html}</body></html>\r\n"
    )
    return load_bytes(raw.encode(), "forwarded.eml")[0]


def audit(world: tuple[SimServer, LocalDnsServer], message: Email, **overrides: object) -> Audit:
    _, dns = world
    nameservers = (Nameserver("127.0.0.1", dns.port),)
    values: dict[str, object] = {
        "safe": True,
        "allow_private": True,
        "timeout": 3.0,
        "chain_timeout": 6.0,
        "nameservers": nameservers,
    }
    values.update(overrides)
    settings = AuditSettings(**values)  # type: ignore[arg-type]
    network = NetworkOverrides(
        resolver=make_resolver(nameservers, timeout=3.0),
        address_resolver=StaticResolver({}, default=["127.0.0.1"]),
    )
    return audit_emails([message], settings, network=network)[0]


def paths(sim: SimServer, host: str) -> set[str]:
    return {r.path for r in sim.request_log if r.host == host}


def test_a_sendgrid_link_inside_an_undecodable_ses_link_is_never_requested(
    world: tuple[SimServer, LocalDnsServer],
) -> None:
    sim, _ = world
    inner = sim.url("u1.ct.sendgrid.net", "/ls/click?upn=u001.Zk3-2BqLxY9pT4vW")
    outer = f"https://abc.r.us-east-1.awstrack.me/L0/{quote(inner, safe='')}/1/0100-abc/x=1"
    result = audit(world, email(f'<a href="{outer}">Shop now</a>'))
    assert "/ls/click" not in paths(sim, "u1.ct.sendgrid.net")
    assert not paths(sim, "abc.r.us-east-1.awstrack.me")
    link = result.links[0]
    assert link.outcome == "not-followed"
    assert link.not_followed is NotFollowedReason.SAFE_MODE


@pytest.mark.parametrize("check_domains", [False, True])
def test_a_branded_tracking_host_is_known_by_its_cname_even_with_no_domains(
    world: tuple[SimServer, LocalDnsServer], check_domains: bool
) -> None:
    sim, _ = world
    url = sim.url("click.shop.example", f"/q{int(check_domains)}")
    result = audit(world, email(f'<a href="{url}">Our range</a>'), check_domains=check_domains)
    assert f"/q{int(check_domains)}" not in paths(sim, "click.shop.example")
    assert result.links[0].not_followed is NotFollowedReason.SAFE_MODE


def test_every_destination_host_gets_its_cname_check_not_only_the_first_sixty(
    world: tuple[SimServer, LocalDnsServer],
) -> None:
    sim, _ = world
    html = "".join(
        f'<p><a href="{sim.url(f"d{n}.example", f"/page{n}")}">Product {n}</a></p>'
        for n in range(DESTINATIONS)
    )
    result = audit(world, email(html))
    assert not paths(sim, f"d{BRANDED}.example")
    assert paths(sim, "d0.example") == {"/page0"} and paths(sim, "d69.example") == {"/page69"}
    by_host = {link.href.split("//")[1].split(":")[0]: link for link in result.links}
    assert by_host[f"d{BRANDED}.example"].not_followed is NotFollowedReason.SAFE_MODE
    assert by_host["d1.example"].outcome == "ok"


def test_a_host_whose_dns_check_failed_is_not_verified_and_not_requested(
    world: tuple[SimServer, LocalDnsServer],
) -> None:
    sim, _ = world
    result = audit(world, email(f'<a href="{sim.url("flaky.example", "/p")}">Our range</a>'))
    assert not paths(sim, "flaky.example")
    assert result.links[0].not_followed is NotFollowedReason.NOT_VERIFIED_SAFE


@pytest.mark.parametrize(
    ("start", "never_host", "never_path"),
    [
        ("/to-tracker", "u1.ct.sendgrid.net", "/ls/click"),
        ("/to-branded", "click.shop.example", "/x9"),
    ],
)
def test_a_redirect_to_a_tracker_stops_before_it(
    world: tuple[SimServer, LocalDnsServer], start: str, never_host: str, never_path: str
) -> None:
    sim, _ = world
    result = audit(world, email(f'<a href="{sim.url("shop.example", start)}">Read more</a>'))
    assert start in paths(sim, "shop.example")
    assert never_path not in paths(sim, never_host)
    link = result.links[0]
    assert link.outcome == "not-followed"
    assert link.not_followed is NotFollowedReason.SAFE_MODE
    assert link.chain[-1].status is None and never_host in link.chain[-1].url
