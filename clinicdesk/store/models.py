"""SQLAlchemy rows for the whole clinic's records (suffix Row); later features add their own modules."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict: JSON, list: JSON}


class _Stamped:
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


# --- settings -----------------------------------------------------------------------------------------------

class SettingRow(Base):
    """Clinic-wide settings as key/value pairs (clinic name, idle lock minutes...)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- centres, rooms, equipment ------------------------------------------------------------------------------

class CentreRow(_Stamped, Base):
    __tablename__ = "centres"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Kolkata")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    gstin: Mapped[str] = mapped_column(String(15), default="")
    state: Mapped[str] = mapped_column(String(80), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    holidays: Mapped[list["HolidayRow"]] = relationship(back_populates="centre", cascade="all, delete-orphan",
                                                        order_by="HolidayRow.day")


class HolidayRow(Base):
    __tablename__ = "centre_holidays"
    __table_args__ = (UniqueConstraint("centre_id", "day"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120))
    centre: Mapped[CentreRow] = relationship(back_populates="holidays")


class RoomRow(_Stamped, Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("centre_id", "name"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    room_type: Mapped[str] = mapped_column(String(40))
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    gender_restriction: Mapped[str] = mapped_column(String(10), default="any")  # any, female, male
    cleaning_buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class EquipmentRow(_Stamped, Base):
    __tablename__ = "equipment"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    room_id: Mapped[str | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# --- staff -----------------------------------------------------------------------------------------------------

class StaffRow(_Stamped, Base):
    __tablename__ = "staff"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30))
    gender: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    profile: Mapped["PractitionerProfileRow | None"] = relationship(cascade="all, delete-orphan",
                                                                    uselist=False)
    hours: Mapped[list["WorkingHoursRow"]] = relationship(cascade="all, delete-orphan",
                                                          order_by="WorkingHoursRow.weekday")
    leave: Mapped[list["LeaveRow"]] = relationship(cascade="all, delete-orphan", order_by="LeaveRow.start_day")


class PractitionerProfileRow(Base):
    __tablename__ = "practitioner_profiles"
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    licence_number: Mapped[str] = mapped_column(String(40), default="")
    qualifications: Mapped[str] = mapped_column(String(200), default="")
    specialisations: Mapped[list] = mapped_column(JSON, default=list)
    skills: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    consultation_fee: Mapped[Decimal] = mapped_column(Numeric(10, 2, asdecimal=True), default=Decimal("0"))
    verification_status: Mapped[str] = mapped_column(String(20), default="pending")
    credential_expiry: Mapped[date | None] = mapped_column(Date, nullable=True)


class WorkingHoursRow(Base):
    __tablename__ = "working_hours"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    break_start: Mapped[time | None] = mapped_column(Time, nullable=True)
    break_end: Mapped[time | None] = mapped_column(Time, nullable=True)
    effective_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    effective_until: Mapped[date | None] = mapped_column(Date, nullable=True)


class LeaveRow(Base):
    __tablename__ = "staff_leave"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")


# --- patients ----------------------------------------------------------------------------------------------

class UhidCounterRow(Base):
    """Next hospital number per centre on this device; bumped in the same transaction as the patient insert."""

    __tablename__ = "uhid_counters"
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    device_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


class PatientRow(_Stamped, Base):
    __tablename__ = "patients"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    centre_id: Mapped[str] = mapped_column(ForeignKey("centres.id"), index=True)
    uhid: Mapped[str] = mapped_column(String(24), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100), default="")
    name_local: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(10))
    blood_group: Mapped[str] = mapped_column(String(3), default="")
    phone: Mapped[str] = mapped_column(String(16), index=True)
    alt_phone: Mapped[str] = mapped_column(String(16), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address_line: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    state: Mapped[str] = mapped_column(String(80), default="")
    pincode: Mapped[str] = mapped_column(String(6), default="")
    aadhaar_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    aadhaar_last4: Mapped[str] = mapped_column(String(4), default="")
    aadhaar_lookup: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    abha_number: Mapped[str] = mapped_column(String(17), default="")
    abha_address: Mapped[str] = mapped_column(String(60), default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(100), default="")
    emergency_contact_relation: Mapped[str] = mapped_column(String(60), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(16), default="")
    occupation: Mapped[str] = mapped_column(String(120), default="")
    preferred_language: Mapped[str] = mapped_column(String(5), default="en")
    medical_history: Mapped[str] = mapped_column(Text, default="")
    family_history: Mapped[str] = mapped_column(Text, default="")
    lifestyle: Mapped[str] = mapped_column(Text, default="")
    diet: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": row_version}


# The reception list with nothing typed shows the most recently changed patients; without this index that list
# read and sorted every patient (about 200 ms at 100,000 patients on SQLCipher).
Index("ix_patients_updated_at", PatientRow.updated_at)


class AllergyRow(Base):
    __tablename__ = "patient_allergies"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    substance: Mapped[str] = mapped_column(String(120))
    reaction: Mapped[str] = mapped_column(String(200), default="")
    severity: Mapped[str] = mapped_column(String(10), default="moderate")  # mild, moderate, severe
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class MedicationRow(Base):
    __tablename__ = "patient_medications"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    dose: Mapped[str] = mapped_column(String(60), default="")
    frequency: Mapped[str] = mapped_column(String(60), default="")
    since: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class AssessmentRow(Base):
    """Ayurvedic assessment; append-only versions, the newest is current."""

    __tablename__ = "ayurvedic_assessments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    assessed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    assessed_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    prakriti_answers: Mapped[dict] = mapped_column(JSON, default=dict)
    vikriti_answers: Mapped[dict] = mapped_column(JSON, default=dict)
    vata: Mapped[int] = mapped_column(Integer)
    pitta: Mapped[int] = mapped_column(Integer)
    kapha: Mapped[int] = mapped_column(Integer)
    prakriti: Mapped[str] = mapped_column(String(30))
    vikriti: Mapped[str] = mapped_column(String(30), default="")
    agni: Mapped[str] = mapped_column(String(30), default="")
    koshta: Mapped[str] = mapped_column(String(30), default="")
    sleep: Mapped[str] = mapped_column(String(30), default="")
    stress: Mapped[str] = mapped_column(String(30), default="")
    energy: Mapped[str] = mapped_column(String(30), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class ConsentRow(Base):
    __tablename__ = "patient_consents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # treatment, data_processing, recording, marketing...
    version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UtcDateTime)
    method: Mapped[str] = mapped_column(String(20))  # signed, verbal, digital
    witness_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class CommunicationPreferenceRow(Base):
    __tablename__ = "communication_preferences"
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    channels: Mapped[list] = mapped_column(JSON, default=list)  # sms, whatsapp, email, phone
    language: Mapped[str] = mapped_column(String(5), default="en")
    reminder_hours_before: Mapped[int] = mapped_column(Integer, default=24)
    quiet_start: Mapped[time | None] = mapped_column(Time, nullable=True)
    quiet_end: Mapped[time | None] = mapped_column(Time, nullable=True)
    do_not_disturb: Mapped[bool] = mapped_column(Boolean, default=False)
    marketing_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)


class PatientDocumentRow(Base):
    """Attachments encrypted with a per-database document key on top of SQLCipher (they also travel in backups)."""

    __tablename__ = "patient_documents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    mime_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    sealed_content: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)
    added_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))


# --- audit -----------------------------------------------------------------------------------------------------

class AuditEntryRow(Base):
    """Append-only, hash-chained: who did what to which record, when. Never patient values."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(300), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


Index("ix_audit_entity", AuditEntryRow.entity, AuditEntryRow.entity_id)


# Feature modules declare their rows on the same Base; importing them here puts every table in Base.metadata,
# which is what Alembic compares against (migrations/env.py imports only this module).
from clinicdesk.store import (  # noqa: E402,F401
    blob_sync_state,
    models_billing,
    models_clinical_inbox,
    models_consent_media,
    models_consultation,
    models_feedback,
    models_leads,
    models_notifications,
    models_portal,
    models_protocols,
    models_scheduling,
    models_therapy,
    outbox,
)
