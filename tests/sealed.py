"""Run a scenario where nothing can leave the machine: a fresh, empty network namespace.

A test that must see a non-loopback address refused cannot just trust the guard: if the guard
were broken, the audit would send a request to that address. Inside ``unshare -n`` there is
only a loopback interface, to which the scenario's addresses (a "public" one for the simulator,
and the private ones the email points at) are added; a broken guard then reaches the simulator
instead of the world, and the scenario sees it. Needs root (``unshare`` and ``ip``); where they
are missing the test says so and skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.conftest import unavailable

REPO = Path(__file__).resolve().parent.parent


def run_sealed(module: str, function: str, addresses: Sequence[str]) -> str:
    """Call ``module.function()`` in a new network namespace whose loopback also carries
    ``addresses``; return its output, failing the test with it when the call fails."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        unavailable("a sealed network namespace needs root, unshare and ip")
    setup = ["ip link set lo up"]
    for address in addresses:
        v6 = ":" in address
        setup.append(f"ip addr add {address}/{128 if v6 else 32} dev lo{' nodad' if v6 else ''}")
    call = f"import {module} as m; m.{function}()"
    script = " && ".join([*setup, f"exec {sys.executable} -c '{call}'"])
    done = subprocess.run(
        ["unshare", "-n", "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"the sealed scenario failed:\n{output}"
    return output
