"""The centre's therapy board for a day: sessions by time, colour per status, live countdowns, room occupancy."""

from datetime import date, timedelta

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.roles import Action
from clinicdesk.domain.therapy_sessions import RUNNING, TRANSITIONS, ConsentNeeded, SessionEvent, SessionStatus
from clinicdesk.services import rule_tasks, therapy_sessions
from clinicdesk.services.context import Changes
from clinicdesk.services.therapy_dto import BoardItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.therapy.board_model import STATUS_COLOURS, BoardModel, needs_consent, status_label
from clinicdesk.ui.widgets import messages
from clinicdesk.ui.widgets.flow_layout import FlowLayout
from clinicdesk.ui.widgets.tables import row_table, select_where, selected_item

EVENT_LABELS = {SessionEvent.PREPARE: "Prepare", SessionEvent.START: "Start", SessionEvent.RECOVER: "Recovery",
                SessionEvent.COMPLETE: "Complete", SessionEvent.CANCEL: "Cancel"}


class TherapyBoardPage(QWidget):
    sop_requested = Signal(str)  # session id

    def __init__(self, app: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.day = app.today()
        self.model = BoardModel(self.local_now(), self)

        self.date_edit = QDateEdit(QDate(self.day.year, self.day.month, self.day.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.dateChanged.connect(lambda d: self.show_day(d.toPython()))
        previous, today, following = (QPushButton(self.tr("◀")), QPushButton(self.tr("Today")),
                                      QPushButton(self.tr("▶")))
        previous.clicked.connect(lambda: self.show_day(self.day - timedelta(days=1)))
        today.clicked.connect(lambda: self.show_day(self.app.today()))
        following.clicked.connect(lambda: self.show_day(self.day + timedelta(days=1)))
        self.summary = QLabel()
        top = QHBoxLayout()
        for widget in (previous, self.date_edit, following, today):
            top.addWidget(widget)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)

        self.occupancy_box = QWidget()
        self.occupancy = FlowLayout(self.occupancy_box)
        self.room_chips: dict[str, QLabel] = {}

        self.table = row_table(self.model)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.doubleClicked.connect(lambda _: self.open_sop())

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        self.buttons: dict[SessionEvent, QPushButton] = {}
        actions = QHBoxLayout()
        may_run = app.may(Action.SESSION_RUN)
        for event, text in EVENT_LABELS.items():
            button = QPushButton(self.tr(text))
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _=False, e=event: self.move_selected(e))
            button.setVisible(may_run)
            actions.addWidget(button)
            self.buttons[event] = button
        self.sop_button = QPushButton(self.tr("Open SOP runner…"))
        self.sop_button.setMinimumHeight(40)
        self.sop_button.clicked.connect(self.open_sop)
        self.progress_button = QPushButton(self.tr("Progress chart…"))
        self.progress_button.setMinimumHeight(40)
        self.progress_button.clicked.connect(self.open_progress)
        self.outcome_button = QPushButton(self.tr("Patient outcome…"))
        self.outcome_button.setMinimumHeight(40)
        self.outcome_button.clicked.connect(self.open_outcome)
        self.outcome_button.setVisible(may_run)
        self.feedback_button = QPushButton(self.tr("Feedback…"))  # the patient's ratings once the session has run
        self.feedback_button.setMinimumHeight(40)
        self.feedback_button.clicked.connect(self.open_feedback)
        self.feedback_button.setVisible(app.may(Action.FEEDBACK_RECORD))
        self.consent_dialog = None
        self.consent_button = QPushButton(self.tr("Consent…"))
        self.consent_button.setMinimumHeight(40)
        self.consent_button.clicked.connect(self.open_consent)
        self.photos_button = QPushButton(self.tr("Photos…"))
        self.photos_button.setMinimumHeight(40)
        self.photos_button.clicked.connect(lambda: self.open_photos())
        self.photos_button.setVisible(app.may(Action.THERAPY_PHOTO_ADD) or app.may(Action.THERAPY_PHOTO_VIEW))
        actions.addStretch(1)
        actions.addWidget(self.photos_button)
        actions.addWidget(self.consent_button)
        actions.addWidget(self.outcome_button)
        actions.addWidget(self.feedback_button)
        actions.addWidget(self.progress_button)
        actions.addWidget(self.sop_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.occupancy_box)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.banner)
        layout.addLayout(actions)

        # one tick a second repaints the countdowns from memory; the database is read only on changes
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        app.runner.changes_did_apply.connect(self._changes_applied)
        self._update_buttons()
        self.refresh()

    def local_now(self):
        # the board's times are naive centre-local wall-clock times
        return self.app.ctx.now().astimezone(self.app.tz).replace(tzinfo=None)

    def tick(self) -> None:
        self.model.tick(self.local_now())

    def show_day(self, day: date) -> None:
        if day == self.day:
            return
        self.day = day
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        user = self.app.user
        if user is None:
            return
        self.app.runner.run(therapy_sessions.day_board, self.app.ctx, user.centre_id, self.day, owner=self,
                            on_done=self._loaded, on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.therapy or changes.appointments:
            self.refresh()

    def _loaded(self, items: list[BoardItem]) -> None:
        selected = self.selected()
        self.model.now = self.local_now()
        self.model.set_items(items)
        if items and self.app.may(Action.CARE_TASKS_WORK):  # marks from the care rules (reduced intensity);
            self.app.runner.run(rule_tasks.session_flags, self.app.ctx, [i.session_id for i in items], owner=self,
                                on_done=self.model.set_care_marks, on_error=lambda _exc: None)  # optional extras
        if selected is not None:
            self.select(selected.session_id)
        running = sum(SessionStatus(i.status) in RUNNING for i in items)
        alerts = sum(self.model.alert(i) for i in items)
        self.summary.setText(self.tr("Sessions: %1 · running: %2 · late or over-running: %3")
                             .replace("%1", str(len(items))).replace("%2", str(running)).replace("%3", str(alerts)))
        self._show_rooms(items)
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        self.banner.setText(error_text(exc))
        self.banner.show()
        if isinstance(exc, ConsentNeeded):  # the refusal says what to do; the form to do it opens with it
            self.consent_dialog = self.open_consent()

    def _show_rooms(self, items: list[BoardItem]) -> None:
        """One chip per room used today: the colour of the session in it now, or 'free'."""
        for chip in self.room_chips.values():
            self.occupancy.removeWidget(chip)
            chip.deleteLater()
        self.room_chips = {}
        for room in sorted({i.room_name for i in items}):
            busy = next((i for i in items if i.room_name == room and SessionStatus(i.status) in RUNNING), None)
            fill, edge = STATUS_COLOURS[busy.status] if busy else ("#ffffff", "#b0b8b3")
            chip = QLabel(f"{room}: {status_label(busy.status)} · {busy.patient_name}" if busy
                          else f"{room}: {self.tr('free')}")
            chip.setStyleSheet(f"background: {fill}; border: 2px solid {edge}; border-radius: 6px; padding: 4px 8px;")
            self.occupancy.addWidget(chip)
            self.room_chips[room] = chip

    def selected(self) -> BoardItem | None:
        return selected_item(self.table, self.model.items)

    def select(self, session_id: str) -> None:
        select_where(self.table, self.model.items, lambda item: item.session_id == session_id)

    def _update_buttons(self) -> None:
        item = self.selected()
        allowed = TRANSITIONS.get(SessionStatus(item.status), {}) if item else {}
        for event, button in self.buttons.items():
            button.setEnabled(event in allowed)
        self.sop_button.setEnabled(item is not None)
        self.progress_button.setEnabled(item is not None)
        self.consent_button.setEnabled(item is not None)
        missing = item is not None and needs_consent(item)
        self.consent_button.setText(self.tr("Consent needed…") if missing else self.tr("Consent…"))
        self.consent_button.setStyleSheet("color: #b3261e; font-weight: bold;" if missing else "")
        self.buttons[SessionEvent.START].setToolTip(
            self.tr("Record the patient's procedure consent first (Consent needed…)") if missing else "")
        self.outcome_button.setEnabled(item is not None and item.status in ("recovery", "completed"))
        self.feedback_button.setEnabled(item is not None and item.status in ("recovery", "completed"))

    def move_selected(self, event: SessionEvent) -> None:
        item = self.selected()
        if item is None:
            return
        # a cancelled session cannot come back: one stray tap on a tablet must not do it
        if event is SessionEvent.CANCEL and not messages.confirm(self, self.tr("Cancel %1's %2 at %3?").replace(
                "%1", item.patient_name).replace("%2", item.therapy).replace("%3", f"{item.start:%H:%M}")):
            return
        self.banner.hide()
        self.app.runner.run(therapy_sessions.move_session, self.app.ctx, item.session_id, event.value, owner=self,
                            on_error=self._failed)

    def open_sop(self):
        item = self.selected()
        if item is None:
            return None
        from clinicdesk.ui.therapy.sop_runner import SopRunnerDialog  # built on demand: the board opens fast

        dialog = SopRunnerDialog(self.app, item.session_id, self)
        dialog.open()
        self.sop_requested.emit(item.session_id)
        return dialog

    def open_progress(self):
        item = self.selected()
        if item is None:
            return None
        from clinicdesk.ui.therapy.progress_chart import ProgressDialog  # QtCharts loads only when asked for

        dialog = ProgressDialog(self.app, item.plan_id, self)
        dialog.open()
        return dialog

    def open_outcome(self):
        item = self.selected()
        if item is None:
            return None
        from clinicdesk.ui.therapy.outcome_dialog import OutcomeDialog

        dialog = OutcomeDialog(self.app, item.plan_id, item.session_id, parent=self)
        dialog.open()
        return dialog

    def open_feedback(self):
        item = self.selected()
        if item is None:
            return None
        from clinicdesk.ui.feedback.feedback_dialog import FeedbackDialog

        dialog = FeedbackDialog(self.app, session_id=item.session_id, plan_id=item.plan_id,
                                heading=f"{item.patient_name} · {item.therapy}", parent=self)
        dialog.open()
        return dialog

    def open_photos(self):
        item = self.selected()
        if item is None:
            return None
        from clinicdesk.ui.therapy.photos_dialog import PhotosDialog

        dialog = PhotosDialog(self.app, item.session_id, self)
        dialog.open()
        return dialog

    def open_consent(self):
        item = self.selected()
        if item is None:
            return None
        from clinicdesk.ui.therapy.consent_dialog import ConsentDialog

        dialog = ConsentDialog(self.app, item.plan_id, self)
        dialog.open()
        return dialog
