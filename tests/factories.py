"""Hand-built audit objects for tests that need a realistic model without running the stages."""

from __future__ import annotations

from clickaudit.findings import finding
from clickaudit.model import (
    Audit,
    AuthReport,
    BodyPart,
    Category,
    DkimSignature,
    DomainReport,
    DomainRole,
    Element,
    Email,
    Headers,
    Hop,
    HopKind,
    Image,
    Link,
    Outcome,
    Part,
    Source,
    TlsReport,
    UntrackableReason,
)


def sample_email() -> Email:
    return Email(
        source=Source(path="campaign.eml", sha256="a" * 64, kind="eml"),
        headers=Headers(
            from_="Shop <news@shop.example>",
            from_address="news@shop.example",
            subject="Spring sale",
            dkim=(DkimSignature("shop.example", "s1"),),
            list_unsubscribe="<https://shop.example/unsub?u=1>",
            esp_headers={"X-SG-EID": "abc"},
        ),
        parts=(BodyPart(Part.HTML, "text/html", "utf-8", "<a href='x'>x</a>"),),
    )


def sample_audit() -> Audit:
    """An audit with one link of each category, a followed chain, a pixel and a domain."""
    tracked = Link(
        id=1,
        part=Part.HTML,
        element=Element.A,
        href="https://u1.ct.sendgrid.net/ls/click?upn=x",
        text="Shop now",
        line=12,
        category=Category.TRACKED,
        esp="SendGrid",
        tracking_host="u1.ct.sendgrid.net",
        chain=(
            Hop(
                "https://u1.ct.sendgrid.net/ls/click?upn=x",
                302,
                "https://shop.example/sale?utm_source=email",
                HopKind.HTTP,
                41.5,
                "192.0.2.1",
                "TLSv1.3",
            ),
            Hop(
                "https://shop.example/sale?utm_source=email",
                404,
                None,
                HopKind.HTTP,
                20.0,
                "192.0.2.2",
                "TLSv1.3",
            ),
        ),
        final_url="https://shop.example/sale?utm_source=email",
        outcome=Outcome.BROKEN,
        utm={"utm_source": "email"},
        findings=(finding("redirect-broken", "ends in 404", "link:1"),),
    )
    wrapped = Link(
        id=2,
        part=Part.HTML,
        element=Element.A,
        href="https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fshop.example%2F",
        text="Home",
        line=14,
        category=Category.WRAPPED,
        wrappers=("Microsoft Safe Links",),
        decoded="https://shop.example/",
    )
    merge = Link(
        id=3,
        part=Part.HTML,
        element=Element.VML,
        href="{{ url }}",
        text="Button",
        line=20,
        category=Category.UNTRACKABLE,
        reason=UntrackableReason.MERGE_TAG,
        findings=(finding("link-merge-tag", "{{ }}", "link:3"),),
    )
    direct = Link(
        id=4,
        part=Part.TEXT,
        element=Element.TEXT,
        href="https://shop.example/help",
        text="Help:",
        line=3,
        category=Category.DIRECT,
    )
    domain = DomainReport(
        name="u1.ct.sendgrid.net",
        roles=(DomainRole.TRACKING,),
        cname=("sendgrid.net",),
        esp="SendGrid",
        addresses=("192.0.2.1",),
        organisational_domain="sendgrid.net",
        tls=TlsReport(
            ok=True,
            issuer="Test CA",
            not_after="2027-01-01",
            days_left=37,
            version="TLSv1.3",
            sans=("*.ct.sendgrid.net",),
        ),
        findings=(finding("tracking-domain-shared", "shared", "domain:u1.ct.sendgrid.net"),),
    )
    sender = DomainReport(
        name="shop.example",
        roles=(DomainRole.SENDER, DomainRole.DESTINATION),
        auth=AuthReport(spf={"record": "v=spf1 -all"}, dmarc={"p": "none"}, dkim={"s1": "ok"}),
    )
    return Audit(
        email=sample_email(),
        links=(tracked, wrapped, merge, direct),
        images=(
            Image(
                "https://u1.ct.sendgrid.net/wf/open?upn=y",
                "img",
                line=30,
                width="1",
                height="1",
                pixel=True,
                esp="SendGrid",
                reason="1x1",
            ),
        ),
        esp="SendGrid",
        domains=(domain, sender),
        findings=(finding("list-unsubscribe-no-one-click", "no Post header"),),
        settings={"mode": "audit"},
        started_at="2026-11-25T03:00:00+00:00",
        finished_at="2026-11-25T03:00:02+00:00",
    )
