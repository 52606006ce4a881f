"""The real emails of ../shared/corpus/real: what each one's links are, as a person checked them.

Each row was checked by reading the email: its ESP, how many links that ESP tracks, and a
destination recovered offline where the format carries one. Skipped where the corpus is absent.
"""

from __future__ import annotations

import pytest

from clickaudit.model import Category
from clickaudit.pipeline import scan_path
from tests.conftest import corpus_file

# file, ESP of the email, tracked links, wrapped links, one destination decoded offline (or None)
EXPECTED = [
    (
        "ipd_activecampaign_emlnk_latin1.eml",
        "ActiveCampaign",
        2,
        0,
        "https://pub-b4a0f75d273e4316a3bb8c706b5dda35.r2.dev/docusign-document-e5cc430158",
    ),
    ("ipd_barracuda_linkprotect_base64.eml", None, 0, 1, "http://www.alfagroup.org/about-us"),
    ("ipd_brevo_mk_cl.eml", "Brevo", 10, 0, None),
    # 7 /click/ links; the /form? preference pages on the same host are the ESP's own pages
    ("ipd_campaigner_mailengine1_utm.eml", "Campaigner", 7, 0, None),
    ("ipd_hubspot_branded_e3t.eml", "HubSpot", 2, 0, None),
    ("ipd_klaviyo_trk_klclick3.eml", "Klaviyo", 2, 0, None),
    ("ipd_mailgun_thinkific_utm.eml", "Mailgun", 3, 0, "https://www.rasadhwani.com/1998542546/"),
    # the two /unsub2 links are Mailjet's unsubscribe page, not tracked clicks
    ("ipd_mailjet_mjtlu.eml", "Mailjet", 1, 0, None),
    ("ipd_sendgrid_branded_linkdomain.eml", "SendGrid", 9, 0, None),
    ("ipd_sendgrid_ct_qp_htmlonly.eml", "SendGrid", 25, 0, None),
    ("ipd_sendgrid_iso2022jp_base64.eml", "SendGrid", 7, 0, None),
    (
        "ipd_ses_awstrack_google_redirect.eml",
        "Amazon SES",
        2,
        0,
        "https://serveraccounttld.it.com/othermaill/mailpage/fased.html#industrypack-deve",
    ),
    ("ipd_sfmc_click_qs_latin1.eml", "Salesforce Marketing Cloud", 14, 0, None),
    ("ipd_vadesecure_safelinks_nested.eml", None, 0, 7, "http://lk-tech.com/"),
    ("ipd_zoho_campaigns_click.eml", "Zoho Campaigns", 1, 0, None),
    (
        "osu_aliyun_directmail_click.eml",
        "Alibaba Cloud DirectMail",
        4,
        0,
        "http://crm.moviead.cn/huoke",
    ),
    ("osu_sendgrid_branded_wetransfer_utm.eml", "SendGrid", 0, 0, None),
    # four share images on i*.cmail20.com/static/ and the /t/t-u- unsubscribe are not clicks
    ("pp_campaignmonitor_cmail20_related.eml", "Campaign Monitor", 16, 0, None),
    ("pp_constantcontact_rs6.eml", "Constant Contact", 0, 0, None),
    # three /unsubscribe/ pages on the ESP's hosts are not tracked clicks
    ("pp_customerio.eml", "Customer.io", 3, 0, None),
    ("pp_hubspotlinks_google_utm.eml", "HubSpot", 7, 0, None),
    # two /e/encryptedUnsubscribe links are the ESP's unsubscribe page
    ("pp_iterable.eml", "Iterable", 4, 0, None),
    ("pp_klaviyo_ctrk_base64.eml", "Klaviyo", 2, 0, None),
    (  # ten /unsubscribe, /profile and /vcard pages on list-manage.com are not tracked clicks
        "pp_mailchimp_safelinks.eml",
        "Mailchimp",
        28,
        2,
        "https://survey.alchemer.eu/s3/90478274/southampton-alumni-2022",
    ),
    ("pp_mailersend_mailchimp_mixed.eml", "MailerSend", 4, 0, None),
    ("pp_mandrill_wraps_postmark.eml", "Mandrill", 2, 0, "https://connectas.catalog.yampi.io/"),
    # 26 /dc/ links and two base64 "/MDAw…" (munchkin id) click links on the branded host
    ("pp_marketo_dc_win1250.eml", "Marketo", 28, 0, None),
    (
        "pp_postmark_nested_pstmrk.eml",
        "Postmark",
        3,
        0,
        "https://logowik.com/content/uploads/images/pancakeswap-cake3276.jpg",
    ),
    ("pp_ses_awstrack_L0_many.eml", "Amazon SES", 67, 0, "https://sidvitro.click/Credit-HSN.html"),
    # 39 /f/a/ links and three /f/open-in-app/ (a named sublink of the same format)
    ("pp_sparkpost_eventbrite.eml", "SparkPost", 42, 0, None),
    ("pp_substack.eml", "Substack", 18, 0, None),
    # five /profile and /unsubscribe pages on list-manage.com are not tracked clicks
    ("ss_mailchimp_webinar.eml", "Mailchimp", 8, 0, None),
    # two /mailing/…/index.html web views and three unsubscribe.html pages are not clicks
    ("ss_rapidmail_emailsys_related.eml", "rapidmail", 11, 0, None),
]


