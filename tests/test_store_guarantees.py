"""What the history promises under attack and accident (issue 18, defects 9-11 and 13-15):
a damaged file is refused untouched, a failed save is reported as itself and exits 2, reading
works on a read-only disk, an empty file is said to be taken, and first writers do not race."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from clickaudit.errors import StoreError
from clickaudit.model import Category, Element, Link, Part
from clickaudit.store import Found, Store
from tests.conftest import REPO, run_clickaudit, unavailable
from tests.factories import sample_audit

PAGE = 4096


def _history_with_audits(path: Path, count: int = 30) -> None:
    with Store.open(path) as store:
        for _ in range(count):
            store.save(sample_audit())


def _links_leaf_page(path: Path) -> int:
    """A leaf page of the links table that saving a new audit does not touch (not the last)."""
    db = sqlite3.connect(path)
    pages = [
        row[0]
        for row in db.execute(
            "SELECT pageno FROM dbstat WHERE name = 'links' AND pagetype = 'leaf' ORDER BY pageno"
        )
    ]
    db.close()
    assert len(pages) >= 2, "the test needs a links table of several pages"
    return pages[0]


def _damage_a_page(path: Path) -> None:
    """Cell pointers of a b-tree page overwritten: the header stays valid, the tree does not."""
    page = _links_leaf_page(path)
    with open(path, "r+b") as handle:
        handle.seek((page - 1) * PAGE + 8)
        handle.write(b"\xff" * 64)


def _email_with_links(folder: Path, count: int) -> Path:
    anchors = "".join(
        f'<a href="https://shop.example/p/{n}?utm_source=news">Product {n}</a>\n'
        for n in range(count)
    )
    path = folder / "many.eml"
    path.write_text(
        "From: Shop <news@shop.example>\nTo: you@example.org\nSubject: Many links\n"
        "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        f"<html><body>{anchors}</body></html>\n",
        "utf-8",
    )
    return path


def _offline_audit(email: Path, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_clickaudit(
        "audit", str(email), "--no-follow", "--no-domains", "--format", "json", "--db", str(db),
        *extra,
    )  # fmt: skip


def _require_mounting(what: str) -> None:
    """These tests mount a small file system in a private mount namespace."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        unavailable(f"needs root and unshare to mount {what}")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        unavailable(f"unshare -m is refused here, so {what} cannot be mounted")


# --- defect 9: a damaged page -------------------------------------------------------------
def test_a_database_with_a_damaged_page_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    _history_with_audits(path)
    _damage_a_page(path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="damaged database") as caught:
        Store.open(path).save(sample_audit())
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


