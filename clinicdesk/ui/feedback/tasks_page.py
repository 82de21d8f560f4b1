"""Clinician tasks: calls to make and slots to offer, soonest due first, with why; mark one done."""

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from clinicdesk.services import rule_tasks, rules
from clinicdesk.services.context import Changes
from clinicdesk.services.rule_dto import TaskItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.formatting import format_datetime
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.list_model import Column, ListTableModel, configure_table, selected_row

KIND_LABELS = {"call_patient": "Call the patient", "propose_other_slots": "Offer other time slots",
               "send_diet_alert": "Send the diet alert", "extra_reminders": "Send extra reminders",
               "manual": "Task"}


class TasksPage(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        tz = app.tz
        self.model = ListTableModel([
            Column(self.tr("Due"), lambda t: format_datetime(t.due_at, tz)),
            Column(self.tr("What"), lambda t: KIND_LABELS.get(t.kind, t.kind.replace("_", " ").capitalize())),
            Column(self.tr("Patient"), lambda t: t.patient_name or "—"),
            Column(self.tr("Who"), lambda t: t.assignee_name or self.tr("Anyone")),
            Column(self.tr("Done"), lambda t: format_datetime(t.done_at, tz) if t.done_at else ""),
            Column(self.tr("Why"), lambda t: t.reason, stretch=True)], self)
        self.table = QTableView()
        configure_table(self.table, self.model)
        for column, width in enumerate((150, 180, 160, 150, 150)):
            self.table.horizontalHeader().resizeSection(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.mine = QCheckBox(self.tr("Only mine and unassigned"))
        self.mine.toggled.connect(lambda _: self.refresh())
        self.show_done = QCheckBox(self.tr("Show done"))
        self.show_done.toggled.connect(lambda _: self.refresh())
        self.review_button = QPushButton(self.tr("Review this week's adherence"))
        self.review_button.setMinimumHeight(40)
        self.review_button.setToolTip(self.tr("Runs the weekly care rules over every active course (the last 7 days)"))
        self.review_button.clicked.connect(self.review_week)
        self.done_button = QPushButton(self.tr("Mark done"))
        self.done_button.setMinimumHeight(40)
        self.done_button.clicked.connect(self.complete_selected)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("<b>Clinician tasks</b> from the care rules")))
        top.addStretch(1)
        top.addWidget(self.mine)
        top.addWidget(self.show_done)
        top.addWidget(self.review_button)
        top.addWidget(self.done_button)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.banner)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        if self.app.user is None:
            return
        self.app.runner.run(rule_tasks.list_tasks, self.app.ctx, self.app.user.centre_id,
                            open_only=not self.show_done.isChecked(), mine_only=self.mine.isChecked(), owner=self,
                            on_done=self._loaded, on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.therapy:
            self.refresh()

    def _loaded(self, items: list[TaskItem]) -> None:
        self.model.set_rows(items)
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()

    def selected(self) -> TaskItem | None:
        return selected_row(self.table)

    def _update_buttons(self) -> None:
        item = self.selected()
        self.done_button.setEnabled(item is not None and item.done_at is None)

    def complete_selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        self.banner.hide()
        self.app.runner.run(rule_tasks.complete_task, self.app.ctx, item.id, owner=self, on_error=self._failed)

    def review_week(self) -> None:
        if self.app.user is None:
            return
        self.banner.hide()
        self.app.runner.run(rules.review_centre_adherence, self.app.ctx, self.app.user.centre_id,
                            week_ending=self.app.today(), owner=self, on_error=self._failed)
