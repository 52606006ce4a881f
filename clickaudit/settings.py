"""The settings of one audit: what the CLI's options and the GUI's settings dialog both fill in.

Kept as one frozen dataclass so an audit records exactly what it ran with (the store keeps it,
reports print it) and so both front ends cannot drift apart in their defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from clickaudit.net.nameservers import Nameserver, parse_nameserver
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
    (the adaptive limiter in :mod:`clickaudit.net.limiter` opens each host up to it; why 100 and
    200 is told there). ``audit``'s option defaults repeat these two (a test keeps them equal).
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
    concurrency: int = 200
    per_host: int = 100
    timeout: float = 10.0
    chain_timeout: float = 30.0
    max_hops: int = MAX_HOPS
    policy_path: str | None = None
    template_path: str | None = None
    blocklist_zones: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditSettings:
        """The settings :meth:`to_dict` wrote (an audit's ``settings``, the child process's
        request, a cluster job, the app's saved settings); ``mode`` is the report's, not a
        setting, and is left out.

        Raises:
            ValueError: a nameserver is not ``HOST[:PORT]``.
            TypeError: a key is not a setting.
        """
        values = {key: value for key, value in data.items() if key != "mode"}
        if "nameservers" in values:
            values["nameservers"] = tuple(
                ns if isinstance(ns, Nameserver) else parse_nameserver(str(ns))
                for ns in values["nameservers"]
            )
        if "blocklist_zones" in values:
            values["blocklist_zones"] = tuple(values["blocklist_zones"])
        return cls(**values)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, as stored with each audit; :meth:`from_dict` reads it back."""
        data = asdict(self)
        data["nameservers"] = [str(ns) for ns in self.nameservers]
        data["blocklist_zones"] = list(self.blocklist_zones)
        return data
