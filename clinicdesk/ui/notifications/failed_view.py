"""The desk's list of failed messages across patients: why each failed, retry or cancel, and "Send due now"."""

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from clinicdesk.services import notifications
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.notifications.message_table import MessageTable
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.refreshing_view import RefreshingView


class FailedMessagesView(RefreshingView):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(app, parent)
        heading = QLabel(self.tr("Failed messages"))
        heading.setObjectName("pageTitle")
        hint = QLabel(self.tr("Messages a gateway or mail server refused, that ran out of tries, or that were cut "
                              "off mid-send. Fix the number or address, then Retry; or Cancel."))
        hint.setWordWrap(True)
        self.messages = MessageTable(app, with_patient=True)
        self.messages.acted.connect(self.refresh_now)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh_now)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addWidget(self.messages, 1)

    def is_relevant(self, changes: Changes) -> bool:
        return changes.messages or changes.appointments

    def reload(self) -> None:
        self.app.runner.run(notifications.list_failed_messages, self.app.ctx, owner=self,
                            on_done=self.messages.set_messages,
                            on_error=lambda e: self.messages.banner.show_messages([error_text(e)]))
