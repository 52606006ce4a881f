"""The Clicks tab: which clicks of the ESP's log were people, and why the others were not.

Rates before and after on top; a chart of clicks by seconds after delivery and one of clicks per
link, both stacked by verdict and fed by Qt models through bar model mappers; the clicks table
below with the reasons of the selected click spelled out. Importing a log runs in the thread
pool (the cloud database alone takes a second or two to load); results come back by signal.
"""

from __future__ import annotations

import html
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QStackedBarSeries,
    QValueAxis,
    QVBarModelMapper,
)
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from clickaudit.clicks.judge import REASON_TEXT
from clickaudit.clicks.model import ClickReport, JudgedClick, Verdict
from clickaudit.gui.models.clicks_model import (
    CLICK_ROLE,
    VERDICT_COLOURS,
    VERDICT_LABELS,
    VERDICT_ORDER,
    ClicksModel,
    HistogramModel,
    LinkCountsModel,
    VerdictFilter,
    seconds_text,
)
from clickaudit.gui.widgets.tables import Selection, row_table
from clickaudit.gui.workers import Failure, Worker
from clickaudit.model import Audit

if TYPE_CHECKING:  # the click analysis loads when a log is first judged, not at start-up
    from clickaudit.clicks.session import KeptAnalysis

LINKS_CHARTED = 12
COLUMN_WIDTHS = (150, 95, 110, 260, 45, 200, 120, 170, 300)


Analyser = Callable[[Audit, Sequence[str], bool], "KeptAnalysis"]
"""Judges logs against an audit, keeping the analysis in the history when asked (and able)."""


def _analyse_only(audit: Audit, logs: Sequence[str], _keep: bool) -> KeptAnalysis:
    """Judge ``logs`` against ``audit`` and keep nothing (a Clicks tab outside a window)."""
    from clickaudit.gui.engine import LocalEngine

    return LocalEngine().analyse_clicks(audit, logs, None)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