# --- defect 10: the real error, and exit 2 --------------------------------------------------
def test_a_write_error_during_a_save_is_reported_as_itself_and_exits_2(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    _history_with_audits(db, count=1)
    email = _email_with_links(tmp_path, 3000)
    limit = 64 * 1024  # the write-ahead log of a 3,000-link audit cannot fit

    def file_size_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    completed = subprocess.run(
        [sys.executable, "-m", "clickaudit", "audit", str(email), "--no-follow", "--no-domains",
         "--format", "json", "--db", str(db)],
        capture_output=True, text=True, timeout=120, check=False, preexec_fn=file_size_limit,
        cwd=REPO,
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert '"links"' in completed.stdout  # the report is printed all the same
    assert f"{db}: the audit was not saved: disk I/O error" in completed.stderr
    assert "rollback" not in completed.stderr and "Traceback" not in completed.stderr
    with Store.open(db, read_only=True) as store:
        assert len(store.history()) == 1


FULL_DISK = """
set -e
mount -t tmpfs -o size=512k none "$1"
cp "$2" "$1/h.db"
exec {python} -m clickaudit audit "$3" --no-follow --no-domains --format json --db "$1/h.db"
"""


def test_a_full_disk_during_a_save_is_reported_as_such_and_exits_2(tmp_path: Path) -> None:
    _require_mounting("a small file system")
    db = tmp_path / "h.db"
    _history_with_audits(db, count=1)
    email = _email_with_links(tmp_path, 3000)
    disk = tmp_path / "disk"
    disk.mkdir()
    completed = subprocess.run(
        ["unshare", "-m", "sh", "-c", FULL_DISK.format(python=sys.executable), "sh", str(disk),
         str(db), str(email)],
        capture_output=True, text=True, timeout=120, check=False, cwd=REPO,
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert '"links"' in completed.stdout
    assert "the audit was not saved: database or disk is full" in completed.stderr
    assert "rollback" not in completed.stderr and "Traceback" not in completed.stderr


def test_an_audit_saved_into_a_damaged_database_prints_its_report_and_exits_2(
    tmp_path: Path,
) -> None:
    db = tmp_path / "h.db"
    _history_with_audits(db)
    _damage_a_page(db)
    before = db.read_bytes()
    completed = _offline_audit(_email_with_links(tmp_path, 3), db)
    assert completed.returncode == 2
    assert '"links"' in completed.stdout
    assert f"{db}: a damaged database" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert db.read_bytes() == before


# --- defect 11: read-only disks -------------------------------------------------------------
def test_history_and_show_read_a_database_opened_read_only(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    _history_with_audits(path, count=2)
    path.chmod(0o444)
    before = path.read_bytes()
    with Store.open(path, read_only=True) as store:
        assert [row.id for row in store.history()] == [2, 1]
        assert store.get(1).esp == "SendGrid"
        with pytest.raises(StoreError, match="read-only"):
            store.save(sample_audit())
    assert path.read_bytes() == before


READ_ONLY_DISK = """
set -e
mount -t tmpfs none "$1"
cp "$2" "$1/h.db"
mount -o remount,ro "$1"
{python} -m clickaudit history --db "$1/h.db" --format json
{python} -m clickaudit show 1 --db "$1/h.db" --format json
"""


def test_history_and_show_work_on_a_read_only_file_system(tmp_path: Path) -> None:
    _require_mounting("a read-only file system")
    source = tmp_path / "h.db"
    _history_with_audits(source, count=2)
    mount_point = tmp_path / "ro"
    mount_point.mkdir()
    script = READ_ONLY_DISK.format(python=sys.executable)
    completed = subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(mount_point), str(source)],
        capture_output=True, text=True, timeout=120, check=False, cwd=REPO,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert '"id": 2' in completed.stdout and '"esp": "SendGrid"' in completed.stdout


def test_reading_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none" / "h.db"
    completed = run_clickaudit("history", "--db", str(path))
    assert completed.returncode == 0
    assert "No audits." in completed.stdout
    assert not path.parent.exists()


def test_an_older_database_is_read_without_being_migrated(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    db = sqlite3.connect(path)
    db.executescript((REPO / "tests/fixtures/history/schema_v1.sql").read_text("utf-8"))
    db.execute(
        "INSERT INTO audits (created_at, source_path, subject, esp, report_json) "
        "VALUES ('2025-01-01T00:00:00', 'old.eml', 'Old campaign', 'SendGrid', '{}')"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    before = path.read_bytes()
    with Store.open(path, read_only=True) as store:
        assert [row.subject for row in store.history(text="old campaign")] == ["Old campaign"]
    assert path.read_bytes() == before


# --- defect 13: an empty file -----------------------------------------------------------------
def test_an_empty_file_at_the_database_path_is_taken_and_said_so(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    db.write_bytes(b"")
    completed = _offline_audit(_email_with_links(tmp_path, 2), db)
    assert completed.returncode == 0, completed.stderr
    assert f"{db} was an empty file; it now holds a new history database" in completed.stderr
    with Store.open(db) as store:
        assert store.found is Found.DATABASE
        assert len(store.history()) == 1


def test_an_empty_file_is_read_as_an_empty_history_and_left_empty(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(b"")
    with Store.open(path, read_only=True) as store:
        assert store.found is Found.EMPTY_FILE
        assert store.history() == []
    assert path.read_bytes() == b""


# --- defect 14: racing first writers ------------------------------------------------------
FIRST_WRITER = """
import sys, time
sys.path.insert(0, {repo!r})
from clickaudit.store import Store
from tests.factories import sample_audit
while time.time() < {start}:
    time.sleep(0.001)
with Store.open({db!r}) as store:
    store.save(sample_audit())
"""


@pytest.mark.parametrize("attempt", range(3))
def test_processes_creating_a_new_history_at_once_all_save(tmp_path: Path, attempt: int) -> None:
    import time

    path = tmp_path / f"new-{attempt}.db"
    code = FIRST_WRITER.format(repo=str(REPO), db=str(path), start=time.time() + 1.5)
    writers = [
        subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0] * 6, errors
    with Store.open(path, read_only=True) as store:
        assert len(store.history()) == 6


# --- defect 15: a file cut short by zeroed pages -------------------------------------------
def test_a_database_whose_last_pages_are_zeroed_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    _history_with_audits(path)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size - 3 * PAGE)
        handle.write(b"\x00" * 3 * PAGE)
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(path).save(replace(sample_audit(), esp="Mailgun"))
    assert str(caught.value).startswith(f"{path}: a damaged database")
    assert path.read_bytes() == before
    completed = run_clickaudit("history", "--db", str(path))
    assert "Traceback" not in completed.stderr


def test_a_large_audit_is_saved_whole(tmp_path: Path) -> None:
    links = tuple(
        Link(n, Part.HTML, Element.A, f"https://shop.example/{n}", category=Category.DIRECT)
        for n in range(1, 5001)
    )
    with Store.open(tmp_path / "h.db") as store:
        audit_id = store.save(replace(sample_audit(), links=links))
        assert len(store.get(audit_id).links) == 5000
        assert [r.id for r in store.history(text="shop.example/4999")] == [audit_id]
