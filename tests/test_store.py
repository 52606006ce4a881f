"""The audit history: round trips, migrations, crashes and concurrent writers, search, diffs,
and the history/show/diff/export commands."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from clickaudit.cli import main
from clickaudit.diff import diff_audits
from clickaudit.errors import StoreError
from clickaudit.model import Hop, HopKind, Outcome
from clickaudit.report.json_report import audit_to_dict
from clickaudit.store import Store
from clickaudit.store.schema import LATEST
from tests.factories import sample_audit

REPO = Path(__file__).resolve().parent.parent
HISTORY_FIXTURES = REPO / "tests" / "fixtures" / "history"
V1 = (HISTORY_FIXTURES / "schema_v1.sql").read_text("utf-8")
V2 = (HISTORY_FIXTURES / "schema_v2.sql").read_text("utf-8")


def test_an_audit_comes_back_exactly_as_it_was_saved(tmp_path: Path) -> None:
    audit = sample_audit()
    with Store.open(tmp_path / "h.db") as store:
        audit_id = store.save(audit, label="before fix")
        assert store.report(audit_id) == json.loads(json.dumps(audit_to_dict(audit)))
        assert audit_to_dict(store.get(audit_id)) == audit_to_dict(audit)
        [row] = store.history()
    assert (row.id, row.label, row.esp, row.links) == (audit_id, "before fix", "SendGrid", 4)
    db = sqlite3.connect(tmp_path / "h.db")
    assert db.execute("SELECT count(*) FROM hops").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM findings WHERE audit_id = ?", (audit_id,)).fetchone()[
        0
    ] == len(audit.all_findings())


def test_history_is_newest_first_and_searchable(tmp_path: Path) -> None:
    with Store.open(tmp_path / "h.db") as store:
        first = store.save(replace(sample_audit(), started_at="2026-11-01T10:00:00+00:00"))
        second = store.save(
            replace(sample_audit(), started_at="2026-11-20T10:00:00+00:00", esp="Mailgun")
        )
        assert [r.id for r in store.history()] == [second, first]
        assert [r.id for r in store.history(esp="mailgun")] == [second]
        assert [r.id for r in store.history(since="2026-11-10")] == [second]
        assert [r.id for r in store.history(until="2026-11-01")] == [first]
        assert {r.id for r in store.history(text="sendgrid.net/ls")} == {first, second}
        assert store.history(text="no-such-word") == []
        store.delete(first)
        assert [r.id for r in store.history()] == [second]


def test_a_version_1_database_is_migrated_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(V1)
    db.execute(
        "INSERT INTO audits (created_at, source_path, subject, from_addr, esp, report_json) "
        "VALUES ('2025-01-01T00:00:00', 'old.eml', 'Old campaign', 'a@b.example', 'SendGrid', ?)",
        (json.dumps(audit_to_dict(sample_audit())),),
    )
    db.execute(
        "INSERT INTO links (audit_id, link_no, text, href) VALUES (1, 1, 'Shop', 'https://old.example/x')"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Store.open(path) as store:
        [row] = store.history()
        assert (row.subject, row.label) == ("Old campaign", None)
        assert [r.id for r in store.history(text="old.example")] == [1]
        assert store.get(1).esp == "SendGrid"
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == LATEST


def test_a_version_2_database_keeps_its_labels_hops_and_search_when_migrated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v2.db"
    db = sqlite3.connect(path)
    db.executescript(V1)
    db.executescript(V2)
    db.execute(
        "INSERT INTO audits (created_at, source_path, subject, esp, report_json, label) "
        "VALUES ('2025-06-01T00:00:00', 'v2.eml', 'Summer sale', 'Mailgun', ?, 'before fix')",
        (json.dumps(audit_to_dict(sample_audit())),),
    )
    db.execute(
        "INSERT INTO links (audit_id, link_no, text, href) VALUES (1, 7, 'Shop', 'https://v2.example/x')"
    )
    db.execute(
        "INSERT INTO hops (link_row_id, hop_no, url, status) VALUES (1, 1, 'https://v2.example/x', 301)"
    )
    db.execute(
        "INSERT INTO audits_fts (rowid, subject, urls, esp, label) "
        "VALUES (1, 'Summer sale', 'https://v2.example/x', 'Mailgun', 'before fix')"
    )
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with Store.open(path) as store:
        [row] = store.history(text="summer v2.example")
        assert (row.id, row.label) == (1, "before fix")
        assert [r.id for r in store.history(text="before fix")] == [1]
        new = store.save(sample_audit(), label="after fix")
        assert [r.id for r in store.history(text="after")] == [new]
        store.delete(1)
        assert store.history(text="summer") == []
    db = sqlite3.connect(path)
    assert (
        db.execute(
            "SELECT audit_id, link_no, hop_no, status FROM hops WHERE url LIKE '%v2%'"
        ).fetchall()
        == []
    )
    assert db.execute("SELECT count(*) FROM hops WHERE audit_id = ?", (new,)).fetchone()[0] == 2
    assert "audits_fts" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master")}


def test_a_migrated_hop_keeps_its_audit_and_link_number(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    db = sqlite3.connect(path)
    db.executescript(V1)
    db.execute(
        "INSERT INTO audits (created_at, source_path, report_json) VALUES ('2025-01-01', 'a.eml', '{}')"
    )
    db.execute("INSERT INTO links (audit_id, link_no, href) VALUES (1, 3, 'https://a.example/')")
    db.execute(
        "INSERT INTO hops (link_row_id, hop_no, url, status) VALUES (1, 1, 'https://a.example/', 302)"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    Store.open(path).close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT audit_id, link_no, hop_no, status FROM hops").fetchall() == [
        (1, 3, 1, 302)
    ]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_database_from_a_newer_clickaudit_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer clickaudit"):
        Store.open(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content", [b"this is not a database at all", b"SQLite format 3\x00" + b"\xff" * 200]
)
def test_a_corrupted_file_is_reported_and_never_overwritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Store.open(path).save(sample_audit())
    assert str(path) in str(caught.value)
    assert path.read_bytes() == content


def test_a_read_only_database_keeps_its_audits_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ro.db"
    with Store.open(path) as store:
        store.save(sample_audit())
    # SQLite opens a file it may not write read-only. Root may write any file, so the test
    # asks SQLite for that read-only connection itself: the same error, as any user.
    real_connect = sqlite3.connect

    def read_only(target: object, **options: Any) -> sqlite3.Connection:
        return real_connect(f"file:{target}?mode=ro", uri=True, **options)

    monkeypatch.setattr("clickaudit.store.opening.sqlite3.connect", read_only)
    with (
        pytest.raises(
            StoreError, match=r"not saved: attempt to write a readonly database"
        ) as caught,
        Store.open(path) as store,
    ):
        store.save(sample_audit())
    assert str(path) in str(caught.value)
    monkeypatch.undo()
    with Store.open(path) as store:
        assert len(store.history()) == 1


def test_a_write_failure_inside_the_transaction_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "h.db"
    with Store.open(path) as store:
        store.save(sample_audit())

        def fail(*_: object) -> int:
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(store, "_insert", fail)
        with pytest.raises(StoreError, match="disk is full"):
            store.save(sample_audit())
        assert len(store.history()) == 1


KILLED_WRITER = """
import sys, time
sys.path.insert(0, {repo!r})
from clickaudit.store import Store
from tests.factories import sample_audit
store = Store.open({db!r})
original = store._insert
def slow(*args, **kwargs):
    audit_id = original(*args, **kwargs)
    print("inside", flush=True)
    time.sleep(60)
    return audit_id
