"""Benchmark: ``clickaudit scan`` of a 2 MB HTML email with 5,000 links.

Reported as a ratio to the time lxml alone takes to parse the same file and list its hrefs,
measured in the same run (issue 2's target: ≤ 3×). Run on demand:

    .venv/bin/python tests/bench/bench_scan.py [--links 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

LINK_SHAPES = (
    "https://u{n}.ct.sendgrid.net/ls/click?upn=u001.{token}",
    "https://click.mailchimp.example.us{n}.list-manage.com/track/click?u={token}&id={n}",
    "https://shop.example/product/{n}?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=w{n}",
    "https://awstrack.me/L0/https:%2F%2Fshop.example%2Fp%2F{n}/1/0100018{token}/abc=",
    "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fshop.example%2F{n}&amp;data=05",
    "mailto:help+{n}@shop.example",
    "#section-{n}",
)


def make_email_html(links: int, target_bytes: int) -> str:
    """A newsletter-like table of ``links`` anchors, padded with text to ``target_bytes``."""
    rng = random.Random(7)
    rows = []
    for n in range(links):
        href = rng.choice(LINK_SHAPES).format(n=n, token=f"{rng.getrandbits(128):032x}")
        rows.append(
            f'<tr><td class="item" style="padding:8px;font-family:Arial"><a href="{href}" '
            f'style="color:#0b5">Product {n} — see the offer</a></td></tr>'
        )
    body = "\n".join(rows)
    filler_row = '<tr><td style="color:#555">' + "Lorem ipsum dolor sit amet. " * 8 + "</td></tr>\n"
    html = f"<html><head><title>Sale</title></head><body><table>{body}</table><table>"
    while len(html) < target_bytes:
        html += filler_row * 50
    return html + "</table></body></html>"


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=5000)
    parser.add_argument("--size-mb", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from clickaudit.pipeline import scan_path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "campaign.html"
        path.write_text(make_email_html(args.links, int(args.size_mb * 1_000_000)), "utf-8")
        data = path.read_bytes()

        def lxml_alone() -> list[str]:
            tree = lxml.html.document_fromstring(data)
            return [a.get("href") for a in tree.iter("a", "area")]

        def clickaudit_scan() -> object:
            return scan_path(path)

        found = len(lxml_alone())
        audits = scan_path(path)
        scan_path(path)  # warm caches (fingerprints, PSL) as a long-running app would have them
        baseline = best_of(args.repeat, lxml_alone)
        scan = best_of(args.repeat, clickaudit_scan)
        size = len(data) / 1e6
        print(f"input: {size:.2f} MB, {found} links (lxml), {len(audits[0].links)} links (scan)")
        print(f"lxml parse + list hrefs: {baseline * 1000:8.1f} ms (best of {args.repeat})")
        print(f"clickaudit scan:         {scan * 1000:8.1f} ms (best of {args.repeat})")
        print(f"ratio: {scan / baseline:.2f}x  (target <= 3x)")
        reruns = [best_of(1, clickaudit_scan) for _ in range(3)]
        print(f"median of 3 single runs, scan: {statistics.median(reruns) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
