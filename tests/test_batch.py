"""Batches: folders, globs, mbox files and Maildirs read one email at a time, in bounded memory;
reports streamed as each email finishes, the same whatever the number of jobs."""

from __future__ import annotations

import json
import mailbox
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import clickaudit.batch
from clickaudit.batch import EmailSource, count_sources, read_sources
from clickaudit.cli import main
from clickaudit.errors import InputError
from clickaudit.load import load_path
from clickaudit.pipeline import scan_path
from clickaudit.report import json_report

MESSAGE = (
    "From: News <news@shop.example>\nTo: you@example.org\nSubject: Issue {n}\n"
    "Content-Type: text/html; charset=utf-8\n\n"
    '<html><body><a href="https://shop.example/p/{n}?utm_source=news">Offer {n}</a>'
    "<p>From the shop, with love.</p>{padding}</body></html>\n"
)


def write_mbox(path: Path, count: int, padding: int = 0) -> Path:
    box = mailbox.mbox(str(path))
    box.lock()
    for n in range(count):
        box.add(MESSAGE.format(n=n, padding="x" * padding).encode())
    box.flush()
    box.unlock()
    box.close()
    return path


def labels(inputs: list[str]) -> list[str]:
    return [
        item.label if isinstance(item, EmailSource) else f"error: {item.problem}"
        for item in read_sources(inputs)
    ]


def test_mbox_messages_are_found_exactly_as_the_mailbox_module_finds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clickaudit.batch, "CHUNK", 97)  # separators split across chunks
    box_path = write_mbox(tmp_path / "box.mbox", 40, padding=50)
    box = mailbox.mbox(str(box_path), create=False)
    expected = [box.get_bytes(key) for key in box.iterkeys()]
    box.close()
    sources = list(read_sources([str(box_path)]))
    assert [source.read() for source in sources if isinstance(source, EmailSource)] == expected
    assert count_sources([str(box_path)]) == 40


def test_a_batch_mbox_gives_the_same_emails_as_loading_the_file(fixtures: Path) -> None:
    path = str(fixtures / "emails" / "two_messages.mbox")
    batch = [
        email
        for source in read_sources([path])
        if isinstance(source, EmailSource)
        for email in source.load()
    ]
    assert batch == load_path(path)


def test_folders_maildirs_and_globs_are_walked_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.eml").write_text(MESSAGE.format(n=1, padding=""))
    (tmp_path / "a.html").write_text("<a href='https://shop.example/'>x</a>")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")  # not an email suffix: not taken from a folder
    (tmp_path / ".hidden.eml").write_text(MESSAGE.format(n=2, padding=""))
    nested = tmp_path / "sub"
    nested.mkdir()
    (nested / "c.eml").write_text(MESSAGE.format(n=3, padding=""))
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"))
    maildir.add(MESSAGE.format(n=4, padding=""))
    maildir.add(MESSAGE.format(n=5, padding=""))
    write_mbox(tmp_path / "sub" / "old.mbox", 2)

    found = [label.replace(str(tmp_path) + "/", "") for label in labels([str(tmp_path)])]
    assert [label.split("/")[:2] for label in found[:2]] == [["Maildir", "new"]] * 2
    assert found[2:] == ["a.html", "b.eml", "sub/c.eml", "sub/old.mbox #1", "sub/old.mbox #2"]
    assert count_sources([str(tmp_path)]) == 7
    assert labels([str(tmp_path / "**" / "*.eml")]) == [
        f"{tmp_path}/b.eml",
        f"{tmp_path}/sub/c.eml",
    ]


def test_a_glob_that_matches_nothing_and_a_missing_file_are_named_and_the_rest_goes_on(
    tmp_path: Path,
) -> None:
    (tmp_path / "ok.eml").write_text(MESSAGE.format(n=1, padding=""))
    items = list(read_sources([str(tmp_path / "*.nothing"), str(tmp_path / "ok.eml")]))
    assert isinstance(items[0], InputError) and "no file matches" in items[0].problem
    assert isinstance(items[1], EmailSource)
    with pytest.raises(InputError, match="no such file"):
        EmailSource(str(tmp_path / "gone.eml")).load()


