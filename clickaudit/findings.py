"""The finding catalogue: every code the engine can report, with its severity, meaning and fix.

Codes are a public contract (DESIGN.md): reports, CI gates and users' scripts match on them, so a
released code is never renamed or removed. Stages create findings only through :func:`finding`,
which refuses a code that is not in the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from clickaudit.model import Finding, Severity


@dataclass(frozen=True, slots=True)
class Check:
    """A catalogue entry: what the code means and what a person should do about it."""

    code: str
    severity: Severity
    title: str
    explanation: str
    fix: str
    stage: str  # which stage reports it: scan, follow, utm, domains, auth, tls, blocklists


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

# fmt: off
_CHECKS: tuple[Check, ...] = (
    # --- links, offline (scan) ---
    Check("link-malformed", E, "Malformed link",
          "The href is not a valid URL (RFC 3986): spaces, unencoded characters, bad percent "
          "escapes, a bad host or a broken scheme such as http:/x. Careful ESPs leave such links "
          "untracked; careless ones mangle them, and some mail clients will not open them.",
          "Correct the URL in the template and percent-encode reserved characters.", "scan"),
    Check("link-empty", W, "Empty link",
          "The link's href is empty (href=\"\"): clicking it reloads or does nothing, and it "
          "cannot be tracked.",
          "Put the destination URL in the href, or remove the link.", "scan"),
    Check("link-relative", E, "Relative link",
          "A relative link (/page.html) has no host to go to once it is in an inbox.",
          "Write the full https:// URL.", "scan"),
    Check("link-merge-tag", E, "Unresolved merge tag",
          "The link still contains a template variable ({{ }}, *| |*, %% %%, ...). It was not "
          "substituted, so recipients get a broken link and the ESP may refuse to track it.",
          "Check the merge field's name and fallback in the ESP, and test-send with real data.",
          "scan"),
    Check("link-unsupported-scheme", W, "Unusual link scheme",
          "The link uses a scheme other than http, https, mailto or tel (javascript:, file:, "
          "data:, ...). Mail clients block most of them and they cannot be tracked.",
          "Use an https:// link, or remove the link.", "scan"),
    Check("link-insecure", W, "Link over plain HTTP",
          "A tracked or destination link uses http://. Anyone on the path can read the "
          "recipient-specific tracking token, and browsers warn on the landing page.",
          "Use https:// for the destination and enable HTTPS on the tracking domain.", "scan"),
    Check("link-text-mismatch", W, "Anchor text shows another domain",
          "The visible text looks like a URL of a different domain than the link goes to. "
          "Filters treat this as a phishing sign, and recipients hovering the link distrust it.",
          "Make the visible URL match the destination, or use words instead of a URL.", "scan"),
    Check("link-untracked", W, "Link not tracked",
          "Click tracking is on for this email, but this http(s) link was not rewritten, so its "
          "clicks are not counted.",
          "Check the link for an opt-out attribute or a malformed href; the ESP skips both.",
          "scan"),
    Check("link-opted-out", I, "Tracking turned off for this link",
          "The link carries an ESP's per-link opt-out attribute, so it is deliberately untracked.",
          "Nothing, if deliberate; otherwise remove the attribute.", "scan"),
    Check("link-opaque", I, "Destination unknown offline",
          "The tracking link's format keeps the destination on the ESP's server. Only following "
          "the link (which records a click) tells where it goes.",
          "Audit with following enabled, or pair the email with its template (--template).",
          "scan"),
    Check("tracker-unknown", I, "Tracked by an unknown redirector",
          "The link looks like a click tracker (a tracking host name with an opaque token, a "
          "redirect path, or the destination written inside the link) but no fingerprint or "
          "tracker list names its owner. It is reported as tracked, never as direct; safe mode "
          "never requests it.",
          "Nothing for the sender if the redirector is yours; otherwise find out who runs it "
          "(its DNS CNAME usually names the ESP).", "scan"),
    Check("link-wrapped", I, "Wrapped by a security gateway",
          "A security gateway (Safe Links, Proofpoint, Mimecast, ...) rewrote the link in the "
          "delivered copy. The destination shown is the unwrapped one; the gateway also opens "
          "links before delivery, which shows up as false clicks.",
          "Nothing for the sender; when measuring clicks, filter gateway pre-clicks.", "scan"),
    Check("link-personal-data", I, "Link exposes the recipient",
          "The link carries the recipient's email address or identity in a readable form (e.g. a "
          "Mailgun token or an email parameter). Forwarded emails and shared reports leak it.",
          "Use --redact for reports that leave the company.", "scan"),
    Check("link-homograph", W, "Look-alike host name",
          "The host mixes scripts or uses characters that imitate another domain (an IDN "
          "homograph).",
          "Do not click it; if it is your link, use the ASCII domain.", "scan"),
    Check("link-credentials", W, "Link with a user name or password",
          "The URL contains user:password@ before the host, a trick that hides the real host.",
          "Remove the credentials from the URL.", "scan"),
    Check("link-duplicate-tracking", I, "Text link tracked differently",
          "The same destination is opted out of tracking in HTML but appears bare in the text "
          "part, where the ESP may still track it.",
          "Opt the text-part link out too (the ESP's text syntax), or accept the tracking.",
          "scan"),
    Check("list-unsubscribe-missing", W, "No List-Unsubscribe header",
          "Bulk mail without a List-Unsubscribe header breaks Gmail's and Yahoo's sender "
          "requirements and invites spam complaints.",
          "Add List-Unsubscribe (https and mailto) and List-Unsubscribe-Post: "
          "List-Unsubscribe=One-Click.", "scan"),
    Check("list-unsubscribe-no-one-click", W, "No one-click unsubscribe",
          "List-Unsubscribe has an https URL but no List-Unsubscribe-Post header, so mailbox "
          "providers cannot offer one-click unsubscribe (RFC 8058).",
          "Add List-Unsubscribe-Post: List-Unsubscribe=One-Click.", "scan"),
    Check("email-no-links", I, "No links found",
          "The email has no links to audit.", "Check that the right file was opened.", "scan"),
    Check("email-charset-fallback", I, "Wrong or missing charset",
          "A part declared a charset its bytes do not fit (or none), so another one was used to "
          "decode it. Some clients will show garbled text.",
          "Declare the charset the part is really written in (UTF-8).", "scan"),
    Check("email-malformed", W, "Malformed MIME structure",
          "The message's MIME structure is broken (a boundary that does not match, a truncated "
          "part). Links were recovered as far as possible; some clients show nothing.",
          "Regenerate the message; check the ESP's template for raw MIME edits.", "scan"),
    # --- redirect chains (follow / judge) ---
    Check("redirect-loop", E, "Redirect loop",
          "The chain comes back to a URL it already visited; browsers give up with an error.",
          "Fix the redirect rules on the looping hosts.", "follow"),
    Check("redirect-too-long", W, "Too many redirects",
          "The chain is longer than the hop limit. Each hop costs time; some clients and proxies "
          "give up.", "Link to the final URL directly, or shorten the chain.", "follow"),
    Check("redirect-blocked", W, "Automated visitor refused",
          "The page refused the auditor (a 403 bot challenge, LinkedIn's 999). A person's browser "
          "probably gets through; the link is not known to be broken.",
          "Open it once by hand to confirm.", "follow"),
    Check("redirect-broken", E, "Link ends in an error",
          "The chain ends with a 4xx or 5xx status: recipients land on an error page.",
          "Fix or replace the destination page; re-audit before sending.", "follow"),
    Check("redirect-timeout", E, "Redirect timed out",
          "A hop did not answer within the time limit.",
          "Check the server; a slow tracking host loses clicks.", "follow"),
    Check("redirect-downgrade", W, "HTTPS downgraded to HTTP",
          "A hop redirects from https to plain http, exposing the rest of the chain.",
          "Make every hop redirect to https.", "follow"),
    Check("redirect-unreachable", E, "Host unreachable",
          "A hop's host could not be reached: the name does not resolve, the connection is "
          "refused, or TLS failed.", "Check the host's DNS, server and certificate.", "follow"),
    Check("redirect-not-followed", I, "Link not followed",
          "The link was not requested: safe mode, an unsubscribe or system link, or a scheme "
          "that is not followed.", "Audit with following on (and --follow-unsubscribe for "
          "system links) to check it.", "follow"),
    Check("destination-mismatch", E, "Lands somewhere else",
          "The final URL is not the expected destination (the decoded one or the template's).",
          "Update the link in the template or the tracking mapping; check the landing site's "
          "redirects.", "follow"),
    Check("link-missing", W, "Template link missing",
          "A link of the pre-send template has no counterpart in the sent email: the ESP or an "
          "editor dropped or changed it beyond recognition.",
          "Compare the sent email with the template; restore the link.", "pair"),
    Check("link-added", I, "Link not in the template",
          "The sent email has a link the template does not: usually the ESP's own (unsubscribe, "
          "view online); otherwise an edit made after the template was approved.",
          "Check that the link was meant to be there.", "pair"),
    Check("address-private", W, "Refused: private address",
          "A hop's host resolves to a loopback, private, link-local or reserved address. The "
          "auditor refuses to probe the local network (a hostile email could abuse it).",
          "Use a public host; for local tests run with --allow-private.", "follow"),
    # --- UTM ---
    Check("utm-missing", W, "UTM parameter missing",
          "A parameter the policy requires is missing at the destination, so analytics cannot "
          "attribute the visit to this campaign.", "Add the parameter to the link.", "utm"),
    Check("utm-invalid", W, "UTM value breaks the policy",
          "A UTM value is not allowed by the policy (wrong value, not lowercase, pattern "
          "mismatch); it splits the campaign's figures in analytics.",
          "Use the policy's value.", "utm"),
    Check("utm-inconsistent", W, "UTM values differ between links",
          "Links of one email disagree on a value that should be the same (utm_source, "
          "utm_medium, utm_campaign), so the campaign's traffic is split.",
          "Use one value for the whole email.", "utm"),
    Check("utm-lost", E, "UTM parameters lost on the way",
          "UTM parameters present before a hop are gone after it (a redirect dropped the query "
          "string): analytics records the visit as direct.",
          "Make the redirect keep the query string.", "utm"),
    Check("utm-third-party", I, "UTM on a third-party link",
          "UTM parameters are sent to a domain the policy does not cover; they tell that site "
          "about your campaign.", "Remove UTM parameters from third-party links.", "utm"),
    # --- domains ---
    Check("tracking-domain-misaligned", W, "Tracking domain not aligned with From",
          "The tracking host's organisational domain differs from the From domain's. Filters "
          "read mismatched link domains as a spam or phishing sign.",
          "Set up a branded tracking domain (a CNAME under the From domain to the ESP).",
          "domains"),
    Check("tracking-domain-shared", W, "Shared ESP tracking domain",
          "Links use the ESP's generic tracking domain, shared with every other sender; when "
          "one of them spams, the domain lands on blocklists and your links suffer.",
          "Set up link branding (a CNAME under your domain to the ESP).", "domains"),
    Check("dns-nxdomain", E, "Domain does not exist",
          "The host has no DNS records (NXDOMAIN): every link through it is broken.",
          "Create the DNS record, or correct the host name.", "domains"),
    Check("dns-servfail", E, "DNS failure",
          "The domain's name servers failed to answer (SERVFAIL or time-out): the host is "
          "unreachable for many recipients.", "Check the domain's DNS servers and DNSSEC.",
          "domains"),
    Check("dns-not-checked", W, "DNS not checked",
          "The resolver could not be asked (unreachable, or every lookup timed out), so no "
          "domain's DNS, authentication or blocklist listing was checked. This says nothing "
          "about the domains themselves.",
          "Check this machine's network and resolver, or pass a working one with --nameserver, "
          "and audit again.", "domains"),
    Check("dns-cname-mismatch", E, "CNAME points at the wrong ESP",
          "The branded tracking host's CNAME does not point at the ESP that rewrote the links "
          "(a typo or a stale record).", "Point the CNAME at the ESP's tracking host.", "domains"),
    Check("tls-invalid", E, "Certificate not trusted",
          "The certificate does not verify (expired, self-signed, unknown issuer): browsers show "
          "a warning instead of the page.", "Install a certificate from a public CA.", "tls"),
    Check("tls-hostname-mismatch", E, "Certificate for another name",
          "The certificate does not cover this host name.",
          "Issue a certificate whose SANs include the host.", "tls"),
    Check("tls-expiring", W, "Certificate expires soon",
          "The certificate expires in under 21 days.", "Renew it (automate renewal).", "tls"),
    Check("tls-unavailable", E, "No HTTPS",
          "The host does not answer TLS on port 443, so https links to it fail.",
          "Enable HTTPS on the host (for a branded tracking domain, in the ESP's settings).",
          "tls"),
    Check("tls-old-protocol", W, "Old TLS version",
          "The host negotiated TLS older than 1.2; current browsers refuse it.",
          "Enable TLS 1.2 and 1.3.", "tls"),
    Check("hsts-missing", I, "No HSTS",
          "The host does not send Strict-Transport-Security, so a first visit over http can be "
          "intercepted.", "Send Strict-Transport-Security on https responses.", "tls"),
    Check("spf-missing", W, "No SPF record", "The sender domain publishes no SPF record.",
          "Publish v=spf1 with your ESP's include and -all or ~all.", "auth"),
    Check("spf-multiple", E, "Several SPF records",
          "More than one v=spf1 record: receivers treat SPF as a permanent error.",
          "Merge them into one record.", "auth"),
    Check("spf-syntax", E, "SPF syntax error",
          "The SPF record does not parse, so receivers treat it as a permanent error.",
          "Correct the record (check each mechanism and modifier).", "auth"),
    Check("spf-too-many-lookups", E, "SPF needs over 10 DNS lookups",
          "Evaluating the record takes more than 10 DNS-querying mechanisms (RFC 7208 §4.6.4): "
          "receivers return permerror and SPF fails.",
          "Flatten or remove includes you no longer use.", "auth"),
    Check("spf-void-lookups", W, "SPF has void lookups",
          "More than 2 mechanisms look up names that do not exist (RFC 7208 §4.6.4).",
          "Remove includes and names that no longer resolve.", "auth"),
    Check("spf-permissive", E, "SPF allows everyone",
          "The record ends in +all (or ?all), so anyone may send as this domain.",
          "End the record with -all or ~all.", "auth"),
    Check("dmarc-missing", W, "No DMARC record",
          "The sender domain publishes no DMARC record; Gmail and Yahoo require one of bulk "
          "senders.", "Publish _dmarc with at least p=none and a rua address, then tighten.",
          "auth"),
    Check("dmarc-weak", W, "DMARC policy does not protect",
          "The DMARC policy is p=none (or pct under 100): spoofed mail is still delivered.",
          "Move to p=quarantine, then p=reject, once reports show legitimate mail aligns.",
          "auth"),
    Check("dmarc-syntax", E, "DMARC syntax error",
          "The DMARC record does not parse; receivers ignore it.", "Correct the record.", "auth"),
    Check("dkim-missing", W, "DKIM key not found",
          "The selector in the message's DKIM-Signature has no key record (or the message is "
          "unsigned), so the signature cannot verify.",
          "Publish the selector's key, or sign with a selector that has one.", "auth"),
    Check("dkim-weak-key", W, "Weak DKIM key", "The DKIM key is shorter than 1024 bits.",
          "Rotate to a 2048-bit key.", "auth"),
    Check("dkim-invalid", E, "DKIM key record invalid",
          "The selector's record does not parse as a DKIM key (or the key is revoked).",
          "Republish the key record from your ESP's settings.", "auth"),
    Check("blocklisted", E, "On a domain blocklist",
          "A domain blocklist (Spamhaus DBL, SURBL, URIBL) lists this domain: mail linking to "
          "it goes to spam or is rejected.",
          "Find the cause (a shared tracking domain: brand it), then request delisting.",
          "blocklists"),
    Check("blocklist-unchecked", I, "Blocklist could not be checked",
          "The blocklist refused or failed the query (public resolver, over quota, no answer to "
          "its test name), so the domain is neither known listed nor known clean.",
          "Query from your own resolver, or use the list's keyed service (--nameserver).",
          "blocklists"),
)
# fmt: on

CATALOGUE: Mapping[str, Check] = MappingProxyType({c.code: c for c in _CHECKS})


def finding(
    code: str,
    message: str,
    subject: str | None = None,
    severity: Severity | None = None,
    *,
    parameters: tuple[str, ...] = (),
) -> Finding:
    """Make a finding of a catalogued code; ``severity`` overrides the catalogue's for one case;
    ``parameters`` names the query parameters it is about (UTM findings).

    Raises:
        KeyError: the code is not in the catalogue (a programming error, caught by the tests).
    """
    check = CATALOGUE[code]
    return Finding(code, severity or check.severity, message, check.fix, subject, parameters)


def worst(findings: Iterable[Finding]) -> Finding | None:
    """The most severe finding (the first of equals), or ``None`` when there are none."""
    best: Finding | None = None
    for f in findings:
        if best is None or f.severity.rank > best.severity.rank:
            best = f
    return best
