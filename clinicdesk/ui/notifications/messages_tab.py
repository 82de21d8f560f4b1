"""The patient profile's Messages tab: every reminder and message, when, how, its status and why it failed."""

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from clinicdesk.services import notifications
from clinicdesk.services.context import Changes
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.notifications.message_table import MessageTable
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.refreshing_view import RefreshingView


class MessagesTab(RefreshingView):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        self.patient_id = ""
        note = QLabel(self.tr("Reminders go on the channels the patient chose and consented to (Communication "
                              "preferences, Consents); quiet hours are the centre's."))
        note.setWordWrap(True)
        note.setObjectName("hint")
        self.messages = MessageTable(app, with_patient=False)
        self.messages.acted.connect(self.refresh_now)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.messages, 1)

    def set_profile(self, profile: PatientProfile) -> None:
        changed = profile.id != self.patient_id
        self.patient_id = profile.id
        if changed:
            self.messages.set_messages([])
        self._stale = True
        if self.isVisible():
            self.refresh_now()

    def is_relevant(self, changes: Changes) -> bool:
        return bool(self.patient_id) and (changes.messages or changes.appointments or changes.patients)

    def reload(self) -> None:
        if self.patient_id:
            self.app.runner.run(notifications.list_patient_messages, self.app.ctx, self.patient_id, owner=self,
                                on_done=self.messages.set_messages,
                                on_error=lambda e: self.messages.banner.show_messages([error_text(e)]))
