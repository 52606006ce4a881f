"""Reports are written whole or not at all: a reader never sees half a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clickaudit.atomic_write import write_text_atomically


def test_a_report_replaces_the_previous_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old report", encoding="utf-8")
    write_text_atomically(target, "<!DOCTYPE html>\nnew report é")
    assert target.read_text("utf-8") == "<!DOCTYPE html>\nnew report é"
    assert sorted(os.listdir(tmp_path)) == ["report.html"]


def test_a_failed_write_leaves_the_previous_file_and_no_part_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous", encoding="utf-8")

    def disk_full(_source: str, _destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_text_atomically(target, "new")
    assert target.read_text("utf-8") == "previous"
    assert sorted(os.listdir(tmp_path)) == ["report.json"]


def test_the_report_never_exists_half_written(tmp_path: Path) -> None:
    """Until the rename the final name does not exist, so waiting for it is waiting for all of it."""
    target = tmp_path / "big.csv"
    seen_during_write: list[bool] = []
    real_replace = os.replace

    def observe(source: str, destination: str) -> None:
        seen_during_write.append(Path(destination).exists())
        real_replace(source, destination)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "replace", observe)
        write_text_atomically(target, "x" * 1_000_000)
    assert seen_during_write == [False]
    assert target.stat().st_size == 1_000_000
