"""Messages to patients and alerts to staff: queue one, see a patient's history and the failed ones, retry, cancel.

Other features call two functions here:

- `queue_message(ctx, patient_id, template_key, context={...})` queues a message from a template to a patient on a
  channel they chose and consented to, honouring quiet hours (unless `emergency`), do-not-disturb (unless
  `emergency`) and the marketing opt-in; it returns the message id. A message that may not be sent is kept as
  cancelled with the reason, so the desk can see why. `queue_message_in(ctx, session, ...)` does the same inside a
  transaction the caller already holds (e.g. a rule firing and its message commit together).
- `alert_staff(ctx, staff_id, text, patient_id=...)` shows an in-app alert to one staff member.
"""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.notifications.plan import decide
from clinicdesk.domain.notifications.queue import MessageStatus, move
from clinicdesk.domain.notifications.templates import PLACEHOLDERS
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.notification_dto import AttemptItem, MessageItem, StaffAlertItem
from clinicdesk.services.notification_queue import centre_values, insert_message, load_patient, recipient_for
from clinicdesk.services.notification_templates import template_in_force, templates_in_force
from clinicdesk.store.models import CentreRow, PatientRow, StaffRow
from clinicdesk.store.models_notifications import NotificationAttemptRow, NotificationMessageRow, StaffAlertRow

MAX_ALERT_LENGTH = 500
__all__ = ["alert_staff", "cancel_message", "list_failed_messages", "list_my_alerts", "list_patient_messages",
           "mark_alert_read", "message_attempts", "queue_message", "queue_message_in", "retry_message"]


# --- queueing ----------------------------------------------------------------------------------------------------

