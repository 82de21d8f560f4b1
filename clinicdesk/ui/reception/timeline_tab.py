"""A patient's merged timeline (appointments, sessions, signed notes, labs, documents, forms), newest first, paged."""

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from clinicdesk.services import patient_timeline
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.services.patient_timeline import TimelinePage
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table

KIND_LABELS = {"appointment": "Appointment", "session": "Therapy session", "note": "Consultation note",
               "lab": "Lab result", "document": "Document", "form": "Intake form", "assessment": "Assessment",
               "consent": "Consent", "registered": "Registration"}
FLAG_MARKS = {"abnormal": "▲ ", "critical": "‼ "}


class TimelineTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.patient_id = ""
        self.next_offset = 0
        self.model = ListTableModel([
            Column(self.tr("When"), lambda e: format_datetime(e.at, app.tz)),
            Column(self.tr("Kind"), lambda e: self.tr(KIND_LABELS.get(e.kind, e.kind))),
            Column(self.tr("What happened"), lambda e: FLAG_MARKS.get(e.flag, "") + e.text, stretch=True),
        ], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setColumnWidth(0, 170)
        self.table.setColumnWidth(1, 150)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Everything"), "")
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(self.tr(label), kind)
        self.kind.currentIndexChanged.connect(lambda _: self.reload())
        self.upcoming = QCheckBox(self.tr("Include what is booked ahead"))
        self.upcoming.toggled.connect(lambda _: self.reload())
        self.more = QPushButton(self.tr("Show older"))
        self.more.clicked.connect(self.load_more)
        self.count = QLabel()
        self.message = QLabel()
        self.message.setObjectName("errorBanner")
        self.message.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Show")))
        top.addWidget(self.kind)
        top.addWidget(self.upcoming)
        top.addStretch(1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.more)

    def set_profile(self, profile: PatientProfile) -> None:
        self.patient_id = profile.id
        self.reload()

    def reload(self) -> None:
        self.next_offset = 0
        self._fetch(replace=True)

    def load_more(self) -> None:
        self._fetch(replace=False)

    def _fetch(self, *, replace: bool) -> None:
        if not self.patient_id:
            return
        kind = self.kind.currentData()
        self.app.runner.run(patient_timeline.load_timeline, self.app.ctx, self.patient_id,
                            kinds=[kind] if kind else [], offset=self.next_offset,
                            upcoming=self.upcoming.isChecked(), owner=self,
                            on_done=lambda page: self._show(page, replace), on_error=self._failed)

    def _show(self, page: TimelinePage, replace: bool) -> None:
        self.message.hide()
        rows = list(page.entries) if replace else self.model.rows() + list(page.entries)
        self.model.set_rows(rows)
        self.next_offset = page.offset + len(page.entries)
        self.more.setVisible(page.has_more)
        self.count.setText(self.tr("%1 shown").replace("%1", str(len(rows))))
        for i in range(self.kind.count()):  # kinds this role may not read (labs, notes) are not offered
            data = self.kind.itemData(i)
            self.kind.model().item(i).setEnabled(not data or data in page.kinds)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(error_text(exc))
        self.message.show()
