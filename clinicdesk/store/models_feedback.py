"""SQLAlchemy rows for the feedback loop: feedback, complaints, care rules and their firings, clinician tasks."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.store.models import Base, UtcDateTime


class FeedbackRow(Base):
    """One feedback form. Anonymous: patient, plan and session stay empty; the practitioner, therapy and centre stay,
    because the ratings per practitioner and the rules need them and they do not identify the patient."""

    __tablename__ = "feedback"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    scope: Mapped[str] = mapped_column(String(8))  # session, course
    anonymous: Mapped[bool] = mapped_column(default=False)
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"), nullable=True, index=True)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("care_plans.id"), nullable=True)
    session_id: Mapped[str | None] = mapped_column(ForeignKey("plan_sessions.id"), nullable=True)
    practitioner_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    therapy: Mapped[str] = mapped_column(String(40), default="")
    effectiveness: Mapped[int] = mapped_column(Integer)
    practitioner: Mapped[int] = mapped_column(Integer)
    facility: Mapped[int] = mapped_column(Integer)
    staff: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(Integer)
    overall: Mapped[int] = mapped_column(Integer)
    recommend: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)


Index("ix_feedback_practitioner_at", FeedbackRow.practitioner_id, FeedbackRow.submitted_at)


class ComplaintRow(Base):
    """A complaint and where it stands: pending, in progress, resolved, closed."""

    __tablename__ = "complaints"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"), nullable=True)  # None: anonymous
    feedback_id: Mapped[str | None] = mapped_column(ForeignKey("feedback.id"), nullable=True, unique=True)
    summary: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    source: Mapped[str] = mapped_column(String(60))  # "desk", or "rule:<key>" when a care rule opened it
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ComplaintResponseRow(Base):
    """Append-only: who moved or answered a complaint, when, and what they said."""

    __tablename__ = "complaint_responses"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (UniqueConstraint("complaint_id", "seq"),)


class CareRuleRow(Base):
    """One saved version of a care rule (the JSON the director edited); the highest version of a key is in force."""

    __tablename__ = "care_rules"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)  # the rule as JSON, exactly the format of resources/rules
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    saved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    __table_args__ = (UniqueConstraint("key", "version"),)


class RuleFiringRow(Base):
    """Append-only log: which rule version fired, on which event, with only the facts its conditions read."""

    __tablename__ = "rule_firings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    rule_key: Mapped[str] = mapped_column(String(40))
    rule_version: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(24))
    source_id: Mapped[str] = mapped_column(String(36))  # the outcome report, feedback or plan that was evaluated
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"), nullable=True)  # None: anonymous
    evidence: Mapped[dict] = mapped_column(JSON)  # fact -> value, only those the conditions read
    actions: Mapped[list] = mapped_column(JSON)  # [{"do": ..., "result": "task <id>" / "complaint <id>" ...}]


class ClinicianTaskRow(Base):
    """Something a person must do for a patient by a time: call them, offer other slots, send what could not be sent."""

    __tablename__ = "clinician_tasks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # an ActionKind, or "manual"
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"), nullable=True)
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)  # None: whoever is free
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(300))  # why, in words (rule name and evidence; no free text)
    firing_id: Mapped[str | None] = mapped_column(ForeignKey("rule_firings.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    done_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class SessionFlagRow(Base):
    """A mark on a planned session, such as "reduced intensity" after a rule fired; shown to whoever runs it."""

    __tablename__ = "session_flags"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("plan_sessions.id"), index=True)
    flag: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(String(300))
    firing_id: Mapped[str | None] = mapped_column(ForeignKey("rule_firings.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (UniqueConstraint("session_id", "flag"),)
