"""Create or edit a centre: code, name, time zone, address and tax details, and its holidays."""

from zoneinfo import available_timezones

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QCompleter, QDateEdit, QLineEdit, QWidget

from clinicdesk.services import admin
from clinicdesk.services.admin_dto import CentreDraft, CentreItem
from clinicdesk.ui.admin.schedule_editors import _RowTable
from clinicdesk.ui.app_context import DEFAULT_TIMEZONE, AppContext
from clinicdesk.ui.choices import INDIAN_STATES
from clinicdesk.ui.widgets.form_dialog import FormDialog
from clinicdesk.ui.widgets.inputs import from_qdate, to_qdate


def timezone_combo(current: str = DEFAULT_TIMEZONE) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    zones = sorted(available_timezones())
    combo.addItems([DEFAULT_TIMEZONE] + [z for z in zones if z != DEFAULT_TIMEZONE])
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCurrentText(current)
    return combo


def state_combo(current: str = "") -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(["", *INDIAN_STATES])
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setCurrentText(current)
    return combo


class HolidayEditor(_RowTable):
    def __init__(self, today_qdate: QDate, parent: QWidget | None = None):
        super().__init__([self.tr("Date"), self.tr("Holiday")], parent)
        self.today = today_qdate
        self.add_button.setText(self.tr("Add holiday"))
        self.add_button.clicked.connect(lambda: self.add_holiday(from_qdate(self.today), ""))

    def add_holiday(self, day, name: str) -> None:
        edit = QDateEdit(to_qdate(day))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd MMM yyyy")
        name_edit = QLineEdit(name)
        name_edit.setPlaceholderText(self.tr("e.g. Onam, Diwali"))
        self._append([edit, name_edit])

    def holidays(self):
        cell = self.table.cellWidget
        return tuple((from_qdate(cell(r, 0).date()), cell(r, 1).text()) for r in range(self.table.rowCount()))


class CentreDialog(FormDialog):
    def __init__(self, app: AppContext, centre: CentreItem | None = None, parent: QWidget | None = None):
        super().__init__(app, self.tr("Edit centre") if centre else self.tr("New centre"), parent)
        self.centre = centre
        self.resize(620, 640)
        self.code = QLineEdit()
        self.code.setPlaceholderText(self.tr("2-6 letters, e.g. KOC"))
        self.code.setMaxLength(6)
        self.name = QLineEdit()
        self.timezone = timezone_combo()
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.gstin = QLineEdit()
        self.gstin.setPlaceholderText(self.tr("15 characters, e.g. 32AABCU9603R1ZM"))
        self.state = state_combo()
        self.holidays = HolidayEditor(to_qdate(app.today()))
        self.holidays.setMinimumHeight(200)
        for label, widget in ((self.tr("Code *"), self.code), (self.tr("Name *"), self.name),
                              (self.tr("Time zone *"), self.timezone), (self.tr("Address"), self.address),
                              (self.tr("State"), self.state), (self.tr("Phone"), self.phone),
                              (self.tr("Email"), self.email), (self.tr("GSTIN"), self.gstin),
                              (self.tr("Holidays"), self.holidays)):
            self.form.addRow(label, widget)
        self.errors.fields = {"code": self.code, "name": self.name, "timezone": self.timezone,
                              "phone": self.phone, "email": self.email, "gstin": self.gstin,
                              "holidays": self.holidays.table}
        if centre:
            self.code.setText(centre.code)
            self.name.setText(centre.name)
            self.timezone.setCurrentText(centre.timezone)
            self.address.setText(centre.address)
            self.state.setCurrentText(centre.state)
            self.phone.setText(centre.phone)
            self.email.setText(centre.email)
            self.gstin.setText(centre.gstin)
            for day, name in centre.holidays:
                self.holidays.add_holiday(day, name)

    def draft(self) -> CentreDraft:
        return CentreDraft(code=self.code.text(), name=self.name.text(), timezone=self.timezone.currentText().strip(),
                           address=self.address.text().strip(), phone=self.phone.text(), email=self.email.text(),
                           gstin=self.gstin.text(), state=self.state.currentText().strip(),
                           holidays=self.holidays.holidays())

    def save(self) -> None:
        self.submit(admin.save_centre, self.app.ctx, self.draft(), self.centre.id if self.centre else None)
