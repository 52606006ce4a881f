#!/usr/bin/env python3
"""Rebuild resources/clicks/scanner-networks.txt from a Warmbly checkout (Apache-2.0).

Usage: scripts/update_scanner_networks.py PATH/TO/warmbly

Copies tracking/scanner-networks.txt and LICENSE, after checking that every entry parses (a
CIDR or asn:N, a scope, an optional certainty, a label); prints what changed in entry counts.
Nothing is downloaded: fetch or update the checkout first. Update THIRD_PARTY_NOTICES with the
commit the file came from.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "resources" / "clicks"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    checkout = Path(argv[0])
    source = checkout / "tracking" / "scanner-networks.txt"
    licence = checkout / "LICENSE"
    if not source.is_file() or not licence.is_file():
        print(f"{checkout}: no tracking/scanner-networks.txt and LICENSE there", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO))
    from clickaudit.clicks.networks import parse_scanner_networks

    new = parse_scanner_networks(source.read_text(encoding="utf-8"))
    old_file = TARGET / "scanner-networks.txt"
    old = parse_scanner_networks(old_file.read_text(encoding="utf-8")) if old_file.exists() else ()
    shutil.copyfile(source, old_file)
    shutil.copyfile(licence, TARGET / "LICENSE.warmbly")
    print(f"scanner networks: {len(old)} entries before, {len(new)} now")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
