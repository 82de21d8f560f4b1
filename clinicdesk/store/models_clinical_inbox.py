"""SQLAlchemy rows for clinical records that arrive from outside: lab results and filled intake forms."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.store.models import Base, UtcDateTime


class LabResultRow(Base):
    """One result of one test; numbers are kept as their exact decimal text. The flag is the domain's verdict."""

    __tablename__ = "lab_results"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    test: Mapped[str] = mapped_column(String(120))
    taken_on: Mapped[date] = mapped_column(Date)
    value_text: Mapped[str] = mapped_column(String(200))
    value_number: Mapped[str | None] = mapped_column(String(40), nullable=True)  # None: a result in words
    unit: Mapped[str] = mapped_column(String(30), default="")
    ref_low: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ref_high: Mapped[str | None] = mapped_column(String(40), nullable=True)
    critical_low: Mapped[str | None] = mapped_column(String(40), nullable=True)
    critical_high: Mapped[str | None] = mapped_column(String(40), nullable=True)
    flag: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[str | None] = mapped_column(ForeignKey("patient_documents.id"), nullable=True)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    entered_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    alerted_staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


Index("ix_lab_results_patient_test", LabResultRow.patient_id, LabResultRow.test, LabResultRow.taken_on)


class IntakeFormVersionRow(Base):
    """The exact definition a response was filled against, kept so old answers still read after a new version."""

    __tablename__ = "intake_form_versions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    form_key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # the definition as JSON, as in resources/intake_forms
    first_used_at: Mapped[datetime] = mapped_column(UtcDateTime)
    __table_args__ = (UniqueConstraint("form_key", "version"),)


class IntakeFormResponseRow(Base):
    """One filled form: the answers are sealed (db.sealer) like documents; lists show only form, date and who."""

    __tablename__ = "intake_form_responses"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    form_version_id: Mapped[str] = mapped_column(ForeignKey("intake_form_versions.id"))
    sealed_answers: Mapped[bytes] = mapped_column(LargeBinary)
    filled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    filled_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    filled_on: Mapped[str] = mapped_column(String(8))  # desk or tablet
