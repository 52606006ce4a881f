"""``clickaudit audit FILE…``: the full audit — follow every chain, check domains, judge, save.

Options are DESIGN.md's contract. Reports go to stdout (or ``--output``); progress goes to stderr
only when it is a terminal; the audit is saved to the history database unless ``--no-save``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from clickaudit.commands.cluster_run import add_cluster_options, check_inputs
from clickaudit.commands.common import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    FAIL_ON,
    add_fail_on,
    add_jobs,
    open_output,
    write_document,
)
from clickaudit.errors import ClickauditError, InputError
from clickaudit.report import FORMATS
from clickaudit.thresholds import MAX_HOPS

# The names of follow.USER_AGENTS, for --help without importing the network stack at start-up
# (a test keeps the two the same).
USER_AGENT_PROFILES = ("desktop", "mobile", "android", "outlook", "scanner")

NAME = "audit"
# The same as AuditSettings' (not imported: start-up stays light; a test keeps them equal).
DEFAULT_CONCURRENCY = 200
DEFAULT_PER_HOST = 100


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        NAME,
        help="follow every link's redirect chain, check domains, verify destinations and UTMs",
        description="The full audit: everything 'scan' does, then each link's redirect chain is "
        "followed hop by hop as a browser would, destinations and UTM parameters are verified, "
        "and tracking and sender domains are checked (DNS, CNAME, SPF/DKIM/DMARC, TLS, "
        "blocklists). Unsubscribe links are never requested unless --follow-unsubscribe.",
    )
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help=".eml, .mbox, .html or .txt files, folders (Maildir too) or quoted globs",
    )
    parser.add_argument("--template", metavar="HTML", help="the pre-send template to pair with")
    parser.add_argument("--policy", metavar="FILE", help="UTM policy (TOML)")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here")
    store = parser.add_mutually_exclusive_group()
    store.add_argument("--db", metavar="FILE", help="history database (default: per user)")
    store.add_argument("--no-save", action="store_true", help="do not keep this audit")
    parser.add_argument(
        "--redact", action="store_true", help="mask recipients' addresses and tracking tokens"
    )
    add_fail_on(parser)
    add_jobs(
        parser,
        "worker processes that load and classify a batch's emails; 4 emails per job are "
        "followed at once, all within one --per-host limit (default: the machine's cores)",
    )
    net = parser.add_argument_group("network")
    net.add_argument(
        "--safe",
        action="store_true",
        help="never request a tracked link (no click is recorded); verify decoded destinations",
    )
    net.add_argument("--no-follow", action="store_true", help="request no link at all")
    net.add_argument("--no-domains", action="store_true", help="skip DNS/TLS/auth checks")
    net.add_argument(
        "--follow-unsubscribe",
        action="store_true",
        help="also request unsubscribe and preference links (this may unsubscribe!)",
    )
    net.add_argument(
        "--user-agent",
        metavar="PROFILE",
        default="desktop",
        help="browser to look like: " + ", ".join(USER_AGENT_PROFILES) + " (default desktop)",
    )
    net.add_argument("--head", action="store_true", help="HEAD instead of GET where possible")
    net.add_argument(
        "--nameserver",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="DNS server to use (repeatable; default: the system's)",
    )
    net.add_argument("--ca-bundle", metavar="PEM", help="trust these CA certificates")
    net.add_argument(
        "--allow-private",
        action="store_true",
        help="allow loopback and private addresses (local test servers)",
    )
    net.add_argument(
        "--concurrency",
        type=_positive_int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"requests in flight in all (default {DEFAULT_CONCURRENCY})",
    )
    net.add_argument(
        "--per-host",
        type=_positive_int,
        default=DEFAULT_PER_HOST,
        metavar="N",
        help="the most requests ever in flight to one host; each host starts with a few and "
        "gets more while it answers promptly and without 429/503 "
        f"(default {DEFAULT_PER_HOST})",
    )
    net.add_argument(
        "--timeout",
        type=_positive_float,
        default=10.0,
        metavar="SECONDS",
        help="the longest one request may take (default 10)",
    )
    net.add_argument(
        "--max-hops",
        type=_positive_int,
        default=MAX_HOPS,
        metavar="N",
        help=f"redirects followed before a chain is reported too long (default {MAX_HOPS})",
    )
    net.add_argument(
        "--blocklist",
        action="append",
        default=[],
        metavar="[NAME=]ZONE[@TESTNAME]",
        help="domain blocklist zone to query, with the name reports give it and a listed test "
        "name that proves the zone answers (repeatable; default: the bundled list)",
    )
    add_cluster_options(parser)
    parser.set_defaults(handler=run)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of seconds")
    return value


def settings_from_args(args: argparse.Namespace) -> Any:
    from clickaudit.follow import USER_AGENTS
    from clickaudit.net.nameservers import parse_nameserver
    from clickaudit.settings import AuditSettings

    if args.user_agent not in USER_AGENTS:
        known = ", ".join(sorted(USER_AGENTS))
        raise InputError("--user-agent", f"unknown profile {args.user_agent!r} (known: {known})")
    try:
        nameservers = tuple(parse_nameserver(n) for n in args.nameserver)
    except ValueError as error:
        raise InputError("--nameserver", str(error)) from error
    return AuditSettings(
        follow=not args.no_follow,
        safe=args.safe,
        follow_unsubscribe=args.follow_unsubscribe,
        check_domains=not args.no_domains,
        user_agent=args.user_agent,
        method="HEAD" if args.head else "GET",
        nameservers=nameservers,
        ca_bundle=args.ca_bundle,
        allow_private=args.allow_private,
        concurrency=args.concurrency,
        per_host=args.per_host,
        timeout=args.timeout,
        max_hops=args.max_hops,
        policy_path=args.policy,
        template_path=args.template,
        blocklist_zones=tuple(args.blocklist),
    )


def run(args: argparse.Namespace) -> int:

    problem = check_inputs(args)
    if problem:
        print(f"clickaudit: audit: {problem}", file=sys.stderr)
        return EXIT_INPUT
    settings = settings_from_args(args)
    if args.cluster:
        from clickaudit.commands.cluster_run import run_batch

        return run_batch(
            args,
            mode="audit",
            settings_data=settings.to_dict(),
            save=not args.no_save,
            shown=lambda audits: _redacted(audits, args.redact),
        )
    return _audit_batch(args, settings)


def _audit_batch(args: argparse.Namespace, settings: Any) -> int:
    """Emails are read and audited a few at a time (:mod:`clickaudit.audit_batch`); text, JSON
    and JSON-lines reports are written as each finishes and each audit is saved as it is made,
    so a batch of any size runs in bounded memory. (HTML, CSV and JUnit reports are whole
    documents, written at the end: each audit's part is spooled as it is made.)"""
    from clickaudit.audit_batch import AuditedSource, audit_sources
    from clickaudit.batch import count_sources, read_sources
    from clickaudit.commands.progress_line import BatchProgress, ProgressLine
    from clickaudit.report.stream import (
        STREAMED_FORMATS,
        DocumentWriter,
        ReportWriter,
        render_piece,
    )
    from clickaudit.scan_batch import default_jobs

    jobs = args.jobs or default_jobs()
    streamed = args.format in STREAMED_FORMATS
    document = None if streamed else DocumentWriter(args.format, fail_on=FAIL_ON[args.fail_on])
    failed = found = any_email = False
    threshold = FAIL_ON[args.fail_on]
    out = open_output(args.output) if streamed else None
    writer = ReportWriter(out, args.format) if out is not None else None
    store = None if args.no_save else _HistoryWriter(args.db)
    saved_all = True
    stages = ProgressLine()  # one email at a time: its stages
    emails = BatchProgress(None)  # several at once: emails done / total, rate, ETA
    if emails.enabled and jobs > 1:
        emails = BatchProgress(count_sources(args.files))

    def on_audited(result: AuditedSource) -> None:
        nonlocal failed, found, any_email, saved_all
        stages.clear()
        emails.clear()  # what follows goes to stderr or stdout, maybe the same terminal
        if result.problem is not None:
            print(f"clickaudit: {result.label}: {result.problem}", file=sys.stderr)
            failed = True
        else:
            any_email = True
            if store is not None:
                saved_all = store.save(list(result.audits)) and saved_all
            for audit in _redacted(list(result.audits), args.redact):
                found = found or (threshold is not None and _worst(audit) >= threshold.rank)
                if writer is not None:
                    writer.write(render_piece(audit, args.format))
                elif document is not None:
                    document.add(audit)
        emails.advance()

    try:
        audit_sources(
            read_sources(args.files), settings, jobs=jobs, on_audited=on_audited, progress=stages
        )
    finally:
        stages.clear()
        emails.clear()
        if store is not None:
            store.close()
        if writer is not None and (writer.count or (args.format == "json" and any_email)):
            writer.close()
        if out is not None and out is not sys.stdout:
            out.close()
    if document is not None:
        if not any_email:
            document.discard()
        else:
            write_document(
                document.write_to, args.output, ends_with_newline=document.ends_with_newline
            )
    if not any_email:
        return EXIT_INPUT
    if failed or not saved_all:
        return EXIT_INPUT  # the report is printed all the same
    return EXIT_FINDINGS if found else EXIT_OK


def _worst(audit: Any) -> int:
    return max((finding.severity.rank for finding in audit.all_findings()), default=-1)


def _redacted(audits: list[Any], redact: bool) -> list[Any]:
    if not redact:
        return audits
    from clickaudit.report.redact import redact_audit

    return [redact_audit(audit) for audit in audits]


class _HistoryWriter:
    """Keeps each audit in the history as it is made, through one connection. A database
    problem is reported once (the report is still printed) and makes the exit status 2."""

    def __init__(self, db: str | None) -> None:
        from clickaudit.paths import default_db_path

        self._path = db or str(default_db_path())
        self._store: Any = None
        self._broken = False

    def save(self, audits: list[Any]) -> bool:
        """Save ``audits``; whether every one was saved."""
        from clickaudit.store import Found, Store

        if self._broken:
            return False
        try:
            if self._store is None:
                self._store = Store.open(self._path)
                if self._store.found is Found.EMPTY_FILE:
                    print(
                        f"clickaudit: {self._path} was an empty file; it now holds a new history "
                        "database",
                        file=sys.stderr,
                    )
            for audit in audits:
                audit_id = self._store.save(audit)
                print(f"clickaudit: saved as audit {audit_id} in {self._path}", file=sys.stderr)
        except ClickauditError as error:
            print(f"clickaudit: not saved: {error}", file=sys.stderr)
            self._broken = True
            self.close()
            return False
        return True

    def close(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            store.close()
