"""Classification: categories and reasons, ESPs, opt-outs, wrappers unwrapped, destinations decoded."""

from __future__ import annotations

import base64
import json
import zlib
from urllib.parse import quote

import pytest

from clickaudit.classify import classify, classify_link
from clickaudit.esp.fingerprints import load_fingerprints
from clickaudit.model import (
    Category,
    Element,
    Email,
    EspSource,
    Headers,
    Link,
    Part,
    Source,
    UntrackableReason,
)
from clickaudit.unwrap import decode_proofpoint, unwrap

FP = load_fingerprints()


def link(href: str, text: str = "", **attributes: str) -> Link:
    return Link(
        id=1, part=Part.HTML, element=Element.A, href=href, text=text, attributes=attributes
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(
    ("href", "reason"),
    [
        ("mailto:help@shop.example", UntrackableReason.MAILTO),
        ("tel:+441632960123", UntrackableReason.TEL),
        ("#top", UntrackableReason.FRAGMENT),
        ("", UntrackableReason.FRAGMENT),
        ("/account", UntrackableReason.RELATIVE),
        ("//shop.example/x", UntrackableReason.RELATIVE),
        ("javascript:alert(1)", UntrackableReason.SCHEME),
        ("sms:+441632960123", UntrackableReason.SCHEME),
        ("https://shop.example/gift cards", UntrackableReason.MALFORMED),
        ("http:/shop.example", UntrackableReason.MALFORMED),
        ("{{ view_online }}", UntrackableReason.MERGE_TAG),
        ("*|UNSUB|*", UntrackableReason.MERGE_TAG),
    ],
)
def test_untrackable_links_say_why(href: str, reason: UntrackableReason) -> None:
    classified = classify_link(link(href), FP)
    assert (classified.category, classified.reason) == (Category.UNTRACKABLE, reason)


@pytest.mark.parametrize(
    "attributes",
    [
        {"clicktracking": "off"},
        {"clicktracking": "OFF"},
        {"data-pm-no-track": ""},
        {"mc:disable-tracking": ""},
        {"ses:no-track": "true"},
        {"data-msys-clicktrack": "0"},
        {"disable-tracking": "true"},
        {"data-smtpd-no-track": ""},
        {"data-disable-tracking": "true"},
        {"class": "button mktNoTrack"},
    ],
)
def test_each_per_link_opt_out_attribute_is_recognised(attributes: dict[str, str]) -> None:
    classified = classify_link(link("https://shop.example/privacy", **attributes), FP)
    assert (classified.category, classified.reason) == (
        Category.UNTRACKABLE,
        UntrackableReason.OPT_OUT,
    )


def test_a_tracking_switch_that_is_on_is_not_an_opt_out() -> None:
    classified = classify_link(link("https://shop.example/", clicktracking="on"), FP)
    assert classified.category is Category.DIRECT


@pytest.mark.parametrize(
    ("href", "esp"),
    [
        ("https://u17430347.ct.sendgrid.net/ls/click?upn=u001.abc", "SendGrid"),
        ("https://url6045.brand.example/ls/click?upn=u001.abc", "SendGrid"),
        ("https://ablink.news.example/ss/c/abcdef", "SendGrid"),
        ("https://trk.klclick3.com/ls/click?upn=abc", "Klaviyo"),
        (
            "https://acme.us14.list-manage.com/track/click?u=3f21937f0f&id=9bc9573bd6&e=042e",
            "Mailchimp",
        ),
        ("https://czf4r04.na1.hubspotlinks.com/Ctc/RI+113/cZF4R04/VW3rxc", "HubSpot"),
        ("https://email.brand.example/e3t/Ctc/2O+113/d2MBYV04/VXcc3r", "HubSpot"),
        ("https://click.notifications.brand.example/?qs=" + "a" * 64, "Salesforce Marketing Cloud"),
        ("https://r20.rs6.net/tn.jsp?f=001abc&c=x&ch=y", "Constant Contact"),
        ("https://elevator.cmail20.com/t/t-l-vnihtk-jktruklihi-r/", "Campaign Monitor"),
        ("https://r.email.brand.example/mk/cl/f/abc/def", "Brevo"),
        (
            "https://links.iterable.com/a/0123456789abcdef0123456789abcdef?_e=a@b.example&_m=1",
            "Iterable",
        ),
        ("https://xz01x.mjt.lu/lnk/AV8AAD/abc", "Mailjet"),
        ("https://click.mlsend.com/link/c/abc", "MailerLite"),
        (
            "https://t2d857ce9.emailsys2a.net/c/136/1071579/1264/0/4531494/9012/52876/23c7a80ab5.html",
            "rapidmail",
        ),
    ],
)
def test_tracked_links_name_their_esp(href: str, esp: str) -> None:
    classified = classify_link(link(href), FP)
    assert (classified.category, classified.esp) == (Category.TRACKED, esp)
    assert classified.tracking_host == href.split("/")[2]


def test_shared_path_shape_prefers_the_esp_named_by_the_headers() -> None:
    href = "https://trk.brand.example/ls/click?upn=abc"
    assert classify_link(link(href), FP, header_esp="Klaviyo").esp == "Klaviyo"
    assert classify_link(link(href), FP).esp == "SendGrid"


def test_mailgun_token_is_decoded_and_marks_personal_data() -> None:
    query = b"l=https%3A%2F%2Fshop.example%2Fmg%3Fa%3D1&r=jane%40example.com&h=abc"
    href = "https://email.news.shop.example/c/" + b64url(zlib.compress(query))
    classified = classify_link(link(href), FP)
    assert (classified.esp, classified.decoded) == ("Mailgun", "https://shop.example/mg?a=1")
    assert classified.personal_data


def test_mandrill_json_in_json_is_decoded_with_the_host_hint() -> None:
    inner = json.dumps({"u": 1, "v": 1, "url": "https://shop.example/md", "id": "x"})
    p = base64.b64encode(json.dumps({"s": "sig", "v": 1, "p": inner}).encode()).decode()
    href = f"https://mandrillapp.com/track/click/30477602/shop.example?p={quote(p)}"
    classified = classify_link(link(href), FP)
    assert (classified.esp, classified.decoded) == ("Mandrill", "https://shop.example/md")
    assert classified.host_hint == "shop.example"


@pytest.mark.parametrize(
    ("href", "esp", "destination"),
    [
        (
            "https://abcd1234.r.eu-west-1.awstrack.me/L0/https:%2F%2Fshop.example%2Fses%3Fa=1/1/"
            "0102019-000000/sig=12",
            "Amazon SES",
            "https://shop.example/ses?a=1",
        ),
        (
            "https://click.pstmrk.it/3s/shop.example%2Fpm%3Fx=1/AbC/Def",
            "Postmark",
            "https://shop.example/pm?x=1",
        ),
        (
            "https://acct.lt.acemlna.com/Prod/link-tracker?redirectUrl="
            + base64.b64encode(b"https%3A%2F%2Fshop.example%2Fac").decode()
            + "&sig=x",
            "ActiveCampaign",
            "https://shop.example/ac",
        ),
        (
            "https://abc12345.click.convertkit-mail2.com/t1/t2/"
            + base64.b64encode(b"https://shop.example/kit").decode(),
            "Kit (ConvertKit)",
            "https://shop.example/kit",
        ),
        (
            "https://e.customeriomail.com/e/c/"
            + b64url(json.dumps({"href": "https://shop.example/cio"}).encode())
            + "/x",
            "Customer.io",
            "https://shop.example/cio",
        ),
        (
            "https://clicks.shop.example/f/a/hmac~~/AAQxARA~/info?target=https%3A%2F%2Fshop.example%2Fsp",
            "SparkPost",
            "https://shop.example/sp",
        ),
    ],
)
def test_decodable_tracker_formats_give_their_destination(
    href: str, esp: str, destination: str
) -> None:
    classified = classify_link(link(href), FP)
    assert (classified.category, classified.esp, classified.decoded) == (
        Category.TRACKED,
        esp,
        destination,
    )


def test_opaque_trackers_are_never_guessed() -> None:
    classified = classify_link(link("https://u1.ct.sendgrid.net/ls/click?upn=u001.abc"), FP)
    assert classified.decoded is None


@pytest.mark.parametrize(
    ("href", "gateway", "inner"),
    [
        (
            "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fshop.example%2Fsl&data=05",
            "Microsoft Safe Links",
            "https://shop.example/sl",
        ),
        (
            "https://nam02.safelinks.protection.outlook.com/?url=https%253A%252F%252Fshop.example%252Fdbl",
            "Microsoft Safe Links",
            "https://shop.example/dbl",
        ),
        (
            "https://linkprotect.cudasvc.com/url?a=http%3a%2f%2fshop.example%2fb&c=E,1,x&typo=1",
            "Barracuda Link Protection",
            "http://shop.example/b",
        ),
        (
            "https://secure-web.cisco.com/1abcDEF/https%3A%2F%2Fshop.example%2Fcisco",
            "Cisco Secure Email",
            "https://shop.example/cisco",
        ),
        (
            "https://www.google.com/url?q=https://shop.example/g&sa=D&source=editors",
            "Google redirect",
            "https://shop.example/g",
        ),
        (
            "https://www.google.co.uk/url?sa=t&url=https%3A%2F%2Fshop.example%2Fuk",
            "Google redirect",
            "https://shop.example/uk",
        ),
        (
            "https://m365.us.vadesecure.com/safeproxy/v4?f=x&u=https%3A%2F%2Fshop.example%2Fvade",
            "Vade Secure",
            "https://shop.example/vade",
        ),
        (
            "https://urldefense.proofpoint.com/v2/url?u=https-3A__www.example.com_path_to-5Fpage-3Fa-3D1-26b-3D2&d=DwM&c=x",
            "Proofpoint URL Defense",
            "https://www.example.com/path/to_page?a=1&b=2",
        ),
    ],
)
def test_gateway_wrappers_are_unwrapped_offline(href: str, gateway: str, inner: str) -> None:
    classified = classify_link(link(href), FP)
    assert classified.category is Category.WRAPPED
    assert classified.wrappers == (gateway,)
    assert classified.decoded == inner


def test_a_host_that_only_starts_like_google_is_not_a_google_redirect() -> None:
    classified = classify_link(link("https://google.com.evil.test/url?q=https://shop.example/"), FP)
    assert classified.wrappers == ()
    assert all(layer.name != "Google redirect" for layer in classified.layers)
    # it still carries a URL in a parameter: a redirector of unknown owner, never "direct"
    assert (classified.category, classified.esp, classified.esp_source) == (
        Category.TRACKED,
        None,
        EspSource.SHAPE,
    )


def test_mimecast_gives_only_a_host_hint() -> None:
    href = "https://protect-eu.mimecast.com/s/AbCdEf?domain=shop.example"
    classified = classify_link(link(href), FP)
    assert (classified.category, classified.wrappers) == (
        Category.WRAPPED,
        ("Mimecast URL Protect",),
    )
    assert (classified.decoded, classified.host_hint) == (None, "shop.example")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://urldefense.com/v3/__https://www.example.com/page*section__;Iw!!abc!def$",
            "https://www.example.com/page#section",
        ),
        (
            "https://urldefense.com/v3/__https://example.com/a**Ab__;JiY!!x!y$",
            "https://example.com/a&&b",
        ),
        (
            "https://urldefense.com/v3/__https://example.com/caf*__;w6k!!x!y$",
            "https://example.com/café",
        ),
        (
            "https://urldefense.com/v3/__https://example.com/plain__;!!x!y$",
            "https://example.com/plain",
        ),
        (
            "https://urldefense.proofpoint.com/v1/url?u=https://example.com/v1?a%3D1&k=abc",
            "https://example.com/v1?a=1",
        ),
    ],
)
def test_proofpoint_v1_and_v3_with_the_replacement_pool(url: str, expected: str) -> None:
    assert decode_proofpoint(url) == expected


