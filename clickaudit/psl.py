"""Organisational domains from the bundled public suffix list (no download at run time).

Alignment (is the tracking host under the From domain?) and anchor-text checks compare
organisational domains: ``click.news.example.co.uk`` and ``example.co.uk`` share ``example.co.uk``.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from publicsuffixlist import PublicSuffixList


@cache
def _psl() -> PublicSuffixList:
    import publicsuffixlist

    from clickaudit.startup_cache import parsed_once

    return parsed_once("psl", [publicsuffixlist.PSLFILE], PublicSuffixList)


def organisational_domain(host: str) -> str:
    """The registrable domain of ``host`` (lowercased, trailing dot dropped); the host itself
    when it has none (an IP address, a bare public suffix, a single label)."""
    host = host.strip().rstrip(".").lower()
    if not host or _is_ip(host):
        return host
    return _psl().privatesuffix(host) or host


def public_suffix_known(domain: str) -> bool:
    """Whether ``domain`` ends in a suffix the public suffix list knows (``2x.png`` does not)."""
    return _psl().publicsuffix(domain.strip().rstrip(".").lower(), accept_unknown=False) is not None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
