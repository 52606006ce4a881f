"""Security gateways and link shims, each from a real public example, unwrapped before the inner
URL is judged. Sources are named per test: the research notes (../shared/research/
esp-link-formats.md) and links found in public repositories with the code search."""

from __future__ import annotations

import base64

from clickaudit.classify import classify_link
from clickaudit.esp.fingerprints import load_fingerprints
from clickaudit.model import Category, Element, EspSource, LayerKind, Link, Part
from clickaudit.unwrap import decode_proofpoint

FP = load_fingerprints()


def classified(href: str) -> Link:
    return classify_link(Link(1, Part.HTML, Element.A, href, "link"), FP)


def test_symantec_click_time_u_parameter_is_unwrapped() -> None:
    # A public Markdown README (code search "clicktime.symantec.com/") links through Symantec.
    link = classified(
        "https://clicktime.symantec.com/3KG6rdmTz1vDaXhBTFLnHVX7Vc?u=https%3A%2F%2Fdeveloper.dxc."
        "com%2Ftools%2Fangular%2Fnext%2F%23%2Fcomponents%2Fbutton"
    )
    assert (link.category, link.wrappers) == (
        Category.WRAPPED,
        ("Symantec Click-time URL Protection",),
    )
    assert link.decoded == "https://developer.dxc.com/tools/angular/next/#/components/button"


def test_symantecs_encrypted_form_is_opaque_not_guessed() -> None:
    # The /a/1/<token>?d=<encrypted> form seen in a public PowerShell script: no u= parameter.
    link = classified(
        "https://clicktime.symantec.com/a/1/3esCKtonICCF-rrs7xQKVLId02gZJ9a9AeDuvKdt8Fk=?d=wUoxAv"
        "RabIhx8KgGUdxwS8PiI8kOfKHFC7DFlH2Qg7_TPGOAZ9_reD4580YONYA7fBldo71LCtOqPnB4Fbw8HLmU8zEpA70X"
    )
    assert link.category is Category.WRAPPED
    assert link.decoded is None


def test_whatsapp_l_wl_co_shim_is_a_redirector() -> None:
    # A public HTML email template (code search "l.wl.co/l?u=") links a Facebook page this way.
    link = classified(
        "https://l.wl.co/l?u=https%3A%2F%2Fwww.facebook.com%2Fprofile.php%3Fid%3D61551133388228"
    )
    assert link.decoded == "https://www.facebook.com/profile.php?id=61551133388228"
    assert [(layer.kind, layer.name) for layer in link.layers] == [
        (LayerKind.REDIRECTOR, "WhatsApp link shim")
    ]


def test_teams_and_office_atp_safelinks_page_is_unwrapped() -> None:
    # Public course notes (code search "atp-safelinks.html?url=") pasted from Teams.
    link = classified(
        "https://statics.teams.cdn.office.net/evergreen-assets/safelinks/1/atp-safelinks.html?url="
        "https%3A%2F%2Fstats.libretexts.org%2FBookshelves%2FIntroductory_Statistics"
    )
    assert link.wrappers == ("Microsoft Safe Links (Teams and Office)",)
    assert link.decoded == "https://stats.libretexts.org/Bookshelves/Introductory_Statistics"


def test_check_point_avanan_triple_underscore_form_is_unwrapped() -> None:
    # Public Markdown articles (code search "url.avanan.click/v2/___") link through Avanan; the
    # Markdown copy lost one slash of https://, which is restored.
    link = classified(
        "https://url.avanan.click/v2/___https:/papers.ssrn.com/sol3/papers.cfm?abstract_id=458004"
        "8___.YXAzOnNhcmFncmlsbG86YTpnOjYzM2JhM2JkNTdhZjEyYzFkNDczNzMxMTJiODhkNWQ2OjY6NDIyMDpiOWM2"
    )
    assert link.wrappers == ("Check Point Harmony Email (Avanan)",)
    assert link.decoded == "https://papers.ssrn.com/sol3/papers.cfm?abstract_id=4580048"


def test_sophos_u_parameter_is_base64() -> None:
    # The example of a public PowerShell function ConvertFrom-SophosTimeOfClickURL (code search).
    link = classified(
        "https://eu-west-1.protection.sophos.com/?d=microsoft.com&u=aHR0cHM6Ly93d3cubWljcm9zb2Z0L"
        "mNvbS9saWNlbnNpbmcvc2VydmljZWNlbnRlci9kZWZhdWx0LmFzcHg=&"
    )
    assert link.wrappers == ("Sophos Email",)
    assert link.decoded == "https://www.microsoft.com/licensing/servicecenter/default.aspx"


def test_barracuda_on_path_slash_is_unwrapped() -> None:
    # Research notes §2 (rstms/blpdecode): a= holds the URL; the bare-path form has no /url.
    link = classified(
        "https://linkprotect.cudasvc.com/?a=https%3a%2f%2fwww.example.org%2fnews&c=E,1,abc&typo=1"
    )
    assert link.wrappers == ("Barracuda Link Protection",)
    assert link.decoded == "https://www.example.org/news"


