"""The built-in demo: a sample campaign audited against a local world, with no network at all.

:class:`DemoWorld` starts the tracking simulator (HTTP and HTTPS with its own CA) and a local DNS
server that answers for every domain of the Northwind sample, writes the sample's sent email and
pre-send template with the simulator's ports filled in, and gives the audit settings that point
at all of it. The desktop app and ``clickaudit demo --cli`` both use it, and so does a test that
checks every failure the sample is built to show.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from clickaudit.bundled import read_text
from clickaudit.net.nameservers import Nameserver
from clickaudit.settings import AuditSettings
from clickaudit.sim.certs import LeafSpec, SimCertificates
from clickaudit.sim.dns import LocalDnsServer
from clickaudit.sim.server import Route, SimServer, load_routes

SAMPLE = ("samples", "northwind")
CLICK_HOST = "click.northwind.example"

# What the sample is built to show, finding code → why (the demo test checks each one).
EXPECTED_FINDINGS: dict[str, str] = {
    "redirect-loop": "the gift finder redirects back and forth",
    "redirect-broken": "the spring-sale page is gone (404)",
    "utm-lost": "the order-tracking redirect drops the query string",
    "tracking-domain-misaligned": "the partner link is tracked through SES's shared domain",
    "tls-expiring": "events.northwind.example's certificate expires in 6 days",
    "link-merge-tag": "the archive link is still *|ARCHIVE|*",
    "link-wrapped": "the films link was copied from Outlook, wrapped by Safe Links",
    "destination-mismatch": "the trail-boots link lands on trail shoes",
    "redirect-downgrade": "the store finder drops to plain http",
    "redirect-blocked": "the social site refuses automated visitors (999)",
    "redirect-timeout": "the video host never answers",
    "link-malformed": "the gift-cards link has a space",
    "link-relative": "the account link is relative",
    "utm-invalid": "utm_source=Newsletter is not lowercase",
    "utm-inconsistent": "one link says utm_campaign=wintersale",
    "utm-missing": "the socks link has no UTM parameters",
    "dmarc-weak": "northwind.example publishes p=none",
    "blocklisted": "the partner's domain is on the (local) Spamhaus DBL",
}


@dataclass(frozen=True, slots=True)
class DemoFiles:
    campaign: Path
    template: Path
    clicks: Path | None = None  # the campaign's synthetic SendGrid click log


DEMO_PREFIX = "clickaudit-demo-"
OWNER_FILE = "owner.pid"
MAX_STALE_CHECKED = 200


def remove_stale_demo_folders(parent: Path | None = None) -> list[Path]:
    """Remove demo folders whose process is gone (killed before it could clean up).

    Each demo folder holds the id of the process that made it; a folder whose process no
    longer runs is removed. Folders without that file, or of a live process, are left alone.
    """
    removed = []
    base = Path(parent or tempfile.gettempdir())
    for folder in sorted(base.glob(DEMO_PREFIX + "*"))[:MAX_STALE_CHECKED]:
        owner = folder / OWNER_FILE
        try:
            pid = int(owner.read_text("ascii").strip())
        except (OSError, ValueError):
            continue
        if pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would terminate it there; leave the folder to the OS
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and not ours to judge
    except OSError:
        return True
    return True


class DemoWorld:
    """``with DemoWorld() as world:``, then audit ``world.files.campaign`` with its settings."""

    def __init__(self, folder: Path | None = None, *, timeout: float = 3.0) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if folder is None:
            remove_stale_demo_folders()
            self._tmp = tempfile.TemporaryDirectory(prefix=DEMO_PREFIX)
            folder = Path(self._tmp.name)
            (folder / OWNER_FILE).write_text(str(os.getpid()), "ascii")
        self.folder = Path(folder)
        self.timeout = timeout
        self.config: dict[str, Any] = tomllib.loads(read_text(*SAMPLE, "demo.toml"))
        specs = {
            host: LeafSpec(days_left=int(days))
            for host, days in self.config.get("certificates", {}).items()
        }
        self.certs = SimCertificates(specs, ca_name="clickaudit demo CA")
        self.sim = SimServer([], certs=self.certs)
        self.dns: LocalDnsServer | None = None
        self.files: DemoFiles | None = None
        self.settings = AuditSettings()

    def start(self) -> DemoWorld:
        self.sim.start()
        self.sim.routes = self._routes()
        self.dns = LocalDnsServer(self._zone()).start()
        self.files = self._write_sample()
        self.settings = AuditSettings(
            allow_private=True,
            nameservers=(Nameserver("127.0.0.1", self.dns.port),),
            ca_bundle=str(self.certs.ca_pem_path),
            timeout=self.timeout,
            chain_timeout=self.timeout * 4,
            template_path=str(self.files.template),
            blocklist_zones=(f"Spamhaus DBL={self.config['dns']['blocklist']}",),
        )
        return self

    def stop(self) -> None:
        self.sim.stop()
        if self.dns:
            self.dns.stop()
        self.certs.close()
        if self._tmp:
            self._tmp.cleanup()

    def __enter__(self) -> DemoWorld:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def fill_ports(self, text: str) -> str:
        http, https = str(self.sim.http_port), str(self.sim.https_port)
        return (
            text.replace("@HTTPS@", https)
            .replace("%40HTTPS%40", https)
            .replace("@HTTP@", http)
            .replace("%40HTTP%40", http)
        )

    def _routes(self) -> list[Route]:
        overrides = self.config.get("tracking_overrides", {})
        routes = []
        for line in read_text(*SAMPLE, "tokens.txt").splitlines():
            token, _, original = line.partition(" ")
            if not token:
                continue
            path = original.split("@HTTPS@", 1)[-1].split("@HTTP@", 1)[-1].split("?", 1)[0]
            target = overrides.get(
                path, original.replace("@HTTPS@", "{https}").replace("@HTTP@", "{http}")
            )
            routes.append(
                Route(
                    host=CLICK_HOST,
                    path="/ls/click",
                    query=f"upn={token}",
                    action="redirect",
                    status=302,
                    to=target,
                )
            )
        return routes + load_routes({"routes": self.config.get("routes", [])})

    def _zone(self) -> dict[str, list[tuple[str, str]]]:
        dns_config = self.config["dns"]
        zone: dict[str, list[tuple[str, str]]] = {
            host: [("A", "127.0.0.1")] for host in dns_config["local_hosts"]
        }
        for name, records in dns_config.get("records", {}).items():
            zone.setdefault(name, []).extend((kind, value) for kind, value in records)
        zone["s1._domainkey.northwind.example"] = [("TXT", _dkim_record())]
        blocklist = dns_config["blocklist"]
        zone[f"dbltest.com.{blocklist}"] = [("A", "127.0.1.2")]
        for domain, code in dns_config.get("blocklisted", {}).items():
            zone[f"{domain}.{blocklist}"] = [("A", code)]
        return zone

    def _write_sample(self) -> DemoFiles:
        self.folder.mkdir(parents=True, exist_ok=True)
        campaign = self.folder / "northwind-winter-sale.eml"
        template = self.folder / "northwind-winter-sale.template.html"
        campaign.write_bytes(self.fill_ports(read_text(*SAMPLE, "campaign.eml.in")).encode("utf-8"))
        template.write_text(self.fill_ports(read_text(*SAMPLE, "template.html.in")), "utf-8")
        clicks = self.folder / "northwind-clicks.synthetic.json"
        clicks.write_text(self.fill_ports(read_text(*SAMPLE, "clicks.synthetic.json.in")), "utf-8")
        return DemoFiles(campaign, template, clicks)


def _dkim_record() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode("ascii")
