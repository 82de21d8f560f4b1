"""The "Check-in code" field on today's queue: a USB scanner types the patient's code and Enter; the desk sees whose
appointment it is and when, and checks it in with one more click."""

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from clinicdesk.services import portal_check_in
from clinicdesk.services.appointment_dto import AppointmentItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text


class CheckInCodeBar(QWidget):
    """Scan (or type) → who and when → "Check in"; "Clear" or a new scan starts again."""

    def __init__(self, app: AppContext, centre_id: Callable[[], str | None], parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self._centre_id = centre_id
        self.found: AppointmentItem | None = None
        label = QLabel(self.tr("Check-in &code"))
        self.code = QLineEdit()
        self.code.setObjectName("checkInCode")
        self.code.setPlaceholderText(self.tr("Scan or type the patient's code, then Enter"))
        self.code.setMinimumHeight(36)
        label.setBuddy(self.code)
        self.code.returnPressed.connect(self.look_up)
        self.result = QLabel()
        self.result.setObjectName("checkInResult")
        self.result.setWordWrap(True)
        self.check_in_button = QPushButton(self.tr("Check in"))
        self.check_in_button.setObjectName("primary")
        self.check_in_button.setMinimumHeight(36)
        self.check_in_button.clicked.connect(self.check_in)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setMinimumHeight(36)
        self.clear_button.clicked.connect(self.reset)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.code, 2)
        row.addWidget(self.result, 3)
        row.addWidget(self.check_in_button)
        row.addWidget(self.clear_button)
        self.reset()

    def reset(self) -> None:
        self.found = None
        self.code.clear()
        self.result.clear()
        self.check_in_button.setEnabled(False)

    def look_up(self) -> None:
        centre_id = self._centre_id()
        text = self.code.text()
        self.found = None
        self.check_in_button.setEnabled(False)
        if centre_id is None or not text.strip():
            return
        self.app.runner.run(portal_check_in.find_by_code, self.app.ctx, text, centre_id, owner=self,
                            on_done=self._show_found, on_error=self._show_problem)

    def _show_found(self, item: AppointmentItem) -> None:
        self.found = item
        self.result.setStyleSheet("")
        self.result.setText(self.tr("%1 (%2) · %3 at %4 — check in?").replace("%1", item.patient_name)
                            .replace("%2", item.patient_uhid).replace("%3", item.service_name)
                            .replace("%4", f"{item.start:%H:%M}"))
        self.check_in_button.setEnabled(True)
        self.check_in_button.setFocus()  # Enter (or Space) on the button confirms: the keyboard never leaves

    def _show_problem(self, exc: BaseException) -> None:
        self.result.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.result.setText(error_text(exc))
        self.code.selectAll()  # the next scan replaces the text
        self.code.setFocus()

    def check_in(self) -> None:
        item = self.found
        if item is None:
            return
        self.check_in_button.setEnabled(False)
        self.app.runner.run(portal_check_in.check_in_by_code, self.app.ctx, item.id, owner=self,
                            on_done=lambda _changes: self._checked_in(item), on_error=self._show_problem)

    def _checked_in(self, item: AppointmentItem) -> None:
        self.reset()
        self.result.setStyleSheet("")
        self.result.setText(self.tr("%1 is checked in.").replace("%1", item.patient_name))
        self.code.setFocus()