@pytest.mark.parametrize(("name", "esp", "tracked", "wrapped", "decoded"), EXPECTED)
def test_real_email(
    name: str, esp: str | None, tracked: int, wrapped: int, decoded: str | None
) -> None:
    [audit] = scan_path(corpus_file(name))
    categories = [link.category for link in audit.links]
    assert audit.esp == esp
    assert categories.count(Category.TRACKED) == tracked
    assert categories.count(Category.WRAPPED) == wrapped
    if decoded:
        assert any((link.decoded or "").startswith(decoded) for link in audit.links)


def test_the_mailgun_token_exposes_the_recipient() -> None:
    [audit] = scan_path(corpus_file("ipd_mailgun_thinkific_utm.eml"))
    mailgun = [link for link in audit.links if link.esp == "Mailgun"]
    assert mailgun and all(link.personal_data for link in mailgun if link.decoded)


def test_mandrill_wrapping_postmark_is_decoded_through_both() -> None:
    [audit] = scan_path(corpus_file("pp_mandrill_wraps_postmark.eml"))
    mandrill = next(link for link in audit.links if link.esp == "Mandrill")
    assert mandrill.decoded == "https://connectas.catalog.yampi.io/"
    assert any("Mandrill → Postmark" in note for note in mandrill.notes)


def test_six_nested_gateway_layers_are_peeled() -> None:
    [audit] = scan_path(corpus_file("ipd_vadesecure_safelinks_nested.eml"))
    wrapped = next(link for link in audit.links if link.category is Category.WRAPPED)
    assert wrapped.wrappers[:2] == ("Vade Secure", "Microsoft Safe Links")
    assert len(wrapped.wrappers) == 6


def test_a_lookalike_safelinks_host_is_not_trusted_as_safe_links() -> None:
    [audit] = scan_path(corpus_file("osu_fake_safelinks_doubleclick.eml"))
    wrapped = next(link for link in audit.links if link.category is Category.WRAPPED)
    assert wrapped.wrappers == ("Google Ads redirect",)
    assert "url-protection" in (wrapped.decoded or "")


def test_links_hidden_inside_a_style_element_are_not_links() -> None:
    """The phishing kit hid a whole newsletter inside <style>: browsers show none of it."""
    [audit] = scan_path(corpus_file("pp_mailersend_mailchimp_mixed.eml"))
    assert not any("list-manage.com" in link.href for link in audit.links)


def test_the_open_pixels_are_listed_apart_from_links() -> None:
    [audit] = scan_path(corpus_file("ipd_sendgrid_ct_qp_htmlonly.eml"))
    # info.fdc-k.co.ke/email/5fd912d7bba1e184860497.gif is Mautic's pixel: /email/<idHash>.gif,
    # the hash a 13-hex uniqid plus its 9-digit entropy
    assert [pixel.esp for pixel in audit.pixels if pixel.esp] == ["Mautic", "SendGrid"]


def test_an_open_pixel_on_an_esps_own_host_is_that_esps_whatever_path_it_shares() -> None:
    # Mandrill and Mailchimp both use /track/open.php; list-manage.com is Mailchimp's host.
    [audit] = scan_path(corpus_file("ss_mailchimp_webinar.eml"))
    assert [pixel.esp for pixel in audit.pixels] == ["Mailchimp"]


def test_footer_and_open_pixel_after_closing_html_are_found() -> None:
    # Campaigner appends its footer (preferences, unsubscribe) and open pixel after </html>
    [audit] = scan_path(corpus_file("ipd_campaigner_mailengine1_utm.eml"))
    footer = [link for link in audit.links if "/form?" in link.href]
    assert [link.system for link in footer] == ["preferences", "unsubscribe"] * 2
    assert all(link.category is Category.DIRECT for link in footer)  # the ESP's own pages
    assert not any(f.code == "link-untracked" for link in footer for f in link.findings)
    assert [pixel.esp for pixel in audit.pixels if "/open/" in pixel.src] == ["Campaigner"]
