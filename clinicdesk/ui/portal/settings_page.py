"""Admin > Patient portal: whether patients may book online, auto-approval, notice and days ahead, which services."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.errors import ValidationError
from clinicdesk.services import appointments, portal_settings
from clinicdesk.services.appointment_dto import ServiceItem
from clinicdesk.services.portal_settings import PortalSettings
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner, FieldErrors

# The spin boxes allow a little more than the service accepts, so a wrong number gets the service's sentence
# (with the limit in it) instead of silently stopping at the edge.
SPIN_LIMIT = 999


def _spin(suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(-1, SPIN_LIMIT)
    box.setSuffix(suffix)
    box.setMinimumHeight(36)
    box.setMaximumWidth(180)
    return box


class PortalSettingsPage(QWidget):
    """Loads the signed-in user's centre's settings and the catalogue; Save sends them to the service as typed."""

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self._catalogue: list[ServiceItem] = []
        title = QLabel(self.tr("Patient portal"))
        title.setObjectName("pageTitle")
        intro = QLabel(self.tr("Patients see their appointments, records and progress on the clinic's website and may "
                               "ask for appointments there. Requests appear under Reception > Online requests."))
        intro.setWordWrap(True)
        self.banner = ErrorBanner()
        self.saved_label = QLabel()
        self.saved_label.setObjectName("muted")
        self.booking_enabled = QCheckBox(self.tr("Patients may ask for appointments online"))
        self.auto_approve = QCheckBox(self.tr("Confirm requests automatically when the time is still free"))
        self.auto_approve.setToolTip(self.tr(
            "The centre's first desk (device A) confirms them when it syncs, so two desks never book one request "
            "twice; staff at any desk can still confirm by hand."))
        self.min_notice = _spin(self.tr(" hours"))
        self.max_days = _spin(self.tr(" days"))
        self.change_notice = _spin(self.tr(" hours"))
        self.services = QListWidget()
        self.services.setObjectName("portalServices")
        self.services.setMinimumHeight(160)
        form = QFormLayout()
        form.addRow(self.booking_enabled)
        form.addRow(self.auto_approve)
        form.addRow(self.tr("Minimum notice for a booking"), self.min_notice)
        form.addRow(self.tr("Book up to"), self.max_days)
        form.addRow(self.tr("Notice to move or cancel"), self.change_notice)
        form.addRow(self.tr("Services patients may book"), self.services)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("primary")
        self.save_button.setMinimumHeight(40)
        self.save_button.clicked.connect(self.save)
        self.errors = FieldErrors(self.banner, {
            "min_notice_hours": self.min_notice, "max_days_ahead": self.max_days,
            "change_notice_hours": self.change_notice, "bookable_service_ids": self.services})
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.saved_label)
        layout.addStretch(1)
        self.booking_enabled.toggled.connect(self._enable_fields)
        self.refresh()

    def refresh(self) -> None:
        if self.app.user is None:
            return
        self.app.runner.run(appointments.list_services, self.app.ctx, owner=self, on_done=self._services_loaded,
                            on_error=self._failed)

    def _services_loaded(self, services: list[ServiceItem]) -> None:
        self._catalogue = services
        self.app.runner.run(portal_settings.get_settings, self.app.ctx, self.app.user.centre_id, owner=self,
                            on_done=self.show_settings, on_error=self._failed)

    def show_settings(self, settings: PortalSettings) -> None:
        self.booking_enabled.setChecked(settings.booking_enabled)
        self.auto_approve.setChecked(settings.auto_approve)
        self.min_notice.setValue(settings.min_notice_hours)
        self.max_days.setValue(settings.max_days_ahead)
        self.change_notice.setValue(settings.change_notice_hours)
        self.services.clear()
        chosen = set(settings.bookable_service_ids)
        for service in self._catalogue:
            item = QListWidgetItem(f"{service.name} ({service.duration_minutes} min)")
            item.setData(Qt.ItemDataRole.UserRole, service.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if service.id in chosen else Qt.CheckState.Unchecked)
            self.services.addItem(item)
        self._enable_fields(settings.booking_enabled)

    def _enable_fields(self, on: bool) -> None:
        for widget in (self.auto_approve, self.min_notice, self.max_days, self.change_notice, self.services):
            widget.setEnabled(on)

    def chosen_service_ids(self) -> tuple[str, ...]:
        return tuple(self.services.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.services.count())
                     if self.services.item(row).checkState() == Qt.CheckState.Checked)

    def set_service_checked(self, name_starts: str, checked: bool = True) -> None:
        for row in range(self.services.count()):
            item = self.services.item(row)
            if item.text().startswith(name_starts):
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def wanted(self) -> PortalSettings:
        return PortalSettings(self.app.user.centre_id, self.booking_enabled.isChecked(), self.auto_approve.isChecked(),
                              self.min_notice.value(), self.max_days.value(), self.change_notice.value(),
                              self.chosen_service_ids())

    def save(self) -> None:
        self.errors.clear()
        self.saved_label.clear()
        self.app.runner.run(portal_settings.save_settings, self.app.ctx, self.wanted(), owner=self,
                            on_done=lambda _changes: self.saved_label.setText(self.tr("Saved.")),
                            on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self.errors.show_text(error_text(exc))
