"""Compare ``clickaudit scan --format json`` of every corpus email between two source trees.

A speed change must not change a report. This scans each email of ``../shared/corpus/real`` (and
the demo campaign and template, their ports filled with fixed numbers) with the ``clickaudit``
package of each tree, in a child interpreter per tree, and prints every email whose JSON differs
(the run's timestamps aside). Run on demand:

    .venv/bin/python -m tests.bench.corpus_json_ab OLD_TREE [NEW_TREE] [--show N]

OLD_TREE / NEW_TREE are checkouts (``git worktree add --detach /tmp/old <commit>``); NEW_TREE
defaults to this one. Exit status 1 when any report differs.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent.parent
CORPUS = HERE.parent / "shared" / "corpus" / "real"
DEMO = HERE / "resources" / "samples" / "northwind"
RUN_KEYS = ("started_at", "finished_at")

CHILD = """
import contextlib, io, json, sys
sys.path.insert(0, {tree!r})
import clickaudit
assert clickaudit.__file__.startswith({tree!r}), clickaudit.__file__
from clickaudit.cli import main
reports = {{}}
for path in {paths!r}:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(["scan", "--format", "json", "--jobs", "1", "--fail-on", "never", path])
        except SystemExit:
            pass
    reports[path] = out.getvalue()
print(json.dumps(reports))
"""


def demo_files(folder: Path) -> list[Path]:
    """The demo's campaign and template with fixed ports (the demo fills in its servers')."""
    made = []
    for name in ("campaign.eml.in", "template.html.in"):
        text = (DEMO / name).read_text("utf-8")
        for marker, port in (("@HTTPS@", "8443"), ("%40HTTPS%40", "8443"), ("@HTTP@", "8080")):
            text = text.replace(marker, port)
        text = text.replace("%40HTTP%40", "8080")
        path = folder / name.removesuffix(".in")
        path.write_text(text, "utf-8")
        made.append(path)
    return made


def reports(tree: Path, paths: list[str]) -> dict[str, str]:
    code = CHILD.format(tree=str(tree), paths=paths)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    found: dict[str, str] = json.loads(out.stdout)
    return found


def normalised(report: str) -> str:
    """The report with the run's own timestamps blanked (everything else must be equal)."""
    try:
        data = json.loads(report)
    except json.JSONDecodeError:
        return report
    for item in data if isinstance(data, list) else [data]:
        for key in RUN_KEYS:
            if isinstance(item, dict) and key in item:
                item[key] = "-"
    return json.dumps(data, indent=1, sort_keys=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=HERE)
    parser.add_argument("--show", type=int, default=40, help="diff lines shown per email")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = sorted(str(p) for p in CORPUS.iterdir() if p.suffix in (".eml", ".html", ".mbox"))
        paths += [str(p) for p in demo_files(Path(folder))]
        old = reports(args.old.resolve(), paths)
        new = reports(args.new.resolve(), paths)
    differing = 0
    for path in paths:
        before, after = normalised(old[path]), normalised(new[path])
        if not old[path].lstrip().startswith("{") or not new[path].lstrip().startswith("{"):
            print(f"NO JSON REPORT: {path}")
            differing += 1
        elif before != after:
            differing += 1
            print(f"DIFFERS: {path}")
            diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
            for line in list(diff)[: args.show]:
                print("   ", line)
    print(f"{len(paths)} emails, {differing} reports differ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
