"""What the desk may do with an appointment: status moves through `transition()`, with a reason where one is due."""

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLineEdit, QMenu, QPushButton, QWidget

from clinicdesk.domain.appointments import TRANSITIONS, Event, Status
from clinicdesk.services import appointments
from clinicdesk.services.appointment_dto import CONFIRMED, REQUESTED, AppointmentItem
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.calendar.permissions import EVENT_ACTIONS
from clinicdesk.ui.i18n import translate


@dataclass(frozen=True)
class StatusAction:
    event: str  # what transition() expects
    label: str  # English; translated when shown
    needs_reason: bool = False


ACTIONS = (
    StatusAction("confirm", "Confirm"),
    StatusAction("approve", "Approve"),
    StatusAction("check_in", "Check in"),
    StatusAction("start", "Start"),
    StatusAction("complete", "Complete"),
    StatusAction("no_show", "No-show", needs_reason=False),
    StatusAction("cancel", "Cancel…", needs_reason=True),
)
ACTION_BY_EVENT = {a.event: a for a in ACTIONS}

MOVABLE = (REQUESTED, CONFIRMED)


def offered_events(item: AppointmentItem | None) -> tuple[str, ...]:
    """The moves the status table allows from this appointment's status, in button order.

    The service decides (an illegal move is refused with a sentence); this only keeps buttons that could never
    work greyed out. A request waiting for a doctor is approved, not confirmed; others are confirmed.
    """
    if item is None:
        return ()
    try:
        allowed = {event.value for event in TRANSITIONS[Status(item.status)]}
    except ValueError:
        return ()
    allowed.discard(Event.RESCHEDULE.value)
    allowed.discard("confirm" if item.approval_pending else "approve")
    return tuple(a.event for a in ACTIONS if a.event in allowed)


def action_label(event: str) -> str:
    return translate("Appointment", ACTION_BY_EVENT[event].label)


def ask_reason(parent: QWidget | None, title: str, prompt: str) -> str | None:
    """A short reason typed by the person; None if they backed out. Blocking on purpose (tests replace it)."""
    text, ok = QInputDialog.getText(parent, title, prompt, QLineEdit.EchoMode.Normal, "")
    if not ok:
        return None
    return text.strip()


def run_transition(owner: QWidget, app: AppContext, item: AppointmentItem, event: str, *,
                   on_error: Callable[[Exception], None], on_done: Callable[[object], None] | None = None) -> bool:
    """Ask for a reason when the move needs one, then call transition() on the database thread.

    Returns False when the person backed out. Screens refresh from changes_did_apply, not from here.
    """
    reason = ""
    if ACTION_BY_EVENT[event].needs_reason:
        typed = ask_reason(owner, translate("Appointment", "Cancel appointment"),
                           translate("Appointment", "Why is %1's %2 at %3 cancelled?")
                           .replace("%1", item.patient_name).replace("%2", item.service_name)
                           .replace("%3", f"{item.start:%H:%M}"))
        if typed is None:
            return False
        if not typed:
            on_error(ValueError(translate("Appointment", "Type a reason to cancel an appointment.")))
            return False
        reason = typed
    app.runner.run(appointments.transition, app.ctx, item.id, event, reason=reason, owner=owner,
                   on_done=on_done, on_error=on_error)
    return True


class ActionBar(QWidget):
    """One button per status move; only the moves possible from the selected appointment's status are enabled."""

    def __init__(self, app: AppContext, on_error: Callable[[Exception], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.permitted = {event for event, action in EVENT_ACTIONS.items() if app.may(action)}
        self.on_error = on_error
        self.item: AppointmentItem | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        for action in ACTIONS:
            if action.event not in self.permitted:
                continue
            button = QPushButton(action_label(action.event))
            button.setObjectName(f"action_{action.event}")
            button.clicked.connect(lambda _=False, event=action.event: self.trigger(event))
            row.addWidget(button)
            self.buttons[action.event] = button
        row.addStretch(1)
        self.set_item(None)

    def set_item(self, item: AppointmentItem | None) -> None:
        self.item = item
        allowed = offered_events(item)
        for event, button in self.buttons.items():
            button.setEnabled(event in allowed)
        # Approval only matters for bookings that wait for a doctor: Approve shows for those (greyed out when the
        # status no longer allows it) and Confirm for every other one, so the two never stand side by side.
        pending = item is not None and item.approval_pending
        if "approve" in self.buttons:
            self.buttons["approve"].setVisible(pending)
        if "confirm" in self.buttons:
            self.buttons["confirm"].setVisible(not pending)

    def has_actions(self) -> bool:
        return bool(self.buttons)

    def trigger(self, event: str) -> bool:
        if self.item is None or event not in offered_events(self.item) or event not in self.permitted:
            return False
        return run_transition(self, self.app, self.item, event, on_error=self.on_error)


def add_actions_to_menu(menu: QMenu, app: AppContext, item: AppointmentItem,
                        trigger: Callable[[str], object]) -> None:
    for event in offered_events(item):
        if app.may(EVENT_ACTIONS[event]):
            menu.addAction(action_label(event), lambda event=event: trigger(event))
