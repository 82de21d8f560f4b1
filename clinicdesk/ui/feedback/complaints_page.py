"""Complaints: the centre's list with status and owner, the response history, and the workflow buttons."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.feedback import COMPLAINT_TRANSITIONS, STATUS_LABELS, ComplaintEvent, ComplaintStatus
from clinicdesk.services import feedback
from clinicdesk.services.context import Changes
from clinicdesk.services.feedback_dto import ComplaintItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row
from clinicdesk.ui.widgets.tables import reselect

EVENT_LABELS = {ComplaintEvent.START: "Start working on it", ComplaintEvent.RESOLVE: "Resolve",
                ComplaintEvent.CLOSE: "Close", ComplaintEvent.REOPEN: "Reopen"}


def _source(item: ComplaintItem) -> str:
    return "Desk" if item.source == "desk" else "Care rule (" + item.source.removeprefix("rule:") + ")"


class ComplaintsPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        tz = app.tz
        self.model = ListTableModel([
            Column(self.tr("Opened"), lambda c: format_datetime(c.opened_at, tz)),
            Column(self.tr("Status"), lambda c: STATUS_LABELS[ComplaintStatus(c.status)]),
            Column(self.tr("Patient"), lambda c: c.patient_name),
            Column(self.tr("Owner"), lambda c: c.owner_name or "—"),
            Column(self.tr("From"), _source),
            Column(self.tr("Summary"), lambda c: c.summary, stretch=True)], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        for column, width in enumerate((150, 100, 160, 150, 230)):
            self.table.horizontalHeader().resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.show_all = QCheckBox(self.tr("Show closed complaints"))
        self.show_all.toggled.connect(lambda _: self.refresh())
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("<b>Complaints</b> — pending → in progress → resolved → closed")))
        top.addStretch(1)
        top.addWidget(self.show_all)
        self.history = QPlainTextEdit()
        self.history.setReadOnly(True)
        self.history.setPlaceholderText(self.tr("Select a complaint to see what was said and done."))
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        self.response = QLineEdit()
        self.response.setPlaceholderText(self.tr("Response: what was said or done (needed to resolve)"))
        self.response.setMinimumHeight(40)
        self.respond_button = QPushButton(self.tr("Add response"))
        self.respond_button.setMinimumHeight(40)
        self.respond_button.clicked.connect(self.respond)
        self.move_buttons: dict[ComplaintEvent, QPushButton] = {}
        moves = QHBoxLayout()
        moves.addWidget(self.response, 1)
        moves.addWidget(self.respond_button)
        for event, text in EVENT_LABELS.items():
            button = QPushButton(self.tr(text))
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _=False, e=event: self.move_selected(e))
            moves.addWidget(button)
            self.move_buttons[event] = button
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.history)
        split.setSizes([420, 200])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.banner)
        layout.addLayout(moves)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self._show_selected()
        self.refresh()

    def refresh(self) -> None:
        if self.app.user is None:
            return
        self.app.runner.run(feedback.list_complaints, self.app.ctx, self.app.user.centre_id,
                            open_only=not self.show_all.isChecked(), owner=self, on_done=self._loaded,
                            on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.therapy:
            self.refresh()

    def _loaded(self, items: list[ComplaintItem]) -> None:
        chosen = self.selected()
        self.model.set_rows(items)
        reselect(self.table, items, chosen, key=lambda item: item.id)
        self._show_selected()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    def selected(self) -> ComplaintItem | None:
        return selected_row(self.table)

    def _show_selected(self) -> None:
        item = self.selected()
        allowed = COMPLAINT_TRANSITIONS.get(ComplaintStatus(item.status), {}) if item else {}
        for event, button in self.move_buttons.items():
            button.setEnabled(event in allowed)
        self.respond_button.setEnabled(item is not None and item.status != ComplaintStatus.CLOSED)
        if item is None:
            self.history.clear()
            return
        lines = [f"{item.summary}", ""]
        lines += [f"{format_datetime(r.at, self.app.tz)} · {r.by_name} · "
                  f"{STATUS_LABELS[ComplaintStatus(r.from_status)]} → {STATUS_LABELS[ComplaintStatus(r.to_status)]}"
                  + (f": {r.text}" if r.text else "") for r in item.responses]
        self.history.setPlainText("\n".join(lines) if item.responses else lines[0] + "\n\nNo responses yet.")

    def move_selected(self, event: ComplaintEvent) -> None:
        item = self.selected()
        if item is None:
            return
        self.banner.hide()
        self.app.runner.run(feedback.move_complaint, self.app.ctx, item.id, event.value, response=self.response.text(),
                            owner=self, on_done=lambda _: self.response.clear(), on_error=self._failed)

    def respond(self) -> None:
        item = self.selected()
        if item is None:
            return
        self.banner.hide()
        self.app.runner.run(feedback.respond_to_complaint, self.app.ctx, item.id, self.response.text(), owner=self,
                            on_done=lambda _: self.response.clear(), on_error=self._failed)
