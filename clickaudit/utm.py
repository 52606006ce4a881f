"""UTM parameters against a policy: required, allowed values, lowercase, scope, consistency, loss.

Analytics split a campaign into pieces when one link says ``utm_source=Newsletter`` and another
``newsletter``, lose it when a redirect drops the query string, and leak campaign names to third
parties when UTMs ride on links to other companies' sites. The policy (TOML, a default bundled in
resources/policy/utm.toml) says what "right" is; this module says where a link is not.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from clickaudit.bundled import read_text
from clickaudit.errors import PolicyError
from clickaudit.findings import finding
from clickaudit.model import Category, Finding, Link
from clickaudit.psl import organisational_domain
from clickaudit.url_display import shorten_url
from clickaudit.urls import host_of, utm_params


@dataclass(frozen=True, slots=True)
class ParameterRule:
    allowed: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class UtmPolicy:
    required: tuple[str, ...] = ("utm_source", "utm_medium", "utm_campaign")
    lowercase: bool = True
    domains: tuple[str, ...] = ()
    consistent: tuple[str, ...] = ("utm_source", "utm_medium", "utm_campaign")
    expected_rewrites: tuple[re.Pattern[str], ...] = ()
    ignore_params: tuple[str, ...] = ("utm_*",)
    parameters: dict[str, ParameterRule] = field(default_factory=dict)
    source: str = "default"

    def in_scope(self, url: str, sender_domain: str = "") -> bool:
        """Whether the rules apply to a destination: the policy's domains, else the sender's."""
        host = host_of(url)
        if not host:
            return False
        organisation = organisational_domain(host)
        domains = self.domains or ((organisational_domain(sender_domain),) if sender_domain else ())
        if not domains:
            return True
        return any(organisation == organisational_domain(d) for d in domains)


def load_policy(path: str | None = None) -> UtmPolicy:
    """The policy in ``path``, or the bundled default.

    Raises:
        PolicyError: the file cannot be read, is not TOML, or has a bad key or regular expression
        (the message names the file and the key).
    """
    if path is None:
        return parse_policy(read_text("policy", "utm.toml"), "resources/policy/utm.toml")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(f"{path}: cannot be read: {error.strerror or error}") from None
    return parse_policy(text, path)


def parse_policy(text: str, where: str = "policy") -> UtmPolicy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{where}: not valid TOML: {error}") from None
    policy = data.get("policy", {})
    known = {"required", "lowercase", "domains", "consistent", "expected_rewrites", "ignore_params"}
    unknown = set(policy) - known
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) in [policy]: {', '.join(sorted(unknown))}")
    rules = {}
    for name, rule in data.get("parameters", {}).items():
        pattern = rule.get("pattern")
        rules[name] = ParameterRule(
            allowed=tuple(str(v) for v in rule.get("allowed", ())),
            pattern=_compile(pattern, f"{where}: [parameters.{name}] pattern") if pattern else None,
        )
    return UtmPolicy(
        required=tuple(policy.get("required", ("utm_source", "utm_medium", "utm_campaign"))),
        lowercase=bool(policy.get("lowercase", True)),
        domains=tuple(d.lower() for d in policy.get("domains", ())),
        consistent=tuple(policy.get("consistent", ("utm_source", "utm_medium", "utm_campaign"))),
        expected_rewrites=tuple(
            _compile(p, f"{where}: expected_rewrites") for p in policy.get("expected_rewrites", ())
        ),
        ignore_params=tuple(policy.get("ignore_params", ("utm_*",))),
        parameters=rules,
        source=where,
    )


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise PolicyError(f"{where}: bad regular expression {pattern!r}: {error}") from None


def utm_at_destination(link: Link) -> dict[str, str]:
    """The UTMs where the link lands: the followed final URL, else the decoded or expected
    destination, else the href of a direct link."""
    url = destination_url(link)
    return utm_params(url) if url else {}


def destination_url(link: Link) -> str | None:
    if link.final_url and link.outcome == "ok":
        return link.final_url
    if link.decoded:
        return link.decoded
    if link.category is Category.DIRECT:
        return link.href
    return link.expected


def check_link_utm(
    link: Link, policy: UtmPolicy, *, sender_domain: str = ""
) -> tuple[Finding, ...]:
    """utm-missing, utm-invalid and utm-third-party for one link's destination."""
    url = destination_url(link)
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
        url = destination_url(link)
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
    shown = ", ".join(str(i) for i in ids[:8])
    return shown + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")


def _short(url: str, limit: int = 80) -> str:
    return shorten_url(url, limit)
