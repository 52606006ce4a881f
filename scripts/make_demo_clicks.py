#!/usr/bin/env python3
"""Rebuild the demo's synthetic click log (resources/samples/northwind/clicks.synthetic.json.in).

SYNTHETIC: no real person or gateway is in it. It is what SendGrid's Event Webhook would post for
the Northwind winter sale sent to 400 recipients: processed and delivered events, then for about
a third of them a security gateway's scan (Exchange Online Protection or Barracuda addresses,
every tracked link within seconds of delivery, some with a program's user agent), and for a few
percent a person's click or two on a phone or desktop, seconds to days later. Clicks carry the
link's original URL (what SendGrid logs) and its ``url_offset``, with the simulator's port left
as @HTTPS@/@HTTP@ for the demo to fill in. Deterministic:

    .venv/bin/python scripts/make_demo_clicks.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "resources" / "samples" / "northwind"
OUTPUT = SAMPLE / "clicks.synthetic.json.in"
PORT = "44399"  # a stand-in for @HTTPS@/@HTTP@ while the email is scanned


def tracked_links() -> list[tuple[int, str]]:
    """(url_offset index, original URL) of each tracked HTML link of the sent email."""
    sys.path.insert(0, str(REPO))
    from clickaudit.model import Part
    from clickaudit.pipeline import scan_path

    tokens = {}
    for line in (SAMPLE / "tokens.txt").read_text(encoding="utf-8").splitlines():
        token, _, original = line.partition(" ")
        if token:
            tokens[token] = original
    text = (SAMPLE / "campaign.eml.in").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        email = Path(folder) / "campaign.eml"
        email.write_text(text.replace("@HTTPS@", PORT).replace("@HTTP@", PORT), encoding="utf-8")
        links = scan_path(str(email))[0].links
    found = []
    offset = 0
    for link in links:
        if link.part is not Part.HTML or not link.href.lower().startswith(("http://", "https://")):
            continue
        if "upn=" in link.href:
            token = link.href.split("upn=", 1)[1].split("&", 1)[0]
            if token in tokens and all(tokens[token] != url for _, url in found):
                found.append((offset, tokens[token]))  # a gateway requests each URL once
        offset += 1
    return found


def main() -> int:
    sys.path.insert(0, str(REPO))
    from clickaudit.sim.clicklog import CampaignShape, events, write_json_array

    links = tracked_links()
    shape = CampaignShape(
        urls=[url for _, url in links],
        offsets=[offset for offset, _ in links],
        recipients=400,
        start=1_795_512_611.0,  # the sample's Date: Tue, 24 Nov 2026 09:30:11 +0000
    )
    with OUTPUT.open("w", encoding="utf-8", newline="\n") as out:
        count = write_json_array(out, events(shape, seed=17))
    print(f"{OUTPUT.relative_to(REPO)}: {count} synthetic events, {len(links)} tracked links")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
