"""One dialog for the files that could not be opened, each path listed once with its problem.

Opening twenty files of which five are damaged used to stack five message boxes, some naming
the path twice ("a.eml: a.eml: the file is empty"). Failures arriving while the dialog is shown
are added to it; a path that fails again replaces its line. The problem is given without the
path (the controller sends them apart).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


class BadFilesDialog(QMessageBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            QMessageBox.Icon.Warning,
            "clickaudit",
            "",
            QMessageBox.StandardButton.Ok,
            parent,
        )
        self.setModal(False)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.problems: dict[str, str] = {}
        self.finished.connect(lambda _result: self.problems.clear())

    def add(self, path: str, problem: str) -> None:
        """Record that ``path`` could not be opened and show the dialog listing every such file."""
        self.problems[path] = problem
        count = len(self.problems)
        head = (
            "This file could not be opened:"
            if count == 1
            else f"{count} files could not be opened:"
        )
        items = "".join(
            f"<li><b>{escape(p)}</b>: {escape(why)}</li>" for p, why in self.problems.items()
        )
        self.setText(f"{head}<ul>{items}</ul>")
        self.show()
