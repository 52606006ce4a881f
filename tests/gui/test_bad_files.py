"""Bad files opened in the app: one dialog listing them, each path once."""

from __future__ import annotations

from pathlib import Path

from clickaudit.gui.widgets.bad_files import BadFilesDialog


def test_each_path_is_listed_once_without_repeating_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = BadFilesDialog()
    qtbot.addWidget(dialog)
    dialog.add("/tmp/a.eml", "the file is empty")
    dialog.add("/tmp/b.eml", "no such file")
    dialog.add("/tmp/a.eml", "the file is empty")
    text = dialog.text()
    assert text.count("/tmp/a.eml") == 1 and text.count("/tmp/b.eml") == 1
    assert "2 files could not be opened" in text
    assert dialog.isVisible()


def test_opening_several_bad_files_gives_one_dialog(qtbot, window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    png = tmp_path / "picture.eml"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    missing = tmp_path / "missing.eml"
    with qtbot.waitSignals([window.controller.scan_failed] * 3, timeout=20_000):
        window.open_paths([str(empty), str(png), str(missing)])
    from PySide6.QtWidgets import QMessageBox

    boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert boxes == [window.bad_files]
    text = window.bad_files.text()
    for path in (empty, png, missing):
        assert text.count(str(path)) == 1
    assert "3 files could not be opened" in text
