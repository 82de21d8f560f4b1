"""The conversion funnel for a date range: a bar per stage with counts and rates, and a table per source."""

from datetime import timedelta

from PySide6.QtCore import QDate, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from clinicdesk.domain.leads import SOURCE_LABELS, STATUS_LABELS, Funnel, Source
from clinicdesk.services import leads
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table

_BAR_COLOURS = ("#7aa88f", "#4f8c6b", "#2f6b4f")


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


class FunnelChart(QWidget):
    """Centred bars whose width is the stage's share of all enquiries; painted from one Funnel value."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.funnel: Funnel | None = None
        self.setMinimumHeight(220)

    def set_funnel(self, funnel: Funnel) -> None:
        self.funnel = funnel
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.funnel is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        stages = self.funnel.stages
        gap, label_width = 10, 200
        bar_height = (self.height() - gap * (len(stages) + 1)) / max(len(stages), 1)
        room = self.width() - label_width - 20
        for i, stage in enumerate(stages):
            share = stage.reached / self.funnel.total if self.funnel.total else 0
            width = max(room * share, 2)
            top = gap + i * (bar_height + gap)
            rect = QRectF(label_width + (room - width) / 2, top, width, bar_height)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(_BAR_COLOURS[i % len(_BAR_COLOURS)]))
            painter.drawRoundedRect(rect, 6, 6)
            painter.setPen(QColor("#ffffff") if width > 90 else QColor("#1f2933"))
            text_rect = rect if width > 90 else QRectF(label_width, top, room, bar_height)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, str(stage.reached))
            painter.setPen(QColor("#1f2933"))
            label = STATUS_LABELS[stage.status]
            if stage.rate_from_previous is not None:
                label += f"  ({percent(stage.rate_from_previous)} of previous)"
            painter.drawText(QRectF(0, top, label_width - 10, bar_height),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
        painter.end()


class FunnelPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        today = app.today()
        self.start, self.end = QDateEdit(), QDateEdit()
        for edit, day in ((self.start, today - timedelta(days=29)), (self.end, today)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.setDate(QDate(day.year, day.month, day.day))
        show = QPushButton(self.tr("Show"))
        show.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("<b>Conversion funnel</b> — enquiries taken from")))
        top.addWidget(self.start)
        top.addWidget(QLabel(self.tr("to")))
        top.addWidget(self.end)
        top.addWidget(show)
        top.addStretch(1)
        self.chart = FunnelChart()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setObjectName("errorBanner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.model = ListTableModel([
            Column(self.tr("Source"), lambda r: r[0]),
            Column(self.tr("Enquiries"), lambda r: str(r[1])),
            Column(self.tr("Converted"), lambda r: str(r[2])),
            Column(self.tr("Conversion rate"), lambda r: percent(r[2] / r[1] if r[1] else None), stretch=True)], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setMaximumHeight(230)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.chart, 1)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel(self.tr("<b>By source</b>")))
        layout.addWidget(self.table)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self.refresh()

    def _changes_applied(self, changes: Changes) -> None:
        if changes.leads:
            self.refresh()

    def refresh(self) -> None:
        if self.app.user is None:
            return
        since, until = leads.day_range(self.start.date().toPython(), self.end.date().toPython(), self.app.tz)
        self.banner.hide()
        self.app.runner.run(leads.conversion_funnel, self.app.ctx, since=since, until=until, owner=self,
                            on_done=self._show, on_error=self._failed)

    def _show(self, funnel: Funnel) -> None:
        self.funnel = funnel
        self.chart.set_funnel(funnel)
        self.summary.setText(self.tr(
            "%1 enquiries · overall conversion %2 · still open %3 · lost %4 · sent to customer relations %5, "
            "of whom %6 converted").replace("%1", str(funnel.total)).replace("%2", percent(funnel.conversion_rate()))
            .replace("%3", str(funnel.open)).replace("%4", str(funnel.lost)).replace("%5", str(funnel.hesitating))
            .replace("%6", str(funnel.rescued)))
        self.model.set_rows([(SOURCE_LABELS[Source(key)] if key in set(Source) else key, total, converted)
                             for key, (total, converted) in funnel.by_source.items()])

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()
