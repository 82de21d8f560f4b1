"""Check-in by the code on the patient portal: find the appointment a scanned or typed code names, show the
receptionist whose it is and when, and check it in through the reception's own check-in once they confirm."""

from clinicdesk.domain.appointments import Event
from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.portal import parse_check_in_payload
from clinicdesk.domain.roles import Action
from clinicdesk.services import appointments
from clinicdesk.services.appointment_dto import AppointmentItem
from clinicdesk.services.appointment_views import load_items
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models_scheduling import AppointmentRow

_LABELS = {"code": "The check-in code"}
_NOT_NOW = {"checked_in": "is already checked in", "in_progress": "is already in the room",
            "completed": "has already taken place", "cancelled": "was cancelled", "no_show": "was marked a no-show",
            "rescheduled": "was moved to another time; ask the patient for the new code"}


def find_by_code(ctx: ServiceContext, text: str, centre_id: str) -> AppointmentItem:
    """The appointment a code names, for the receptionist to confirm (patient name, time, service); a code that is
    not ours, names no appointment here, or one that cannot be checked in now, gets a specific message."""
    ctx.authorise(Action.APPOINTMENT_VIEW, entity="appointment")
    appointment_id = parse_check_in_payload(text)
    if appointment_id is None:
        raise ValidationError({"code": "is not a ClinicDesk check-in code; scan the code on the patient's phone "
                                       "again or type it as shown"}, _LABELS)
    with ctx.unit_of_work() as session:
        found = load_items(session, AppointmentRow.id == appointment_id)
    if not found:
        raise NotFound("No appointment with this code is on this desk. If it was booked a moment ago, sync and scan "
                       "again.")
    item = found[0]
    if item.centre_id != centre_id:
        raise ValidationError({"code": "is for an appointment at another centre"}, _LABELS)
    if item.status in _NOT_NOW:
        raise ValidationError({"code": f"is for an appointment that {_NOT_NOW[item.status]}"}, _LABELS)
    return item


def check_in_by_code(ctx: ServiceContext, appointment_id: str) -> Changes:
    """Check in the appointment the receptionist confirmed: the same check-in as the queue's button (its rules,
    history and audit)."""
    return appointments.transition(ctx, appointment_id, Event.CHECK_IN.value)
