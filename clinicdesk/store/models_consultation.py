"""SQLAlchemy rows for a doctor's consultation: recording consent, recordings, transcripts, notes, vitals, Rx."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, LargeBinary, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.store.models import Base, UtcDateTime, _Stamped

_QTY = Numeric(12, 3, asdecimal=True)


class ConsultationRow(_Stamped, Base):
    """One visit to a doctor; its status follows domain.consultations.TRANSITIONS."""

    __tablename__ = "consultations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    appointment_id: Mapped[str | None] = mapped_column(ForeignKey("appointments.id"), nullable=True, index=True)
    doctor_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    room_id: Mapped[str | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class RecordingConsentRow(Base):
    """The patient's consent to audio recording (verbal and witnessed, or signed); withdrawn, never deleted."""

    __tablename__ = "recording_consents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # verbal, signed
    witnessed_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    typed_name: Mapped[str] = mapped_column(String(200), default="")
    sealed_signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # "recording-consent:<id>"
    recorded_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    given_at: Mapped[datetime] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class RecordingRow(Base):
    """An encrypted audio file in the data directory; its own key is stored wrapped with the database key."""

    __tablename__ = "recordings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))  # relative to the data directory
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[Decimal] = mapped_column(Numeric(9, 2, asdecimal=True), default=Decimal(0))
    state: Mapped[str] = mapped_column(String(12))  # recording, complete, interrupted, deleted
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    delete_after: Mapped[date] = mapped_column(Date, index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    deletion_reason: Mapped[str] = mapped_column(String(40), default="")  # retention, consent withdrawn


class TranscriptRow(Base):
    """What Whisper heard; text and timed segments are sealed with "transcript:<id>"."""

    __tablename__ = "transcripts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"), index=True)
    recording_id: Mapped[str | None] = mapped_column(ForeignKey("recordings.id"), nullable=True)
    model: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(10))
    sealed_text: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_segments: Mapped[bytes] = mapped_column(LargeBinary)  # JSON [{start, end, text}]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)


class ClinicalNoteRow(Base):
    """One version of a SOAP note (append-only); the newest version is current, a signed one is final."""

    __tablename__ = "clinical_notes"
    __table_args__ = (UniqueConstraint("consultation_id", "version"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sealed_sections: Mapped[bytes] = mapped_column(LargeBinary)  # JSON, sealed with "clinical-note:<id>"
    status: Mapped[str] = mapped_column(String(8))  # draft, signed
    source_transcript_id: Mapped[str | None] = mapped_column(ForeignKey("transcripts.id"), nullable=True)
    written_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
    signed_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical sections JSON


class NoteAddendumRow(Base):
    """A later addition to a signed note; the text is sealed with "note-addendum:<id>"."""

    __tablename__ = "note_addenda"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("clinical_notes.id"), index=True)
    sealed_text: Mapped[bytes] = mapped_column(LargeBinary)
    author_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class ConsultationVitalsRow(Base):
    """Vitals taken in a consultation (therapy sessions keep theirs in session_vitals)."""

    __tablename__ = "consultation_vitals"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    bp_systolic: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bp_diastolic: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pulse_bpm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    temperature_c: Mapped[Decimal | None] = mapped_column(Numeric(4, 1, asdecimal=True), nullable=True)
    spo2_percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    respiratory_rate: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height_cm: Mapped[Decimal | None] = mapped_column(Numeric(5, 1, asdecimal=True), nullable=True)
    weight_kg: Mapped[Decimal | None] = mapped_column(Numeric(5, 1, asdecimal=True), nullable=True)
    bmi: Mapped[Decimal | None] = mapped_column(Numeric(4, 1, asdecimal=True), nullable=True)
    recorded_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class PrescriptionRow(Base):
    """A prescription written in a consultation; append-only (a change is a new prescription)."""

    __tablename__ = "prescriptions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultations.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    prescribed_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    prescribed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    allergy_warnings_acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)


class PrescriptionItemRow(Base):
    """One medicine on a prescription, with its frequency preset and whether the clinic dispensed it."""

    __tablename__ = "prescription_items"
    __table_args__ = (UniqueConstraint("prescription_id", "line_no"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    prescription_id: Mapped[str] = mapped_column(ForeignKey("prescriptions.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    drug_name: Mapped[str] = mapped_column(String(120))
    stock_item_id: Mapped[str | None] = mapped_column(ForeignKey("stock_items.id"), nullable=True)
    dose: Mapped[Decimal] = mapped_column(_QTY)
    dose_unit: Mapped[str] = mapped_column(String(12))
    frequency_code: Mapped[str] = mapped_column(String(12))  # OD, BD, TDS, QID, HS, SOS, 1-0-1...
    food_timing: Mapped[str] = mapped_column(String(12), default="")  # before_food, after_food, with_food
    duration_days: Mapped[int] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(20), default="oral")
    quantity: Mapped[Decimal] = mapped_column(_QTY)
    instructions: Mapped[str] = mapped_column(String(300), default="")
    dispense_in_house: Mapped[bool] = mapped_column(Boolean, default=False)
    dispensed: Mapped[list] = mapped_column(JSON, default=list)  # [{batch_no, quantity}] taken earliest expiry first
