"""Every number and policy a finding depends on, in one place.

A reviewer asking "when does clickaudit call a certificate expiring?" or "which DMARC policy is
weak?" reads this module, not five. The judges (clickaudit/judge/) compare facts against these
values; the observers use the few that are also protocol limits (SPF's lookup budget) to stop
where a receiver would.
"""

from __future__ import annotations

# --- TLS (judge/domains.py) -------------------------------------------------------------------
TLS_EXPIRY_WARNING_DAYS = 21  # a certificate expiring sooner is reported (tls-expiring)
TLS_OLD_PROTOCOLS = frozenset({"SSLv3", "TLSv1", "TLSv1.1"})  # deprecated by RFC 8996

# --- Sender authentication (domains/auth.py observes, judge/domains.py judges) ----------------
SPF_LOOKUP_LIMIT = 10  # RFC 7208 4.6.4: DNS-querying terms per evaluation
SPF_VOID_LIMIT = 2  # RFC 7208 4.6.4: lookups that find nothing
DMARC_POLICIES = frozenset({"none", "quarantine", "reject"})  # RFC 7489 6.3 p=
DMARC_WEAK_POLICY = "none"  # monitoring only: spoofed mail is still delivered
DMARC_FULL_PERCENT = 100  # pct below this leaves part of the mail unprotected
DKIM_MIN_RSA_BITS = 1024  # RFC 8301 3.2: verifiers must not accept smaller RSA keys

# --- Redirect chains (settings default; follow.py enforces, judge/chains.py reports) -----------
MAX_HOPS = 10  # more redirects than this is a chain too long (redirect-too-long)
