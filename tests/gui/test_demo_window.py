"""The demo's window keeps out of the user's history: its database and settings are in the demo's
own temporary folder, which goes with it."""

from __future__ import annotations

from pathlib import Path

from clickaudit.demo import DemoWorld
from clickaudit.gui.app import demo_window


def test_the_demo_keeps_its_history_and_settings_in_its_own_folder(qtbot) -> None:  # type: ignore[no-untyped-def]
    with DemoWorld() as world:
        window = demo_window(world)
        qtbot.addWidget(window)
        try:
            assert window.controller.db_path is not None
            assert Path(window.controller.db_path).parent == world.folder
            assert Path(window.qsettings.fileName()).parent == world.folder
            assert "demo" in window.windowTitle()
        finally:
            window.controller.shutdown()
    assert not world.folder.exists()
