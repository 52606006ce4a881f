"""Each command imports what it uses, when it uses it: a scan of one email loads neither the
other commands nor the network stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from clickaudit.commands import COMMAND_NAMES, command_module


def test_every_command_module_is_named_after_its_command() -> None:
    assert [command_module(name).NAME for name in COMMAND_NAMES] == list(COMMAND_NAMES)


def modules_loaded_by(*argv: str) -> set[str]:
    code = (
        "import json, sys\n"
        "from clickaudit.cli import main\n"
        f"status = main({list(argv)!r})\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_scanning_one_email_imports_only_the_scan_command_and_no_network_stack(
    tmp_path: Path,
) -> None:
    email = tmp_path / "one.eml"
    email.write_text(
        "From: a@example.com\nTo: b@example.com\nSubject: hi\nContent-Type: text/html\n\n"
        '<a href="https://click.example.com/c?u=https%3A%2F%2Fshop.example.com%2F">shop</a>\n'
    )
    loaded = modules_loaded_by("scan", str(email), "--format", "json")
    commands = {m for m in loaded if m.startswith("clickaudit.commands.")}
    assert "clickaudit.commands.scan" in commands
    assert not commands & {f"clickaudit.commands.{name}" for name in ("audit", "demo", "worker")}
    assert not {"httpx", "httpcore", "dns.resolver", "clickaudit.follow"} & loaded


def test_a_text_scan_does_not_look_up_the_installed_version(tmp_path: Path) -> None:
    """importlib.metadata takes ~17 ms to find the version; only a JSON report prints it."""
    email = tmp_path / "one.eml"
    email.write_text("From: a@example.com\nSubject: hi\n\n<a href='https://shop.example/'>x</a>\n")
    assert "importlib.metadata" not in modules_loaded_by("scan", str(email))