def _reports(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(list(args))
    return status, capsys.readouterr().out


def _without_times(report: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in report.items() if key not in ("started_at", "finished_at")}


def test_two_jobs_give_the_same_reports_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixtures: Path
) -> None:
    write_mbox(tmp_path / "box.mbox", 30)
    shutil.copy(fixtures / "emails" / "qp_soft_breaks.eml", tmp_path / "z.eml")
    outputs = []
    for jobs in ("1", "2"):
        status, out = _reports(capsys, "scan", str(tmp_path), "--format", "jsonl", "-j", jobs)
        outputs.append([_without_times(json.loads(line)) for line in out.splitlines()])
        assert status in (0, 1)
    assert len(outputs[0]) == 31
    assert outputs[0] == outputs[1]


def test_where_processes_cannot_be_forked_spawned_workers_give_the_same_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no fork: spawned workers import and warm up themselves."""
    import multiprocessing

    write_mbox(tmp_path / "box.mbox", 6)
    _, forked = _reports(capsys, "scan", str(tmp_path), "--format", "jsonl", "-j", "2")
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    _, spawned = _reports(capsys, "scan", str(tmp_path), "--format", "jsonl", "-j", "2")
    assert len(spawned.splitlines()) == 6
    assert [_without_times(json.loads(line)) for line in spawned.splitlines()] == [
        _without_times(json.loads(line)) for line in forked.splitlines()
    ]


def test_with_two_jobs_bad_inputs_are_named_in_their_place_and_the_rest_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Work goes to the workers in chunks; a file that cannot be read, a glob that matches
    nothing and a binary file each give their message, and every other email its report, in
    input order."""
    write_mbox(tmp_path / "a.mbox", 40)
    (tmp_path / "b.eml").write_bytes(b"")
    (tmp_path / "c.eml").write_bytes(bytes(range(256)) * 4)
    write_mbox(tmp_path / "d.mbox", 25)
    inputs = [str(tmp_path / "a.mbox"), str(tmp_path / "*.nothing"), str(tmp_path / "b.eml")]
    inputs += [str(tmp_path / "c.eml"), str(tmp_path / "gone.eml"), str(tmp_path / "d.mbox")]
    status = main(["scan", *inputs, "--format", "jsonl", "-j", "2"])
    captured = capsys.readouterr()
    reports = [json.loads(line) for line in captured.out.splitlines()]
    assert [(r["source"]["path"].rsplit("/", 1)[1], r["source"]["subject"]) for r in reports] == [
        ("a.mbox", f"Issue {n}") for n in range(40)
    ] + [("d.mbox", f"Issue {n}") for n in range(25)]
    problems = [line for line in captured.err.splitlines() if line.startswith("clickaudit: ")]
    assert [line.split(": ")[1].rsplit("/", 1)[-1] for line in problems] == [
        "*.nothing", "b.eml", "c.eml", "gone.eml",
    ]  # fmt: skip
    assert status == 2