class ClicksView(QWidget):
    """Shows a :class:`ClickReport`; :meth:`analyse` makes one from log files off the GUI thread."""

    analysed = Signal(object)  # ClickReport
    failed = Signal(object)  # Failure
    kept = Signal(int)  # the history's id for the analysis just made
    not_kept = Signal(str)  # why it could not be kept (the report is shown all the same)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # judges logs against an audit in the pool's thread; the window's also keeps the result
        self.analyser: Analyser = _analyse_only
        self.audit: Audit | None = None
        self.report: ClickReport | None = None
        self.logs: list[str] = []
        self.clicks_model = ClicksModel(self)
        self.proxy = VerdictFilter(self)
        self.proxy.setSourceModel(self.clicks_model)
        self.histogram_model = HistogramModel(self)
        self.links_model = LinkCountsModel(self)
        self._busy = False
        self._rerun = False
        self._generation = 0
        # its own pool, a child of the view: destroying the view waits for a run in progress,
        # so a worker never reports to signals that are gone (the app quitting mid-analysis)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._workers: deque[QRunnable] = deque(maxlen=4)
        self._build()
        self.show_report(None)

    # --- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.open_button = QPushButton("Open click log…")
        self.open_button.setToolTip(
            "SendGrid, Mailgun, Postmark, Amazon SES, SparkPost, Mailjet, Mandrill, Brevo or CSV"
        )
        self.open_button.clicked.connect(self._choose_logs)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)

        self.timing_chart = self._chart("Clicks by seconds after delivery")
        self.timing_series = QStackedBarSeries()
        self.timing_mapper = self._mapper(
            QVBarModelMapper(self), self.timing_series, self.histogram_model
        )
        # a value axis with labels at band boundaries: a bar category axis elides any label
        # wider than its few-pixel category
        self.timing_axis_x = QCategoryAxis()
        self.timing_axis_x.setLabelsPosition(
            QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue
        )
        self.timing_axis_y = QValueAxis()
        self._attach(
            self.timing_chart.chart(),
            self.timing_series,
            self.timing_axis_x,
            self.timing_axis_y,
            horizontal=False,
        )

        self.links_chart = self._chart(f"Clicks per link (the {LINKS_CHARTED} most clicked)")
        self.links_series = QHorizontalStackedBarSeries()
        self.links_mapper = self._mapper(
            QVBarModelMapper(self), self.links_series, self.links_model
        )
        self.links_axis_y = QBarCategoryAxis()
        self.links_axis_x = QValueAxis()
        self._attach(
            self.links_chart.chart(),
            self.links_series,
            self.links_axis_y,
            self.links_axis_x,
            horizontal=True,
        )
        self.links_chart.chart().legend().hide()  # the timing chart's legend names the colours
        self.timing_axis_x.setTitleText("time after delivery (band start)")
        self.timing_axis_x.setTitleFont(self.timing_axis_x.labelsFont())

        charts = QWidget()
        charts_layout = QHBoxLayout(charts)
        charts_layout.setContentsMargins(0, 0, 0, 0)
        charts_layout.addWidget(self.timing_chart, 3)
        charts_layout.addWidget(self.links_chart, 2)

        self.verdict = QComboBox()
        self.verdict.addItem("All clicks", None)
        for verdict, label in zip(VERDICT_ORDER, VERDICT_LABELS, strict=True):
            self.verdict.addItem(label.capitalize(), verdict.value)
        self.verdict.currentIndexChanged.connect(
            lambda _: self.proxy.set_verdict(
                Verdict(self.verdict.currentData()) if self.verdict.currentData() else None
            )
        )
        self.shown = QLabel()
        table_bar = QHBoxLayout()
        table_bar.addWidget(self.verdict)
        table_bar.addWidget(self.shown, 1)

        self.table = row_table(
            self.proxy, widths=COLUMN_WIDTHS, row_height=22, selection=Selection.SingleSelection
        )
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        self.detail = QLabel()
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addLayout(table_bar)
        bottom_layout.addWidget(self.table, 1)
        bottom_layout.addWidget(self.detail)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(charts)
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(split, 1)

    @staticmethod
    def _chart(title: str) -> QChartView:
        chart = QChart()
        chart.setTitle(title)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(chart.margins() * 0)
        view = QChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(260)
        return view

    @staticmethod
    def _mapper(
        mapper: QVBarModelMapper, series: QAbstractBarSeries, model: QAbstractItemModel
    ) -> QVBarModelMapper:
        """A bar set per verdict column of ``model``, a category per row."""
        mapper.setFirstBarSetColumn(0)
        mapper.setLastBarSetColumn(len(VERDICT_ORDER) - 1)
        mapper.setSeries(series)
        mapper.setModel(model)
        return mapper

    @staticmethod
    def _attach(
        chart: QChart,
        series: QAbstractBarSeries,
        categories: QBarCategoryAxis | QCategoryAxis,
        values: QValueAxis,
        *,
        horizontal: bool,
    ) -> None:
        chart.addSeries(series)
        value_side = Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft
        category_side = Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom
        chart.addAxis(categories, category_side)
        chart.addAxis(values, value_side)
        series.attachAxis(categories)
        series.attachAxis(values)
        values.setLabelFormat("%d")
        small = QFont(categories.labelsFont())
        small.setPointSizeF(max(6.5, small.pointSizeF() * 0.8))
        categories.setLabelsFont(small)
        values.setLabelsFont(small)

    # --- content ----------------------------------------------------------------------------
    def set_audit(self, audit: Audit) -> None:
        """The email the logs are judged against; a newer audit of it re-judges loaded logs."""
        same_email = self.audit is not None and (
            self.audit.email.source.sha256 == audit.email.source.sha256
        )
        self.audit = audit
        if self.logs and same_email:
            if self._busy:
                self._rerun = True  # judged again with this audit when the current run ends
            else:
                self.analyse(self.logs, keep=False)

    def analyse(self, logs: Sequence[str], *, keep: bool = True) -> None:
        """Import and judge ``logs`` against the audit in the thread pool; emits ``analysed``
        (and ``kept`` or ``not_kept`` when the analyser keeps analyses in the history). The
        re-judgement a newer audit starts is not kept: the history has the analysis the user
        made, and keeps another when the user opens the logs again."""
        if self.audit is None or not logs:
            return
        self.logs = list(logs)
        self._generation += 1
        audit, paths, generation, analyser = self.audit, list(logs), self._generation, self.analyser
        worker = Worker(lambda _progress: (generation, analyser(audit, paths, keep)))
        worker.on_finished(self._analysed)
        worker.on_failed(self._failed)
        self._busy = True
        self.summary.setText(f"Judging {html.escape(', '.join(Path(p).name for p in paths))}…")
        self._workers.append(worker)
        self.pool.start(worker)

    def _analysed(self, result: tuple[int, KeptAnalysis]) -> None:
        generation, kept = result
        if kept.run_id is not None:
            self.kept.emit(kept.run_id)
        elif kept.not_kept is not None:
            self.not_kept.emit(kept.not_kept)
        if generation != self._generation:
            return  # a newer analysis was started since: only its result is shown
        self._busy = False
        if self._rerun:
            self._rerun = False
            self.analyse(self.logs, keep=False)
            return
        self.show_report(kept.report)
        self.analysed.emit(kept.report)

    def _failed(self, failure: Failure) -> None:
        self._busy = False
        self.summary.setText(
            f"<b>The click log could not be read:</b> {html.escape(failure.message)}"
        )
        self.failed.emit(failure)

    def _choose_logs(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Open click logs", "", "Click logs (*.json *.jsonl *.csv *.gz);;All files (*)"
        )
        if paths:
            self.analyse(paths)

    def show_report(self, report: ClickReport | None) -> None:
        self.report = report
        if report is None:
            self.summary.setText(
                "Open the ESP's click log (webhook events or an export) to see which clicks "
                "were people and which were security scanners."
            )
            self.clicks_model.set_clicks(())
            self.histogram_model.set_bins(())
            self.links_model.set_links(())
            self.detail.clear()
            self._update_axes()
            return
        self.summary.setText(_summary_html(report))
        self.clicks_model.set_clicks(report.clicks)
        self.histogram_model.set_bins(report.histogram)
        self.links_model.set_links(report.links, limit=LINKS_CHARTED)
        self._update_axes()
        shown = f"{len(report.clicks):,} clicks"
        if report.summary.clicks and not report.clicks:
            shown = "a stored analysis: its clicks are in the history's click_events table"
        elif report.clicks_truncated:
            shown = f"the first {len(report.clicks):,} of {report.summary.clicks:,} clicks"
        self.shown.setText(shown)
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def _update_axes(self) -> None:
        for series in (self.timing_series, self.links_series):
            for bar_set, verdict in zip(series.barSets(), VERDICT_ORDER, strict=False):
                bar_set.setColor(QColor(VERDICT_COLOURS[verdict]))
                bar_set.setBorderColor(QColor(VERDICT_COLOURS[verdict]))
        for label in self.timing_axis_x.categoriesLabels():
            self.timing_axis_x.remove(label)
        labels = self.histogram_model.labels
        self.timing_axis_x.setRange(-0.5, max(0, len(labels) - 1) + 0.5)
        self.timing_axis_x.setStartValue(-0.5)
        for number, label in enumerate(labels):
            self.timing_axis_x.append(label, number - 0.5 + 1e-6 * (number == 0))
        self.timing_axis_y.setRange(0, max(1, self.histogram_model.maximum_total()))
        self.links_axis_y.clear()
        self.links_axis_y.append(self.links_model.labels or [""])
        self.links_axis_x.setRange(0, max(1, self.links_model.maximum_total()))

    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        click = current.data(CLICK_ROLE) if current.isValid() else None
        self.detail.setText(_click_html(click) if click is not None else "")

    @property
    def busy(self) -> bool:
        return self._busy


