"""Writing to the outgoing message queue inside a caller's transaction: who may be reached, queue, withdraw."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import NotFound
from clinicdesk.domain.notifications.plan import CONSENT_PREFIX, Decision, Recipient
from clinicdesk.domain.notifications.queue import OPEN, MessageStatus, idempotency_key
from clinicdesk.domain.notifications.templates import MessageTemplate, render
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.patient_dto import CommunicationPreferences
from clinicdesk.store.models import CentreRow, CommunicationPreferenceRow, ConsentRow, PatientRow
from clinicdesk.store.models_notifications import NotificationMessageRow


def recipient_for(session: Session, patient: PatientRow) -> Recipient:
    """The patient's preferences and the channel consents in force, as one value for the pure planner."""
    prefs = session.get(CommunicationPreferenceRow, patient.id)
    kinds = session.scalars(select(ConsentRow.kind).where(
        ConsentRow.patient_id == patient.id, ConsentRow.withdrawn_at.is_(None),
        ConsentRow.kind.startswith(CONSENT_PREFIX)))
    consented = frozenset(kind.removeprefix(CONSENT_PREFIX) for kind in kinds)
    if prefs is None:  # the defaults the preferences tab shows before anything was saved
        defaults = CommunicationPreferences()
        return Recipient(channels=defaults.channels, language=patient.preferred_language or defaults.language,
                         consented=consented, reminder_hours_before=defaults.reminder_hours_before,
                         quiet_start=defaults.quiet_start, quiet_end=defaults.quiet_end,
                         has_phone=bool(patient.phone), has_email=bool(patient.email))
    return Recipient(channels=tuple(prefs.channels or ()), consented=consented,
                     language=prefs.language or patient.preferred_language or "en",
                     reminder_hours_before=prefs.reminder_hours_before or 24, quiet_start=prefs.quiet_start,
                     quiet_end=prefs.quiet_end, do_not_disturb=prefs.do_not_disturb,
                     marketing_opt_in=prefs.marketing_opt_in, has_phone=bool(patient.phone),
                     has_email=bool(patient.email))


def load_patient(session: Session, patient_id: str) -> PatientRow:
    patient = session.get(PatientRow, patient_id)
    if patient is None:
        raise NotFound("This patient record no longer exists.")
    return patient


def centre_values(centre: CentreRow) -> dict[str, str]:
    return {"centre_name": centre.name, "centre_address": centre.address, "centre_phone": centre.phone}


def insert_message(ctx: ServiceContext, session: Session, *, patient: PatientRow, centre_id: str,
                   template: MessageTemplate, values: dict[str, str], language: str, decision: Decision,
                   appointment_id: str | None = None, emergency: bool = False,
                   expires_at: datetime | None = None) -> NotificationMessageRow:
    """One queued message, rendered now; a skipped decision is kept as cancelled with its reason."""
    rendered = render(template, language, {"patient_name": patient.given_name} | values)
    now = ctx.now()
    message_id = ctx.make_id()
    status = (MessageStatus.CANCELLED if decision.channel is None
              else MessageStatus.DUE if decision.send_at <= now else MessageStatus.SCHEDULED)
    row = NotificationMessageRow(
        id=message_id, idempotency_key=idempotency_key(message_id), centre_id=centre_id, patient_id=patient.id,
        appointment_id=appointment_id, template_key=template.key, category=template.category,
        language=rendered.language, channel=decision.channel or "", subject=rendered.subject[:200],
        body=rendered.body, emergency=emergency, status=status.value, send_at=decision.send_at,
        next_attempt_at=decision.send_at, expires_at=expires_at, counted_attempts=0,
        last_reason=f"Not sent: {decision.skipped}" if decision.skipped else "", created_at=now, updated_at=now,
        created_by=ctx.user.staff_id if ctx.user else None)
    session.add(row)
    return row


def withdraw_open(ctx: ServiceContext, session: Session, *, appointment_id: str, reason: str) -> int:
    """Cancel every message of an appointment that has not gone out yet; returns how many."""
    result = session.execute(
        update(NotificationMessageRow)
        .where(NotificationMessageRow.appointment_id == appointment_id,
               NotificationMessageRow.status.in_([s.value for s in OPEN]))
        .values(status=MessageStatus.CANCELLED.value, last_reason=reason[:300], updated_at=ctx.now())
        .execution_options(synchronize_session=False))
    return result.rowcount
