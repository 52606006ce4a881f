"""The vendored tracker lists: what each upstream list gives, how a host is looked up, and that
bad data fails at build time (naming the file and entry), never during a scan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from clickaudit.errors import InputError
from clickaudit.esp import trackers as tracker_module
from clickaudit.esp.fingerprints import parse_fingerprints
from clickaudit.esp.tracker_sources import (
    TrackerDataError,
    build_snapshots,
    parse_tracker_rows,
    write_snapshots,
)
from clickaudit.esp.trackers import load_tracker_lists, parse_hosts
from tests.conftest import unavailable

REPO = Path(__file__).resolve().parent.parent
# ../shared beside the checkout (as for the corpus), or two levels up from a worktree
UPSTREAM = next(
    (
        base / "shared" / "data" / "trackers"
        for base in (REPO.parent, REPO.parent.parent)
        if (base / "shared" / "data" / "trackers").is_dir()
    ),
    REPO.parent / "shared" / "data" / "trackers",
)
SNAPSHOTS = REPO / "resources" / "trackers"


def test_the_lists_hold_tens_of_thousands_of_branded_tracking_hosts() -> None:
    lists = load_tracker_lists()
    assert len(lists.hosts) > 40_000
    vendors = set(lists.hosts.values())
    assert {"Customer.io", "Pardot", "Salesforce Marketing Cloud", "Sailthru", "Branch"} <= vendors


def test_a_host_from_adguards_customer_io_list_names_customer_io() -> None:
    # data/mail_trackers/customer_io.json: "c.axioshq.com": "edge-east.customer.io"
    hit = load_tracker_lists().vendor_for_host("c.axioshq.com")
    assert hit is not None and (hit.vendor, hit.source) == ("Customer.io", "tracker-list")


def test_a_subdomain_of_a_listed_tracking_host_is_that_trackers() -> None:
    hit = load_tracker_lists().vendor_for_host("deep.c.axioshq.com")
    assert hit is not None and hit.listed == "c.axioshq.com"


def test_a_listed_host_does_not_claim_its_parent_domain_or_siblings() -> None:
    lists = load_tracker_lists()
    assert lists.vendor_for_host("axioshq.com") is None
    assert lists.vendor_for_host("www.axioshq.com") is None


def test_cname_targets_name_the_tracker_behind_a_branded_host() -> None:
    lists = load_tracker_lists()
    assert lists.vendor_for_cname("edge-east.customer.io.") == "Customer.io"
    assert lists.vendor_for_cname("mxa.eu.mailgun.org") == "Mailgun"
    assert lists.vendor_for_cname("pi.pardot.com") == "Pardot"
    # shared infrastructure in the "rarely active" sections says nothing about an ESP
    assert lists.vendor_for_cname("77980.bodis.com") is None
    assert lists.vendor_for_cname("cname.vercel-dns.com") is None  # under Branch.io's page
    assert lists.vendor_for_cname("customerservice.web.com") is None  # one disguise only


def test_trockers_click_list_gives_the_parameter_holding_the_destination() -> None:
    # chrome/lists.js: {name: 'IC', domains: ['click.icptrack.com/icp'], param: 'destination'}
    hit = load_tracker_lists().click_tracker("click.icptrack.com", "/icp/relay.php")
    assert hit is not None and (hit.vendor, hit.parameter) == ("iContact", "destination")


def test_mailtrackerblockers_host_patterns_name_an_open_pixel() -> None:
    # MTBBlockedMessage.m: @"Yesware": @[@"yesware.com/trk", @"yesware.com/t/", @"t.yesware.com"]
    lists = load_tracker_lists()
    assert lists.open_tracker("t.yesware.com/t/abc", "t.yesware.com", "/t/abc") == "Yesware"


def test_a_path_only_pattern_does_not_make_an_ordinary_image_a_pixel() -> None:
    # @"Sendy": @[@"/t/[a-zA-Z0-9_]+/[a-zA-Z0-9_]"] also matches Campaign Monitor's image paths
    lists = load_tracker_lists()
    url = "i1.cmail20.com/ei/t/1A/E9B/logo.png"
    assert lists.open_tracker(url, "i1.cmail20.com", "/ei/t/1A/E9B/logo.png") is None
    assert lists.open_tracker(url, "i1.cmail20.com", "/ei/t/1A/E9B/logo.png", looks_like_pixel=True)


def test_loading_the_lists_is_cheap_enough_to_do_on_first_use() -> None:
    """Measured by hand: ~30 ms; here only that it loads from the bundled files every time."""
    tracker_module.load_tracker_lists.cache_clear()
    assert len(tracker_module.load_tracker_lists().hosts) > 40_000


def test_a_missing_snapshot_file_is_an_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tracker_module, "resource", lambda *parts: tmp_path.joinpath(*parts))
    tracker_module.load_tracker_lists.cache_clear()
    try:
        with pytest.raises(InputError, match=r"resources/trackers/hosts\.tsv\.gz: is missing"):
            tracker_module.load_tracker_lists()
    finally:
        tracker_module.load_tracker_lists.cache_clear()


def test_a_damaged_snapshot_fails_naming_the_file() -> None:
    with pytest.raises(TrackerDataError, match=r"hosts\.tsv\.gz: damaged"):
        parse_hosts("@Customer.io\na.example\nbroken row\twith tab\n@@apex\n", "hosts.tsv.gz")
    with pytest.raises(TrackerDataError, match=r"hosts\.tsv\.gz: damaged"):
        parse_hosts("a.example\n@@apex\n", "hosts.tsv.gz")
    with pytest.raises(TrackerDataError, match=r"hosts\.tsv\.gz: damaged"):
        parse_hosts("@Customer.io\nb.example\n", "hosts.tsv.gz")
    hosts, apex = parse_hosts(
        "@Customer.io\nb.example\n@Pardot\ngo.c.example\n@@apex\nb.example\n", "h"
    )
    assert hosts == {"b.example": "Customer.io", "go.c.example": "Pardot"}
    assert apex == frozenset({"b.example"})


def test_every_vendored_row_is_well_formed() -> None:
    """The data test: every snapshot row parses, every host is a host, every regex compiles."""
    rows = parse_tracker_rows(SNAPSHOTS)
    assert rows.hosts and rows.cname_targets and rows.patterns


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    if not UPSTREAM.is_dir():
        unavailable(f"the upstream lists are not at {UPSTREAM}")
    copy = tmp_path / "trackers"
    shutil.copytree(UPSTREAM, copy)
    for path in copy.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return copy


def test_the_pinned_snapshots_are_what_the_script_builds_from_the_upstream_lists(
    upstream: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    write_snapshots(build_snapshots(upstream), out)
    for name in ("hosts.tsv.gz", "cname-targets.tsv", "url-patterns.tsv", "contributions.json"):
        assert (out / name).read_bytes() == (SNAPSHOTS / name).read_bytes(), name


def test_each_upstream_list_contributes_entries(upstream: Path) -> None:
    contributions = build_snapshots(upstream).contributions
    assert contributions["adguard:mail_trackers/salesforce-mail-marketing_justdomains.txt"] > 10_000
    assert contributions["adguard:clickthroughs/pardot_justdomains.txt"] > 10_000
    assert contributions["mailtrackerblocker"] > 400
    assert contributions["trocker"] > 100


def test_a_malformed_upstream_host_fails_the_build_naming_the_file(upstream: Path) -> None:
    target = upstream / "adguard-cname-trackers/data/clickthroughs/clickaine.json"
    data = json.loads(target.read_text())
    data["not a host!"] = "api.clickaine.com"
    target.write_text(json.dumps(data))
    with pytest.raises(TrackerDataError, match=r"clickaine\.json: 'not a host!'"):
        build_snapshots(upstream)


def test_a_bad_upstream_regular_expression_fails_the_build(upstream: Path) -> None:
    source = upstream / "MailTrackerBlocker/Source/MTBBlockedMessage.m"
    text = source.read_text().replace('@"eoapxl.com"', '@"eoapxl.com(("', 1)
    source.write_text(text)
    with pytest.raises(TrackerDataError, match=r"Email on Acid.*bad regular expression"):
        build_snapshots(upstream)


def test_an_unknown_adguard_vendor_must_be_named_before_it_is_vendored(upstream: Path) -> None:
    extra = upstream / "adguard-cname-trackers/data/mail_trackers/newesp.json"
    extra.write_text('{"t.example.com": "track.newesp.example"}')
    with pytest.raises(TrackerDataError, match="unknown tracker 'newesp'"):
        build_snapshots(upstream)


def test_a_missing_upstream_file_is_named(upstream: Path) -> None:
    (upstream / "trocker/chrome/lists.js").unlink()
    with pytest.raises(TrackerDataError, match=r"lists\.js: missing"):
        build_snapshots(upstream)


def test_a_misspelt_fingerprint_key_fails_naming_the_entry() -> None:
    text = '[[esp]]\nname = "Example"\nclick_host = ["click.example.com"]\n'
    with pytest.raises(InputError, match=r"\[esp Example\]: unknown key\(s\) click_host"):
        parse_fingerprints(text)
