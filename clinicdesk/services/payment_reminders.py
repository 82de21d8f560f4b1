"""Payment reminders: once a day, one message per overdue instalment (or unpaid bill past its due date), never twice.

The app's scheduler calls `queue_payment_reminders(ctx)` every morning (clinicdesk/ui/notifications/payment_job.py).
Each reminder goes through the same planning as every other message (channel preference and consent, quiet hours,
do-not-disturb, the patient's language) and carries an idempotency key made from the invoice, the instalment and its
due date, so a second run, the same day or later, queues nothing new for a part already reminded about.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from clinicdesk.domain.billing.money import format_inr
from clinicdesk.domain.notifications.plan import decide
from clinicdesk.domain.roles import Action
from clinicdesk.services.billing_ledger import PAYMENT_TERMS_DAYS, local_day, standing
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.notification_queue import centre_values, insert_message, recipient_for
from clinicdesk.services.notification_templates import templates_in_force
from clinicdesk.store.models import CentreRow, PatientRow
from clinicdesk.store.models_billing import InstalmentRow, InvoiceRow
from clinicdesk.store.models_notifications import NotificationMessageRow

TEMPLATE_KEY = "payment_reminder"
# A first run on a clinic with years of history must not text patients about old debts; those the desk follows up
# in person. Anything that fell due within this window and is still unpaid gets its one reminder.
LOOKBACK_DAYS = 60
_KEY_NAMESPACE = uuid.UUID("3b0f6d0e-6a43-4f55-9d8e-2f1a7c5e9b14")


@dataclass(frozen=True)
class ReminderRun:
    """What one run did: reminders queued, parts reminded about before, and parts whose patient cannot be reached."""

    queued: int = 0
    already_reminded: int = 0
    not_reachable: int = 0


def reminder_key(invoice_id: str, instalment_number: int, due_on: date) -> str:
    """The message's idempotency key: the same part of the same bill with the same due date is reminded once."""
    name = f"{TEMPLATE_KEY}|{invoice_id}|{instalment_number}|{due_on.isoformat()}"
    return f"clinicdesk-pay-{uuid.uuid5(_KEY_NAMESPACE, name).hex}"


def due_date_text(day: date) -> str:
    """Day/month/year, as bills in India are dated: reads the same in English, Hindi and Malayalam messages."""
    return f"{day:%d/%m/%Y}"


def _candidate_bills(session: Session, centre: CentreRow, device_code: str, today: date) -> list[InvoiceRow]:
    """This desk's invoices with a part that fell due inside the window (the desk that issued a bill reminds about
    it, as the desk that booked a visit sends its reminders: two desks of one centre never both write)."""
    earliest = today - timedelta(days=LOOKBACK_DAYS)
    planned_in_window = select(InstalmentRow.invoice_id).where(InstalmentRow.due_on >= earliest,
                                                               InstalmentRow.due_on < today)
    has_plan = exists().where(InstalmentRow.invoice_id == InvoiceRow.id)
    terms = timedelta(days=PAYMENT_TERMS_DAYS)  # a bill without a plan falls due this long after it is issued
    plain_in_window = and_(~has_plan, InvoiceRow.issued_on >= earliest - terms, InvoiceRow.issued_on < today - terms)
    return list(session.scalars(
        select(InvoiceRow).where(InvoiceRow.kind == "invoice", InvoiceRow.centre_id == centre.id,
                                 InvoiceRow.number.startswith(f"{centre.code}-{device_code}/", autoescape=True),
                                 or_(InvoiceRow.id.in_(planned_in_window), plain_in_window))
        .order_by(InvoiceRow.issued_on, InvoiceRow.number)))


def queue_payment_reminders(ctx: ServiceContext) -> tuple[ReminderRun, Changes]:
    """Queue today's payment reminders for the signed-in user's centre; see the module docstring."""
    user = ctx.authorise(Action.MESSAGE_SEND, entity="notification")
    queued = already = unreachable = 0
    with ctx.unit_of_work() as session:
        centre = session.get(CentreRow, user.centre_id)
        template = templates_in_force(session).get(TEMPLATE_KEY)
        if centre is None or template is None:
            return ReminderRun(), Changes()
        now = ctx.now()
        today = local_day(session, centre.id, now)
        earliest = today - timedelta(days=LOOKBACK_DAYS)
        for invoice in _candidate_bills(session, centre, ctx.db.config.device_code, today):
            for part in standing(session, invoice, today=today).instalments:
                if not part.overdue or part.instalment.due < earliest:
                    continue  # paid (a payment or credit note covers it), not yet due, or too old to text about
                key = reminder_key(invoice.id, part.instalment.number, part.instalment.due)
                if session.scalar(select(NotificationMessageRow.id).where(
                        NotificationMessageRow.idempotency_key == key)) is not None:
                    already += 1
                    continue
                patient = session.get(PatientRow, invoice.patient_id)
                recipient = recipient_for(session, patient)
                decision = decide(recipient, send_at=now, timezone=centre.timezone)
                if decision.channel is None:
                    # nothing is kept: a consent or channel given later lets tomorrow's run remind while still owed
                    unreachable += 1
                    continue
                values = centre_values(centre) | {"amount": format_inr(part.outstanding),
                                                  "due_date": due_date_text(part.instalment.due),
                                                  "invoice_number": invoice.number}
                row = insert_message(ctx, session, patient=patient, centre_id=centre.id, template=template,
                                     values=values, language=recipient.language, decision=decision)
                row.idempotency_key = key
                ctx.audit(session, "notification.queue", entity="notification", entity_id=row.id,
                          detail=f"{TEMPLATE_KEY}; {row.status}")
                queued += 1
    return ReminderRun(queued, already, unreachable), Changes(messages=queued > 0)