store._insert = slow
store.save(sample_audit())
"""


def test_a_process_killed_mid_write_leaves_no_partial_audit(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    with Store.open(path) as store:
        store.save(sample_audit())
    code = KILLED_WRITER.format(repo=str(REPO), db=str(path))
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "inside"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    with Store.open(path) as store:
        assert len(store.history()) == 1
        db = sqlite3.connect(path)
        assert db.execute("SELECT count(*) FROM links").fetchone()[0] == 4


WRITER = """
import sys
sys.path.insert(0, {repo!r})
from clickaudit.store import Store
from tests.factories import sample_audit
with Store.open({db!r}) as store:
    for _ in range(50):
        store.save(sample_audit())
"""


def test_two_processes_writing_at_once_keep_every_audit(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    Store.open(path).close()
    code = WRITER.format(repo=str(REPO), db=str(path))
    writers = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    with Store.open(path) as store:
        assert len(store.history(limit=1000)) == 100


def test_the_diff_names_what_changed(tmp_path: Path) -> None:
    before = sample_audit()
    tracked = before.links[0]
    fixed = replace(
        tracked,
        chain=(
            Hop(tracked.href, 302, "https://shop.example/sale", HopKind.HTTP),
            Hop("https://shop.example/sale", 200),
        ),
        final_url="https://shop.example/sale",
        outcome=Outcome.OK,
        findings=(),
    )
    after = replace(before, links=(fixed, *before.links[1:3]))
    difference = diff_audits(before, after)
    kinds = sorted(change.kind for change in difference.changes)
    assert kinds == ["destination", "removed", "status"]
    assert [f.code for f in difference.findings_fixed] == ["redirect-broken"]
    assert difference.findings_new == ()


def test_history_show_diff_and_export_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "h.db")
    with Store.open(db) as store:
        first = store.save(sample_audit())
        second = store.save(sample_audit())
    assert main(["history", "--db", db, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in rows] == [second, first]
    assert main(["show", str(first), "--db", db, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["source"]["esp"] == "SendGrid"
    assert main(["diff", str(first), str(second), "--db", db]) == 0
    assert "no differences" in capsys.readouterr().out
    target = tmp_path / "links.csv"
    assert (
        main(
            [
                "export",
                str(first),
                "--db",
                db,
                "--format",
                "csv",
                "--output",
                str(target),
                "--redact",
            ]
        )
        == 0
    )
    assert target.read_text("utf-8").startswith("email,subject,link_id")
    assert main(["show", "999", "--db", db]) == 2
    assert "no audit 999" in capsys.readouterr().err
