"""Tracker knowledge from maintained lists: which vendor a tracking host or pixel URL belongs to.

The snapshots in ``resources/trackers/`` are built by ``scripts/update-trackers`` from AdGuard's
cname-trackers (branded hosts of mail and click-through trackers, and the trackers' own CNAME
targets), MailTrackerBlocker's vendor → pixel pattern table and Trocker's open and click lists
(see :mod:`clickaudit.esp.tracker_sources`). Tens of thousands of hosts: a host lookup is a
dict probe per label of the host (exact host, then each parent above its registrable domain),
and loading them costs a few tens of milliseconds, once, on first use.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import ahocorasick

from clickaudit.bundled import resource
from clickaudit.errors import InputError
from clickaudit.esp.tracker_sources import (
    APEX_MARKER,
    CNAME_FILE,
    HOSTS_FILE,
    PATTERNS_FILE,
    TrackerDataError,
    iter_tsv,
)
from clickaudit.gc_pause import cyclic_gc_paused


@dataclass(frozen=True, slots=True)
class TrackerHit:
    """A list said so: ``vendor`` owns ``listed`` (the host itself or a parent of it)."""

    vendor: str
    listed: str
    source: str  # "tracker-list" (AdGuard host lists) or "pattern" (MailTrackerBlocker/Trocker)
    parameter: str = ""  # the query parameter carrying the destination, when the list names one


@dataclass(frozen=True, slots=True)
class _PrefixRule:
    vendor: str
    host: str
    path: str
    parameter: str


class TrackerLists:
    """The vendored lists, immutable; one instance is shared (see :func:`load_tracker_lists`)."""

    def __init__(
        self,
        hosts: dict[str, str],
        cname_targets: dict[str, str],
        patterns: Iterable[tuple[str, str, str, str, str]],
        apex: frozenset[str] = frozenset(),
    ) -> None:
        self.hosts = hosts
        self.apex = apex  # listed hosts that are registrable domains: they cover no subdomain
        self.cname_targets = cname_targets
        self._open_rules: list[tuple[str, str]] = []  # (vendor, regex) naming a host
        self._path_rules: list[tuple[str, str]] = []  # (vendor, regex) of a path shape only
        # kind → listed host → its rules: a host is looked up once per label, not per rule
        self._prefixes: dict[str, dict[str, list[_PrefixRule]]] = {"open": {}, "click": {}}
        for kind, vendor, rule, parameter, _source in patterns:
            if rule.startswith("prefix:"):
                host, _, path = rule.removeprefix("prefix:").partition("/")
                prefix = _PrefixRule(vendor, host, "/" + path if path else "", parameter)
                self._prefixes.setdefault(kind, {}).setdefault(host, []).append(prefix)
            elif kind == "open":
                names_host = _NAMES_HOST.match(rule) is not None
                (self._open_rules if names_host else self._path_rules).append((vendor, rule))
        self._literals: dict[bool, list[tuple[str, str, str]]] = {}
        self._literal_indexes: dict[bool, _LiteralIndex] = {}  # path rules? → index

    def may_know(self, host: str) -> bool:
        """Whether any list names this host or a parent of it (cheap; remembered per host)."""
        return _may_know(self, host)

    def vendor_for_host(self, host: str) -> TrackerHit | None:
        """The vendor whose tracking host this is (or a subdomain of one), from AdGuard's lists."""
        return _host_lookup(self, host.lower().rstrip("."))

    def vendor_for_cname(self, target: str) -> str | None:
        """The tracker a CNAME target belongs to (``edge-east.customer.io`` → Customer.io)."""
        name = target.lower().rstrip(".")
        while name:
            vendor = self.cname_targets.get(name)
            if vendor is not None:
                return vendor
            name = name.partition(".")[2]
        return None

    def click_tracker(self, host: str, path: str) -> TrackerHit | None:
        """Trocker's click trackers: a host (suffix) and path prefix, with its destination
        parameter."""
        return self._prefix_match("click", host, path)

    def open_tracker(
        self, url_without_scheme: str, host: str, path: str, *, looks_like_pixel: bool = False
    ) -> str | None:
        """The vendor of an open pixel URL, by MailTrackerBlocker's patterns or Trocker's list.

        Patterns that name a host (``t.yesware.com``) decide alone; patterns that are only a
        path shape (``/t/[a-z0-9_]+/``) also match ordinary images, so they only name the
        vendor of an image already known to be a pixel (1x1 or hidden).
        """
        hit = self._prefix_match("open", host, path)
        if hit is not None:
            return hit.vendor
        # each rule's literal text (``yesware`` of ``t.yesware.com/t/``) must occur in a URL it
        # matches: the few rules whose text occurs are asked, in the list's order (one joined
        # case-insensitive search of all 462 was the largest cost of a batch scan)
        literal_rules = self._literal_rules(looks_like_pixel)
        for index in self._rules_whose_literal_occurs(
            looks_like_pixel, literal_rules, url_without_scheme
        ):
            _, vendor, rule = literal_rules[index]
            if _rule(rule).search(url_without_scheme):
                return vendor
        return None

    def _literal_rules(self, path_rules_too: bool) -> list[tuple[str, str, str]]:
        """(required literal, vendor, rule) of the open rules, then of the path rules when
        asked, in the list's order; the literal is ``""`` (always asked) when none is known."""
        known = self._literals.get(path_rules_too)
        if known is None:
            rules = self._open_rules + (self._path_rules if path_rules_too else [])
            known = self._literals[path_rules_too] = [
                (required_literal(rule), vendor, rule) for vendor, rule in rules
            ]
        return known

    def _rules_whose_literal_occurs(
        self, path_rules_too: bool, rules: list[tuple[str, str, str]], url: str
    ) -> list[int]:
        """The positions (in ``rules``) of the rules whose literal occurs in ``url``, in order.

        One Aho-Corasick pass over the URL finds every literal at once (in C): looking up each
        position's three characters from Python cost 15-20 us an image, most of the rules' cost
        in a batch scan. The literals are ASCII lower case, and the rules match ignoring case:
        besides an ASCII letter's other case, only four characters match one
        (:data:`_ASCII_CASE_TWINS`), so they are read as that letter before lowering.
        """
        index = self._literal_indexes.get(path_rules_too)
        if index is None:
            index = self._literal_indexes[path_rules_too] = _literal_index(rules)
        found = set(index.always)
        if index.automaton is not None:
            folded = url if url.isascii() else url.translate(_ASCII_CASE_TWINS)
            for _, positions in index.automaton.iter(folded.lower()):
                found.update(positions)
        return sorted(found)

    def _prefix_match(self, kind: str, host: str, path: str) -> TrackerHit | None:
        by_host = self._prefixes.get(kind, {})
        name = host
        while name:
            for rule in by_host.get(name, ()):
                if path.startswith(rule.path):
                    return TrackerHit(rule.vendor, name, "pattern", rule.parameter)
            name = name.partition(".")[2]
        return None


