"""The Patients page: search on top of the stack, a profile opened from it, and back again."""

from PySide6.QtWidgets import QStackedWidget, QWidget

from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.reception.profile_view import ProfileView
from clinicdesk.ui.reception.search_view import PatientSearchView


class ReceptionPage(QStackedWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.search = PatientSearchView(app)
        self._profile: ProfileView | None = None
        self.addWidget(self.search)
        self.search.open_patient.connect(self.open_patient)

    @property
    def profile(self) -> ProfileView:
        """Built on first use: start-up only needs the search list."""
        if self._profile is None:
            self._profile = ProfileView(self.app)
            self.addWidget(self._profile)
            self._profile.back_requested.connect(self.show_search)
        return self._profile

    def has_profile(self) -> bool:
        return self._profile is not None

    def open_patient(self, patient_id: str) -> None:
        self.setCurrentWidget(self.profile)
        self.profile.show_patient(patient_id)

    def show_search(self) -> None:
        self.setCurrentWidget(self.search)
        self.search.search_box.setFocus()
        self.search.search_box.selectAll()
