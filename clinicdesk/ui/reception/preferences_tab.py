"""How and when the clinic may contact a patient: channels, language, reminder timing, quiet hours, opt-ins."""

from datetime import time

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services import patient_records
from clinicdesk.services.patient_dto import CommunicationPreferences, PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.choices import code_label, language_choices
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors
from clinicdesk.ui.widgets.inputs import ChoiceCombo


def _qtime(value: time | None, default: time) -> QTime:
    value = value or default
    return QTime(value.hour, value.minute)


class PreferencesTab(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.patient_id = ""
        self.channel_boxes = {c: QCheckBox(code_label(c)) for c in patient_records.CHANNELS}
        channels = QWidget()
        channel_row = QHBoxLayout(channels)
        channel_row.setContentsMargins(0, 0, 0, 0)
        for box in self.channel_boxes.values():
            channel_row.addWidget(box)
        channel_row.addStretch(1)
        self.language = ChoiceCombo(language_choices())
        self.reminder_hours = QSpinBox()
        self.reminder_hours.setRange(1, 72)
        self.reminder_hours.setSuffix(self.tr(" hours before"))
        self.quiet_enabled = QCheckBox(self.tr("No messages between"))
        self.quiet_start = QTimeEdit()
        self.quiet_end = QTimeEdit()
        for edit in (self.quiet_start, self.quiet_end):
            edit.setDisplayFormat("HH:mm")
        self.quiet_enabled.toggled.connect(self.quiet_start.setEnabled)
        self.quiet_enabled.toggled.connect(self.quiet_end.setEnabled)
        quiet = QWidget()
        quiet_row = QHBoxLayout(quiet)
        quiet_row.setContentsMargins(0, 0, 0, 0)
        quiet_row.addWidget(self.quiet_enabled)
        quiet_row.addWidget(self.quiet_start)
        quiet_row.addWidget(QLabel(self.tr("and")))
        quiet_row.addWidget(self.quiet_end)
        quiet_row.addStretch(1)
        self.dnd = QCheckBox(self.tr("Do not disturb: send nothing except what the law requires"))
        self.marketing = QCheckBox(self.tr("Agrees to receive offers and health camp news"))
        self.save_button = QPushButton(self.tr("Save preferences"))
        self.save_button.clicked.connect(self.save)
        self.banner = ErrorBanner()
        self.saved_note = QLabel()
        self.saved_note.setObjectName("muted")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self.tr("Channels"), channels)
        form.addRow(self.tr("Message language"), self.language)
        form.addRow(self.tr("Appointment reminder"), self.reminder_hours)
        form.addRow(self.tr("Quiet hours"), quiet)
        form.addRow("", self.dnd)
        form.addRow("", self.marketing)
        buttons = QHBoxLayout()
        buttons.addWidget(self.saved_note, 1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.errors = FieldErrors(self.banner, {"channels": channels, "language": self.language,
                                                "reminder_hours_before": self.reminder_hours, "quiet_hours": quiet})
        editable = app.may(Action.PATIENT_EDIT_DEMOGRAPHICS)
        for widget in (channels, self.language, self.reminder_hours, quiet, self.dnd, self.marketing):
            widget.setEnabled(editable)
        self.save_button.setVisible(editable)

    def set_profile(self, profile: PatientProfile) -> None:
        self.patient_id = profile.id
        self.set_preferences(profile.preferences)
        self.errors.clear()

    def set_preferences(self, prefs: CommunicationPreferences) -> None:
        for channel, box in self.channel_boxes.items():
            box.setChecked(channel in prefs.channels)
        self.language.set_value(prefs.language)
        self.reminder_hours.setValue(prefs.reminder_hours_before)
        has_quiet = prefs.quiet_start is not None
        self.quiet_enabled.setChecked(has_quiet)
        self.quiet_start.setEnabled(has_quiet)
        self.quiet_end.setEnabled(has_quiet)
        self.quiet_start.setTime(_qtime(prefs.quiet_start, time(21, 0)))
        self.quiet_end.setTime(_qtime(prefs.quiet_end, time(8, 0)))
        self.dnd.setChecked(prefs.do_not_disturb)
        self.marketing.setChecked(prefs.marketing_opt_in)

    def preferences(self) -> CommunicationPreferences:
        quiet = self.quiet_enabled.isChecked()
        start, end = self.quiet_start.time(), self.quiet_end.time()
        return CommunicationPreferences(
            channels=tuple(c for c, box in self.channel_boxes.items() if box.isChecked()),
            language=self.language.value(), reminder_hours_before=self.reminder_hours.value(),
            quiet_start=time(start.hour(), start.minute()) if quiet else None,
            quiet_end=time(end.hour(), end.minute()) if quiet else None,
            do_not_disturb=self.dnd.isChecked(), marketing_opt_in=self.marketing.isChecked())

    def save(self) -> None:
        self.errors.clear()
        self.saved_note.clear()
        self.app.runner.run(patient_records.set_preferences, self.app.ctx, self.patient_id, self.preferences(),
                            owner=self, on_done=lambda _: self.saved_note.setText(self.tr("Preferences saved.")),
                            on_error=self._refused)

    def _refused(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self.errors.show_text(error_text(exc))
