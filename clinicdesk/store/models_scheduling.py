"""SQLAlchemy rows for booking: the service catalogue, appointments with staff and status history, the waitlist."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinicdesk.store.models import Base, UtcDateTime, _Stamped


class ServiceRow(_Stamped, Base):
    """A consultation or therapy the clinic books, with everything the scheduler needs to place it."""

    __tablename__ = "services"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(30))  # consultation, therapy, procedure
    duration_minutes: Mapped[int] = mapped_column(Integer)
    follow_up_duration_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    room_types: Mapped[list] = mapped_column(JSON, default=list)
    skills: Mapped[list] = mapped_column(JSON, default=list)
    staff_count: Mapped[int] = mapped_column(Integer, default=1)
    prep_minutes: Mapped[int] = mapped_column(Integer, default=0)
    cleanup_minutes: Mapped[int] = mapped_column(Integer, default=0)
    equipment_kinds: Mapped[list] = mapped_column(JSON, default=list)  # one entry per item; repeat for two
    group_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2, asdecimal=True), default=Decimal("0"))
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    practitioners: Mapped[list["ServicePractitionerRow"]] = relationship(cascade="all, delete-orphan")


class ServicePractitionerRow(Base):
    """Who offers a service; a service with none is offered by everyone with its skills."""

    __tablename__ = "service_practitioners"
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), primary_key=True)


class AppointmentRow(_Stamped, Base):
    __tablename__ = "appointments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    room_id: Mapped[str | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20))
    approval_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20))  # front_desk, phone, walk_in, self_service
    follow_up_of: Mapped[str | None] = mapped_column(ForeignKey("appointments.id"), nullable=True, index=True)
    rescheduled_from: Mapped[str | None] = mapped_column(ForeignKey("appointments.id"), nullable=True, index=True)
    gender_match_required: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    staff: Mapped[list["AppointmentStaffRow"]] = relationship(cascade="all, delete-orphan")
    history: Mapped[list["AppointmentStatusRow"]] = relationship(
        cascade="all, delete-orphan", order_by=lambda: AppointmentStatusRow.seq)
    __mapper_args__ = {"version_id_col": row_version}


# The calendar reads a centre's days and the booking check reads a window around one day: both by centre and time.
Index("ix_appointments_centre_start", AppointmentRow.centre_id, AppointmentRow.start_at)
# A patient's other appointments (at any centre) and their no-show count.
Index("ix_appointments_patient_start", AppointmentRow.patient_id, AppointmentRow.start_at)


class AppointmentStaffRow(Base):
    __tablename__ = "appointment_staff"
    appointment_id: Mapped[str] = mapped_column(ForeignKey("appointments.id"), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), primary_key=True, index=True)


class AppointmentStatusRow(Base):
    """Append-only history: who moved the appointment from which status to which, when and why."""

    __tablename__ = "appointment_status_history"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    appointment_id: Mapped[str] = mapped_column(ForeignKey("appointments.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... within one appointment: the order, even at equal times
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    event: Mapped[str] = mapped_column(String(20))  # book, approve, confirm, check_in, ... reschedule
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(300), default="")


class WaitlistRow(_Stamped, Base):
    """A patient waiting for a service on a day and/or with a practitioner; an offered slot is kept here."""

    __tablename__ = "waitlist"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date | None] = mapped_column(Date, nullable=True)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(12))  # waiting, offered, booked, withdrawn
    offered_start: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    offered_end: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    offered_room_id: Mapped[str | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    offered_staff_ids: Mapped[list] = mapped_column(JSON, default=list)
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointments.id"), nullable=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


# Offers go first come, first served among the entries still waiting at a centre.
Index("ix_waitlist_centre_status_created", WaitlistRow.centre_id, WaitlistRow.status, WaitlistRow.created_at)


class BookingCounterRow(Base):
    """Next booking number per centre, device and day; bumped in the same transaction as the appointment insert."""

    __tablename__ = "booking_counters"
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    device_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)
