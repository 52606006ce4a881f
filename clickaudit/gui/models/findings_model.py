"""The findings of one email as a tree: one row per code ("46 links — redirect-unreachable"),
its findings as children, each child knowing the link it is about.

Built on QStandardItemModel: the tree is small (one row per code, one child per finding) and
read-only, so the standard model's items are the data, and the view sorts them through
:data:`SORT_ROLE`. Groups come from :func:`clickaudit.report.groups.group_findings`, so the app,
the terminal and the HTML report group and count alike.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from clickaudit.gui.icons import severity_icon
from clickaudit.model import Audit, Finding
from clickaudit.report.groups import FindingGroup, group_findings, link_id_of

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
LINK_ID_ROLE = Qt.ItemDataRole.UserRole + 2
CODE_ROLE = Qt.ItemDataRole.UserRole + 3
HEADERS = ("Finding", "Severity", "Fix")
FINDING, SEVERITY, FIX = range(len(HEADERS))


class FindingsModel(QStandardItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.setSortRole(SORT_ROLE)
        self.groups: list[FindingGroup] = []

    def set_audit(self, audit: Audit) -> None:
        self.removeRows(0, self.rowCount())
        self.groups = group_findings(audit)
        for group in self.groups:
            self.appendRow(_group_row(group))

    def group_row(self, code: str) -> int | None:
        for row in range(self.rowCount()):
            if self.item(row, FINDING).data(CODE_ROLE) == code:
                return row
        return None


def _item(text: str, sort_key: Any, tooltip: str | None = None) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setData(sort_key, SORT_ROLE)
    item.setToolTip(tooltip if tooltip is not None else text)
    return item


def _group_row(group: FindingGroup) -> list[QStandardItem]:
    # Sorting by severity keeps the bigger groups first within a severity.
    key = group.severity.rank * 1_000_000 + group.count
    head = _item(group.headline, group.count, f"{group.title}\n{group.headline}")
    head.setIcon(severity_icon(group.severity))
    head.setData(group.code, CODE_ROLE)
    first_link = next((i for f in group.findings if (i := link_id_of(f))), None)
    head.setData(first_link, LINK_ID_ROLE)
    for index, finding in enumerate(group.findings):
        head.appendRow(_finding_row(finding, index))
    fix = " / ".join(group.fixes)
    return [head, _item(group.severity.value, key), _item(fix, fix.lower())]


def _finding_row(finding: Finding, index: int) -> list[QStandardItem]:
    link_id = link_id_of(finding)
    where = ""
    if link_id is not None:
        where = f"Link {link_id}: "
    elif finding.subject:
        where = finding.subject.replace(":", " ", 1).capitalize() + ": "
    item = _item(where + finding.message, -index, f"{where}{finding.message}\nFix: {finding.fix}")
    item.setData(link_id, LINK_ID_ROLE)
    item.setData(finding.code, CODE_ROLE)
    item.setIcon(severity_icon(finding.severity))
    return [
        item,
        _item(finding.severity.value, finding.severity.rank * 1_000_000 - index),
        _item("", ""),
    ]
