"""Findings about a followed redirect chain: loops, errors, downgrades, wrong destinations.

The follower records what happened; this module decides what a person must be told. Noise is
kept out on purpose: an http→https upgrade, an added trailing slash, tracking parameters and the
policy's expected rewrites are not destination mismatches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from clickaudit.findings import finding
from clickaudit.model import Finding, Link, Outcome
from clickaudit.url_display import distinct_parts, shorten_url
from clickaudit.urls import normalise_url, parse_url

_OUTCOME_CODES = {
    Outcome.LOOP: "redirect-loop",
    Outcome.TOO_LONG: "redirect-too-long",
    Outcome.BROKEN: "redirect-broken",
    Outcome.TIMEOUT: "redirect-timeout",
    Outcome.UNREACHABLE: "redirect-unreachable",
    Outcome.BLOCKED: "redirect-blocked",
    Outcome.PRIVATE: "address-private",
    Outcome.INVALID_LOCATION: "redirect-broken",
    Outcome.SCHEME: "redirect-broken",
}


def judge_chain(
    link: Link,
    *,
    policy: object | None = None,
    expected_rewrites: Sequence[re.Pattern[str]] = (),
    ignore_params: Sequence[str] = ("utm_*",),
) -> tuple[Finding, ...]:
    """Findings for one link's chain (none when it was not followed)."""
    if policy is not None:
        expected_rewrites = tuple(getattr(policy, "expected_rewrites", ())) or expected_rewrites
        ignore_params = tuple(getattr(policy, "ignore_params", ())) or ignore_params
    subject = link.subject
    if link.outcome is Outcome.NOT_FOLLOWED:
        why = (
            link.not_followed.explain(link.system)
            if link.not_followed is not None
            else "the link was not requested"
        )
        return (finding("redirect-not-followed", why, subject),)
    if not link.chain:
        return ()
    found: list[Finding] = []
    code = _OUTCOME_CODES.get(link.outcome) if link.outcome else None
    if code:
        found.append(finding(code, _outcome_message(link), subject))
    found.extend(_downgrades(link))
    if link.outcome is Outcome.OK and link.final_url:
        if link.final_url.lower().startswith("http://"):
            found.append(
                finding("link-insecure", f"lands on plain http: {_short(link.final_url)}", subject)
            )
        mismatch = destination_mismatch(
            link.expected or link.decoded,
            link.final_url,
            expected_rewrites=expected_rewrites,
            ignore_params=ignore_params,
        )
        if mismatch:
            found.append(finding("destination-mismatch", mismatch, subject))
    return tuple(found)


def _outcome_message(link: Link) -> str:
    last = link.chain[-1]
    hops = len(link.chain)
    where = f"hop {hops} ({_short(last.url, 70)})"
    outcome = link.outcome
    if outcome is Outcome.LOOP:
        urls = [h.url for h in link.chain]
        # the cycle: from the first visit of the URL the chain came back to
        start = urls.index(urls[-1]) if urls[-1] in urls[:-1] else max(0, len(urls) - 4)
        cycle = urls[start:][-5:]
        path = " → ".join(distinct_parts(cycle, 40))
        return f"the chain comes back to a URL it already visited: {path}"
    if outcome is Outcome.TOO_LONG:
        return f"still redirecting after {hops - 1} hops at {_short(last.url, 70)}"
    if outcome is Outcome.BROKEN:
        return f"ends with status {last.status} at {where}"
    if outcome is Outcome.BLOCKED:
        return f"{where} answered {last.status}: the site refused an automated visitor"
    if outcome is Outcome.SCHEME:
        return f"redirects to a non-web address at {where}: {last.error}"
    if outcome is Outcome.INVALID_LOCATION:
        return f"{where}: {last.error or 'a redirect without a usable Location'}"
    return f"{where}: {last.error or outcome}"


def _downgrades(link: Link) -> list[Finding]:
    urls = [hop.url for hop in link.chain]
    for index in range(len(urls) - 1):
        if urls[index].lower().startswith("https://") and urls[index + 1].lower().startswith(
            "http://"
        ):
            return [
                finding(
                    "redirect-downgrade",
                    f"hop {index + 1} redirects from https to {_short(urls[index + 1], 70)}",
                    link.subject,
                )
            ]
    return []


def destination_mismatch(
    expected: str | None,
    final: str,
    *,
    expected_rewrites: Sequence[re.Pattern[str]] = (),
    ignore_params: Sequence[str] = ("utm_*",),
) -> str | None:
    """Why ``final`` is not ``expected`` (scheme, host, path, query), or None when it is.

    Ignored: http vs https, a trailing slash, ``www.`` on the same host, the fragment, the
    ignored parameters (UTMs and known tracking parameters), and any final URL that matches one
    of the policy's expected rewrites.
    """
    if not expected or parse_url(expected) is None or parse_url(final) is None:
        return None
    if any(pattern.search(final) for pattern in expected_rewrites):
        return None
    want = _comparable(expected, ignore_params)
    got = _comparable(final, ignore_params)
    if want == got:
        return None
    want_host, got_host = want[0], got[0]
    if want_host != got_host:
        return f"expected {want_host} but landed on {got_host} ({_short(final)})"
    if want[1] != got[1]:
        return f"expected the path {want[1]} but landed on {got[1]} ({_short(final)})"
    return f"expected the query {want[2] or '(none)'} but landed with {got[2] or '(none)'}"


def _comparable(url: str, ignore_params: Sequence[str]) -> tuple[str, str, str]:
    normal = parse_url(normalise_url(url, ignore_params=ignore_params))
    if normal is None:
        return "", "/", ""
    host = normal.host.removeprefix("www.")  # ports differ only with the scheme
    path = normal.path.rstrip("/") or "/"
    return host, path, normal.query


def _short(url: str, limit: int = 90) -> str:
    return shorten_url(url, limit)
