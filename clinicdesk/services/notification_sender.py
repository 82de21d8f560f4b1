"""The sender: sends what is due, one message at a time, so a crash or a dead network never sends one twice.

For each message: (1) mark it "sending" and commit; (2) hand it to the channel with no transaction open;
(3) record the attempt and the new status and commit. A crash between (1) and (3) leaves it "sending": the next run
gives a gateway message (which carries its idempotency key) another go, and marks an email failed as uncertain,
because an SMTP server may have taken it (see clinicdesk/notify/smtp_email.py). Nothing is ever lost silently.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update

from clinicdesk.domain.notifications.queue import MessageStatus, Outcome, after_attempt, counts, move
from clinicdesk.notify.channel import Channel, DeliveryResult, OutgoingMessage
from clinicdesk.services.context import ServiceContext
from clinicdesk.services.notification_dto import SendReport
from clinicdesk.services.notification_settings import configured_channels
from clinicdesk.store.models import PatientRow
from clinicdesk.store.models_notifications import NotificationAttemptRow, NotificationMessageRow

STUCK_AFTER = timedelta(minutes=5)  # a "sending" row this old was left by a run that did not finish
MAX_PER_RUN = 50
_GATEWAY_CHANNELS = ("sms", "whatsapp")


@dataclass(frozen=True)
class _Claimed:
    message_id: str
    outgoing: OutgoingMessage | None  # None: failed at once (no address to send to)


def _log(ctx: ServiceContext, session, message_id: str, outcome: str, reason: str) -> None:
    session.add(NotificationAttemptRow(id=ctx.make_id(), message_id=message_id, at=ctx.now(), outcome=outcome,
                                       reason=reason[:300]))


def prepare(ctx: ServiceContext) -> int:
    """Scheduled messages whose time has come become due; pre-visit ones too late are withdrawn; stuck ones are
    resolved. Returns how many were withdrawn as too late."""
    now = ctx.now()
    with ctx.unit_of_work(write_lock=True) as session:
        expired = session.execute(
            update(NotificationMessageRow)
            .where(NotificationMessageRow.status.in_([MessageStatus.SCHEDULED.value, MessageStatus.DUE.value]),
                   NotificationMessageRow.expires_at.is_not(None), NotificationMessageRow.expires_at <= now)
            .values(status=MessageStatus.CANCELLED.value, updated_at=now,
                    last_reason="Too late: the visit had started before it could be sent")
            .execution_options(synchronize_session=False)).rowcount
        session.execute(
            update(NotificationMessageRow)
            .where(NotificationMessageRow.status == MessageStatus.SCHEDULED.value,
                   NotificationMessageRow.send_at <= now)
            .values(status=MessageStatus.DUE.value, updated_at=now).execution_options(synchronize_session=False))
        for row in session.scalars(select(NotificationMessageRow).where(
                NotificationMessageRow.status == MessageStatus.SENDING.value,
                NotificationMessageRow.updated_at <= now - STUCK_AFTER)):
            if row.channel in _GATEWAY_CHANNELS:  # the gateway drops a repeat of the same idempotency key
                row.status, row.next_attempt_at = MessageStatus.DUE.value, now
                _log(ctx, session, row.id, "interrupted", "The desk stopped mid-send; sending again under the "
                                                          "same idempotency key")
            else:
                row.status = MessageStatus.FAILED.value
                row.last_reason = ("The desk stopped while this email was being sent; it may have arrived: check "
                                   "with the patient before retrying")
                _log(ctx, session, row.id, "interrupted", row.last_reason)
            row.updated_at = now
    return expired


def _claim_next(ctx: ServiceContext, channels: dict[str, Channel], skip: set[str]) -> _Claimed | None:
    now = ctx.now()
    with ctx.unit_of_work(write_lock=True) as session:
        row = session.scalar(
            select(NotificationMessageRow)
            .where(NotificationMessageRow.status == MessageStatus.DUE.value,
                   NotificationMessageRow.next_attempt_at <= now,
                   NotificationMessageRow.channel.in_(list(channels)),
                   NotificationMessageRow.id.not_in(skip))
            .order_by(NotificationMessageRow.emergency.desc(), NotificationMessageRow.next_attempt_at).limit(1))
        if row is None:
            return None
        patient = session.get(PatientRow, row.patient_id)
        address = (patient.email if row.channel == "email" else patient.phone) if patient else ""
        if not address:
            row.status = move(row.status, MessageStatus.FAILED).value
            row.last_reason, row.updated_at = f"The patient has no {_address_word(row.channel)} on record", now
            _log(ctx, session, row.id, Outcome.PERMANENT.value, row.last_reason)
            return _Claimed(row.id, None)
        row.status, row.updated_at = move(row.status, MessageStatus.SENDING).value, now
        return _Claimed(row.id, OutgoingMessage(row.idempotency_key, row.channel, address, row.subject, row.body,
                                                row.language))


def _address_word(channel: str) -> str:
    return "email address" if channel == "email" else "phone number"


def _record(ctx: ServiceContext, message_id: str, result: DeliveryResult) -> MessageStatus:
    now = ctx.now()
    with ctx.unit_of_work() as session:
        row = session.get(NotificationMessageRow, message_id)
        if counts(result.outcome):
            row.counted_attempts += 1
        status, retry_at = after_attempt(result.outcome, counted_attempts=row.counted_attempts, now=now)
        row.status = move(row.status, status).value
        if retry_at is not None:
            row.next_attempt_at = retry_at
        if status is MessageStatus.SENT:
            row.sent_at = now
        row.last_reason, row.updated_at = result.reason[:300], now
        _log(ctx, session, message_id, result.outcome.value, result.reason)
    return status


def _send(channel: Channel, message: OutgoingMessage) -> DeliveryResult:
    try:
        return channel.send(message)
    except Exception as error:  # a channel that breaks its promise not to raise must not strand the message
        return DeliveryResult(Outcome.TEMPORARY, f"The channel failed unexpectedly ({type(error).__name__})")


def send_due(ctx: ServiceContext, *, channels: dict[str, Channel] | None = None,
             limit: int = MAX_PER_RUN) -> SendReport:
    """One run of the sender (the scheduler calls it every minute). Channels default to the saved settings."""
    expired = prepare(ctx)
    if channels is None:
        with ctx.unit_of_work() as session:
            channels = configured_channels(ctx, session)
    sent = retrying = failed = 0
    skip: set[str] = set()
    offline_channels: set[str] = set()
    for _ in range(limit):
        usable = {name: channel for name, channel in channels.items() if name not in offline_channels}
        claimed = _claim_next(ctx, usable, skip) if usable else None
        if claimed is None:
            break
        skip.add(claimed.message_id)
        if claimed.outgoing is None:
            failed += 1
            continue
        result = _send(channels[claimed.outgoing.channel], claimed.outgoing)
        status = _record(ctx, claimed.message_id, result)
        if result.outcome is Outcome.OFFLINE:
            offline_channels.add(claimed.outgoing.channel)  # no point knocking again this minute
        sent += status is MessageStatus.SENT
        failed += status is MessageStatus.FAILED
        retrying += status is MessageStatus.DUE
    with ctx.unit_of_work() as session:
        waiting = session.scalar(select(func.count()).select_from(NotificationMessageRow).where(
            NotificationMessageRow.status == MessageStatus.DUE.value,
            NotificationMessageRow.channel.not_in(list(channels))))
    return SendReport(sent=sent, retrying=retrying, failed=failed, expired=expired, waiting_for_settings=waiting)
