"""The batch progress line: emails done / total, rate and ETA on one terminal line, nothing when
stderr is not a terminal, and never in the way of a report written to the same terminal."""

from __future__ import annotations

import io
import json
import mailbox
from pathlib import Path

import pytest

from clickaudit.cli import main
from clickaudit.commands.progress_line import BatchProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_line_shows_emails_done_of_the_total_the_rate_and_the_time_left() -> None:
    terminal, clock = Terminal(), Clock()
    progress = BatchProgress(10, terminal, clock)
    clock.now += 1.5
    progress.advance(1)
    clock.now += 2.0
    progress.advance(4)
    line = terminal.getvalue().rsplit("\r", 1)[-1].strip()
    assert line == "5/10 emails  2.0/s  ETA 0:03"  # 2.5 s, rounded up: never "0:00" with work left


def test_the_rate_is_not_shown_before_a_second_of_work_nor_counts_the_start() -> None:
    """Starting workers takes seconds on a busy machine; an ETA counted from the start would
    read an hour at the first email of a one-minute batch."""
    terminal, clock = Terminal(), Clock()
    progress = BatchProgress(30_000, terminal, clock)
    clock.now += 3.0  # loading the stages, forking the workers
    progress.advance()
    assert terminal.getvalue().rsplit("\r", 1)[-1].strip() == "1/30,000 emails"
    clock.now += 0.5
    progress.advance(1_000)
    assert terminal.getvalue().rsplit("\r", 1)[-1].strip() == "1,001/30,000 emails"
    clock.now += 0.5
    progress.advance(1_000)
    line = terminal.getvalue().rsplit("\r", 1)[-1].strip()
    assert line == "2,001/30,000 emails  2,000.0/s  ETA 0:14"


def test_the_line_is_redrawn_at_most_ten_times_a_second() -> None:
    terminal, clock = Terminal(), Clock()
    progress = BatchProgress(20_000, terminal, clock)
    clock.now += 1
    for _ in range(50):
        progress.advance()
    clock.now += 0.05
    progress.advance()
    assert terminal.getvalue().count("\r") == 1
    clock.now += 0.1
    progress.advance()
    assert terminal.getvalue().count("\r") == 2
    assert "52/20,000 emails" in terminal.getvalue()


def test_nothing_is_drawn_when_stderr_is_not_a_terminal() -> None:
    log, clock = io.StringIO(), Clock()
    progress = BatchProgress(10, log, clock)
    clock.now += 1
    progress.advance(5)
    progress.clear()
    assert log.getvalue() == ""


def test_reports_written_to_the_terminal_never_start_on_the_progress_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = mailbox.mbox(str(tmp_path / "box.mbox"))
    for n in range(5):
        box.add(f"From: a@shop.example\nSubject: {n}\n\n<a href='https://shop.example/{n}'>x</a>")
    box.close()
    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    monkeypatch.setattr("sys.stderr", terminal)
    main(["scan", str(tmp_path / "box.mbox"), "--format", "jsonl", "-j", "1"])
    shown = [line.rsplit("\r", 1)[-1] for line in terminal.getvalue().split("\n")]
    reports = [json.loads(line) for line in shown if line.strip()]
    assert [report["source"]["subject"] for report in reports] == ["0", "1", "2", "3", "4"]
    assert "emails" in terminal.getvalue()  # the line was drawn, and cleared before each report
