"""A care plan's progress: symptom scores, energy, sleep and digestion over course days, phases and adherence."""

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.domain.therapy_plans import PlanStatus
from clinicdesk.services import outcomes, therapy_plans
from clinicdesk.services.context import Changes
from clinicdesk.services.therapy_dto import OutcomePoint, PlanSummary, ProgressSeries
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text

# symptoms in warm solid lines, well-being in cool dashed ones: no colour is shared between the two groups
SYMPTOM_COLOURS = ("#b3261e", "#7442c8", "#c48a00", "#d81b60", "#5d4037")
WELLBEING = (("energy", "Energy", "#1b7a4c"), ("sleep", "Sleep", "#2f62c8"), ("digestion", "Digestion", "#00838f"))
PHASE_COLOUR = "#9aa59f"


def phase_starts(summary: PlanSummary) -> list[tuple[str, int]]:
    """The first course day of each phase, in course order: the milestones drawn on the chart."""
    firsts: dict[str, int] = {}
    for item in sorted(summary.sessions, key=lambda s: s.day_offset):
        firsts.setdefault(item.phase, item.day_offset)
    return sorted(firsts.items(), key=lambda pair: pair[1])


def course_x(point: OutcomePoint) -> float:
    """The course day plus the time of day, so two reports on one day sit apart instead of stacking vertically."""
    return point.day_of_course + (point.at.hour * 60 + point.at.minute) / 1440


class ProgressChart(QWidget):
    summary_loaded = Signal(object)  # the PlanSummary, each time the plan is (re)loaded

    def __init__(self, app: AppContext, plan_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.app, self.plan_id = app, plan_id
        self.series: ProgressSeries | None = None
        self.summary: PlanSummary | None = None
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)  # screenshots show the final picture
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.adherence = QLabel()
        font = self.adherence.font()
        font.setPointSize(13)
        font.setBold(True)
        self.adherence.setFont(font)
        self.phases = QLabel()
        self.phases.setWordWrap(True)
        self.empty = QLabel(self.tr("No outcome reports yet: the chart fills in as the patient reports after "
                                    "sessions."))
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.adherence)
        layout.addWidget(self.phases)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self.refresh()

    def refresh(self) -> None:
        self.app.runner.run(therapy_plans.plan_summary, self.app.ctx, self.plan_id, owner=self,
                            on_done=self._summary_loaded, on_error=self._failed)

    def _summary_loaded(self, summary: PlanSummary) -> None:
        self.summary = summary
        self.summary_loaded.emit(summary)
        self.app.runner.run(outcomes.progress_series, self.app.ctx, self.plan_id, owner=self,
                            on_done=self._series_loaded, on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.therapy:
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.empty.setText(error_text(exc))
        self.empty.show()

    def _series_loaded(self, series: ProgressSeries) -> None:
        self.series = series
        self.adherence.setText(self.tr("Adherence: %1 of %2 due sessions completed (%3%)")
                               .replace("%1", str(series.sessions_completed)).replace("%2", str(series.sessions_due))
                               .replace("%3", str(round(series.adherence * 100))))
        self.phases.setText(" · ".join(f"{p.phase.capitalize()}: {p.completed}/{p.planned}"
                                       + (f" ({p.cancelled} cancelled)" if p.cancelled else "")
                                       for p in series.phases))
        self.empty.setVisible(not series.points)
        self._draw(series)

    def _draw(self, series: ProgressSeries) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        days = [p.day_of_course for p in series.points]
        course_end = max((s.day_offset + 1 for s in self.summary.sessions), default=1) if self.summary else 1
        last_day = max([course_end, *(d + 1 for d in days), *(day for _, day in self.milestones())])
        x_axis, y_axis = QValueAxis(), QValueAxis()
        x_axis.setRange(0, max(1, last_day))
        x_axis.setTickCount(min(last_day, 21) + 1 if last_day > 0 else 2)
        x_axis.setLabelFormat("%d")
        x_axis.setTitleText(self.tr("Course day"))
        y_axis.setRange(0, 10)
        y_axis.setTickCount(6)
        y_axis.setLabelFormat("%d")
        y_axis.setTitleText(self.tr("Score (0–10)"))
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)

        def add(line: QLineSeries) -> None:
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)

        for index, symptom in enumerate(series.symptoms):
            line = QLineSeries()
            line.setName(symptom.replace("_", " ").capitalize())
            line.setPen(QPen(QColor(SYMPTOM_COLOURS[index % len(SYMPTOM_COLOURS)]), 3))
            line.setPointsVisible(True)
            for point in series.points:
                if symptom in point.symptom_scores:
                    line.append(QPointF(course_x(point), point.symptom_scores[symptom]))
            add(line)
        for name, label, colour in WELLBEING:
            line = QLineSeries()
            line.setName(self.tr(label))
            line.setPen(QPen(QColor(colour), 2, Qt.PenStyle.DashLine))
            for point in series.points:
                if (value := getattr(point, name)) is not None:
                    line.append(QPointF(course_x(point), value))
            add(line)
        # phase milestones: a thin vertical rule where each phase begins, named in the legend once
        for phase, day in self.milestones():
            rule = QLineSeries()
            rule.setName(self.tr("%1 from day %2").replace("%1", phase.capitalize()).replace("%2", str(day)))
            rule.setPen(QPen(QColor(PHASE_COLOUR), 1, Qt.PenStyle.DotLine))
            rule.append(QPointF(day, 0))
            rule.append(QPointF(day, 10))
            add(rule)
            marker = QScatterSeries()
            marker.setMarkerSize(10)
            marker.setColor(QColor(PHASE_COLOUR))
            marker.append(QPointF(day, 10))
            add(marker)
            chart.legend().markers(marker)[0].setVisible(False)
        chart.setTitle(self.summary.name if self.summary else "")
        title = QFont()
        title.setPointSize(13)
        title.setBold(True)
        chart.setTitleFont(title)

    def milestones(self) -> list[tuple[str, int]]:
        return phase_starts(self.summary) if self.summary else []


class ProgressDialog(QDialog):
    def __init__(self, app: AppContext, plan_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.setWindowTitle(self.tr("Progress"))
        self.resize(1100, 720)
        self.discharge_button = QPushButton(self.tr("Discharge summary…"))
        self.discharge_button.setVisible(app.may(Action.PATIENT_PRINT))
        self.discharge_button.clicked.connect(self.open_discharge_summary)
        self._plan_loaded(None)
        self.chart = ProgressChart(app, plan_id, self)
        self.chart.summary_loaded.connect(self._plan_loaded)
        if self.chart.summary is not None:  # loaded while the chart was being made (a synchronous task runner)
            self._plan_loaded(self.chart.summary)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.discharge_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.chart, 1)
        layout.addLayout(row)

    def _plan_loaded(self, summary: PlanSummary | None) -> None:
        """The summary is printed at the end of a course, as the profile's button prints the latest course."""
        completed = summary is not None and summary.status == PlanStatus.COMPLETED.value
        self.discharge_button.setEnabled(completed)
        self.discharge_button.setToolTip(
            self.tr("Print or save the discharge summary of this course") if completed
            else self.tr("Available once the course is completed"))

    def open_discharge_summary(self):
        from clinicdesk.ui.documents.discharge_dialog import DischargeSummaryDialog

        summary = self.chart.summary
        if summary is None or not self.discharge_button.isEnabled():
            return None
        dialog = DischargeSummaryDialog(self.app, summary.patient_id, plan_id=summary.id, parent=self)
        dialog.open()
        return dialog
