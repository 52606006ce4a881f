"""One open email: its links table with filters on the left, preview and inspectors on the right."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from clickaudit.gui.models.links_filter import LinksFilter
from clickaudit.gui.models.links_model import COLUMNS, DESTINATION, FINAL, LINK_ROLE, LinksModel
from clickaudit.gui.widgets.clicks_view import ClicksView
from clickaudit.gui.widgets.domains import DomainPanel
from clickaudit.gui.widgets.findings_view import FindingsView
from clickaudit.gui.widgets.inspector import LinkInspector
from clickaudit.gui.widgets.preview import EmailPreview
from clickaudit.gui.widgets.tables import row_table
from clickaudit.gui.widgets.url_delegate import UrlDelegate
from clickaudit.gui.widgets.wrapping_text import WrappingText
from clickaudit.model import Audit, Category, Link, Severity
from clickaudit.report.groups import count_phrase, plural
from clickaudit.report.json_report import summary

COLUMN_WIDTHS = (40, 170, 110, 170, 120, 90, 260, 260, 45, 220, 170)
SEVERITY_FILTERS = (
    ("All links", 0),
    ("With findings", 1),
    ("Warnings and errors", 2),
    ("Errors", 3),
)


class EmailTab(QWidget):
    """Shows an :class:`Audit` (a scan or a full audit); ``read_only`` for one from history."""

    link_selected = Signal(object)

    def __init__(
        self, audit: Audit, *, read_only: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.audit = audit
        self.read_only = read_only
        self.model = LinksModel(self)
        self.proxy = LinksFilter(self)
        self.proxy.setSourceModel(self.model)
        self._shown_sha256: str | None = None
        self._build()
        self.set_audit(audit)

    # --- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.summary = WrappingText(max_height=120)
        self.filter_text = QLineEdit(placeholderText="Filter links (text, URL, ESP, finding code)…")
        self.filter_text.setClearButtonEnabled(True)
        self.filter_text.textChanged.connect(self.proxy.set_text)
        self.category = QComboBox()
        self.category.addItem("All categories", None)
        for category in Category:
            self.category.addItem(category.value.capitalize(), category)
        # Qt hands an enum stored as item data back as its plain value: made a Category again
        self.category.currentIndexChanged.connect(
            lambda _: self.proxy.set_category(
                Category(self.category.currentData()) if self.category.currentData() else None
            )
        )
        self.severity = QComboBox()
        for label, rank in SEVERITY_FILTERS:
            self.severity.addItem(label, rank)
        self.severity.currentIndexChanged.connect(
            lambda _: self.proxy.set_minimum_rank(int(self.severity.currentData()))
        )
        filters = QHBoxLayout()
        filters.addWidget(self.filter_text, 1)
        filters.addWidget(self.category)
        filters.addWidget(self.severity)

        self.table = row_table(self.proxy, widths=COLUMN_WIDTHS, row_height=24)
        # Sorting is driven by hand: links arrive in "#" order, so that order needs no sort at
        # all (a proxy sort of thousands of rows asks Python for every key, stalling the window).
        sort_header = self.table.horizontalHeader()
        sort_header.setSectionsClickable(True)
        sort_header.setSortIndicatorShown(True)
        sort_header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        sort_header.sortIndicatorChanged.connect(self._sort)
        self.url_delegate = UrlDelegate(self.table)
        for column in (DESTINATION, FINAL):
            self.table.setItemDelegateForColumn(column, self.url_delegate)
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        copy = QAction("Copy", self.table)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_selection)
        self.table.addAction(copy)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.summary)
        left_layout.addLayout(filters)
        self.findings = FindingsView()
        self.findings.link_chosen.connect(self._choose_from_findings)
        self._choosing_from_findings = False
        left_split = QSplitter(Qt.Orientation.Vertical)
        left_split.addWidget(self.table)
        left_split.addWidget(self.findings)
        left_split.setStretchFactor(0, 2)
        left_split.setStretchFactor(1, 1)
        left_split.setChildrenCollapsible(False)
        left_layout.addWidget(left_split, 1)

        self.preview = EmailPreview()
        self.preview.link_clicked.connect(self.select_link)
        self.load_images = QPushButton("Load remote images")
        self.load_images.setCheckable(True)
        self.load_images.setToolTip("Loading images fires open pixels: the sender sees an open.")
        self.load_images.toggled.connect(self.preview.set_load_images)
        self.blocked_label = QLabel("Remote content is blocked: nothing is fetched.")
        preview_bar = QHBoxLayout()
        preview_bar.addWidget(self.blocked_label, 1)
        preview_bar.addWidget(self.load_images)
        preview_box = QWidget()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.addLayout(preview_bar)
        preview_layout.addWidget(self.preview, 1)

        self.inspector = LinkInspector()
        self.domains = DomainPanel()
        self.text_view = QPlainTextEdit(readOnly=True)
        self.headers_view = QTextBrowser()
        self.raw_view = QPlainTextEdit(readOnly=True)
        self.raw_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.tabs = QTabWidget()
        self.tabs.addTab(preview_box, "Preview")
        self.tabs.addTab(self.inspector, "Link")
        self.tabs.addTab(self.domains, "Domains")
        self.tabs.addTab(self.text_view, "Text part")
        self.tabs.addTab(self.headers_view, "Headers")
        self.tabs.addTab(self.raw_view, "Source")
        self.clicks = ClicksView()
        self.tabs.addTab(self.clicks, "Clicks")

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    # --- content ----------------------------------------------------------------------------
    def set_audit(self, audit: Audit) -> None:
        """Show an audit. When it is a new result for the email already shown (the audit of a
        scan), only what the audit changed is redrawn: the message views stay as they are."""
        same_email = self._shown_sha256 == audit.email.source.sha256
        self.audit = audit
        self._shown_sha256 = audit.email.source.sha256
        self.model.set_links(audit.links)
        self.summary.setHtml(_summary_html(audit, read_only=self.read_only))
        self.domains.show_domains(audit.domains)
        self.findings.show_audit(audit)
        self.inspector.show_link(None)
        self.clicks.set_audit(audit)
        if same_email:
            return
        email = audit.email
        self.preview.show_email(email, audit.links)
        self.text_view.setPlainText(
            "\n\n".join(p.text for p in email.text_parts) or "(no text part)"
        )
        self.headers_view.setHtml(_headers_html(audit))
        self.raw_view.setPlainText(email.raw or "\n\n".join(p.text for p in email.parts))

    @property
    def title(self) -> str:
        email = self.audit.email
        text = email.headers.subject or email.source.label.rsplit("/", 1)[-1]
        return ("🔒 " if self.read_only else "") + (text[:40] + "…" if len(text) > 40 else text)

    def selected_link(self) -> Link | None:
        index = self.table.currentIndex()
        return self.proxy.data(index, LINK_ROLE) if index.isValid() else None

    def select_link(self, link_id: int) -> None:
        row = self.model.row_of(link_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # hidden by a filter: clear the filters so it can be shown
            self.filter_text.clear()
            self.category.setCurrentIndex(0)
            self.severity.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def _choose_from_findings(self, link_id: int) -> None:
        self._choosing_from_findings = True
        try:
            self.select_link(link_id)
        finally:
            self._choosing_from_findings = False

    def _sort(self, column: int, order: Qt.SortOrder) -> None:
        if column == 0 and order == Qt.SortOrder.AscendingOrder:
            self.proxy.sort(-1)  # the model's own order: by link number
        else:
            self.proxy.sort(column, order)

    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        link = self.proxy.data(current, LINK_ROLE) if current.isValid() else None
        self.inspector.show_link(link)
        if link is not None:
            if not self._choosing_from_findings:
                self.findings.show_link(link.id)
            self.preview.highlight(link.id)
            self.link_selected.emit(link)
            self._show_in_source(link)

    def _show_in_source(self, link: Link) -> None:
        """Scroll the raw source to the link's href (the decoded part's line is shown too)."""
        document = self.raw_view.document()
        cursor = document.find(link.href[:60]) if link.href else None
        if cursor is not None and not cursor.isNull():
            self.raw_view.setTextCursor(cursor)
            self.raw_view.centerCursor()

    def copy_selection(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not rows:
            index = self.table.currentIndex()
            if index.isValid():
                QGuiApplication.clipboard().setText(str(self.proxy.data(index) or ""))
            return
        lines = ["\t".join(COLUMNS)]
        for row in rows:
            lines.append(
                "\t".join(
                    str(self.proxy.data(self.proxy.index(row, c)) or "")
                    for c in range(len(COLUMNS))
                )
            )
        QGuiApplication.clipboard().setText("\n".join(lines))


def _summary_html(audit: Audit, *, read_only: bool) -> str:
    counts = summary(audit)
    email = audit.email
    mode = "audit" if audit.settings.get("mode") == "audit" else "offline scan"
    stored = " · <i>from history (read-only)</i>" if read_only else ""
    notes = "".join(f"<br><span style='color:#b54708'>⚠ {_e(n.text)}</span>" for n in email.notes)
    return (
        f"<b>{_e(email.headers.subject or email.source.label)}</b><br>"
        f"{_e(email.headers.from_)} · ESP: <b>{_e(audit.esp or 'not recognised')}</b> · "
        f"{mode}{stored}<br>"
        f"{plural(counts['links'], 'link')} ({counts['tracked']} tracked, "
        f"{counts['wrapped']} wrapped, {counts['direct']} direct, "
        f"{counts['untrackable']} untrackable) · "
        f"<span style='color:#b42318'>{count_phrase(Severity.ERROR, counts['errors'])}</span> · "
        f"<span style='color:#b54708'>"
        f"{count_phrase(Severity.WARNING, counts['warnings'])}</span> · "
        f"{count_phrase(Severity.INFO, counts['infos'])}"
        f"{notes}"
    )


def _headers_html(audit: Audit) -> str:
    headers = audit.email.headers
    rows = [
        ("From", headers.from_),
        ("Reply-To", headers.reply_to),
        ("Return-Path", headers.return_path),
        ("To", headers.to),
        ("Subject", headers.subject),
        ("Date", headers.date),
        ("Message-ID", headers.message_id),
        ("DKIM", ", ".join(f"d={d.domain} s={d.selector}" for d in headers.dkim)),
        ("List-Unsubscribe", headers.list_unsubscribe),
        ("List-Unsubscribe-Post", headers.list_unsubscribe_post),
        *(("Authentication-Results", value) for value in headers.authentication_results),
        *headers.esp_headers.items(),
    ]
    findings = "".join(f"<li><b>{_e(f.code)}</b>: {_e(f.message)}</li>" for f in audit.findings)
    table = "".join(
        f"<tr><td><b>{_e(name)}</b></td><td>{_e(value)}</td></tr>" for name, value in rows if value
    )
    extra = f"<h4>Message findings</h4><ul>{findings}</ul>" if findings else ""
    return f"<table cellspacing='4'>{table}</table>{extra}"


def _e(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
