"""The app's export writes the report ``clickaudit.report.render`` makes, in the format the file's
name or the chosen filter asks for: the same bytes as the command line's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import clickaudit.report
from tests.factories import sample_audit


@pytest.mark.parametrize(
    ("name", "chosen", "fmt"),
    [
        ("report.json", "", "json"),
        ("report.csv", "", "csv"),
        ("report.html", "", "html"),
        ("report", "JSON (*.json)", "json"),
    ],
)
def test_export_writes_the_report_the_one_render_makes(  # type: ignore[no-untyped-def]
    qtbot, window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, chosen: str, fmt: str
) -> None:
    audit = sample_audit()
    asked: list[tuple[str, dict[str, Any]]] = []
    real_render = clickaudit.report.render

    def recording_render(audits: Any, fmt: str, **options: Any) -> str:
        asked.append((fmt, options))
        return real_render(audits, fmt, **options)

    monkeypatch.setattr(clickaudit.report, "render", recording_render)
    target = tmp_path / name
    window.export_audit(audit, str(target), chosen)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == f"Exported {target}", timeout=10_000
    )
    assert asked == [(fmt, {})]
    assert target.read_text("utf-8") == real_render([audit], fmt)