def test_json_is_written_as_it_goes_and_reads_as_the_whole_array_would(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = write_mbox(tmp_path / "box.mbox", 3)
    _, streamed = _reports(capsys, "scan", str(box), "--format", "json", "-j", "1")
    _, lines = _reports(capsys, "scan", str(box), "--format", "jsonl", "-j", "1")
    whole = [json.loads(line) for line in lines.splitlines()]
    assert [_without_times(r) for r in json.loads(streamed)] == [_without_times(r) for r in whole]
    assert streamed.startswith("[\n  {\n") and streamed.endswith("}\n]\n")


def test_one_email_is_still_one_json_object(
    capsys: pytest.CaptureFixture[str], fixtures: Path
) -> None:
    path = fixtures / "emails" / "qp_soft_breaks.eml"
    _, out = _reports(capsys, "scan", str(path), "--format", "json")
    expected = json_report.dumps(scan_path(path))
    assert _without_times(json.loads(out)) == _without_times(json.loads(expected))
    assert out.startswith("{")


PEAK_MEMORY = """
# VmHWM, not ru_maxrss: that one keeps the forking parent's size across exec
status_text = open("/proc/self/status").read()
print(*answer, int(re.search(r"VmHWM:\\s*(\\d+) kB", status_text).group(1)) // 1024)
"""

reads_peak_memory = pytest.mark.skipif(
    not Path("/proc/self/status").is_file(), reason="peak memory is read from /proc (Linux)"
)


def _in_fresh_interpreter(code: str, *args: str) -> list[int]:
    """Run ``code`` (which leaves a list of numbers in ``answer``) in a fresh interpreter with
    ``args`` as its arguments: those numbers, then the interpreter's peak RSS in MB."""
    done = subprocess.run(
        [sys.executable, "-c", "import re\n" + textwrap.dedent(code) + PEAK_MEMORY, *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return [int(number) for number in done.stdout.split()]


def _peak_reading(box: Path) -> tuple[int, int]:
    """Emails loaded and peak RSS (MB) of a fresh interpreter reading every message of ``box``."""
    count, peak_mb = _in_fresh_interpreter(
        """
        import sys
        from clickaudit.batch import read_sources
        count = 0
        for source in read_sources([sys.argv[1]]):
            count += len(source.load())
        answer = [count]
        """,
        str(box),
    )
    return count, peak_mb


def _peak_scanning(box: Path) -> int:
    """Peak RSS (MB) of a fresh interpreter scanning every message of ``box`` into one JSON
    array (one job), the report written to /dev/null."""
    (peak_mb,) = _in_fresh_interpreter(
        """
        import contextlib, os, sys
        from clickaudit.cli import main
        with open(os.devnull, "w") as out, contextlib.redirect_stdout(out):
            main(["scan", sys.argv[1], "--format", "json", "--jobs", "1"])
        answer = []
        """,
        str(box),
    )
    return peak_mb


def _write_big_mbox(path: Path, count: int, padding: int = 4_000) -> Path:
    with path.open("w") as file:  # as the mailbox module writes it, without its slowness
        for n in range(count):
            file.write("From news@shop.example Thu Nov 26 04:00:00 2026\n")
            file.write(MESSAGE.format(n=n, padding="x" * padding) + "\n")
    return path


@reads_peak_memory
def test_reading_a_20000_message_mbox_keeps_memory_flat(tmp_path: Path) -> None:
    """Ten times the messages (an 81 MB mbox instead of 8 MB) cost no more memory: the mbox is
    never read whole and nothing is kept from one email to the next."""
    small = _write_big_mbox(tmp_path / "small.mbox", 2_000)
    big = _write_big_mbox(tmp_path / "big.mbox", 20_000)
    assert big.stat().st_size > 80_000_000
    small_count, small_peak = _peak_reading(small)
    big_count, big_peak = _peak_reading(big)
    assert (small_count, big_count) == (2_000, 20_000)
    assert big_peak < small_peak + 20, f"{small_peak} MB for 2,000 messages, {big_peak} for 20,000"
    assert big_peak < 100
    os.remove(big)


@reads_peak_memory
def test_scanning_20000_emails_into_one_json_array_keeps_memory_flat(tmp_path: Path) -> None:
    """Scanning keeps nothing from one email to the next, garbage included: the collector is
    paused while each email is scanned, and what it would have found meanwhile must still be
    found (100,000 emails into a JSON array once grew to 350 MB; these 20,000 to 117 MB). The
    garbage waiting for a collection may reach the size of the live heap, hence the margin."""
    small = _write_big_mbox(tmp_path / "small.mbox", 2_000, padding=0)
    big = _write_big_mbox(tmp_path / "big.mbox", 20_000, padding=0)
    small_peak, big_peak = _peak_scanning(small), _peak_scanning(big)
    assert big_peak < small_peak + 30, f"{small_peak} MB for 2,000 emails, {big_peak} for 20,000"


def _peak_auditing(box: Path, jobs: int) -> tuple[int, int]:
    """Peak RSS (MB) of a fresh interpreter auditing every message of ``box`` (its links
    followed) with ``jobs`` jobs, and of its largest worker process (0 with one job)."""
    options = [
        "--jobs", str(jobs), "--no-save", "--allow-private", "--no-domains", "--format", "jsonl",
        "--fail-on", "never",
    ]  # fmt: skip
    worker, parent = _in_fresh_interpreter(
        """
        import contextlib, os, resource, sys
        from clickaudit.cli import main
        with open(os.devnull, "w") as out, contextlib.redirect_stdout(out):
            status = main(["audit", *sys.argv[1:]])
        assert status == 0, status
        answer = [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024]
        """,
        str(box),
        *options,
    )
    return parent, worker


def _write_audit_mbox(path: Path, count: int, port: int) -> Path:
    """Emails of 10 KB of text and four links each, through a redirect on the local simulator.
    The links repeat every 20 emails, so the URL caches (bounded at a few thousand entries)
    are as full in the small batch as in the big one: what grows is what a batch keeps."""
    words = "Words of this week's newsletter. " * 300
    with path.open("w") as file:
        for n in range(count):
            links = "".join(
                f'<a href="http://127.0.0.1:{port}/c/{n % 20}/{k}">Offer {k}</a>' for k in range(4)
            )
            file.write(
                "From news@shop.example Thu Nov 26 04:00:00 2026\n"
                + MESSAGE.format(n=n, padding=f"<p>{words}</p>{links}")
                + "\n"
            )
    return path


@reads_peak_memory
@pytest.mark.parametrize("jobs", [1, 2])
def test_auditing_four_times_the_emails_keeps_memory_flat(tmp_path: Path, jobs: int) -> None:
    """An audit keeps nothing from one email to the next, in this process or its workers:
    800 emails take the memory of 200 (keeping each loaded email alone would add 14 MB)."""
    from clickaudit.sim.server import Route, SimServer

    routes = [
        Route("/c/*", action="redirect", to="http://127.0.0.1:{http}/landing"),
        Route("/landing", body="<h1>Landing</h1>"),
    ]
    with SimServer(routes, tls=False) as sim:
        small = _write_audit_mbox(tmp_path / "small.mbox", 200, sim.http_port)
        big = _write_audit_mbox(tmp_path / "big.mbox", 800, sim.http_port)
        (small_peak, small_worker), (big_peak, big_worker) = (
            _peak_auditing(small, jobs),
            _peak_auditing(big, jobs),
        )
    assert big_peak < small_peak + 8, f"{small_peak} MB for 200 emails, {big_peak} for 800"
    assert big_worker < small_worker + 8, f"workers: {small_worker} MB, then {big_worker}"


def test_audit_takes_a_folder_and_writes_a_line_per_email(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_mbox(tmp_path / "box.mbox", 3)
    (tmp_path / "one.eml").write_text(MESSAGE.format(n=9, padding=""))
    (tmp_path / "broken.eml").write_bytes(b"")
    status = main(
        ["audit", str(tmp_path), "--no-follow", "--no-domains", "--no-save", "--format", "jsonl"]
    )
    captured = capsys.readouterr()
    reports = [json.loads(line) for line in captured.out.splitlines()]
    assert [report["source"]["path"].rsplit("/", 1)[1] for report in reports] == [
        "box.mbox", "box.mbox", "box.mbox", "one.eml",
    ]  # fmt: skip
    assert "broken.eml: the file is empty" in captured.err
    assert status == 2  # a file could not be read; the others are reported all the same


@pytest.mark.parametrize("command", ["scan", "audit"])
def test_ctrl_c_stops_a_batch_with_workers_and_leaves_no_process(
    tmp_path: Path, command: str
) -> None:
    """Ctrl-C reaches every process of the group; the workers leave it to the parent, which
    stops handing out work (a worker interrupted mid-task used to leave the scan hanging)."""
    import signal

    box = _write_big_mbox(tmp_path / "box.mbox", 6_000)
    args = [sys.executable, "-m", "clickaudit", command, str(box), "--format", "jsonl", "-j", "2"]
    if command == "audit":
        args += ["--no-follow", "--no-domains", "--no-save"]
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline()  # under way
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, err
    assert b"clickaudit: cancelled" in err
    left = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True)
    assert left.stdout.split() == []


@pytest.mark.parametrize(("command", "jobs"), [("scan", "1"), ("scan", "2"), ("audit", "2")])
def test_an_email_that_meets_a_bug_is_named_and_the_batch_goes_on(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    jobs: str,
) -> None:
    import clickaudit.scanning

    classify_email = clickaudit.scanning.classify_email

    def fails_on_issue_3(email: Any, fingerprints: Any) -> Any:
        if email.headers.subject == "Issue 3":
            raise RuntimeError("an index out of range")
        return classify_email(email, fingerprints)

    monkeypatch.setattr(clickaudit.scanning, "classify_email", fails_on_issue_3)
    monkeypatch.setattr("clickaudit.audit_batch.classify_email", fails_on_issue_3)
    box = write_mbox(tmp_path / "box.mbox", 6)
    extra = ["--no-follow", "--no-domains", "--no-save"] if command == "audit" else []
    status = main([command, str(box), "--format", "jsonl", "-j", jobs, *extra])
    captured = capsys.readouterr()
    subjects = [json.loads(line)["source"]["subject"] for line in captured.out.splitlines()]
    assert subjects == ["Issue 0", "Issue 1", "Issue 2", "Issue 4", "Issue 5"]
    assert f"{box} #4: could not be " in captured.err
    assert "RuntimeError: an index out of range (a bug in clickaudit" in captured.err
    assert status == 2
