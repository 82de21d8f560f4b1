"""SQLAlchemy rows for procedure consents (typed name and drawn signature) and before/after session photos."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.store.models import Base, UtcDateTime


class ProcedureConsentRow(Base):
    """A patient's consent to a care plan's procedures; the signature image is sealed. Withdrawn, never deleted."""

    __tablename__ = "procedure_consents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("care_plans.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    typed_name: Mapped[str] = mapped_column(String(200))
    sealed_signature: Mapped[bytes] = mapped_column(LargeBinary)  # PNG, sealed with "procedure-consent:<id>"
    text_version: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    witness_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SessionPhotoRow(Base):
    """A before or after photo of a plan session; the image is sealed with "session-photo:<id>"."""

    __tablename__ = "session_photos"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("plan_sessions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # before, after
    mime_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
    taken_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