@lru_cache(maxsize=1024)
def _rule(rule: str) -> re.Pattern[str]:
    return re.compile(rule, re.IGNORECASE)


_QUANTIFIERS = "*?{"


# The characters other than ASCII letters that a case-insensitive regular expression matches to
# an ASCII letter (dotted and dotless i, long s, the Kelvin sign): a test holds this to re.
_ASCII_CASE_TWINS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


@dataclass(frozen=True, slots=True)
class _LiteralIndex:
    """The rules' literals in an Aho-Corasick automaton (None when no rule has one), each
    giving the positions of the rules requiring it, and the rules with no literal (asked of
    every URL)."""

    automaton: Any
    always: tuple[int, ...]


def _literal_index(rules: list[tuple[str, str, str]]) -> _LiteralIndex:
    by_literal: dict[str, list[int]] = {}
    for position, (literal, _, _) in enumerate(rules):
        by_literal.setdefault(literal, []).append(position)
    always = tuple(by_literal.pop("", ()))
    if not by_literal:
        return _LiteralIndex(None, always)
    automaton = ahocorasick.Automaton()
    for literal, positions in by_literal.items():
        automaton.add_word(literal, tuple(positions))
    automaton.make_automaton()
    return _LiteralIndex(automaton, always)


def required_literal(rule: str) -> str:
    """The longest text (lower case, ASCII) that every string the regular expression ``rule``
    matches contains, or ``""`` when none can be told safely.

    Read conservatively from the pattern's source: the top-level literal characters between
    classes, groups, wildcards and anchors, a character made optional by a quantifier dropped;
    anything in a group or class, or a pattern with an alternation or inline flags, gives no
    text. An ASCII literal against ASCII text matches case-insensitively exactly when its
    lower case occurs in the text's lower case (the caller asks only of ASCII URLs).
    """
    if "(?" in rule or "|" in rule:
        return ""
    best = ""
    run: list[str] = []

    def close() -> None:
        nonlocal best
        text = "".join(run)
        if len(text) > len(best):
            best = text
        run.clear()

    i, end = 0, len(rule)
    while i < end:
        char = rule[i]
        if char == "\\":
            escaped = rule[i + 1 : i + 2]
            if escaped and escaped.isascii() and not escaped.isalnum():
                run.append(escaped)  # \. \? \/ are the character itself
            else:
                close()  # \d, \w, \b, a back-reference ...
            i += 2
        elif char == "[":
            close()
            i = _after_class(rule, i)
        elif char == "(":
            close()
            i = _after_group(rule, i)
        elif char in _QUANTIFIERS:
            if run:
                run.pop()  # made optional (or repeated a number of times not read here)
            close()
            if char == "{":  # {m,n}: skipped whole (a "{" Python reads as text only loses text)
                closing = rule.find("}", i)
                i = end if closing < 0 else closing + 1
            else:
                i += 1
        elif char == "+" or char in ".^$)":
            close()
            i += 1
        else:
            run.append(char)
            i += 1
    close()
    return best.lower() if best.isascii() else ""


