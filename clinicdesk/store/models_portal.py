"""SQLAlchemy rows for the patient portal: requests patients make online, published free starts, booking rules."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.store.models import Base, UtcDateTime


class PortalRequestRow(Base):
    """A patient's online request to book, move or cancel; written by the portal (HQ), decided at a desk.

    No foreign keys: the portal writes the row at HQ and a desk may pull it before the patient, service or
    appointment it names (those are checked when the request is decided, and a bad one is declined with a reason).
    """

    __tablename__ = "portal_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(String(36))
    patient_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(12))  # book, reschedule, cancel
    service_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    appointment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # the one to move or cancel
    requested_start: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    language: Mapped[str] = mapped_column(String(5), default="en")
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, confirmed, declined, withdrawn
    decision_note: Mapped[str] = mapped_column(Text, default="")
    result_appointment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(36), nullable=True)  # a staff id, or "auto"


# The reception list reads "pending requests of this centre, oldest first".
Index("ix_portal_requests_centre_status", PortalRequestRow.centre_id, PortalRequestRow.status,
      PortalRequestRow.requested_at)


class PortalAvailabilityRow(Base):
    """The free starts the scheduling engine found for one service on one day at one centre (what the portal offers).

    The id is derived from centre, service and day (clinicdesk.domain.portal.availability_row_id), so every desk of a
    centre writes the same row.
    """

    __tablename__ = "portal_availability"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(String(36))
    service_id: Mapped[str] = mapped_column(String(36))
    day: Mapped[date] = mapped_column(Date)
    starts: Mapped[list] = mapped_column(JSON, default=list)  # ["09:00", "09:15", ...] centre-local
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (UniqueConstraint("centre_id", "service_id", "day"),)


class PortalSettingsRow(Base):
    """A centre's rules for online booking; the id is the centre's id (one row per centre)."""

    __tablename__ = "portal_settings"
    id: Mapped[str] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    booking_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_approve: Mapped[bool] = mapped_column(Boolean, default=False)
    min_notice_hours: Mapped[int] = mapped_column(Integer, default=12)
    max_days_ahead: Mapped[int] = mapped_column(Integer, default=14)
    change_notice_hours: Mapped[int] = mapped_column(Integer, default=24)
    bookable_service_ids: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(36), nullable=True)  # a staff id; None for the demo
