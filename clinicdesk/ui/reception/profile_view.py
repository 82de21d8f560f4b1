"""The patient profile page: header with allergies always in view, and tabs for each part of the chart."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.services import patients
from clinicdesk.services.context import Changes
from clinicdesk.services.patient_dto import PatientProfile
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.labs.forms_tab import FormsTab
from clinicdesk.ui.labs.labs_tab import LabsTab
from clinicdesk.ui.notifications.messages_tab import MessagesTab
from clinicdesk.ui.reception.assessment_tab import AssessmentTab
from clinicdesk.ui.reception.consents_tab import ConsentsTab
from clinicdesk.ui.reception.details_tab import DetailsTab, HistoryTab
from clinicdesk.ui.reception.documents_tab import DocumentsTab
from clinicdesk.ui.reception.patient_form import PatientFormDialog
from clinicdesk.ui.reception.preferences_tab import PreferencesTab
from clinicdesk.ui.reception.profile_header import ProfileHeader
from clinicdesk.ui.reception.timeline_tab import TimelineTab
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.refreshing_view import RefreshingView


class ProfileView(RefreshingView):
    back_requested = Signal()

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        self._stale = False
        self.patient_id = ""
        self.profile: PatientProfile | None = None
        self.form: PatientFormDialog | None = None

        back = QPushButton(self.tr("← Back to search"))
        back.clicked.connect(self.back_requested)
        self.message = QLabel()
        self.message.setObjectName("errorBanner")
        self.message.setWordWrap(True)
        self.message.hide()
        self.header = ProfileHeader(app)
        self.header.edit_requested.connect(self.open_edit_form)
        self.details = DetailsTab()
        self.history = HistoryTab(app)
        self.assessment = AssessmentTab(app)
        self.consents = ConsentsTab(app)
        self.preferences = PreferencesTab(app)
        self.documents = DocumentsTab(app)
        self.timeline = TimelineTab(app)
        self.messages = MessagesTab(app)
        self.tabs = QTabWidget()
        for widget, title in ((self.details, self.tr("Details")), (self.history, self.tr("History")),
                              (self.assessment, self.tr("Ayurvedic assessment")),
                              (self.consents, self.tr("Consents")),
                              (self.preferences, self.tr("Communication preferences")),
                              (self.documents, self.tr("Documents")), (self.timeline, self.tr("Timeline")),
                              (self.messages, self.tr("Messages"))):
            self.tabs.addTab(widget, title)
        self.labs, self.forms = LabsTab(app), FormsTab(app)  # clinical records that arrive from outside
        if app.may(Action.LAB_VIEW):
            self.tabs.addTab(self.labs, self.tr("Labs"))
        self.tabs.addTab(self.forms, self.tr("Forms"))

        top = QHBoxLayout()
        top.addWidget(back)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)

    def show_patient(self, patient_id: str) -> None:
        if patient_id != self.patient_id:
            self.tabs.setCurrentIndex(0)
        self.patient_id = patient_id
        self.refresh_now()

    def is_relevant(self, changes: Changes) -> bool:
        return changes.patients and bool(self.patient_id)

    def reload(self) -> None:
        if self.patient_id:
            self.app.runner.run(patients.get_profile, self.app.ctx, self.patient_id, owner=self,
                                on_done=self._show_profile, on_error=self._show_error)

    def clear(self) -> None:
        """Forget the patient (sign-out): nothing of them stays in the widgets."""
        self.patient_id = ""
        self.profile = None

    def _show_profile(self, profile: PatientProfile) -> None:
        self.profile = profile
        self.message.hide()
        self.header.setVisible(True)
        self.tabs.setVisible(True)
        for part in (self.header, self.details, self.history, self.assessment, self.consents, self.preferences,
                     self.documents, self.timeline, self.messages, self.labs, self.forms):
            part.set_profile(profile)

    def _show_error(self, exc: Exception) -> None:
        self.profile = None
        self.header.setVisible(False)
        self.tabs.setVisible(False)
        self.message.setText(error_text(exc))
        self.message.show()

    def open_edit_form(self) -> PatientFormDialog | None:
        if self.profile is None:
            return None
        self.form = PatientFormDialog(self.app, self.profile, parent=self.window())
        self.form.open()
        return self.form