def _summary_html(report: ClickReport) -> str:
    s = report.summary
    stats = report.stats
    rates = (
        f"Click rate <b>{_percent(s.click_rate_raw)}</b> as the ESP counts it → "
        f"<b style='color:{VERDICT_COLOURS[Verdict.HUMAN]}'>{_percent(s.click_rate_human)}</b> "
        f"by people ({s.unique_clickers:,} → {s.unique_human_clickers:,} unique clickers of "
        f"{s.delivered:,} delivered)."
        if s.delivered
        else f"{s.unique_clickers:,} unique clickers, {s.unique_human_clickers:,} of them people "
        "(the log has no deliveries: no rate)."
    )
    counts = " · ".join(
        f"<span style='color:{VERDICT_COLOURS[v]}'>{label} {count:,}</span>"
        for v, label, count in (
            (Verdict.HUMAN, "human", s.human),
            (Verdict.SCANNER, "scanner", s.scanner),
            (Verdict.LIKELY_SCANNER, "likely scanner", s.likely_scanner),
            (Verdict.UNKNOWN, "unknown", s.unknown),
        )
    )
    extra = ""
    if stats.skipped_total:
        first = stats.skipped[0]
        extra += (
            f"<br>{stats.skipped_total:,} record(s) skipped — first: "
            f"{html.escape(Path(first.source).name)} line {first.line}: "
            f"{html.escape(first.problem)}"
        )
    for finding in report.findings:
        extra += f"<br><b>⚠ {html.escape(finding.code)}</b>: {html.escape(finding.message)}"
    return (
        f"{rates}<br>{s.clicks:,} clicks: {counts}. Logs: "
        f"{html.escape(', '.join(Path(p).name for p in report.sources))} "
        f"({html.escape(', '.join(stats.formats) or 'no known format')}; "
        f"{stats.unmatched:,} clicks on no link of this email).{extra}"
    )


def _click_html(click: JudgedClick) -> str:
    colour = VERDICT_COLOURS[click.verdict]
    when = seconds_text(click.seconds_after_delivery)
    head = (
        f"<b style='color:{colour}'>{click.verdict.value}</b> — link #{click.link_id}"
        + (f", {when} after delivery" if when else "")
        + (f", network {html.escape(click.network)}" if click.network else "")
    )
    if not click.reasons:
        return head + ": no machine signal."
    reasons = "".join(
        f"<li><code>{r.value}</code>: {html.escape(REASON_TEXT[r])}</li>" for r in click.reasons
    )
    return f"{head}<ul style='margin:0'>{reasons}</ul>"
