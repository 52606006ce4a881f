"""The settings of one audit: what the CLI's options and the GUI's settings dialog both fill in.

Kept as one frozen dataclass so an audit records exactly what it ran with (the store keeps it,
reports print it) and so both front ends cannot drift apart in their defaults.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from clickaudit.net.nameservers import Nameserver
from clickaudit.thresholds import MAX_HOPS


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """How to audit.

    ``follow``: request links at all (``False`` is ``--no-follow``: offline and domain checks only).
    ``safe``: never request a tracked link; verify the offline-decoded destination instead.
    ``follow_unsubscribe``: also request unsubscribe/preference links (off: an auditor that
    unsubscribes the test recipient is worse than none).
    ``check_domains``: run DNS, authentication, TLS and blocklist checks.
    ``user_agent``: a profile name from :mod:`clickaudit.follow` (desktop, mobile, scanner).
    ``concurrency``: requests in flight in all; ``per_host``: the most ever in flight to one host
    (the adaptive limiter in :mod:`clickaudit.net.limiter` opens each host up to it).
    ``timeout``: seconds per hop; ``chain_timeout``: seconds per whole chain.
    """

    follow: bool = True
    safe: bool = False
    follow_unsubscribe: bool = False
    check_domains: bool = True
    user_agent: str = "desktop"
    method: str = "GET"
    nameservers: tuple[Nameserver, ...] = ()
    ca_bundle: str | None = None
    allow_private: bool = False
    concurrency: int = 100
    per_host: int = 32
    timeout: float = 10.0
    chain_timeout: float = 30.0
    max_hops: int = MAX_HOPS
    policy_path: str | None = None
    template_path: str | None = None
    blocklist_zones: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, as stored with each audit."""
        data = asdict(self)
        data["nameservers"] = [str(ns) for ns in self.nameservers]
        data["blocklist_zones"] = list(self.blocklist_zones)
        return data
