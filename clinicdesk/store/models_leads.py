"""SQLAlchemy rows for the enquiries pipeline: leads, their status history, and where round-robin assignment stands."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.store.models import Base, UtcDateTime


class LeadRow(Base):
    """One enquiry from someone who is not (yet) a patient; `patient_id` is set when they convert."""

    __tablename__ = "leads"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(12))
    interest: Mapped[str] = mapped_column(String(200), default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    referred_by: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(12))
    lost_reason: Mapped[str] = mapped_column(String(40), default="")
    assigned_to: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the intervention queue is oldest first


Index("ix_leads_centre_status", LeadRow.centre_id, LeadRow.status, LeadRow.status_changed_at)
Index("ix_leads_created_at", LeadRow.created_at)


class LeadEventRow(Base):
    """Append-only: who moved or noted a lead, when, from which status to which, and why."""

    __tablename__ = "lead_events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lead_id: Mapped[str] = mapped_column(ForeignKey("leads.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    event: Mapped[str] = mapped_column(String(12))  # created, contact, hesitate, convert, lose, reopen, assign
    from_status: Mapped[str] = mapped_column(String(12), default="")
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (UniqueConstraint("lead_id", "seq"),)


class LeadAssignmentRow(Base):
    """The officer who got the last new lead of a centre: round robin resumes after them, across restarts."""

    __tablename__ = "lead_assignment"
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    last_staff_id: Mapped[str] = mapped_column(String(36))
