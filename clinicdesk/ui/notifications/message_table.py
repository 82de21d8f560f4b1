"""A table of messages with the chosen one's text below, and Retry / Cancel: shared by the tab and the desk view."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QTableView, QVBoxLayout, QWidget

from clinicdesk.domain.roles import Action
from clinicdesk.services import notifications
from clinicdesk.services.notification_dto import MessageItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.notifications.labels import channel_label, status_label
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.form_errors import ErrorBanner
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row


class MessageTable(QWidget):
    acted = Signal()

    def __init__(self, app: AppContext, *, with_patient: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        tz = lambda: app.tz  # noqa: E731 (read at display time: the centre may load after this widget)
        columns = [Column(self.tr("When"), lambda m: format_datetime(m.sent_at or m.send_at, tz()))]
        if with_patient:
            columns.append(Column(self.tr("Patient"), lambda m: f"{m.patient_name} ({m.uhid})"))
        columns += [
            Column(self.tr("Message"), lambda m: m.template_name + (self.tr(" (emergency)") if m.emergency else ""),
                   stretch=True),
            Column(self.tr("Channel"), lambda m: channel_label(m.channel)),
            Column(self.tr("Status"), lambda m: status_label(m.status)),
            Column(self.tr("Tries"), lambda m: str(m.attempts)),
            Column(self.tr("Reason"), lambda m: m.last_reason),
        ]
        self.model = ListTableModel(columns, self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        self.table.setColumnWidth(0, 150)
        if with_patient:
            self.table.setColumnWidth(1, 210)
        self.table.setColumnWidth(len(columns) - 1, 320)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setMaximumHeight(110)
        self.text.setPlaceholderText(self.tr("Select a message to read what was (or will be) sent"))
        self.banner = ErrorBanner()
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.setToolTip(self.tr("Send this failed message again at the next minute"))
        self.retry_button.clicked.connect(self.retry_selected)
        self.cancel_button = QPushButton(self.tr("Cancel message"))
        self.cancel_button.clicked.connect(self.cancel_selected)
        allowed = app.may(Action.MESSAGE_SEND)
        self.retry_button.setVisible(allowed)
        self.cancel_button.setVisible(allowed)
        self.summary = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self._show_selected()

    def set_messages(self, items: list[MessageItem]) -> None:
        self.model.set_rows(items)
        counts = {}
        for item in items:
            counts[item.status] = counts.get(item.status, 0) + 1
        self.summary.setText(", ".join(f"{status_label(s)}: {n}" for s, n in sorted(counts.items())))
        self._show_selected()

    def selected(self) -> MessageItem | None:
        return selected_row(self.table)

    def _show_selected(self) -> None:
        item = self.selected()
        self.retry_button.setEnabled(bool(item and item.can_retry))
        self.cancel_button.setEnabled(bool(item and item.can_cancel))
        if item is None:
            self.text.clear()
            return
        subject = f"{item.subject}\n\n" if item.channel == "email" and item.subject else ""
        reason = f"\n\n{self.tr('Why')}: {item.last_reason}" if item.status == "failed" and item.last_reason else ""
        self.text.setPlainText(subject + item.body + reason)

    def retry_selected(self) -> None:
        item = self.selected()
        if item is not None and item.can_retry:
            self.app.runner.run(notifications.retry_message, self.app.ctx, item.id, owner=self,
                                on_done=lambda _: self.acted.emit(), on_error=self._failed)

    def cancel_selected(self) -> None:
        item = self.selected()
        if item is not None and item.can_cancel:
            self.app.runner.run(notifications.cancel_message, self.app.ctx, item.id, owner=self,
                                on_done=lambda _: self.acted.emit(), on_error=self._failed)

    def _failed(self, error: Exception) -> None:
        self.banner.show_messages([error_text(error)])
