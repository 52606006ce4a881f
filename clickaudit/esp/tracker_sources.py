"""Read the upstream tracker lists and write clickaudit's compact snapshots of them.

Three maintained lists name tracking hosts at a scale no hand-written table reaches:

- AdGuard ``cname-trackers`` (MIT): branded hosts that CNAME to a mail or click-through tracker
  (``data/mail_trackers``, ``data/clickthroughs``), as ``*.json`` (disguise → tracker host),
  ``*_justdomains.txt`` (one disguise a line) and ``*.md`` (the tracker's own hosts, then a
  disguise | tracker table; ``*.head.md`` is the first page of a long one).
- MailTrackerBlocker (BSD-3): ``+getTrackerDict`` in ``Source/MTBBlockedMessage.m``, vendor →
  URL regular expressions of open pixels (and a few click paths).
- Trocker (Apache-2.0): ``chrome/lists.js``, open and click trackers as ``host/path`` prefixes,
  click trackers with the parameter that carries the destination.

``scripts/update-trackers FOLDER`` runs :func:`build_snapshots` on a folder laid out like
``shared/data/trackers``; nothing is downloaded, at build time or at run time. A malformed
entry raises :class:`TrackerDataError` naming the file and the entry, so bad data fails the
build (and the data tests), never a scan.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from clickaudit.psl import organisational_domain

# AdGuard's tracker titles and file names → the vendor names clickaudit reports (an ESP's name
# where clickaudit has a fingerprint for it, so list and fingerprint agree).
ADGUARD_VENDORS = {
    "customer_io": "Customer.io",
    "customer.io": "Customer.io",
    "sailthru": "Sailthru",
    "salesforce-mail-marketing": "Salesforce Marketing Cloud",
    "salesforce mail marketing": "Salesforce Marketing Cloud",
    "mailgun": "Mailgun",
    "cordial": "Cordial",
    "pardot": "Pardot",
    "branch_io": "Branch",
    "branch.io": "Branch",
    "clickaine": "Clickaine",
}

# Trocker names its trackers by two- or three-letter codes (see its README).
TROCKER_VENDORS = {
    "YW": "Yesware",
    "SK": "HubSpot",
    "SK2": "HubSpot",
    "SK3": "HubSpot",
    "SK4": "HubSpot",
    "MT": "MailTrack",
    "MC": "Mailchimp",
    "SG": "SendGrid",
    "IC": "iContact",
    "BT": "Bananatag",
    "MM": "Mixmax",
    "MTA": "LogDNA",
    "CC": "Constant Contact",
    "GA": "Google Analytics",
    "IB": "IBM Watson Campaign Automation",
    "MP": "Mixpanel",
    "GN": "GetNotify",
    "SV": "StrongView",
    "GM": "GMass",
    "CM": "ClickMeter",
    "SL": "Signal",
    "PM": "Postmark",
    "KV": "Klaviyo",
}

# Hosts that several unrelated trackers' "rarely active" entries point at: parking pages, cloud
# load balancers and CDNs. A CNAME to one of them says nothing about an ESP.
SHARED_INFRASTRUCTURE = (
    "amazonaws.com",
    "akamai.net",
    "akamaiedge.net",
    "bodis.com",
    "fastly.net",
    "hichina.com",
    "secureserver.net",
    "cloudfront.net",
    "herokuapp.com",
)

_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class TrackerDataError(ValueError):
    """An upstream list or a snapshot has an entry that cannot be right; names file and entry."""


@dataclass
class Snapshot:
    """Everything read from the upstream folder, before it is written out."""

    hosts: dict[str, str] = field(default_factory=dict)  # host → vendor
    host_sources: dict[str, str] = field(default_factory=dict)  # host → list it came from
    cname_targets: dict[str, str] = field(default_factory=dict)  # tracker host → vendor
    url_patterns: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    # (kind "open" | "click", vendor, regex or "prefix:host/path", destination parameter, source)
    contributions: dict[str, int] = field(default_factory=dict)  # source → entries added


def check_host(host: str, where: str) -> str:
    host = host.strip().lower().rstrip(".")
    if not _HOST.match(host):
        raise TrackerDataError(f"{where}: {host!r} is not a host name")
    return host


def _adguard_vendor(name: str, where: str) -> str:
    vendor = ADGUARD_VENDORS.get(name.strip().lower())
    if vendor is None:
        raise TrackerDataError(
            f"{where}: unknown tracker {name!r}; add it to ADGUARD_VENDORS with the name to report"
        )
    return vendor


def _stem(path: Path) -> str:
    name = path.name
    for suffix in ("_justdomains.txt", ".head.md", ".json", ".md", ".txt"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _markdown_sections(
    text: str,
) -> tuple[str, list[str], list[str], list[tuple[str, str]]]:
    """An AdGuard tracker page: (title, the tracker's own active hosts, its "rarely active"
    hosts, disguise → tracker rows). A head-only copy may end mid-row; the cut row is dropped.
    """
    title = ""
    own: list[str] = []
    rare: list[str] = []
    rows: list[tuple[str, str]] = []
    section = ""
    lines = text.splitlines()
    complete = text.endswith("\n")
    for number, line in enumerate(lines):
        if line.startswith("# Tracker:"):
            title = line.partition(":")[2].strip()
        elif line.startswith("#"):
            section = line.lstrip("#").strip().lower()
        elif section == "disguised trackers list" and line.lstrip().startswith("* "):
            own.append(line.strip()[2:].strip())
        elif section == "rarely active trackers" and line.lstrip().startswith("* "):
            rare.append(line.strip()[2:].strip())
        elif section == "cloaking domains" and line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) != 2 or cells[0] in ("Disguise", "") or set(cells[0]) <= {"-", " "}:
                continue
            if number == len(lines) - 1 and not complete:
                continue  # a head-only copy cut this row
            rows.append((cells[0], cells[1]))
    return title, own, rare, rows


def read_adguard(folder: Path, snapshot: Snapshot) -> None:
    data = folder / "data"
    if not data.is_dir():
        raise TrackerDataError(f"{data}: missing (the AdGuard cname-trackers data folder)")
    pointed_at: dict[tuple[str, str], int] = {}
    for kind in ("mail_trackers", "clickthroughs"):
        for path in sorted((data / kind).glob("*")):
            where = f"{path.relative_to(folder.parent)}"
            source = f"adguard:{kind}/{path.name}"
            vendor = _adguard_vendor(_stem(path), where)
            text = path.read_text(encoding="utf-8")
            if path.name.endswith(".json"):
                try:
                    mapping = json.loads(text)
                except json.JSONDecodeError as error:
                    raise TrackerDataError(f"{where}: not JSON: {error}") from None
                if not isinstance(mapping, dict):
                    raise TrackerDataError(f"{where}: expected an object of host → tracker")
                for disguise, tracker in mapping.items():
                    if not isinstance(tracker, str):
                        raise TrackerDataError(f"{where}: {disguise!r} → {tracker!r}")
                    _add_host(snapshot, check_host(disguise, where), vendor, source)
                    key = (vendor, tracker.lower().rstrip("."))
                    pointed_at[key] = pointed_at.get(key, 0) + 1
            elif path.name.endswith(".txt"):
                for number, line in enumerate(text.splitlines(), 1):
                    line = line.strip()
                    if not line or line.startswith(("#", "!")):
                        continue
                    _add_host(snapshot, check_host(line, f"{where}:{number}"), vendor, source)
            elif path.name.endswith(".md"):
                title, own, rare, rows = _markdown_sections(text)
                if title and _adguard_vendor(title, where) != vendor:
                    raise TrackerDataError(f"{where}: titled {title!r} but named for {vendor}")
                owned = {organisational_domain(check_host(host, where)) for host in own}
                for host in own:
                    _add_target(snapshot, check_host(host, where), vendor, source)
                # "Rarely active" also lists parking pages, CDNs and hosting (cname.vercel-dns.com
                # under Branch): only the vendor's own domains (pi.pardot.com, bnc.lt) are kept.
                for host in rare:
                    if organisational_domain(check_host(host, where)) in owned:
                        _add_target(snapshot, check_host(host, where), vendor, source)
                for disguise, _tracker in rows:
                    _add_host(snapshot, check_host(disguise, where), vendor, source)
    # The JSON lists' values are the trackers the disguises point at: a real tracker endpoint
    # has many disguises; one or two pointing at a shared host (web.com, a parking page) do not
    # make that host the vendor's. cname-targets.json is not read: it also holds each page's
    # "rarely active" hosts (cname.vercel-dns.com, parking pages), which name no vendor.
    for (vendor, target), count in sorted(pointed_at.items()):
        if count >= MIN_DISGUISES_FOR_A_TARGET:
            _add_target(snapshot, check_host(target, "adguard JSON values"), vendor, "")


MIN_DISGUISES_FOR_A_TARGET = 10


def _add_host(snapshot: Snapshot, host: str, vendor: str, source: str) -> None:
    known = snapshot.hosts.get(host)
    if known is not None:
        return  # the first list to name a host keeps it (lists are read in a fixed order)
    snapshot.hosts[host] = vendor
    snapshot.host_sources[host] = source
    key = source.split("/", 1)[0] + "/" + source.rsplit("/", 1)[-1]
    snapshot.contributions[key] = snapshot.contributions.get(key, 0) + 1


def _add_target(snapshot: Snapshot, host: str, vendor: str, source: str) -> None:
    if any(host == s or host.endswith("." + s) for s in SHARED_INFRASTRUCTURE):
        return
    if host not in snapshot.cname_targets:
        snapshot.cname_targets[host] = vendor
        key = "adguard:cname-targets"
        snapshot.contributions[key] = snapshot.contributions.get(key, 0) + 1


_MTB_TOKEN = re.compile(r'@"((?:[^"\\\n]|\\.)*)"|@\[|\]|//[^\n]*')


def read_mailtrackerblocker(folder: Path, snapshot: Snapshot) -> None:
    path = folder / "Source" / "MTBBlockedMessage.m"
    if not path.exists():
        raise TrackerDataError(f"{path}: missing (MailTrackerBlocker's tracker dictionary)")
    text = path.read_text(encoding="utf-8")
    definition = re.search(r"\+\s*\(NSDictionary\s*\*\)\s*getTrackerDict", text)
    if definition is None:
        raise TrackerDataError(f"{path}: no +getTrackerDict")
    start = definition.end()
    end = text.find("};", start)
    count = 0
    vendor: str | None = None  # inside a vendor's @[ ... ]
    last_string: str | None = None
    for token in _MTB_TOKEN.finditer(text, start, end):
        lexeme = token.group(0)
        if lexeme.startswith("//"):
            continue
        if lexeme == "@[":
            if last_string is None or vendor is not None:
                raise TrackerDataError(f"{path}: @[ without a vendor name before it")
            vendor, last_string = last_string, None
        elif lexeme == "]":
            vendor = None
        elif vendor is None:
            last_string = _objc_unescape(token.group(1))
        else:
            regex = _objc_unescape(token.group(1))
            _check_regex(regex, f"{path} [{vendor}]")
            snapshot.url_patterns.append(("open", vendor, regex, "", "mailtrackerblocker"))
            count += 1
    if count == 0:
        raise TrackerDataError(f"{path}: +getTrackerDict has no entries")
    snapshot.contributions["mailtrackerblocker"] = count


def _objc_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _check_regex(regex: str, where: str) -> None:
    try:
        re.compile(regex, re.IGNORECASE)
    except re.error as error:
        raise TrackerDataError(f"{where}: bad regular expression {regex!r}: {error}") from None


_JS_BLOCK = re.compile(r"\{\s*name:\s*'([^']+)'(.*?)\n\t\t\}", re.S)
_JS_DOMAINS = re.compile(r"domains:\s*\[(.*?)\]", re.S)
_JS_PARAM = re.compile(r"param:\s*'([^']*)'")


def read_trocker(folder: Path, snapshot: Snapshot) -> None:
    path = folder / "chrome" / "lists.js"
    if not path.exists():
        raise TrackerDataError(f"{path}: missing (Trocker's tracker lists)")
    text = path.read_text(encoding="utf-8")
    split = text.find("getClickTrackerList")
    if split < 0:
        raise TrackerDataError(f"{path}: no getClickTrackerList")
    count = 0
    for kind, section in (("open", text[:split]), ("click", text[split:])):
        for name, block in _JS_BLOCK.findall(section):
            vendor = TROCKER_VENDORS.get(name)
            if vendor is None:
                raise TrackerDataError(f"{path}: unknown tracker code {name!r}")
            domains = _JS_DOMAINS.search(block)
            if domains is None:
                raise TrackerDataError(f"{path} [{name}]: no domains")
            param = _JS_PARAM.search(block)
            for prefix in re.findall(r"'([^']+)'", domains.group(1)):
                host = prefix.partition("/")[0]
                check_host(host, f"{path} [{name}]")
                snapshot.url_patterns.append(
                    (
                        kind,
                        vendor,
                        f"prefix:{prefix.lower()}",
                        param.group(1) if param else "",
                        "trocker",
                    )
                )
                count += 1
    snapshot.contributions["trocker"] = count


def build_snapshots(upstream: Path) -> Snapshot:
    """Read ``upstream`` (a folder like shared/data/trackers) into one :class:`Snapshot`."""
    snapshot = Snapshot()
    read_adguard(upstream / "adguard-cname-trackers", snapshot)
    read_mailtrackerblocker(upstream / "MailTrackerBlocker", snapshot)
    read_trocker(upstream / "trocker", snapshot)
    return snapshot


HOSTS_FILE = "hosts.tsv.gz"
APEX_MARKER = "@@apex"
CNAME_FILE = "cname-targets.tsv"
PATTERNS_FILE = "url-patterns.tsv"
CONTRIBUTIONS_FILE = "contributions.json"


def write_snapshots(snapshot: Snapshot, out: Path) -> None:
    """Write the snapshots: sorted, so a rebuild from the same lists gives the same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    # One block per vendor ("@Vendor" then its hosts, sorted), so loading is one
    # dict.fromkeys per vendor; then the hosts that are registrable domains (a brand's apex
    # CNAMEd to a tracker): the lookup walks up a host's labels and must not let such an entry
    # cover www.<apex>.
    lines: list[str] = []
    for vendor in sorted(set(snapshot.hosts.values())):
        lines.append(f"@{vendor}")
        lines += sorted(host for host, owner in snapshot.hosts.items() if owner == vendor)
    lines.append(APEX_MARKER)
    lines += [host for host in sorted(snapshot.hosts) if organisational_domain(host) == host]
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    with (
        (out / HOSTS_FILE).open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as zipped,
    ):
        zipped.write(payload)
    (out / CNAME_FILE).write_text(
        "".join(f"{host}\t{vendor}\n" for host, vendor in sorted(snapshot.cname_targets.items())),
        encoding="utf-8",
    )
    (out / PATTERNS_FILE).write_text(
        "".join("\t".join(row) + "\n" for row in snapshot.url_patterns), encoding="utf-8"
    )
    (out / CONTRIBUTIONS_FILE).write_text(
        json.dumps(dict(sorted(snapshot.contributions.items())), indent=2) + "\n",
        encoding="utf-8",
    )


