"""Findings about UTM parameters: required, allowed values, lowercase, scope, consistency, loss.

:mod:`clickaudit.utm` holds the policy (what "right" is) and reads a link's UTMs where it lands;
this module compares the two and makes the findings, each naming the parameters it is about.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from clickaudit.findings import finding
from clickaudit.model import Category, Finding, Link
from clickaudit.url_display import shorten_url
from clickaudit.urls import host_of, utm_params
from clickaudit.utm import UtmPolicy

IDS_SHOWN = 8  # an inconsistency names this many links, then counts the rest


def check_link_utm(
    link: Link, policy: UtmPolicy, *, sender_domain: str = ""
) -> tuple[Finding, ...]:
    """utm-missing, utm-invalid and utm-third-party for one link's destination."""
    url = link.destination
    if not url or link.system or link.category is Category.UNTRACKABLE:
        return ()
    params = utm_params(url)
    subject = link.subject
    if not policy.in_scope(url, sender_domain):
        if params:
            names = ", ".join(sorted(params))
            return (
                finding(
                    "utm-third-party",
                    f"{host_of(url)} is not your domain but the link carries {names}",
                    subject,
                    parameters=tuple(sorted(params)),
                ),
            )
        return ()
    found: list[Finding] = []
    missing = [name for name in policy.required if name not in params]
    if missing:
        found.append(
            finding(
                "utm-missing",
                f"{_short(url)} lacks {', '.join(missing)}",
                subject,
                parameters=tuple(missing),
            )
        )
    for name, value in params.items():
        problem = _value_problem(name, value, policy)
        if problem:
            found.append(
                finding("utm-invalid", f"{name}={value!r}: {problem}", subject, parameters=(name,))
            )
    return tuple(found)


def _value_problem(name: str, value: str, policy: UtmPolicy) -> str | None:
    if not value:
        return "empty value"
    if name != name.lower():
        return f"the parameter name should be lowercase ({name.lower()})"
    if policy.lowercase and value != value.lower():
        return f"should be lowercase ({value.lower()!r}); analytics count both as separate values"
    rule = policy.parameters.get(name)
    if rule is None:
        return None
    if rule.allowed and value not in rule.allowed:
        return f"not one of the allowed values ({', '.join(rule.allowed)})"
    if rule.pattern and not rule.pattern.fullmatch(value):
        return f"does not match the policy's pattern {rule.pattern.pattern}"
    return None


def check_utm_lost(link: Link) -> tuple[Finding, ...]:
    """utm-lost: parameters present at one hop (or in the decoded destination) and gone after."""
    if not link.chain:
        return ()
    urls = [hop.url for hop in link.chain]
    if link.final_url and link.final_url != urls[-1]:
        urls.append(link.final_url)
    found: list[Finding] = []
    for index in range(len(urls) - 1):
        before, after = utm_params(urls[index]), utm_params(urls[index + 1])
        lost = sorted(set(before) - set(after))
        if lost:
            found.append(
                finding(
                    "utm-lost",
                    f"hop {index + 1} ({_short(urls[index], 60)}) redirects to "
                    f"{_short(urls[index + 1], 60)} without {', '.join(lost)}",
                    link.subject,
                    parameters=tuple(lost),
                )
            )
            break
    if not found and link.decoded and link.final_url and link.outcome == "ok":
        expected, landed = utm_params(link.decoded), utm_params(link.final_url)
        lost = sorted(set(expected) - set(landed))
        if lost:
            found.append(
                finding(
                    "utm-lost",
                    f"the tracked destination has {', '.join(lost)} but the landing page "
                    f"{_short(link.final_url, 60)} has not",
                    link.subject,
                    parameters=tuple(lost),
                )
            )
    return tuple(found)


def check_utm_consistency(
    links: Sequence[Link], policy: UtmPolicy, *, sender_domain: str = ""
) -> tuple[Finding, ...]:
    """utm-inconsistent: one email's in-scope links disagree on a parameter that should agree."""
    values: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for link in links:
        url = link.destination
        if not url or link.system or not policy.in_scope(url, sender_domain):
            continue
        for name, value in utm_params(url).items():
            if name in policy.consistent:
                values[name][value].append(link.id)
    found = []
    for name in policy.consistent:
        seen = values.get(name)
        if seen and len(seen) > 1:
            parts = "; ".join(
                f"{value!r} on link{'s' if len(ids) > 1 else ''} {_ids(ids)}"
                for value, ids in sorted(seen.items(), key=lambda item: -len(item[1]))
            )
            found.append(
                finding("utm-inconsistent", f"{name} differs: {parts}", parameters=(name,))
            )
    return tuple(found)


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:IDS_SHOWN])
    return shown + (f" and {len(ids) - IDS_SHOWN} more" if len(ids) > IDS_SHOWN else "")


def _short(url: str, limit: int = 80) -> str:
    return shorten_url(url, limit)
