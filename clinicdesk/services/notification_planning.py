"""An appointment's reminders follow it: planned when it is booked, moved with it, withdrawn when it is cancelled.

booking.py calls `after_insert` and `after_status` inside the booking's own transaction, so a visit and its
messages are saved (or refused) together.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.appointments import FREED, Status
from clinicdesk.domain.notifications.plan import decide, plan_visit, playbook_for
from clinicdesk.services.appointment_views import local_time
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.notification_queue import centre_values, insert_message, recipient_for, withdraw_open
from clinicdesk.services.notification_templates import templates_in_force
from clinicdesk.store.models import CentreRow, PatientRow, StaffRow
from clinicdesk.store.models_scheduling import AppointmentRow, AppointmentStaffRow, ServiceRow

_CONFIRMED_KEY = "notify.confirmed_patients"  # session.info: one booking confirmation per patient per transaction


def when_text(moment: datetime, timezone: str) -> str:
    local = local_time(moment, timezone)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def _values(session: Session, row: AppointmentRow, centre: CentreRow) -> dict[str, str]:
    service = session.get(ServiceRow, row.service_id)
    practitioner = session.scalar(
        select(StaffRow.full_name).join(AppointmentStaffRow, AppointmentStaffRow.staff_id == StaffRow.id)
        .where(AppointmentStaffRow.appointment_id == row.id).order_by(StaffRow.full_name).limit(1))
    return centre_values(centre) | {
        "therapy": service.name if service else "", "time": when_text(row.start_at, centre.timezone),
        "practitioner": practitioner or centre.name, "reference": row.reference, "preparation": ""}


def after_insert(ctx: ServiceContext, session: Session, row: AppointmentRow) -> int:
    """Plan the new appointment's messages; a moved one announces its new time instead of a fresh confirmation."""
    if row.status not in (Status.REQUESTED.value, Status.CONFIRMED.value, Status.CHECKED_IN.value):
        return 0
    patient = session.get(PatientRow, row.patient_id)
    centre = session.get(CentreRow, row.centre_id)
    service = session.get(ServiceRow, row.service_id)
    if patient is None or centre is None or service is None:
        return 0
    recipient = recipient_for(session, patient)
    if not recipient.channels or not recipient.consented:
        return 0  # nobody to write to: nothing to plan (a later consent applies to later bookings)
    templates = templates_in_force(session)
    values = _values(session, row, centre)
    now = ctx.now()
    planned = plan_visit(playbook_for(service.category), recipient, booked_at=now, start=row.start_at,
                         end=row.end_at, timezone=centre.timezone)
    confirmed: set[str] = session.info.setdefault(_CONFIRMED_KEY, set())
    count = 0
    for message in planned:
        key = message.template_key
        if row.status == Status.CHECKED_IN.value and message.expires_at is not None:
            continue  # a walk-in standing at the desk needs no reminder
        if key == "booking_confirmation":
            if row.rescheduled_from:
                key, values = "time_changed", values | _old_time(session, row, centre)
            elif patient.id in confirmed or row.status == Status.CHECKED_IN.value:
                continue  # a course booked at once gets one confirmation, not one per session
            confirmed.add(patient.id)
        if message.decision.channel is None or key not in templates:
            continue
        insert_message(ctx, session, patient=patient, centre_id=centre.id, template=templates[key], values=values,
                       language=recipient.language, decision=message.decision, appointment_id=row.id,
                       expires_at=message.expires_at)
        count += 1
    return count


def _old_time(session: Session, row: AppointmentRow, centre: CentreRow) -> dict[str, str]:
    old = session.get(AppointmentRow, row.rescheduled_from)
    return {"new_time": when_text(row.start_at, centre.timezone),
            "time": when_text(old.start_at, centre.timezone) if old else ""}


def after_status(ctx: ServiceContext, session: Session, row: AppointmentRow, to_status: Status) -> int:
    """Withdraw what has not gone out when the visit will not take place here; tell the patient of a cancellation."""
    if to_status not in FREED:
        return 0
    withdrawn = withdraw_open(ctx, session, appointment_id=row.id,
                              reason=f"The appointment was {to_status.value.replace('_', ' ')}")
    if to_status is Status.CANCELLED and row.start_at > ctx.now():
        _tell_cancelled(ctx, session, row)
    return withdrawn


def _tell_cancelled(ctx: ServiceContext, session: Session, row: AppointmentRow) -> None:
    patient = session.get(PatientRow, row.patient_id)
    centre = session.get(CentreRow, row.centre_id)
    templates = templates_in_force(session)
    if patient is None or centre is None or "cancellation" not in templates:
        return
    recipient = recipient_for(session, patient)
    decision = decide(recipient, send_at=ctx.now(), timezone=centre.timezone)
    if decision.channel is None:
        return
    insert_message(ctx, session, patient=patient, centre_id=centre.id, template=templates["cancellation"],
                   values=_values(session, row, centre), language=recipient.language, decision=decision,
                   appointment_id=row.id)