def iter_tsv(lines: Iterable[str], where: str, columns: int) -> Iterator[list[str]]:
    """Rows of a snapshot file, each checked to have ``columns`` fields."""
    for number, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        row = line.rstrip("\n").split("\t")
        if len(row) != columns:
            raise TrackerDataError(f"{where}:{number}: expected {columns} fields, got {row!r}")
        yield row


@dataclass(frozen=True)
class SnapshotRows:
    """The rows of the written snapshots, checked (see :func:`parse_tracker_rows`)."""

    hosts: dict[str, str]
    cname_targets: dict[str, str]
    patterns: list[list[str]]


def parse_tracker_rows(folder: Path) -> SnapshotRows:
    """Read and check every row of the snapshots in ``folder``: hosts are host names, vendors
    are named, patterns compile. The data test runs this; the loader trusts the build."""
    hosts_path = folder / HOSTS_FILE
    text = gzip.decompress(hosts_path.read_bytes()).decode("utf-8")
    body, marker, apex = text.partition("\n" + APEX_MARKER + "\n")
    if not marker or not body.startswith("@"):
        raise TrackerDataError(f"{hosts_path}: no vendor blocks or no {APEX_MARKER} section")
    hosts: dict[str, str] = {}
    for block in ("\n" + body).split("\n@")[1:]:
        vendor, _, listed = block.partition("\n")
        if not vendor.strip():
            raise TrackerDataError(f"{hosts_path}: a block names no vendor")
        for host in listed.split("\n"):
            if host in hosts:
                raise TrackerDataError(f"{hosts_path}: {host!r} is listed twice")
            hosts[check_host(host, f"{hosts_path} [{vendor}]")] = vendor
    for host in filter(None, apex.split("\n")):
        if host not in hosts or organisational_domain(host) != host:
            raise TrackerDataError(f"{hosts_path}: apex entry {host!r} is not a listed apex")
    cname_path = folder / CNAME_FILE
    targets = {
        check_host(host, str(cname_path)): vendor
        for host, vendor in iter_tsv(cname_path.read_text("utf-8").split("\n"), str(cname_path), 2)
    }
    patterns_path = folder / PATTERNS_FILE
    patterns = list(iter_tsv(patterns_path.read_text("utf-8").split("\n"), str(patterns_path), 5))
    for kind, vendor, rule, _parameter, _source in patterns:
        where = f"{patterns_path} [{vendor}]"
        if kind not in ("open", "click") or not vendor:
            raise TrackerDataError(f"{where}: bad row kind {kind!r}")
        if rule.startswith("prefix:"):
            check_host(rule.removeprefix("prefix:").partition("/")[0], where)
        else:
            _check_regex(rule, where)
    return SnapshotRows(hosts, targets, patterns)