def _after_class(rule: str, start: int) -> int:
    i = start + 1
    if rule[i : i + 1] == "^":
        i += 1
    if rule[i : i + 1] == "]":
        i += 1
    while i < len(rule) and rule[i] != "]":
        i += 2 if rule[i] == "\\" else 1
    return i + 1


def _after_group(rule: str, start: int) -> int:
    depth, i = 0, start
    while i < len(rule):
        char = rule[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _after_class(rule, i)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


# A rule that starts with a host name ("t.yesware.com/t/", "mkt[0-9]+.com/open"), not a path.
_NAMES_HOST = re.compile(r"^[a-z0-9(\[][^/]*\.[a-z(\[][^/]*(/|$)", re.IGNORECASE)


@lru_cache(maxsize=16384)
def _may_know(lists: TrackerLists, host: str) -> bool:
    if lists.vendor_for_host(host) is not None:
        return True
    name = host
    while name:
        if name in lists._prefixes["click"]:
            return True
        name = name.partition(".")[2]
    return False


@lru_cache(maxsize=16384)
def _host_lookup(lists: TrackerLists, host: str) -> TrackerHit | None:
    vendor = lists.hosts.get(host)
    if vendor is not None:
        return TrackerHit(vendor, host, "tracker-list")
    # A listed tracking subdomain (click.brand.com) covers its own subdomains; a listed apex
    # (brand.com CNAMEd to a tracker) says nothing about www.brand.com. Which entries are
    # apexes was decided with the public suffix list when the snapshot was built.
    name = host.partition(".")[2]
    while "." in name:
        vendor = lists.hosts.get(name)
        if vendor is not None and name not in lists.apex:
            return TrackerHit(vendor, name, "tracker-list")
        name = name.partition(".")[2]
    return None


def parse_hosts(text: str, where: str) -> tuple[dict[str, str], frozenset[str]]:
    """The hosts snapshot as the build script writes it: per vendor an ``@Vendor`` line and its
    hosts, then ``@@apex`` and the hosts that are registrable domains.

    One ``dict.fromkeys`` per vendor (44,000 hosts in a few milliseconds); every row was checked
    when the snapshot was built (and is by the data test), so here only damage is detected.
    """
    body, marker, apex = text.partition("\n" + APEX_MARKER + "\n")
    if not marker or not body.startswith("@"):
        raise TrackerDataError(f"{where}: damaged (no vendor blocks or no {APEX_MARKER} section)")
    hosts: dict[str, str] = {}
    for block in ("\n" + body).split("\n@")[1:]:
        vendor, _, listed = block.partition("\n")
        if not vendor or "\t" in listed or " " in listed:
            raise TrackerDataError(f"{where}: damaged (vendor block {vendor!r})")
        hosts.update(dict.fromkeys(listed.split("\n"), vendor))
    hosts.pop("", None)
    return hosts, frozenset(apex.split("\n")) - {""}


def _read_text(name: str) -> str:
    node = resource("trackers", name)
    where = f"resources/trackers/{name}"
    try:
        raw = node.read_bytes()
    except (FileNotFoundError, OSError):
        raise InputError(
            where, "is missing: rebuild it with scripts/update-trackers (or reinstall clickaudit)"
        ) from None
    try:
        data = gzip.decompress(raw) if name.endswith(".gz") else raw
        return data.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise InputError(
            where, f"is damaged ({error}): rebuild it with scripts/update-trackers"
        ) from None


@cache
def load_tracker_lists() -> TrackerLists:
    """The bundled tracker lists (loaded once).

    Raises:
        InputError: a snapshot file is missing or damaged (names the file).
    """
    from clickaudit.startup_cache import parsed_once

    try:
        with cyclic_gc_paused():  # 44,000 new strings and no cycle among them
            hosts, apex = parsed_once(  # parsed once per installation: tens of ms at every start
                "tracker-hosts",
                [resource("trackers", HOSTS_FILE)],
                lambda: parse_hosts(_read_text(HOSTS_FILE), f"resources/trackers/{HOSTS_FILE}"),
            )
        targets = {
            host: vendor
            for host, vendor in iter_tsv(
                _read_text(CNAME_FILE).split("\n"), f"resources/trackers/{CNAME_FILE}", 2
            )
        }
        patterns = [
            (kind, vendor, rule, parameter, source)
            for kind, vendor, rule, parameter, source in iter_tsv(
                _read_text(PATTERNS_FILE).split("\n"), f"resources/trackers/{PATTERNS_FILE}", 5
            )
        ]
    except TrackerDataError as error:
        raise InputError("resources/trackers", str(error)) from None
    return TrackerLists(hosts, targets, patterns, apex)
