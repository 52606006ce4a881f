"""The cluster from the command line: a scan sent to a worker gives the report a local scan
gives; a submitter that crashed reconnects with --resume; a batch reports how far it is."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

from tests.conftest import run_clickaudit

EMAIL = """From: News <news@shop.example>
To: someone@example.org
Subject: Offer {n}
Content-Type: text/html; charset=utf-8

<html><body><a href="https://click.shop.example/ls/click?upn={n}">Item {n}</a>
<a href="https://shop.example/p/{n}?utm_source=news&utm_medium=email">Shop</a></body></html>
"""


def _without_times(report: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in report.items() if key not in ("started_at", "finished_at")}


def test_a_crashed_submitter_resumes_and_gets_the_report_a_local_scan_gives(
    redis_url: str, tmp_path: Path
) -> None:
    files = []
    for n in range(5):
        path = tmp_path / f"offer{n}.eml"
        path.write_text(EMAIL.format(n=n), "utf-8")
        files.append(str(path))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # No worker yet: the submitter queues the batch, waits, and is killed.
    submitter = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clickaudit",
            "scan",
            "--cluster",
            redis_url,
            *files,
            "--format",
            "json",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + 30
    while not client.keys("clickaudit:batch:*:sealed") and time.monotonic() < deadline:
        time.sleep(0.05)
    submitter.send_signal(signal.SIGKILL)
    submitter.wait()
    (sealed,) = client.keys("clickaudit:batch:*:sealed")
    assert isinstance(sealed, bytes)  # a client without decode_responses answers in bytes
    batch = sealed.decode().split(":")[2]

    worker = subprocess.Popen(
        [sys.executable, "-m", "clickaudit", "worker", "--cluster", redis_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        resumed = run_clickaudit(
            "scan", "--cluster", redis_url, "--resume", batch, "--format", "json",
            "--fail-on", "never", timeout=60,
        )  # fmt: skip
        status = run_clickaudit("worker", "--cluster", redis_url, "--status", batch)
        wrong_command = run_clickaudit("audit", "--cluster", redis_url, "--resume", batch)
        wrong_format = run_clickaudit(
            "scan", "--cluster", redis_url, "--resume", batch, "--format", "jsonl"
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    local = run_clickaudit("scan", *files, "--format", "json", "--fail-on", "never")

    assert resumed.returncode == 0, resumed.stderr
    assert [_without_times(r) for r in json.loads(resumed.stdout)] == [
        _without_times(r) for r in json.loads(local.stdout)
    ]
    assert f"batch {batch}: 5 done, 0 failed, 0 pending of 5" in status.stdout
    assert wrong_command.returncode == 2
    assert "is a scan batch: resume it with 'clickaudit scan'" in wrong_command.stderr
    assert wrong_format.returncode == 2 and "sent for --format json" in wrong_format.stderr


def test_resume_of_an_unknown_batch_and_resume_without_cluster_are_usage_errors(
    redis_url: str,
) -> None:
    unknown = run_clickaudit("audit", "--cluster", redis_url, "--resume", "0123456789abcdef")
    assert unknown.returncode == 2 and "no batch 0123456789abcdef" in unknown.stderr
    alone = run_clickaudit("scan", "--resume", "0123456789abcdef")
    assert alone.returncode == 2 and "--resume needs --cluster" in alone.stderr
    nothing = run_clickaudit("scan")
    assert nothing.returncode == 2 and "give at least one FILE" in nothing.stderr


def test_an_unreachable_cluster_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.eml"
    path.write_text(EMAIL.format(n=1), "utf-8")
    from tests.redis_server import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"
    result = run_clickaudit("scan", "--cluster", url, str(path))
    assert result.returncode == 2 and url in result.stderr and "cannot reach" in result.stderr


def test_without_the_cluster_extra_both_commands_say_what_to_install(tmp_path: Path) -> None:
    path = tmp_path / "a.eml"
    path.write_text(EMAIL.format(n=1), "utf-8")
    for args in (
        ["worker", "--cluster", "redis://127.0.0.1:1/0"],
        ["scan", "--cluster", "redis://127.0.0.1:1/0", str(path)],
    ):
        code = (
            "import sys\n"
            "sys.modules['dramatiq'] = None  # as if clickaudit[cluster] were not installed\n"
            "from clickaudit.cli import main\n"
            f"sys.exit(main({args!r}))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 2, result.stderr
        assert "pip install 'clickaudit[cluster]'" in result.stderr


def test_folders_maildirs_and_globs_go_to_the_cluster_as_they_are_read_locally(
    redis_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "campaigns"
    folder.mkdir()
    for n in range(2):
        (folder / f"offer{n}.eml").write_text(EMAIL.format(n=n), "utf-8")
    maildir = tmp_path / "Maildir"
    for part in ("cur", "new", "tmp"):
        (maildir / part).mkdir(parents=True)
    (maildir / "cur" / "1700000000.1.host:2,S").write_text(EMAIL.format(n=10), "utf-8")
    (maildir / "new" / "1700000001.2.host").write_text(EMAIL.format(n=11), "utf-8")
    box = tmp_path / "sent.mbox"
    box.write_text(
        "".join(f"From x@y Thu Nov 26 00:00:00 2026\n{EMAIL.format(n=20 + n)}\n" for n in range(2)),
        "utf-8",
    )
    inputs = [str(folder), str(maildir), str(tmp_path / "*.mbox")]
    worker = subprocess.Popen(
        [sys.executable, "-m", "clickaudit", "worker", "--cluster", redis_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        remote = run_clickaudit(
            "scan", "--cluster", redis_url, *inputs, "--format", "json", "--fail-on", "never",
            timeout=60,
        )  # fmt: skip
        remote_text = run_clickaudit(
            "scan", "--cluster", redis_url, *inputs, "--fail-on", "never", timeout=60
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    local = run_clickaudit("scan", *inputs, "--format", "json", "--fail-on", "never", "--jobs", "1")

    assert remote.returncode == 0, remote.stderr
    reports = json.loads(remote.stdout)
    assert len(reports) == 6
    assert [_without_times(r) for r in reports] == [
        _without_times(r) for r in json.loads(local.stdout)
    ]
    local_text = run_clickaudit("scan", *inputs, "--fail-on", "never", "--jobs", "1")
    assert remote_text.stdout == local_text.stdout  # the text report, streamed in input order


def test_a_cluster_audit_writes_csv_and_junit_documents_as_a_local_audit_does(
    redis_url: str, tmp_path: Path
) -> None:
    """Whole documents (HTML, CSV, JUnit) are spooled audit by audit in the inputs' order,
    whichever worker finishes first."""
    box = tmp_path / "sent.mbox"
    box.write_text(
        "".join(f"From x@y Thu Nov 26 00:00:00 2026\n{EMAIL.format(n=n)}\n" for n in range(5)),
        "utf-8",
    )
    options = ("--no-follow", "--no-domains", "--no-save", "--fail-on", "never")
    worker = subprocess.Popen(
        [sys.executable, "-m", "clickaudit", "worker", "--cluster", redis_url, "--threads", "3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        remote = {
            fmt: run_clickaudit(
                "audit", "--cluster", redis_url, str(box), "--format", fmt, *options, timeout=60
            )
            for fmt in ("csv", "junit")
        }
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    for fmt, made in remote.items():
        local = run_clickaudit("audit", str(box), "--format", fmt, *options, "--jobs", "1")
        assert made.returncode == 0, made.stderr
        assert made.stdout == local.stdout, fmt
        assert [f"shop.example/p/{n}?" in made.stdout for n in range(5)] == [True] * 5
