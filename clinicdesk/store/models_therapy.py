"""SQLAlchemy rows for therapy: care plans, sessions, SOP records, vitals, dosages, stock, incidents, outcomes."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinicdesk.store.models import Base, UtcDateTime, _Stamped

_QTY = Numeric(12, 3, asdecimal=True)


class CarePlanRow(_Stamped, Base):
    """A patient's course, made from one version of a course template."""

    __tablename__ = "care_plans"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    course_key: Mapped[str] = mapped_column(String(40))
    course_version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    start_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))  # planned, active, paused, completed, cancelled
    rest_days: Mapped[list] = mapped_column(JSON, default=list)  # day offsets
    max_days_late: Mapped[int] = mapped_column(Integer, default=1)
    scheduled: Mapped[bool] = mapped_column(default=False)  # every session holds an appointment
    notes: Mapped[str] = mapped_column(Text, default="")
    doctor_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    sessions: Mapped[list["PlanSessionRow"]] = relationship(
        cascade="all, delete-orphan", order_by=lambda: (PlanSessionRow.day_offset, PlanSessionRow.seq))
    __mapper_args__ = {"version_id_col": row_version}


class PlanSessionRow(Base):
    """One session of a plan; once scheduled it holds its appointment, and a snapshot of its SOP."""

    __tablename__ = "plan_sessions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("care_plans.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # the template's order within a day
    key: Mapped[str] = mapped_column(String(32))  # e.g. abh-5: the scheduling engine's session id
    therapy: Mapped[str] = mapped_column(String(40))
    phase: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    day_offset: Mapped[int] = mapped_column(Integer)
    after: Mapped[list] = mapped_column(JSON, default=list)  # [{session, min_gap_days, max_gap_days, min_gap_minutes}]
    status: Mapped[str] = mapped_column(String(16))
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointments.id"), nullable=True, unique=True)
    sop_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sop_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sop_steps: Mapped[list] = mapped_column(JSON, default=list)  # kept with the session: a later SOP edit never
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # changes a session's record
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (UniqueConstraint("plan_id", "key"),)


class SessionEventRow(Base):
    """Append-only: who moved a session from which status to which, and when."""

    __tablename__ = "session_events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("plan_sessions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    event: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(16), default="")
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300), default="")


class SopStepRecordRow(Base):
    """What happened at one SOP step: done or skipped (a deviation) with the reason, value and timer."""

    __tablename__ = "sop_step_records"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("plan_sessions.id"))
    step_no: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(8))  # done, skipped
    value: Mapped[Decimal | None] = mapped_column(_QTY, nullable=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    deviation: Mapped[bool] = mapped_column(default=False)
    timer_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    __table_args__ = (UniqueConstraint("session_id", "step_no"),)


class VitalsRow(Base):
    __tablename__ = "session_vitals"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("plan_sessions.id"), index=True)
    moment: Mapped[str] = mapped_column(String(8))  # before, after
    pulse_bpm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bp_systolic: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bp_diastolic: Mapped[int | None] = mapped_column(Integer, nullable=True)
    temperature_c: Mapped[Decimal | None] = mapped_column(Numeric(4, 1, asdecimal=True), nullable=True)
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(5, 1, asdecimal=True), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class DosageRow(Base):
    """A medicine given in a session (ghee in Snehapana, the purgative in Virechana...)."""

    __tablename__ = "session_dosages"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("plan_sessions.id"), index=True)
    medicine: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[Decimal] = mapped_column(_QTY)
    unit: Mapped[str] = mapped_column(String(12))
    route: Mapped[str] = mapped_column(String(20), default="oral")
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class StockItemRow(_Stamped, Base):
    __tablename__ = "stock_items"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    code: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(12))  # ml, g, piece
    reorder_level: Mapped[Decimal] = mapped_column(_QTY, default=Decimal(0))
    active: Mapped[bool] = mapped_column(default=True)
    __table_args__ = (UniqueConstraint("centre_id", "code"),)


class StockBatchRow(Base):
    __tablename__ = "stock_batches"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("stock_items.id"), index=True)
    batch_no: Mapped[str] = mapped_column(String(40))
    expiry: Mapped[date | None] = mapped_column(Date, nullable=True)
    received: Mapped[Decimal] = mapped_column(_QTY)
    left: Mapped[Decimal] = mapped_column(_QTY)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StockMovementRow(Base):
    """Append-only ledger: every receipt and every use, with the session it went to."""

    __tablename__ = "stock_movements"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("stock_items.id"), index=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("stock_batches.id"))
    kind: Mapped[str] = mapped_column(String(10))  # receive, use
    quantity: Mapped[Decimal] = mapped_column(_QTY)  # positive in, negative out
    session_id: Mapped[str | None] = mapped_column(ForeignKey("plan_sessions.id"), nullable=True, index=True)
    step_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class IncidentRow(_Stamped, Base):
    __tablename__ = "incidents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    session_id: Mapped[str | None] = mapped_column(ForeignKey("plan_sessions.id"), nullable=True, index=True)
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"), nullable=True)
    severity: Mapped[str] = mapped_column(String(12))
    description: Mapped[str] = mapped_column(Text)
    immediate_action: Mapped[str] = mapped_column(Text, default="")
    follow_up_owner_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(14))  # open, investigating, resolved, closed
    resolution: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)


Index("ix_incidents_centre_status", IncidentRow.centre_id, IncidentRow.status)


class OutcomeReportRow(Base):
    """What the patient reports after a session: symptom scores 0-10, side effects, energy, sleep, digestion."""

    __tablename__ = "outcome_reports"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("care_plans.id"), index=True)
    session_id: Mapped[str | None] = mapped_column(ForeignKey("plan_sessions.id"), nullable=True)
    symptom_scores: Mapped[dict] = mapped_column(JSON, default=dict)
    energy: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sleep: Mapped[int | None] = mapped_column(Integer, nullable=True)
    digestion: Mapped[int | None] = mapped_column(Integer, nullable=True)
    side_effects: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