def test_nested_wrappers_unwrap_outermost_first_down_to_the_tracker() -> None:
    ses = (
        "https://abcd1234.r.us-east-1.awstrack.me/L0/https:%2F%2Fshop.example%2Fdeep/1/x-000000/s=1"
    )
    safe = "https://eur01.safelinks.protection.outlook.com/?url=" + quote(ses, safe="") + "&data=1"
    innermost, gateways, hint = unwrap(safe, FP)
    assert (innermost, gateways, hint) == (ses, ("Microsoft Safe Links",), None)
    classified = classify_link(link(safe), FP)
    assert classified.category is Category.WRAPPED
    assert (classified.esp, classified.decoded) == ("Amazon SES", "https://shop.example/deep")


def test_unwrapping_stops_at_the_depth_cap() -> None:
    url = "https://shop.example/end"
    for _ in range(30):
        url = "https://eur01.safelinks.protection.outlook.com/?url=" + quote(url, safe="")
    _, gateways, _ = unwrap(url, FP)
    assert len(gateways) == 10


def test_system_links_and_list_unsubscribe_are_marked() -> None:
    assert classify_link(link("https://shop.example/x", "Unsubscribe"), FP).system == "unsubscribe"
    header = Link(
        id=2, part=Part.HEADER, element=Element.LIST_UNSUBSCRIBE, href="https://shop.example/u"
    )
    assert classify_link(header, FP).system == "unsubscribe"


