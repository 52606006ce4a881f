"""UTM parameters against a policy: required, allowed values, lowercase, scope, consistency, loss.

Analytics split a campaign into pieces when one link says ``utm_source=Newsletter`` and another
``newsletter``, lose it when a redirect drops the query string, and leak campaign names to third
parties when UTMs ride on links to other companies' sites. The policy (TOML, a default bundled in
resources/policy/utm.toml) says what "right" is; this module reads the policy and the UTMs a
link carries to its destination, and :mod:`clickaudit.judge.utm` says where a link is not right.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from clickaudit.bundled import read_text
from clickaudit.errors import PolicyError
from clickaudit.model import Link
from clickaudit.psl import organisational_domain
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
    """The UTMs where the link goes (:attr:`Link.destination`)."""
    url = link.destination
    return utm_params(url) if url else {}