def test_ses_custom_click_domain_cl0_is_decoded() -> None:
    # A public TLDR newsletter archive (code search "/CL0/https:%2F%2F"): SES on a custom domain.
    link = classified(
        "https://tracking.tldrnewsletter.com/CL0/https:%2F%2Ftechcrunch.com%2F2026%2F09%2F10%2Fant"
        "hropic-reveals-rogue-ai-agents-hate-captchas-just-like-you%3Futm_source=tldrai/1/010001a0"
        "a01d5872-5c963d3e-2a09-4018-8d07-d0f0737cf930-000000/NYfmMIeYXAsRBj7rdWwggUhXwFpwdeeNPKmy"
        "2TsSla4=452"
    )
    assert (link.category, link.esp, link.esp_source) == (
        Category.TRACKED,
        "Amazon SES",
        EspSource.FINGERPRINT,
    )
    assert link.decoded == (
        "https://techcrunch.com/2026/09/10/anthropic-reveals-rogue-ai-agents-hate-captchas-just-"
        "like-you?utm_source=tldrai"
    )


def test_facebook_messenger_and_instagram_shims_are_redirectors() -> None:
    # Research notes §2 ("Facebook: l.facebook.com/l.php?u=", "Instagram: l.instagram.com/?u=").
    for href in (
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example%2Fa&h=AT0abc",
        "https://l.messenger.com/l.php?u=https%3A%2F%2Fshop.example%2Fa&h=AT0abc",
        "https://l.instagram.com/?u=https%3A%2F%2Fshop.example%2Fa&e=ATabc",
    ):
        link = classified(href)
        assert link.decoded == "https://shop.example/a", href
        assert link.layers[0].kind is LayerKind.REDIRECTOR


def test_youtube_slack_and_linkedin_redirects_are_unwrapped() -> None:
    # Research notes §2: youtube.com/redirect?q=, slack-redir.net/link?url=,
    # linkedin.com/redir/redirect?url= (decodable) and linkedin.com/slink?code= (opaque).
    cases = {
        "https://www.youtube.com/redirect?event=video_description&q=https%3A%2F%2Fshop.example%2F"
        "a&v=abc": "https://shop.example/a",
        "https://slack-redir.net/link?url=https%3A%2F%2Fshop.example%2Fa": "https://shop.example/a",
        "https://www.linkedin.com/redir/redirect?url=https%3A%2F%2Fshop.example%2Fa&urlhash=x": (
            "https://shop.example/a"
        ),
    }
    for href, destination in cases.items():
        assert classified(href).decoded == destination, href
    opaque = classified("https://www.linkedin.com/slink?code=gVJMtkzT")
    assert (opaque.category, opaque.decoded) == (Category.WRAPPED, None)


def test_mimecast_protect_gives_only_its_host_hint() -> None:
    # Research notes §2: "url.<region>.m.mimecastprotect.com/s/<id>?domain=<host>".
    link = classified("https://url.uk.m.mimecastprotect.com/s/AbCdEfGhIjK?domain=shop.example")
    assert (link.category, link.decoded, link.host_hint) == (
        Category.WRAPPED,
        None,
        "shop.example",
    )


def test_proofpoint_v3_runs_count_characters_not_utf8_bytes() -> None:
    # Research notes §2, Proofpoint v3: the pool is decoded to text and sliced by characters
    # (the reference decoder's semantics); "é" is two UTF-8 bytes but one character.
    pool = base64.urlsafe_b64encode("é#".encode()).decode().rstrip("=")
    url = f"https://urldefense.com/v3/__https://example.com/caf**Ax__;{pool}!!abc!def$"
    assert decode_proofpoint(url) == "https://example.com/café#x"


def test_a_stray_percent_in_a_wrappers_own_parameters_does_not_hide_the_inner_url() -> None:
    # Safe Links' data= is the gateway's own tracking; a bad escape there (seen when a mail
    # client re-encodes the link) made the whole link "malformed".
    link = classified(
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fshop.example%2Fa&data"
        "=05%7C01%7Cx%ZZ%7C&sdata=abc%&reserved=0"
    )
    assert (link.category, link.decoded) == (Category.WRAPPED, "https://shop.example/a")


def test_unwrapping_comes_first_then_the_inner_tracker_is_judged() -> None:
    # Research notes §0.3: Safe Links wrapping a Mailgun token; layers name both, outermost
    # first, and the destination is the Mailgun token's.
    import zlib

    query = "l=https%3A%2F%2Fshop.example%2Fsale&r=someone%40example.com"
    token = base64.urlsafe_b64encode(zlib.compress(query.encode())).decode().rstrip("=")
    inner = f"https://email.mg.shop.example/c/{token}"
    from urllib.parse import quote

    link = classified(
        "https://nam02.safelinks.protection.outlook.com/?url=" + quote(inner, safe="") + "&data=1"
    )
    assert [(layer.kind, layer.name) for layer in link.layers] == [
        (LayerKind.WRAPPER, "Microsoft Safe Links"),
        (LayerKind.TRACKER, "Mailgun"),
    ]
    assert link.layers[0].url.startswith("https://nam02.safelinks")
    assert link.layers[1].url == inner
    assert (link.esp, link.decoded, link.personal_data) == (
        "Mailgun",
        "https://shop.example/sale",
        True,
    )
