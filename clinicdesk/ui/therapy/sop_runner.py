"""The SOP runner for one session, for a tablet at arm's length: big steps, timers, values, skips, vitals."""

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.domain.therapy_sessions import ConsentNeeded, SessionEvent
from clinicdesk.services import sop_runner, therapy_sessions
from clinicdesk.services.context import Changes
from clinicdesk.services.therapy_dto import SessionDetail, StepView
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.therapy.board_model import STATUS_COLOURS, needs_consent, status_text

TOUCH = 56  # px: a finger in an oily glove still hits it
VITALS = (("pulse_bpm", "Pulse (bpm)"), ("bp_systolic", "Systolic"), ("bp_diastolic", "Diastolic"),
          ("temperature_c", "Temp (°C)"))


def _big(widget: QWidget, points: int = 14) -> QWidget:
    font = widget.font()
    font.setPointSize(points)
    widget.setFont(font)
    return widget


class StepCard(QFrame):
    """One SOP step: its text, range, materials, timer, and Done / Skip once it is open."""

    def __init__(self, runner: "SopRunnerDialog", step: StepView):
        super().__init__()
        self.runner, self.step = runner, step
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.remaining = step.timer_seconds or 0
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        done, skipped = step.outcome == "done", step.outcome == "skipped"
        colour = "#e9f6ee" if done else "#fdecea" if skipped else "#ffffff"
        self.setStyleSheet(f"StepCard {{ background: {colour}; border: 1px solid #c9d1cc; border-radius: 8px; }}")
        grid = QGridLayout(self)
        marks = (" ★" if step.mandatory else "") + (" ⚠ " + runner.tr("safety check") if step.safety_check else "")
        title = _big(QLabel(f"{step.no}. {step.text}{marks}"), 15)
        title.setWordWrap(True)
        grid.addWidget(title, 0, 0, 1, 4)
        details = []
        if step.measure:
            details.append(runner.tr("Measure %1 (%2–%3 %4)").replace("%1", step.measure)
                           .replace("%2", str(step.low if step.low is not None else "…"))
                           .replace("%3", str(step.high if step.high is not None else "…")).replace("%4", step.unit))
        if step.materials:
            details.append(runner.tr("Materials: %1").replace("%1", ", ".join(f"{code} {qty:g}"
                                                                                for code, qty in step.materials)))
        if step.outcome:
            details.append(runner.tr("Done") + (f": {step.value:g} {step.unit}" if step.value is not None else "")
                           if done else runner.tr("Skipped (deviation): %1").replace("%1", step.reason))
        self.details = _big(QLabel(" · ".join(details)), 12)
        self.details.setWordWrap(True)
        grid.addWidget(self.details, 1, 0, 1, 4)
        self.value = self.reason = self.done_button = self.skip_button = self.timer_button = None
        self.clock = _big(QLabel(), 20)
        if step.outcome is None:
            column = 0
            if step.timer_seconds:
                self.timer_button = QPushButton(runner.tr("Start timer"))
                self.timer_button.setMinimumHeight(TOUCH)
                self.timer_button.clicked.connect(self.toggle_timer)
                grid.addWidget(self.timer_button, 2, column)
                grid.addWidget(self.clock, 2, column + 1)
                column += 2
                self._show_clock()
            if step.measure:
                self.value = _big(QLineEdit())
                self.value.setPlaceholderText(step.unit or runner.tr("value"))
                self.value.setMinimumHeight(TOUCH)
                grid.addWidget(self.value, 2, column)
                column += 1
            self.done_button = _big(QPushButton(runner.tr("✓ Tick") if step.safety_check else runner.tr("✓ Done")))
            self.done_button.setMinimumHeight(TOUCH)
            self.done_button.clicked.connect(self.tick_step)
            grid.addWidget(self.done_button, 2, 3)
            self.reason = _big(QLineEdit(), 12)
            self.reason.setPlaceholderText(runner.tr("Reason to skip (recorded as a deviation)"))
            self.reason.setMinimumHeight(TOUCH)
            self.skip_button = _big(QPushButton(runner.tr("Skip")))
            self.skip_button.setMinimumHeight(TOUCH)
            self.skip_button.clicked.connect(self.skip_step)
            grid.addWidget(self.reason, 3, 0, 1, 3)
            grid.addWidget(self.skip_button, 3, 3)

    def _show_clock(self) -> None:
        minutes, seconds = divmod(abs(self.remaining), 60)
        self.clock.setText(("−" if self.remaining < 0 else "") + f"{minutes:02d}:{seconds:02d}")
        self.clock.setStyleSheet("color: #b3261e;" if self.remaining < 0 else "")

    def _tick(self) -> None:
        self.remaining -= 1  # keeps counting past zero so an overrun shows in red
        self._show_clock()

    def toggle_timer(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.timer_button.setText(self.runner.tr("Resume timer"))
        else:
            self.timer.start()
            self.timer_button.setText(self.runner.tr("Pause timer"))

    def tick_step(self) -> None:
        value = None
        if self.value is not None and self.value.text().strip():
            try:
                value = Decimal(self.value.text().strip())
            except InvalidOperation:
                self.runner.show_problem(self.runner.tr("Step %1: the value must be a number.")
                                         .replace("%1", str(self.step.no)))
                return
        timed = self.step.timer_seconds - self.remaining if self.step.timer_seconds else None
        self.timer.stop()
        self.runner.record(self.step.no, value=value, timer_seconds=timed or None)

    def skip_step(self) -> None:
        self.runner.record(self.step.no, skip=True, reason=self.reason.text().strip())


class SopRunnerDialog(QDialog):
    def __init__(self, app: AppContext, session_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.app, self.session_id = app, session_id
        self.detail: SessionDetail | None = None
        self.cards: dict[int, StepCard] = {}
        self.setWindowTitle(self.tr("SOP runner"))
        self.resize(1024, 760)
        self.header = _big(QLabel(), 16)
        self.header.setWordWrap(True)
        self.banner = _big(QLabel(), 13)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.banner.hide()
        self.steps_box = QWidget()
        self.steps_layout = QVBoxLayout(self.steps_box)
        self.steps_layout.addStretch(1)  # cards go above it, so a short SOP sits at the top
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.steps_box)

        self.vitals: dict[str, QLineEdit] = {}
        vitals_row = QHBoxLayout()
        for name, label in VITALS:
            edit = _big(QLineEdit(), 13)
            edit.setPlaceholderText(self.tr(label))
            edit.setMinimumHeight(TOUCH)
            self.vitals[name] = edit
            vitals_row.addWidget(edit)
        self.vitals_before = _big(QPushButton(self.tr("Vitals before")), 13)
        self.vitals_after = _big(QPushButton(self.tr("Vitals after")), 13)
        for button, moment in ((self.vitals_before, "before"), (self.vitals_after, "after")):
            button.setMinimumHeight(TOUCH)
            button.clicked.connect(lambda _=False, m=moment: self.save_vitals(m))
            vitals_row.addWidget(button)
        self.vitals_label = _big(QLabel(), 12)
        self.vitals_label.setWordWrap(True)

        self.move_buttons: dict[SessionEvent, QPushButton] = {}
        moves = QHBoxLayout()
        for event, text in ((SessionEvent.PREPARE, "Prepare"), (SessionEvent.START, "Start session"),
                            (SessionEvent.RECOVER, "Recovery"), (SessionEvent.COMPLETE, "Complete")):
            button = _big(QPushButton(self.tr(text)), 14)
            button.setMinimumHeight(TOUCH)
            button.clicked.connect(lambda _=False, e=event: self.move(e))
            moves.addWidget(button)
            self.move_buttons[event] = button
        self.consent_dialog = None
        self.consent_button = _big(QPushButton(self.tr("Consent needed…")), 14)
        self.consent_button.setMinimumHeight(TOUCH)
        self.consent_button.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.consent_button.setVisible(False)  # shown only while the plan has no consent in force
        self.consent_button.clicked.connect(self.open_consent)
        moves.addWidget(self.consent_button)
        self.outcome_button = _big(QPushButton(self.tr("Patient outcome…")), 14)
        self.outcome_button.setMinimumHeight(TOUCH)
        self.outcome_button.setEnabled(False)
        self.outcome_button.clicked.connect(self.open_outcome)
        moves.addWidget(self.outcome_button)
        self.dosage_button = _big(QPushButton(self.tr("Dose…")), 14)
        self.dosage_button.setMinimumHeight(TOUCH)
        self.dosage_button.clicked.connect(self.open_dosage)
        moves.addWidget(self.dosage_button)
        self.incident_button = _big(QPushButton(self.tr("Report incident…")), 14)
        self.incident_button.setMinimumHeight(TOUCH)
        self.incident_button.clicked.connect(self.open_incident)
        moves.addWidget(self.incident_button)
        close = _big(QPushButton(self.tr("Close")), 14)
        close.setMinimumHeight(TOUCH)
        close.clicked.connect(self.accept)
        moves.addStretch(1)
        moves.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(vitals_row)
        layout.addWidget(self.vitals_label)
        layout.addLayout(moves)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self.refresh()

    def refresh(self) -> None:
        self.app.runner.run(therapy_sessions.session_detail, self.app.ctx, self.session_id, owner=self,
                            on_done=self._loaded, on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.therapy:
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.show_problem(error_text(exc))
        if isinstance(exc, ConsentNeeded):
            self.consent_dialog = self.open_consent()

    def show_problem(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def _loaded(self, detail: SessionDetail) -> None:
        self.detail = detail
        board = detail.board
        fill, edge = STATUS_COLOURS.get(board.status, ("#ffffff", "#999999"))
        self.header.setText(f"{board.therapy} — {board.patient_name} · {board.room_name} · "
                            f"{board.start:%H:%M}–{board.end:%H:%M} · {status_text(board)}")
        self.header.setStyleSheet(f"background: {fill}; border-left: 8px solid {edge}; padding: 8px;")
        # any write rebuilds the cards; a step timer that is running must carry on where it was
        timers = {no: (card.remaining, card.timer.isActive()) for no, card in self.cards.items()}
        for card in self.cards.values():
            card.timer.stop()
            self.steps_layout.removeWidget(card)
            card.deleteLater()
        self.cards = {step.no: StepCard(self, step) for step in detail.steps}
        for no, card in self.cards.items():
            self.steps_layout.insertWidget(self.steps_layout.count() - 1, card)
            if card.timer_button is not None and no in timers:
                card.remaining, running = timers[no]
                card._show_clock()
                if running:
                    card.toggle_timer()
        open_mandatory = [s.no for s in detail.steps if s.mandatory and s.outcome is None]
        complete = self.move_buttons[SessionEvent.COMPLETE]
        complete.setEnabled(board.status == "recovery" and not open_mandatory)
        complete.setToolTip(self.tr("Mandatory steps still open: %1").replace(
            "%1", ", ".join(map(str, open_mandatory))) if open_mandatory else "")
        for event, status in ((SessionEvent.PREPARE, "scheduled"), (SessionEvent.START, "in_preparation"),
                              (SessionEvent.RECOVER, "in_session")):
            self.move_buttons[event].setEnabled(board.status == status)
        self.consent_button.setVisible(needs_consent(board))
        # the patient reports how they feel once the procedure itself is over
        self.outcome_button.setEnabled(board.status in ("recovery", "completed"))
        self.vitals_label.setText(" · ".join([
            *(f"{v['moment']} {v['at']:%H:%M}: " + ", ".join(f"{name} {v[name]}" for name, _ in VITALS
                                                             if v[name] is not None) for v in detail.vitals),
            *(f"{d['at']:%H:%M} {d['medicine']} {Decimal(d['quantity']).normalize():f} {d['unit']} {d['route']}"
              for d in detail.dosages)]))

    def record(self, step_no: int, **kwargs) -> None:
        self.banner.hide()
        # StockShort and a missing skip reason come back as the service's own sentence
        self.app.runner.run(sop_runner.record_step_result, self.app.ctx, self.session_id, step_no, owner=self,
                            on_error=self._failed, **kwargs)

    def move(self, event: SessionEvent) -> None:
        self.banner.hide()
        self.app.runner.run(therapy_sessions.move_session, self.app.ctx, self.session_id, event.value, owner=self,
                            on_error=self._failed)

    def save_vitals(self, moment: str) -> None:
        values = {}
        for name, edit in self.vitals.items():
            text = edit.text().strip()
            if text:
                values[name] = text if name == "temperature_c" else int(text) if text.isdigit() else text
        self.banner.hide()
        self.app.runner.run(sop_runner.record_vitals, self.app.ctx, self.session_id, moment, owner=self,
                            on_done=lambda _: [e.clear() for e in self.vitals.values()], on_error=self._failed,
                            **values)

    def open_outcome(self):
        if self.detail is None:
            return None
        from clinicdesk.ui.therapy.outcome_dialog import OutcomeDialog

        dialog = OutcomeDialog(self.app, self.detail.board.plan_id, self.session_id, parent=self)
        dialog.open()
        return dialog

    def open_consent(self):
        if self.detail is None:
            return None
        from clinicdesk.ui.therapy.consent_dialog import ConsentDialog

        dialog = ConsentDialog(self.app, self.detail.board.plan_id, self)
        dialog.open()
        return dialog

    def open_incident(self):
        from clinicdesk.ui.therapy.incidents_page import ReportIncidentDialog

        dialog = ReportIncidentDialog(self.app, {}, session_id=self.session_id, parent=self)
        dialog.open()
        return dialog

    def open_dosage(self):
        from clinicdesk.ui.therapy.dosage_dialog import DosageDialog

        dialog = DosageDialog(self.app, self.session_id, self)
        dialog.open()
        return dialog