def queue_message_in(ctx: ServiceContext, session: Session, patient_id: str, template_key: str, *,
                     context: dict[str, str], channel_hint: str | None = None, emergency: bool = False,
                     send_at: datetime | None = None, appointment_id: str | None = None,
                     centre_id: str | None = None) -> str:
    """Queue inside the caller's transaction; see the module docstring. Returns the message id."""
    unknown = sorted(set(context) - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError({"context": "names unknown placeholders " + ", ".join(unknown)})
    patient = load_patient(session, patient_id)
    template = template_in_force(session, template_key)
    centre = session.get(CentreRow, centre_id or patient.centre_id)
    if centre is None:
        raise NotFound("That centre no longer exists.")
    recipient = recipient_for(session, patient)
    decision = decide(recipient, send_at=send_at or ctx.now(), timezone=centre.timezone,
                      marketing=template.category == "marketing", emergency=emergency, channel_hint=channel_hint)
    row = insert_message(ctx, session, patient=patient, centre_id=centre.id, template=template,
                         values=centre_values(centre) | {k: str(v) for k, v in context.items()},
                         language=recipient.language, decision=decision, appointment_id=appointment_id,
                         emergency=emergency)
    ctx.audit(session, "notification.queue", entity="notification", entity_id=row.id,
              detail=f"{template_key}; {row.status}")
    return row.id


def queue_message(ctx: ServiceContext, patient_id: str, template_key: str, *, context: dict[str, str],
                  channel_hint: str | None = None, emergency: bool = False,
                  send_at: datetime | None = None) -> str:
    """Queue one message from a template to a patient in its own transaction; returns the message id."""
    ctx.authorise(Action.MESSAGE_SEND, entity="notification")
    with ctx.unit_of_work() as session:
        return queue_message_in(ctx, session, patient_id, template_key, context=context, channel_hint=channel_hint,
                                emergency=emergency, send_at=send_at)


def alert_staff_in(ctx: ServiceContext, session: Session, staff_id: str, text: str, *,
                   patient_id: str | None = None) -> str:
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": "is empty; say what the colleague should do"})
    if len(text) > MAX_ALERT_LENGTH:
        raise ValidationError({"text": f"is longer than {MAX_ALERT_LENGTH} characters; shorten it"})
    if session.get(StaffRow, staff_id) is None:
        raise NotFound("That staff member no longer exists.")
    if patient_id is not None:
        load_patient(session, patient_id)
    alert_id = ctx.make_id()
    session.add(StaffAlertRow(id=alert_id, staff_id=staff_id, patient_id=patient_id, text=text,
                              created_at=ctx.now(), created_by=ctx.user.staff_id if ctx.user else None))
    ctx.audit(session, "staff_alert.create", entity="staff_alert", entity_id=alert_id)
    return alert_id


def alert_staff(ctx: ServiceContext, staff_id: str, text: str, *, patient_id: str | None = None) -> str:
    """An in-app alert for one staff member (e.g. "Call this patient within 24 h"); returns the alert id."""
    ctx.authorise(Action.MESSAGE_SEND, entity="notification")
    with ctx.unit_of_work() as session:
        return alert_staff_in(ctx, session, staff_id, text, patient_id=patient_id)


# --- reading -------------------------------------------------------------------------------------------------------

def _items(session: Session, *where, limit: int = 500) -> list[MessageItem]:
    attempts = (select(func.count()).select_from(NotificationAttemptRow)
                .where(NotificationAttemptRow.message_id == NotificationMessageRow.id).scalar_subquery())
    rows = session.execute(
        select(NotificationMessageRow, PatientRow.given_name, PatientRow.family_name, PatientRow.uhid, attempts)
        .join(PatientRow, PatientRow.id == NotificationMessageRow.patient_id)
        .where(*where).order_by(NotificationMessageRow.send_at.desc()).limit(limit)).all()
    names = {key: t.name for key, t in templates_in_force(session).items()}
    return [MessageItem(
        id=m.id, patient_id=m.patient_id, patient_name=f"{given} {family}".strip(), uhid=uhid,
        appointment_id=m.appointment_id, template_key=m.template_key,
        template_name=names.get(m.template_key, m.template_key), category=m.category, language=m.language,
        channel=m.channel, subject=m.subject, body=m.body, status=m.status, send_at=m.send_at, sent_at=m.sent_at,
        next_attempt_at=m.next_attempt_at, attempts=count, last_reason=m.last_reason, emergency=m.emergency)
        for m, given, family, uhid, count in rows]


def list_patient_messages(ctx: ServiceContext, patient_id: str) -> list[MessageItem]:
    """A patient's messages, newest first: what, when, channel, status and the reason of a failure."""
    ctx.authorise(Action.MESSAGE_VIEW, entity="patient", entity_id=patient_id)
    with ctx.unit_of_work() as session:
        return _items(session, NotificationMessageRow.patient_id == patient_id)


def list_failed_messages(ctx: ServiceContext, *, centre_id: str | None = None) -> list[MessageItem]:
    """Messages that need a person: refused, out of tries, or interrupted mid-send."""
    ctx.authorise(Action.MESSAGE_VIEW, entity="notification")
    where = [NotificationMessageRow.status == MessageStatus.FAILED.value]
    if centre_id:
        where.append(NotificationMessageRow.centre_id == centre_id)
    with ctx.unit_of_work() as session:
        return _items(session, *where)


def message_attempts(ctx: ServiceContext, message_id: str) -> list[AttemptItem]:
    ctx.authorise(Action.MESSAGE_VIEW, entity="notification", entity_id=message_id)
    with ctx.unit_of_work() as session:
        return [AttemptItem(a.at, a.outcome, a.reason) for a in session.scalars(
            select(NotificationAttemptRow).where(NotificationAttemptRow.message_id == message_id)
            .order_by(NotificationAttemptRow.at))]


# --- the desk's actions --------------------------------------------------------------------------------------------

def _message(session: Session, message_id: str) -> NotificationMessageRow:
    row = session.get(NotificationMessageRow, message_id)
    if row is None:
        raise NotFound("That message no longer exists.")
    return row


def retry_message(ctx: ServiceContext, message_id: str) -> Changes:
    """Send a failed message again at the sender's next run (its tries start counting afresh)."""
    ctx.authorise(Action.MESSAGE_SEND, entity="notification", entity_id=message_id)
    with ctx.unit_of_work() as session:
        row = _message(session, message_id)
        row.status = move(row.status, MessageStatus.DUE).value
        row.next_attempt_at, row.counted_attempts, row.updated_at = ctx.now(), 0, ctx.now()
        row.last_reason = "Retry asked for at the desk"
        ctx.audit(session, "notification.retry", entity="notification", entity_id=row.id)
    return Changes(messages=True)


def cancel_message(ctx: ServiceContext, message_id: str) -> Changes:
    ctx.authorise(Action.MESSAGE_SEND, entity="notification", entity_id=message_id)
    with ctx.unit_of_work() as session:
        row = _message(session, message_id)
        row.status = move(row.status, MessageStatus.CANCELLED).value
        row.last_reason, row.updated_at = "Cancelled at the desk", ctx.now()
        ctx.audit(session, "notification.cancel", entity="notification", entity_id=row.id)
    return Changes(messages=True)


def list_my_alerts(ctx: ServiceContext, *, unread_only: bool = False) -> list[StaffAlertItem]:
    user = ctx.authorise(Action.MESSAGE_VIEW)
    with ctx.unit_of_work() as session:
        query = (select(StaffAlertRow, PatientRow.given_name, PatientRow.family_name)
                 .outerjoin(PatientRow, PatientRow.id == StaffAlertRow.patient_id)
                 .where(StaffAlertRow.staff_id == user.staff_id).order_by(StaffAlertRow.created_at.desc()))
        if unread_only:
            query = query.where(StaffAlertRow.read_at.is_(None))
        return [StaffAlertItem(a.id, a.text, a.patient_id, f"{given or ''} {family or ''}".strip(), a.created_at,
                               a.read_at) for a, given, family in session.execute(query.limit(200))]


def mark_alert_read(ctx: ServiceContext, alert_id: str) -> Changes:
    user = ctx.authorise(Action.MESSAGE_VIEW)
    with ctx.unit_of_work() as session:
        alert = session.get(StaffAlertRow, alert_id)
        if alert is None or alert.staff_id != user.staff_id:
            raise NotFound("That alert no longer exists.")
        if alert.read_at is None:
            alert.read_at = ctx.now()
    return Changes(messages=True)
