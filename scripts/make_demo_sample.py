"""Rebuild the demo's sent email (campaign.eml.in) from its template, as SendGrid would send it.

The demo's "sent" email is the template after an ESP's click-tracking rewrite: every http(s) link
becomes a branded SendGrid click URL on click.northwind.example, except the ones SendGrid leaves
alone (opt-out attribute, unsubscribe/preferences links it made itself, mailto/tel/fragments,
relative links, merge tags, malformed hrefs, and links already tracked elsewhere). Tokens are
deterministic so the simulator's routes (routes.toml.in) can name them. Run after editing the
template:  .venv/bin/python scripts/make_demo_sample.py
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "resources" / "samples" / "northwind"
CLICK = "https://click.northwind.example:@HTTPS@/ls/click?upn="
LEFT_ALONE = ('clicktracking="off"', "/asm/", "awstrack.me", "safelinks.protection")


def token_for(url: str) -> str:
    digest = hashlib.sha256(url.encode()).digest()
    return "u001." + base64.urlsafe_b64encode(digest).decode().rstrip("=")[:40]


def rewrite(template: str) -> tuple[str, dict[str, str]]:
    """The sent HTML and the token → original URL table."""
    tokens: dict[str, str] = {}

    def rewrite_tag(match: re.Match[str]) -> str:
        tag = match.group(0)
        found = re.search(r'href="([^"]*)"', tag)
        if not found:
            return tag
        href = html.unescape(found.group(1))
        if not href.startswith(("http://", "https://")) or " " in href:
            return tag
        if any(marker in tag for marker in LEFT_ALONE):
            return tag
        token = token_for(href)
        tokens[token] = href
        return tag.replace(found.group(0), f'href="{CLICK}{token}"')

    return re.sub(r"<(?:a|v:roundrect)\b[^>]*>", rewrite_tag, template), tokens


HEADERS = """\
Return-Path: <bounces+4432117-a1b2-demo=northwind.example@em4432.northwind.example>
Received: from o1.ptr4432.northwind.example (o1.ptr4432.northwind.example [192.0.2.44])
\tby mx.recipient.example with ESMTPS id demo1; Tue, 24 Nov 2026 09:30:12 +0000
Authentication-Results: mx.recipient.example; dkim=pass header.d=northwind.example header.s=s1;
\tspf=pass smtp.mailfrom=em4432.northwind.example; dmarc=pass (p=NONE) header.from=northwind.example
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=northwind.example; h=from:subject:
\tcontent-type:list-unsubscribe:list-unsubscribe-post; s=s1;
\tbh=demo0bodyhash0notverified0AAAAAAAAAAAAAAA=;
\tb=demo0signature0not0verified0by0the0demo0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
From: Northwind Outfitters <news@northwind.example>
Reply-To: Northwind Customer Care <help@northwind.example>
To: demo.recipient@example.com
Subject: =?utf-8?q?Winter_sale=3A_30=25_off_outerwear_=E2=9D=84?=
Date: Tue, 24 Nov 2026 09:30:11 +0000
Message-ID: <demo-winter-sale.20261124093011@northwind.example>
List-Unsubscribe: <https://click.northwind.example:@HTTPS@/asm/unsubscribe/?user_id=demo&one_click=1>,
\t<mailto:unsubscribe@em4432.northwind.example?subject=unsubscribe>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
X-SG-EID: u001.demo0sendgrid0event0id0for0the0northwind0sample
X-SG-ID: u001.demo0sendgrid0message0id
X-Entity-ID: u001.demo0entity
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="----=_demo_boundary_7f3a"

This is a multi-part message in MIME format.

------=_demo_boundary_7f3a
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

"""

TEXT = """\
Winter sale: 30% off outerwear

Hi {{{{ first_name }}}}, the cold is here and so are our best prices of the year.

Shop the sale: {sale}

Storm jacket, £119: {jacket}
Trail boots, £89: {boots}

Questions? Write to help@northwind.example or call +44 1632 960123.
Privacy notice: <https://help.northwind.example:@HTTPS@/privacy>

Unsubscribe: https://click.northwind.example:@HTTPS@/asm/unsubscribe/?user_id=demo
"""

MIDDLE = """
------=_demo_boundary_7f3a
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

"""

END = """
------=_demo_boundary_7f3a--
"""


def main() -> None:
    template = (SAMPLE / "template.html.in").read_text("utf-8")
    sent_html, tokens = rewrite(template)
    sent_html = sent_html.replace(
        "</body>",
        '<img src="https://click.northwind.example:@HTTPS@/wf/open?upn=u001.open-pixel-demo"'
        ' width="1" height="1" alt="" style="display:block;border:0">\n</body>',
    )
    by_path = {url.split("@HTTPS@")[-1].split("?")[0]: token for token, url in tokens.items()}
    text = TEXT.format(
        sale=CLICK + by_path["/sale"],
        jacket=CLICK + by_path["/p/storm-jacket"],
        boots=CLICK + by_path["/p/trail-boots"],
    )
    eml = HEADERS + text + MIDDLE + sent_html + END
    (SAMPLE / "campaign.eml.in").write_bytes(eml.replace("\n", "\r\n").encode("utf-8"))
    (SAMPLE / "tokens.txt").write_text(
        "".join(f"{token} {url}\n" for token, url in sorted(tokens.items(), key=lambda kv: kv[1])),
        "utf-8",
    )
    print(f"{len(tokens)} links rewritten; wrote campaign.eml.in and tokens.txt")


if __name__ == "__main__":
    main()
