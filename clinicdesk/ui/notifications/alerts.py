"""In-app alerts for staff: a status-bar button with the unread count, and a dialog to read and mark them."""

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QStatusBar, QTableView, QVBoxLayout, QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.services import notifications
from clinicdesk.services.context import Changes
from clinicdesk.services.notification_dto import StaffAlertItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row


class AlertsDialog(QDialog):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.setWindowTitle(self.tr("My alerts"))
        self.resize(760, 380)
        self.model = ListTableModel([
            Column(self.tr("When"), lambda a: format_datetime(a.created_at, app.tz)),
            Column(self.tr("Patient"), lambda a: a.patient_name),
            Column(self.tr("Alert"), lambda a: a.text, stretch=True),
            Column(self.tr("Read"), lambda a: self.tr("yes") if a.read_at else self.tr("new")),
        ], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setColumnWidth(0, 150)
        self.banner = ErrorBanner()
        self.read_button = QPushButton(self.tr("Mark as read"))
        self.read_button.clicked.connect(self.mark_selected_read)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.read_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        self.app.runner.run(notifications.list_my_alerts, self.app.ctx, owner=self, on_done=self.model.set_rows,
                            on_error=lambda e: self.banner.show_messages([error_text(e)]))

    def mark_selected_read(self) -> None:
        alert: StaffAlertItem | None = selected_row(self.table)
        if alert is not None and alert.read_at is None:
            self.app.runner.run(notifications.mark_alert_read, self.app.ctx, alert.id, owner=self,
                                on_done=lambda _: self.reload(),
                                on_error=lambda e: self.banner.show_messages([error_text(e)]))


REFRESH_MS = 60_000  # alerts raised at another desk (or by a rule) arrive within a minute


class AlertsHookup(QObject):
    """The window's alert button: hidden with no unread alerts, '2 new alerts' otherwise; refreshed after message
    writes here and every minute for alerts raised elsewhere."""

    def __init__(self, app: AppContext, status_bar: QStatusBar, parent: QObject | None = None):
        super().__init__(parent)
        self.app = app
        self.unread = 0
        self.dialog: AlertsDialog | None = None
        self.button = QPushButton()
        self.button.setObjectName("alertsButton")
        self.button.setFlat(True)
        self.button.hide()
        self.button.clicked.connect(self.open_alerts)
        status_bar.addPermanentWidget(self.button)
        app.runner.changes_did_apply.connect(self._changes)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def _changes(self, changes: Changes) -> None:
        if changes.messages:
            self.refresh()

    def refresh(self) -> None:
        if self.app.user is None or not self.app.may(Action.MESSAGE_VIEW):
            return
        self.app.runner.run(notifications.list_my_alerts, self.app.ctx, unread_only=True, owner=self.button,
                            on_done=self._show, on_error=lambda _e: None)  # the button just stays as it was

    def _show(self, alerts: list[StaffAlertItem]) -> None:
        self.unread = len(alerts)
        self.button.setText(self.tr("%n new alert(s)", "", self.unread))
        self.button.setVisible(self.unread > 0)

    def open_alerts(self) -> AlertsDialog:
        self.dialog = AlertsDialog(self.app, self.button.window())
        self.dialog.finished.connect(lambda _: self.refresh())
        self.dialog.open()
        return self.dialog
