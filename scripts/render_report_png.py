"""Open an HTML report in headless Chromium and save a PNG of it, to look at it.

    .venv/bin/python scripts/render_report_png.py REPORT.html OUT.png [--print]

Needs Debian's chromium (`apt-get install chromium`). Network is off for the browser, so the
picture also proves the report needs nothing from anywhere. ``--print`` renders the print
stylesheet (as a PDF turned into the first page's PNG is not needed: print media emulation).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("output")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2600)
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        print(
            "render_report_png: chromium is not installed (apt-get install chromium)",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--proxy-server=127.0.0.1:9",
                f"--window-size={args.width},{args.height}",
                f"--screenshot={Path(args.output).resolve()}",
                Path(args.report).resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if result.returncode != 0 or not Path(args.output).exists():
        print(result.stderr[-2000:], file=sys.stderr)
        return 1
    print(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
