"""A non-editable install carries the top-level resources/ folder inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_contains_the_resources_folder(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("clickaudit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "clickaudit/resources/schema/report.schema.json" in names
    assert "clickaudit/resources/esp/fingerprints.toml" in names


def test_installed_package_finds_its_resources_outside_the_checkout(tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(REPO),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    code = (
        "import clickaudit.bundled as b, json\n"
        "print(b.resource('schema', 'report.schema.json'))\n"
        "print(json.loads(b.read_text('schema', 'report.schema.json'))['title'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    root, title = result.stdout.strip().splitlines()
    assert root.startswith(str(target))
    assert title.startswith("clickaudit report")
