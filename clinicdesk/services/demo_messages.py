"""Messages in the demo clinic: most patients consent to SMS/WhatsApp/email reminders, and the sender has run
once at "now" through a stand-in gateway, so the Messages tab and the failed-messages list are not empty."""

from datetime import datetime, timedelta

from sqlalchemy import select, update

from clinicdesk.domain.notifications.queue import MessageStatus, Outcome
from clinicdesk.notify.channel import DeliveryResult, OutgoingMessage
from clinicdesk.services import patient_records
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.notification_dto import SendReport
from clinicdesk.services.notification_sender import send_due
from clinicdesk.store.models_notifications import NotificationAttemptRow, NotificationMessageRow

CONSENT_VERSION = "2026.1"
ACCEPTED = "Accepted by the demo gateway (200)"
REFUSED_EVERY = 15  # one message in this many is refused, as a real gateway refuses a mistyped number


def record_channel_consents(desk: ServiceContext, patient_id: str, serial: int) -> None:
    """Four patients in five consent to messages on every channel (no random draw: the demo's streams stay put)."""
    if serial % 5 == 0:
        return
    for channel in ("sms", "whatsapp", "email"):
        patient_records.record_consent(desk, patient_id, kind=f"contact_{channel}", version=CONSENT_VERSION,
                                       method="digital")


class DemoGateway:
    """Accepts every message except every REFUSED_EVERY-th; nothing leaves the computer."""

    def __init__(self):
        self.count = 0

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        self.count += 1
        if self.count % REFUSED_EVERY == 0:
            return DeliveryResult(Outcome.PERMANENT, "The gateway refused the message (400): invalid_number")
        return DeliveryResult(Outcome.ACCEPTED, ACCEPTED)


def _settle_old(ctx: ServiceContext, before: datetime) -> None:
    """Messages older than a day went out at their time: one statement, not a sender pass each (the demo builds
    in seconds); the last day goes through the real sender below."""
    with ctx.unit_of_work() as session:
        rows = session.execute(select(NotificationMessageRow.id, NotificationMessageRow.send_at).where(
            NotificationMessageRow.status.in_([MessageStatus.SCHEDULED.value, MessageStatus.DUE.value]),
            NotificationMessageRow.send_at < before)).all()
        session.execute(update(NotificationMessageRow).where(NotificationMessageRow.id.in_([r.id for r in rows]))
                        .values(status=MessageStatus.SENT.value, sent_at=NotificationMessageRow.send_at,
                                last_reason=ACCEPTED).execution_options(synchronize_session=False))
        session.add_all(NotificationAttemptRow(id=ctx.make_id(), message_id=r.id, at=r.send_at, outcome="accepted",
                                               reason=ACCEPTED) for r in rows)


def send_due_now(ctx: ServiceContext, set_clock, now: datetime) -> SendReport:
    """What the every-minute sender would have sent by `now` (later reminders stay scheduled)."""
    _settle_old(ctx, now - timedelta(days=1))
    set_clock(now)
    gateway = DemoGateway()
    total = SendReport()
    while True:
        report = send_due(ctx, channels={"sms": gateway, "whatsapp": gateway, "email": gateway}, limit=500)
        total = SendReport(total.sent + report.sent, total.retrying, total.failed + report.failed,
                           total.expired + report.expired)
        if report.sent + report.failed == 0:
            return total