def test_email_esp_comes_from_its_links_then_its_headers() -> None:
    email = Email(
        Source("x.eml", "0" * 64, "eml"),
        Headers(esp_headers={"X-SES-Outgoing": "2026"}),
        (),
    )
    tracked = link("https://links.iterable.com/a/0123456789abcdef0123456789abcdef?_m=1")
    assert classify(email, [tracked], fingerprints=FP).esp == "Iterable"
    assert classify(email, [link("https://shop.example/")], fingerprints=FP).esp == "Amazon SES"


@pytest.mark.parametrize(
    "href",
    [
        "https://mandrillapp.com/track/click/1/h?p=M0",  # p decodes to the JSON number 3
        "https://e.customeriomail.com/e/c/WzFd/x",  # a JSON list, not an object
        "https://substack.com/redirect/2/Im5vIg.sig",  # a JSON string
    ],
)
def test_tracker_payloads_that_are_not_json_objects_are_opaque(href: str) -> None:
    """Found by fuzzing: a payload that decodes to valid JSON of the wrong shape."""
    classified = classify_link(link(href), FP)
    assert classified.category is Category.TRACKED and classified.decoded is None


@pytest.mark.parametrize(
    ("url", "personal"),
    [
        # retina images are named name@2x.png: a file name, not the recipient's address
        ("http://i10.cmail20.com/static/eb/master/13-the-blueprint-3/images/lishare@2x.png", False),
        ("https://cdn.shop.example/img/hero@3x.jpg", False),
        ("https://t.esp.example/c?e=jane.doe%40gmail.com", True),
        ("https://t.esp.example/c?e=jane@shop.co.uk", True),
        ("https://x.safelinks.example/?data=05%7C02%7Cmarketing%40northwind.example", True),
    ],
)
def test_an_address_needs_a_real_top_level_domain(url: str, personal: bool) -> None:
    assert classify_link(link(url), FP).personal_data is personal
