"""The findings view: one row per code with its count, worst first, expandable to its links;
choosing a finding selects its link in the table, the preview and the link view."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt

from clickaudit.gui.email_tab import EmailTab
from clickaudit.gui.models.findings_model import FINDING, LINK_ID_ROLE, SEVERITY, FindingsModel
from clickaudit.gui.widgets.findings_view import FindingsView
from clickaudit.pipeline import scan_path


def _campaign(tmp_path: Path) -> Path:
    relative = "".join(f'<p><a href="/account/{n}">Account {n}</a></p>' for n in range(5))
    page = tmp_path / "campaign.html"
    page.write_text(
        '<a href="http://shop.example/a">Plain</a>'
        f"{relative}"
        '<a href="https://shop.example/gift cards">Gift cards</a>'
        '<a href="https://shop.example/ok?utm_source=News">Shop</a>',
        "utf-8",
    )
    return page


def _groups(view: FindingsView) -> list[tuple[str, str, int]]:
    model = view.tree.model()
    rows = []
    for row in range(model.rowCount()):
        head = model.index(row, FINDING)
        rows.append((head.data(), model.index(row, SEVERITY).data(), model.rowCount(head)))
    return rows


def test_the_model_passes_the_model_tester(qtbot, qtmodeltester, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    [audit] = scan_path(_campaign(tmp_path))
    model = FindingsModel()
    model.set_audit(audit)
    qtmodeltester.check(model)


def test_identical_findings_are_one_row_with_a_count_expandable_to_each_link(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path
) -> None:
    [audit] = scan_path(_campaign(tmp_path))
    view = FindingsView()
    qtbot.addWidget(view)
    view.show_audit(audit)
    groups = _groups(view)
    assert ("5 links — link-relative", "error", 5) in groups
    codes = [text.rsplit("— ", 1)[-1] for text, _, _ in groups]
    assert len(codes) == len(set(codes))  # each code once
    severities = [severity for _, severity, _ in groups]
    ranks = {"error": 3, "warning": 2, "info": 1}
    assert [ranks[s] for s in severities] == sorted((ranks[s] for s in severities), reverse=True)


def test_sorting_by_severity_ascending_puts_the_mildest_first(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    [audit] = scan_path(_campaign(tmp_path))
    view = FindingsView()
    qtbot.addWidget(view)
    view.show_audit(audit)
    view.tree.sortByColumn(SEVERITY, Qt.SortOrder.AscendingOrder)
    severities = [severity for _, severity, _ in _groups(view)]
    assert severities[0] != "error" and severities[-1] == "error"


def test_choosing_a_finding_selects_its_link_in_the_table_and_the_link_view(  # type: ignore[no-untyped-def]
    qtbot, window, tmp_path: Path
) -> None:
    with qtbot.waitSignal(window.controller.scan_finished, timeout=20_000):
        window.open_paths([str(_campaign(tmp_path))])
    tab = window.current_tab()
    assert isinstance(tab, EmailTab)
    tree = tab.findings.tree
    model = tree.model()
    group = next(
        model.index(r, FINDING)
        for r in range(model.rowCount())
        if "link-relative" in model.index(r, FINDING).data()
    )
    third = model.index(2, FINDING, group)
    link_id = third.data(LINK_ID_ROLE)
    tree.selectionModel().setCurrentIndex(
        third,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert (selected := tab.selected_link()) is not None and selected.id == link_id
    assert tab.inspector.link is not None and tab.inspector.link.id == link_id
    # and the other way: selecting a link in the table marks its findings
    other = tab.audit.links[0]
    tab.select_link(other.id)
    current = tree.selectionModel().currentIndex()
    assert current.data(LINK_ID_ROLE) == other.id
