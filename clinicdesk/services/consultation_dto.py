"""Plain values the consultation services return and take: no Session or Row leaves a service."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from clinicdesk.domain.vitals import VitalAlert
from clinicdesk.services.patient_dto import AllergyItem, MedicationItem


@dataclass(frozen=True)
class ConsultationItem:
    id: str
    patient_id: str
    appointment_id: str | None
    doctor_id: str
    doctor_name: str
    status: str
    started_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True)
class RecordingStart:
    """What the capture code needs: write to `path` with EncryptedAudioWriter(path, recording_key, ...)."""

    recording_id: str
    path: Path
    recording_key: bytes = field(repr=False)
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class RecordingItem:
    id: str
    consultation_id: str
    patient_id: str
    state: str
    seconds: Decimal
    started_at: datetime
    delete_after: date
    deleted_at: datetime | None
    deletion_reason: str


@dataclass(frozen=True)
class RecordingConsentStatus:
    consultation_id: str
    consent_id: str | None = None  # None: no active consent, so recording is refused
    kind: str = ""
    given_at: datetime | None = None
    witness_name: str = ""


@dataclass(frozen=True)
class TranscriptSegment:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class VitalsResult:
    vitals_id: str
    bmi: Decimal | None
    bmi_category: str  # Asia-Pacific cut-offs; "" without height and weight
    alerts: tuple[VitalAlert, ...]


@dataclass(frozen=True)
class SourceSpan:
    """Where a note sentence came from: which transcript segment, which characters, and when it was said."""

    segment: int
    start: int
    end: int
    start_seconds: float
    end_seconds: float
    quote: str


@dataclass(frozen=True)
class NoteSentence:
    text: str
    sources: tuple[SourceSpan, ...]
    supported: bool  # False: not heard in the recording; shown flagged until the doctor signs


@dataclass(frozen=True)
class DraftedMedication:
    name: str
    dose: Decimal | None
    dose_unit: str
    frequency: str
    food_timing: str
    duration_days: int | None
    route: str


@dataclass(frozen=True)
class AddendumItem:
    id: str
    text: str
    author_name: str
    at: datetime


@dataclass(frozen=True)
class NoteView:
    note_id: str
    consultation_id: str
    version: int
    status: str  # draft, signed
    sections: dict[str, tuple[NoteSentence, ...]]
    vitals: dict[str, Decimal]
    medications: tuple[DraftedMedication, ...]
    written_at: datetime
    signed_by_name: str = ""
    signed_at: datetime | None = None
    content_hash: str = ""
    addenda: tuple[AddendumItem, ...] = ()

    @property
    def flagged(self) -> list[tuple[str, NoteSentence]]:
        return [(name, s) for name, lines in self.sections.items() for s in lines if not s.supported]


@dataclass(frozen=True)
class DiagnosisHit:
    code: str
    description: str


@dataclass(frozen=True)
class PrescriptionLine:
    """One medicine as the doctor enters it; quantity None means dose x frequency x days."""

    drug_name: str
    dose: Decimal | str | int
    dose_unit: str
    frequency: str  # OD, BD, TDS, QID, HS, SOS or 1-0-1...
    duration_days: int
    route: str = "oral"
    food_timing: str = ""
    quantity: Decimal | str | int | None = None
    instructions: str = ""
    stock_item_id: str | None = None
    dispense_in_house: bool = False


@dataclass(frozen=True)
class AllergyWarning:
    line_no: int
    drug: str
    allergy: str
    severity: str
    reason: str


@dataclass(frozen=True)
class StockAvailability:
    line_no: int
    stock_item_id: str
    item_name: str
    unit: str
    needed: Decimal
    available: Decimal  # usable (unexpired) stock

    @property
    def enough(self) -> bool:
        return self.available >= self.needed


@dataclass(frozen=True)
class PrescriptionResult:
    """prescription_id None: nothing was saved because allergy warnings wait for the doctor's acknowledgement."""

    prescription_id: str | None
    warnings: tuple[AllergyWarning, ...]
    availability: tuple[StockAvailability, ...]
    quantities: tuple[Decimal, ...] = ()  # per line, as saved
    dispensed: tuple[tuple[int, str, Decimal], ...] = ()  # (line no, batch no, quantity) taken from stock


@dataclass(frozen=True)
class PreviousVisit:
    consultation_id: str
    started_at: datetime | None
    doctor_name: str
    status: str
    chief_complaint: str
    assessment: str
    plan: str
    prescribed: tuple[str, ...]


@dataclass(frozen=True)
class ConsultationSummary:
    """The always-visible panel: who, what they react to, what they take, what happened last time."""

    patient_id: str
    patient_name: str
    allergies: tuple[AllergyItem, ...]
    medications: tuple[MedicationItem, ...]
    previous_visit: PreviousVisit | None
