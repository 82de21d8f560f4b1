"""The Labs tab of a patient's profile: results with their flag, entry with a report, a trend per test."""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.labs import FLAG_LABELS, Flag, LabEntry, ReferenceRange
from clinicdesk.domain.roles import Action
from clinicdesk.services import lab_results
from clinicdesk.services.lab_results import LabResultItem
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_date
from clinicdesk.ui.labs.trend_strip import TrendStrip
from clinicdesk.ui.reception.documents_tab import sniff_mime_type
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row


def _limit(text: str) -> Decimal | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError({"reference": f"limit '{cleaned}' is not a number"},
                              {"reference": "Reference range"}) from None


class LabsTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.patient_id = ""
        self.report_path: Path | None = None
        self.critical = QLabel()
        self.critical.setObjectName("errorBanner")
        self.critical.setWordWrap(True)
        self.critical.hide()
        self.model = ListTableModel([
            Column(self.tr("Taken"), lambda r: format_date(r.taken_on)),
            Column(self.tr("Test"), lambda r: r.test),
            Column(self.tr("Result"), lambda r: f"{r.value} {r.unit}".strip()),
            Column(self.tr("Reference"), lambda r: r.reference or "—"),
            Column(self.tr("Flag"), lambda r: self.tr(FLAG_LABELS[Flag(r.flag)]).upper()
                   if r.flag != Flag.NORMAL else self.tr("Normal")),
            Column(self.tr("Report"), lambda r: self.tr("attached") if r.document_id else ""),
            Column(self.tr("Note"), lambda r: r.note, stretch=True)], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        for column, width in enumerate((110, 170, 130, 110, 100, 80)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._trend_selected())
        self.trend = TrendStrip()

        self.banner = ErrorBanner()
        self.test, self.value, self.unit = QLineEdit(), QLineEdit(), QLineEdit()
        self.test.setPlaceholderText(self.tr("e.g. Haemoglobin"))
        self.value.setPlaceholderText(self.tr("9.6, <0.5 or words such as 'trace'"))
        self.taken_on = QDateEdit()
        self.taken_on.setCalendarPopup(True)
        self.taken_on.setDisplayFormat("dd MMM yyyy")
        today = app.today()
        self.taken_on.setDate(QDate(today.year, today.month, today.day))
        self.low, self.high, self.critical_low, self.critical_high = (QLineEdit() for _ in range(4))
        self.flag = QComboBox()
        self.flag.addItem(self.tr("(worked out from the range)"), "")
        for flag, label in FLAG_LABELS.items():
            self.flag.addItem(self.tr(label), flag.value)
        self.note = QLineEdit()
        self.attach = QPushButton(self.tr("Attach report…"))
        self.attach.clicked.connect(self.choose_report)
        self.save_button = QPushButton(self.tr("Save result"))
        self.save_button.setMinimumHeight(36)
        self.save_button.clicked.connect(self.save)
        ranges = QHBoxLayout()
        for label, edit in ((self.tr("normal"), self.low), ("–", self.high), (self.tr("critical below"),
                                                                            self.critical_low),
                            (self.tr("critical above"), self.critical_high)):
            ranges.addWidget(QLabel(label))
            ranges.addWidget(edit)
        form = QFormLayout()
        form.addRow(self.tr("Test"), self.test)
        form.addRow(self.tr("Date taken"), self.taken_on)
        row = QHBoxLayout()
        row.addWidget(self.value, 2)
        row.addWidget(QLabel(self.tr("unit")))
        row.addWidget(self.unit, 1)
        form.addRow(self.tr("Result"), row)
        form.addRow(self.tr("Reference range"), ranges)
        form.addRow(self.tr("Flag (results in words)"), self.flag)
        form.addRow(self.tr("Note"), self.note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        self.entry = QGroupBox(self.tr("Enter a result"))
        entry_layout = QVBoxLayout(self.entry)
        entry_layout.addWidget(self.banner)
        entry_layout.addLayout(form)
        self.entry.setVisible(app.may(Action.LAB_RECORD))

        top = QSplitter()
        top.addWidget(self.table)
        top.addWidget(self.trend)
        top.setSizes([700, 380])
        layout = QVBoxLayout(self)
        layout.addWidget(self.critical)
        layout.addWidget(top, 1)
        layout.addWidget(self.entry)

    def set_profile(self, profile: PatientProfile) -> None:
        if self.patient_id != profile.id:
            self.model.set_rows([])
        self.patient_id = profile.id
        self.reload()

    def reload(self) -> None:
        if not self.patient_id or not self.app.may(Action.LAB_VIEW):
            return
        self.app.runner.run(lab_results.list_lab_results, self.app.ctx, self.patient_id, owner=self,
                            on_done=self._loaded, on_error=lambda exc: self.banner.show_messages([error_text(exc)]))

    def _loaded(self, items: list[LabResultItem]) -> None:
        self.model.set_rows(items)
        critical = [i for i in items if i.flag == Flag.CRITICAL]
        if critical:
            latest = critical[0]
            told = self.tr(" %1 was alerted.").replace("%1", latest.alerted) if latest.alerted else \
                self.tr(" No doctor is on record: tell the treating doctor now.")
            self.critical.setText(self.tr("Critical result: %1 on %2.").replace("%1", latest.test)
                                  .replace("%2", format_date(latest.taken_on)) + told)
        self.critical.setVisible(bool(critical))
        if items and not selected_row(self.table):
            self.table.selectRow(0)

    def _trend_selected(self) -> None:
        item = selected_row(self.table)
        if item is None:
            return
        self.app.runner.run(lab_results.trend_for_test, self.app.ctx, self.patient_id, item.test, owner=self,
                            on_done=lambda result: self._show_trend(item, result))

    def _show_trend(self, item: LabResultItem, result) -> None:
        points, direction = result
        band = (None, None)
        if "–" in item.reference:
            low, high = item.reference.split("–")
            band = (Decimal(low), Decimal(high))
        self.trend.set_points(item.test, points, self.tr(direction) if direction else "", band)

    def choose_report(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Attach the lab's report"), "",
                                              self.tr("Reports (*.pdf *.jpg *.jpeg *.png *.txt)"))
        if path:
            self.report_path = Path(path)
            self.attach.setText(self.report_path.name)

    def entry_value(self) -> LabEntry:
        reference = ReferenceRange(_limit(self.low.text()), _limit(self.high.text()),
                                   _limit(self.critical_low.text()), _limit(self.critical_high.text()))
        return LabEntry(self.test.text(), self.taken_on.date().toPython(), self.value.text(), self.unit.text(),
                        reference, self.flag.currentData(), self.note.text())

    def save(self) -> None:
        self.banner.clear_messages()
        try:
            entry = self.entry_value()
        except ValidationError as exc:
            self.banner.show_messages(exc.messages())
            return
        report = None
        if self.report_path is not None:
            content = self.report_path.read_bytes()
            report = lab_results.LabReport(self.report_path.stem, sniff_mime_type(self.report_path, content[:8]),
                                           content)
        self.app.runner.run(lab_results.record_lab_result, self.app.ctx, self.patient_id, entry, report=report,
                            owner=self, on_done=lambda _: self._saved(), on_error=self._failed)

    def _saved(self) -> None:
        for edit in (self.value, self.note):
            edit.clear()
        self.report_path = None
        self.attach.setText(self.tr("Attach report…"))
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        self.banner.show_messages(exc.messages() if isinstance(exc, ValidationError) else [error_text(exc)])
