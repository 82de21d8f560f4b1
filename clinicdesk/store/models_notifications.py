"""SQLAlchemy rows for messages: edited templates, the outgoing queue with its attempts, and staff alerts."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.store.models import Base, UtcDateTime


class NotificationTemplateRow(Base):
    """An admin's version of a message template; it replaces the shipped file of the same key while it exists."""

    __tablename__ = "notification_templates"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20))
    texts: Mapped[dict] = mapped_column(JSON, default=dict)  # language -> {"subject": ..., "body": ...}
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class NotificationMessageRow(Base):
    """One message to one patient on one channel, from planned to sent (or failed, or cancelled)."""

    __tablename__ = "notification_messages"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointments.id"), nullable=True, index=True)
    template_key: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    channel: Mapped[str] = mapped_column(String(12))  # sms, whatsapp, email ("" when never sendable)
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12))  # scheduled, due, sending, sent, failed, cancelled
    send_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    counted_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_reason: Mapped[str] = mapped_column(String(300), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


# The sender asks "what is due now" every minute; the desk lists failed ones; a profile lists one patient's.
Index("ix_notification_messages_status_next", NotificationMessageRow.status, NotificationMessageRow.next_attempt_at)
Index("ix_notification_messages_patient", NotificationMessageRow.patient_id, NotificationMessageRow.send_at)


class NotificationAttemptRow(Base):
    """Append-only delivery log: each try with its time, outcome and reason (never the message text)."""

    __tablename__ = "notification_attempts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("notification_messages.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(12))  # accepted, offline, temporary, permanent, interrupted
    reason: Mapped[str] = mapped_column(String(300), default="")


class StaffAlertRow(Base):
    """An in-app alert for one staff member, e.g. about their patient's feedback; read when they open it."""

    __tablename__ = "staff_alerts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"), nullable=True)
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
