"""Domain checks against a local DNS server and the simulator's TLS: CNAMEs and ESPs, alignment,
SPF/DMARC/DKIM, certificates, and blocklists that refuse to answer."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator

import dns.message
import dns.rcode
import dns.resolver
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from clickaudit.domains import DomainTargets, observe_domains, targets_for
from clickaudit.domains.dns import DnsCache
from clickaudit.judge.domains import judge_domains
from clickaudit.model import (
    Category,
    DkimSignature,
    DomainReport,
    DomainRole,
    Element,
    Email,
    Headers,
    Link,
    LookupStatus,
    Part,
    Source,
)
from clickaudit.net.nameservers import Nameserver
from clickaudit.settings import AuditSettings
from clickaudit.sim import LeafSpec, SimServer
from clickaudit.sim.dns import LocalDnsServer


def dkim_key(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


LOCAL = [("A", "127.0.0.1")]
ZONE: dict[str, list[tuple[str, str]]] = {
    "click.shop.example": [("CNAME", "u123.wl.sendgrid.net")],
    "u123.wl.sendgrid.net": LOCAL,
    "links.shop.example": [("CNAME", "mailgun.org")],
    "mailgun.org": LOCAL,
    "go.shop.example": [("CNAME", "pi.pardot.com")],
    "pi.pardot.com": LOCAL,
    "u9.ct.sendgrid.net": LOCAL,
    "track.elsewhere.example": LOCAL,
    **{
        host: LOCAL
        for host in (
            "valid.example",
            "expired.example",
            "soon.example",
            "wrong.example",
            "selfsigned.example",
            "notls.example",
        )
    },
    "shop.example": [
        ("TXT", "v=spf1 " + " ".join(f"include:s{n}.spf.example" for n in range(11)) + " -all")
    ],
    **{f"s{n}.spf.example": [("TXT", "v=spf1 -all")] for n in range(11)},
    "_dmarc.shop.example": [("TXT", "v=DMARC1; p=none; rua=mailto:d@shop.example")],
    "s1._domainkey.shop.example": [("TXT", dkim_key(2048))],
    "old._domainkey.shop.example": [("TXT", "v=DKIM1; k=rsa; p=")],
    "open.example": [("TXT", "v=spf1 +all"), ("TXT", "google-site-verification=x")],
    "_dmarc.open.example": [("TXT", "v=DMARC1; p=reject")],
    "dbltest.com.dbl.spamhaus.org": [("A", "127.0.1.2")],
    "elsewhere.example.dbl.spamhaus.org": [("A", "127.0.1.103")],
    "test.uribl.com.multi.uribl.com": [("A", "127.0.0.1")],  # URIBL refuses this resolver
}
CERTS = {
    "expired.example": LeafSpec(days_left=-3),
    "soon.example": LeafSpec(days_left=5),
    "wrong.example": LeafSpec(names=("other.example",)),
    "selfsigned.example": LeafSpec(self_signed=True),
}


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[LocalDnsServer, SimServer]]:
    with (
        LocalDnsServer(ZONE, servfail=["broken.example"]) as dns,
        SimServer([], cert_specs=CERTS) as sim,
    ):
        yield dns, sim


def run_checks(
    world: tuple[LocalDnsServer, SimServer], targets: DomainTargets, **overrides: object
) -> dict[str, DomainReport]:
    dns, sim = world
    values: dict[str, object] = {
        "nameservers": (Nameserver("127.0.0.1", dns.port),),
        "allow_private": True,
        "timeout": 2.0,
        "blocklist_zones": ("Spamhaus DBL=dbl.spamhaus.org", "URIBL=multi.uribl.com"),
    }
    values.update(overrides)
    settings = AuditSettings(**values)  # type: ignore[arg-type]
    context = sim.certs.client_context() if sim.certs else None
    observed = asyncio.run(observe_domains(targets, settings, ssl_context=context))
    reports = judge_domains(observed, targets)
    return {report.name: report for report in reports}


def codes(report: DomainReport) -> set[str]:
    return {f.code for f in report.findings}


def test_a_branded_tracking_domain_is_recognised_by_its_cname(
    world: tuple[LocalDnsServer, SimServer],
) -> None:
    reports = run_checks(world, DomainTargets("shop.example", {"click.shop.example": None}))
    click = reports["click.shop.example"]
    assert click.cname == ("u123.wl.sendgrid.net",)
    assert click.esp == "SendGrid"
    assert click.addresses == ("127.0.0.1",)
    assert DomainRole.TRACKING in click.roles
    assert not {"tracking-domain-misaligned", "tracking-domain-shared"} & codes(click)


def test_the_vendored_cname_targets_name_the_esp_behind_a_branded_host(
    world: tuple[LocalDnsServer, SimServer],
) -> None:
    # pi.pardot.com is Pardot's own host in AdGuard's cname-trackers (clickthroughs/pardot)
    reports = run_checks(world, DomainTargets("shop.example", {"go.shop.example": None}))
    assert reports["go.shop.example"].esp == "Pardot"


def test_a_cname_to_another_esp_than_the_links_say_is_a_mismatch(
    world: tuple[LocalDnsServer, SimServer],
) -> None:
    reports = run_checks(world, DomainTargets("shop.example", {"links.shop.example": "SendGrid"}))
    assert "dns-cname-mismatch" in codes(reports["links.shop.example"])


def test_shared_and_misaligned_tracking_domains(world: tuple[LocalDnsServer, SimServer]) -> None:
    reports = run_checks(
        world,
        DomainTargets(
            "shop.example", {"u9.ct.sendgrid.net": "SendGrid", "track.elsewhere.example": None}
        ),
    )
    assert {"tracking-domain-shared", "tracking-domain-misaligned"} <= codes(
        reports["u9.ct.sendgrid.net"]
    )
    assert "tracking-domain-misaligned" in codes(reports["track.elsewhere.example"])


def test_nxdomain_and_servfail_are_told_apart(world: tuple[LocalDnsServer, SimServer]) -> None:
    reports = run_checks(
        world, DomainTargets("", {}, destinations=("gone.example", "broken.example"))
    )
    assert "dns-nxdomain" in codes(reports["gone.example"])
    assert "dns-servfail" in codes(reports["broken.example"])


def test_spf_over_ten_lookups_dmarc_none_and_dkim_keys(
    world: tuple[LocalDnsServer, SimServer],
) -> None:
    targets = DomainTargets(
        "shop.example",
        {},
        dkim=(
            DkimSignature("shop.example", "s1"),
            DkimSignature("shop.example", "old"),
            DkimSignature("shop.example", "gone"),
        ),
    )
    shop = run_checks(world, targets)["shop.example"]
    assert shop.roles == (DomainRole.SENDER,)
    assert {"spf-too-many-lookups", "dmarc-weak", "dkim-invalid", "dkim-missing"} <= codes(shop)
    assert shop.auth is not None
    assert shop.auth.spf["lookups"] == 11
    assert shop.auth.dmarc["p"] == "none"
    assert shop.auth.dkim["s1"]["bits"] == 2048  # type: ignore[index]
    assert shop.auth.dkim["old"]["key"] == "revoked"  # type: ignore[index]


def test_plus_all_spf_missing_dmarc_and_an_unsigned_message(
    world: tuple[LocalDnsServer, SimServer],
) -> None:
    open_report = run_checks(world, DomainTargets("open.example", {}))["open.example"]
    assert {"spf-permissive", "dkim-missing"} <= codes(open_report)
    assert "dmarc-missing" not in codes(open_report)
    nothing = run_checks(world, DomainTargets("valid.example", {}))["valid.example"]
    assert {"spf-missing", "dmarc-missing"} <= codes(nothing)


@pytest.mark.parametrize(
    ("host", "code", "words"),
    [
        ("expired.example", "tls-invalid", "expired"),
        ("soon.example", "tls-expiring", "days"),
        ("wrong.example", "tls-hostname-mismatch", "other.example"),
        ("selfsigned.example", "tls-invalid", "self-signed"),
    ],
)
def test_certificate_problems(
    world: tuple[LocalDnsServer, SimServer], host: str, code: str, words: str
) -> None:
    _, sim = world
    report = run_checks(
        world, DomainTargets("", {}, destinations=(host,), https_ports={host: sim.https_port})
    )[host]
    found = [f for f in report.findings if f.code == code]
    assert found and words in found[0].message
    assert report.tls is not None and report.tls.not_after


def test_a_valid_certificate_is_described(world: tuple[LocalDnsServer, SimServer]) -> None:
    _, sim = world
    report = run_checks(
        world,
        DomainTargets(
            "", {}, destinations=("valid.example",), https_ports={"valid.example": sim.https_port}
        ),
    )["valid.example"]
    assert report.tls is not None and report.tls.ok
    assert report.tls.issuer == "clickaudit test CA"
    assert (
        report.tls.sans == ("valid.example",)
        and report.tls.days_left
        and report.tls.days_left > 300
    )
    assert not {"tls-invalid", "tls-expiring", "tls-hostname-mismatch"} & codes(report)


def test_no_tls_at_all(world: tuple[LocalDnsServer, SimServer]) -> None:
    _, sim = world
    report = run_checks(
        world,
        DomainTargets(
            "", {}, destinations=("notls.example",), https_ports={"notls.example": sim.http_port}
        ),
    )["notls.example"]
    assert "tls-unavailable" in codes(report)


def test_private_addresses_are_not_probed_unless_allowed(
    world: tuple[LocalDnsServer, SimServer],
) -> None:
    _, sim = world
    report = run_checks(
        world,
        DomainTargets(
            "", {}, destinations=("valid.example",), https_ports={"valid.example": sim.https_port}
        ),
        allow_private=False,
    )["valid.example"]
    assert report.tls is None and "address-private" in codes(report)


def test_blocklists_decode_listings_and_never_call_a_refusing_list_clean(
    world: tuple[LocalDnsServer, SimServer],
) -> None:
    reports = run_checks(world, DomainTargets("", {"track.elsewhere.example": None}))
    report = reports["track.elsewhere.example"]
    assert report.blocklists == ("Spamhaus DBL (abused redirector)",)
    assert report.blocklists_unchecked == ("URIBL",)
    assert {"blocklisted", "blocklist-unchecked"} <= codes(report)


def test_targets_come_from_the_links_and_the_sender() -> None:
    email = Email(
        Source("x.eml", "0" * 64, "eml"),
        Headers(
            from_address="news@shop.example",
            dkim=(DkimSignature("shop.example", "s1"),),
            return_path="<b@bounce.shop.example>",
        ),
        (),
    )
    links = [
        Link(
            1,
            Part.HTML,
            Element.A,
            "https://click.shop.example:8443/ls/click?upn=x",
            category=Category.TRACKED,
            esp="SendGrid",
            tracking_host="click.shop.example",
            decoded="https://www.shop.example/sale",
        ),
        Link(2, Part.HTML, Element.A, "http://blog.shop.example/", category=Category.DIRECT),
        Link(3, Part.HTML, Element.A, "mailto:a@shop.example", category=Category.UNTRACKABLE),
    ]
    targets = targets_for(email, links)
    assert targets.tracking == {"click.shop.example": "SendGrid"}
    assert targets.destinations == ("www.shop.example", "blog.shop.example")
    assert targets.https_ports == {"click.shop.example": 8443, "www.shop.example": 443}
    assert targets.return_path_domain == "bounce.shop.example"
    roles = targets.roles()
    assert roles["shop.example"] == [DomainRole.SENDER]


class _Unreachable:
    """A resolver whose every nameserver fails at the socket, as with no route to it."""

    async def resolve(self, name: str, rdtype: str, **_: object) -> object:
        raise dns.resolver.NoNameservers(
            request=dns.message.make_query(name, rdtype),
            errors=[
                ("Do53:192.0.2.53@53", False, 53, OSError(101, "Network is unreachable"), None)
            ],
        )


class _Servfail:
    async def resolve(self, name: str, rdtype: str, **_: object) -> object:
        query = dns.message.make_query(name, rdtype)
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.SERVFAIL)
        raise dns.resolver.NoNameservers(
            request=query, errors=[("Do53:192.0.2.53@53", False, 53, None, response)]
        )


def test_a_resolver_that_cannot_be_reached_is_told_apart_from_a_servfail() -> None:
    unreachable = asyncio.run(DnsCache(_Unreachable()).lookup("shop.example", "A"))  # type: ignore[arg-type]
    servfail = asyncio.run(DnsCache(_Servfail()).lookup("shop.example", "A"))  # type: ignore[arg-type]
    assert unreachable.status is LookupStatus.RESOLVER_UNREACHABLE
    assert servfail.status is LookupStatus.SERVFAIL
    assert unreachable.status.failed and servfail.status.failed and not unreachable.exists
