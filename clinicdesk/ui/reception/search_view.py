"""Reception's first screen: search-as-you-type over name, phone, UHID and ABHA, and "Register patient"."""

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.services import patients
from clinicdesk.services.context import Changes
from clinicdesk.services.patient_dto import PatientSummary
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.reception.patient_form import PatientFormDialog
from clinicdesk.ui.reception.patient_table_model import PatientTableModel
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.list_model import configure_table
from clinicdesk.ui.widgets.refreshing_view import RefreshingView

DEBOUNCE_MS = 150  # long enough to skip the keystrokes of a fast typist, short enough to feel instant


class PatientSearchView(RefreshingView):
    open_patient = Signal(str)  # patient id

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        self._query_seq = 0  # answers to older keystrokes are dropped when they arrive late
        self._shown_seq = 0
        self.form: PatientFormDialog | None = None

        title = QLabel(self.tr("Patients"))
        title.setObjectName("pageTitle")
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(self.tr("Search by name (any script), phone, UHID or ABHA number"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumHeight(34)
        self.register_button = QPushButton(self.tr("Register patient…"))
        self.register_button.setVisible(app.may(Action.PATIENT_REGISTER))
        self.status = QLabel()
        self.status.setObjectName("muted")

        self.model = PatientTableModel(app.today, self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setColumnWidth(0, 150)
        self.table.setColumnWidth(2, 90)
        self.table.setColumnWidth(3, 140)
        self.table.setColumnWidth(4, 170)

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.register_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.search_now)
        self.search_box.textChanged.connect(lambda _: self._debounce.start())
        self.search_box.returnPressed.connect(self._open_first_or_search)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)
        self.register_button.clicked.connect(self.open_registration)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.search_box.setFocus)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.open_registration)

    def is_relevant(self, changes: Changes) -> bool:
        return changes.patients

    def reload(self) -> None:
        self.search_now()

    def search_now(self) -> None:
        self._debounce.stop()
        self._query_seq += 1
        seq, typed = self._query_seq, self.search_box.text()
        self.app.runner.run(patients.search_patients, self.app.ctx, typed, owner=self,
                            on_done=lambda rows: self._show_results(seq, typed, rows),
                            on_error=lambda exc: self._show_error(seq, exc))

    def _show_results(self, seq: int, typed: str, rows: list[PatientSummary]) -> None:
        if seq < self._shown_seq:
            return
        self._shown_seq = seq
        self.model.set_patients(rows)
        if not typed.strip():
            self.status.setText(self.tr("Recently updated patients. Type to search."))
        elif len(rows) == 1:
            self.status.setText(self.tr("1 patient found."))
        elif rows:
            more = self.tr(" Showing the best %1; type more to narrow down.").replace("%1", str(len(rows))) \
                if len(rows) >= patients.SEARCH_LIMIT else ""
            self.status.setText(self.tr("%1 patients found.").replace("%1", str(len(rows))) + more)
        else:
            self.status.setText(self.tr("No patient matches. Check the spelling or search by phone number."))

    def _show_error(self, seq: int, exc: Exception) -> None:
        if seq >= self._shown_seq:
            self._shown_seq = seq
            self.model.set_patients([])
            self.status.setText(error_text(exc))

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_patient.emit(self.model.row(index.row()).id)

    def _open_first_or_search(self) -> None:
        self.search_now()
        if self.model.rowCount() == 1:
            self.open_patient.emit(self.model.row(0).id)
        elif self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def open_registration(self) -> PatientFormDialog | None:
        if not self.app.may(Action.PATIENT_REGISTER):
            return None
        self.form = PatientFormDialog(self.app, parent=self.window())
        self.form.saved.connect(self.open_patient.emit)
        self.form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.form.open()
        return self.form
