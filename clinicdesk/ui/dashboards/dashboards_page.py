"""The Dashboards page: view, period, range and centre at the top; each panel's words, chart and table below."""

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCharts import QChartView
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.dashboard_metrics import Dashboard, Panel, Period, View, format_cell
from clinicdesk.services import dashboards
from clinicdesk.services.dashboard_export import save_dashboard
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.dashboards.panel_chart import build_chart, is_by_period
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.list_model import Column, ListTableModel
from clinicdesk.ui.widgets.tables import row_table

DEFAULT_DAYS = 28  # four weeks up to today: enough to see a trend, short enough to read by day
CHART_HEIGHT = 260


def _cell_text(index: int, percent: bool):
    return lambda row: format_cell(row[index], percent=percent)


class PanelView(QFrame):
    """One panel: its title, its figures in words, its chart and its table (or why there is nothing to show)."""

    def __init__(self, panel: Panel, parent: QWidget | None = None):
        super().__init__(parent)
        self.panel = panel
        self.setObjectName("dashboardPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        title = QLabel(panel.title)
        font = title.font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        self.summary = QLabel(panel.unavailable or panel.summary)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.chart_view: QChartView | None = None
        self.table = None
        if panel.unavailable:
            return
        body = QHBoxLayout()
        chart = build_chart(panel)
        if chart is not None:
            self.chart_view = QChartView(chart)
            self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.chart_view.setMinimumHeight(CHART_HEIGHT)
            body.addWidget(self.chart_view, 3)
        self.model = ListTableModel([Column(name, _cell_text(i, i in panel.percent_columns), stretch=i == 0)
                                     for i, name in enumerate(panel.columns)], self)
        self.model.set_rows(list(panel.rows))
        self.table = row_table(self.model, row_height=26)
        self.table.setMinimumHeight(CHART_HEIGHT)
        body.addWidget(self.table, 2 if is_by_period(panel) else 3)  # wide names (protocols, steps) need room
        layout.addLayout(body)


class DashboardsPage(QWidget):
    """Loads on the database thread; a newer request wins over an older one still on its way."""

    loaded = Signal()

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.dashboard: Dashboard | None = None
        self.panel_views: list[PanelView] = []
        self._request = 0
        self._centres_known = False
        today = app.today()

        self.view_choice = QComboBox()
        self.view_choice.addItem(self.tr("Owner"), View.OWNER.value)
        self.view_choice.addItem(self.tr("Medical director"), View.DIRECTOR.value)
        self.period_choice = QComboBox()
        for label, period in ((self.tr("By day"), Period.DAY), (self.tr("By week"), Period.WEEK),
                              (self.tr("By month"), Period.MONTH)):
            self.period_choice.addItem(label, period.value)
        self.first_day = self._date_edit(today - timedelta(days=DEFAULT_DAYS - 1))
        self.last_day = self._date_edit(today)
        self.centre_choice = QComboBox()
        self.centre_choice.addItem(self.tr("All centres"), None)
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.clicked.connect(self.refresh)
        self.export_buttons = {}
        controls = QHBoxLayout()
        for label, widget in ((self.tr("View"), self.view_choice), (self.tr("Period"), self.period_choice),
                              (self.tr("From"), self.first_day), (self.tr("To"), self.last_day),
                              (self.tr("Centre"), self.centre_choice)):
            controls.addWidget(QLabel(label))
            controls.addWidget(widget)
        controls.addWidget(self.show_button)
        controls.addStretch(1)
        for fmt, label in (("pdf", self.tr("Export PDF…")), ("csv", self.tr("Export CSV…")),
                           ("xlsx", self.tr("Export XLSX…"))):
            button = QPushButton(label)
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, fmt=fmt: self._ask_where_to_export(fmt))
            self.export_buttons[fmt] = button
            controls.addWidget(button)
        for combo in (self.view_choice, self.period_choice, self.centre_choice):
            combo.currentIndexChanged.connect(self.refresh)

        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.heading.setFont(font)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.panels_box = QWidget()
        self.panels_layout = QVBoxLayout(self.panels_box)
        self.panels_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.panels_box)
        self.panels_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(self.scroll, 1)
        self.refresh()

    def _date_edit(self, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        return edit

    # --- loading ----------------------------------------------------------------------------------------------

    def set_range(self, first: date, last: date) -> None:
        self.first_day.setDate(QDate(first.year, first.month, first.day))
        self.last_day.setDate(QDate(last.year, last.month, last.day))

    def refresh(self) -> None:
        self._request += 1
        request = self._request
        self.status.setText(self.tr("Loading…"))
        self.show_button.setEnabled(False)
        self.app.runner.run(
            dashboards.build_dashboard, self.app.ctx, view=self.view_choice.currentData(),
            period=self.period_choice.currentData(), first_day=self.first_day.date().toPython(),
            last_day=self.last_day.date().toPython(), centre_id=self.centre_choice.currentData(),
            on_done=lambda result: self._show(request, result), on_error=lambda exc: self._failed(request, exc),
            owner=self)

    def _failed(self, request: int, exc: BaseException) -> None:
        if request != self._request:
            return
        self.show_button.setEnabled(True)
        self.status.setText(error_text(exc))

    def _show(self, request: int, result: Dashboard) -> None:
        if request != self._request:
            return  # the person asked for something else meanwhile
        self.show_button.setEnabled(True)
        self.dashboard = result
        self._fill_centres(result)
        view = self.view_choice.currentText()
        self.heading.setText(self.tr("{view} dashboard: {centre}, {first} to {last}").format(
            view=view, centre=result.centre_name, first=f"{result.first_day:%d %b %Y}",
            last=f"{result.last_day:%d %b %Y}"))
        self.status.setText("")
        for old in self.panel_views:
            self.panels_layout.removeWidget(old)
            old.hide()  # at once: deleteLater waits for the event loop, and a grab before then would show both
            old.setParent(None)
            old.deleteLater()
        self.panel_views = [PanelView(panel) for panel in result.panels]
        for index, panel_view in enumerate(self.panel_views):
            self.panels_layout.insertWidget(index, panel_view)
        for button in self.export_buttons.values():
            button.setEnabled(True)
        self.loaded.emit()

    def _fill_centres(self, result: Dashboard) -> None:
        if self._centres_known:
            return
        self._centres_known = True
        self.centre_choice.blockSignals(True)  # filling the list is not a new choice
        for centre_id, name in result.centres:
            self.centre_choice.addItem(name, centre_id)
        self.centre_choice.blockSignals(False)

    # --- export -----------------------------------------------------------------------------------------------

    def _ask_where_to_export(self, fmt: str) -> None:
        if self.dashboard is None:
            return
        suggested = f"dashboard-{self.dashboard.view.value}-{self.dashboard.first_day:%Y%m%d}.{fmt}"
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export dashboard"), suggested,
                                              f"{fmt.upper()} (*.{fmt})")
        if name:
            path = Path(name)
            self.export_to(path if path.suffix else path.with_suffix(f".{fmt}"))

    def export_to(self, path: Path) -> None:
        """Write the shown dashboard to `path` (.pdf, .csv or .xlsx) off the UI thread, then say where it went."""
        if self.dashboard is None:
            return
        self.status.setText(self.tr("Exporting…"))
        self.app.runner.run(save_dashboard, self.dashboard, path,
                            on_done=lambda saved: self.status.setText(self.tr("Saved to {path}").format(path=saved)),
                            on_error=lambda exc: self.status.setText(error_text(exc)), owner=self)
