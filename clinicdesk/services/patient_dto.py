"""Plain values the patient services hand to screens; no Session or Row ever leaves a service."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from clinicdesk.domain.patients import PatientDraft


@dataclass(frozen=True)
class PatientSummary:
    id: str
    uhid: str
    display_name: str
    name_local: str
    date_of_birth: date
    sex: str
    phone: str
    abha_number: str


@dataclass(frozen=True)
class AllergyItem:
    id: str
    substance: str
    reaction: str
    severity: str


@dataclass(frozen=True)
class MedicationItem:
    id: str
    name: str
    dose: str
    frequency: str
    since: date | None


@dataclass(frozen=True)
class AssessmentItem:
    id: str
    assessed_at: datetime
    assessed_by: str
    vata: int
    pitta: int
    kapha: int
    prakriti: str
    vikriti: str
    agni: str
    koshta: str
    sleep: str
    stress: str
    energy: str
    notes: str


@dataclass(frozen=True)
class ConsentItem:
    id: str
    kind: str
    version: str
    given_at: datetime
    method: str
    witness: str
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class CommunicationPreferences:
    channels: tuple[str, ...] = ("sms",)
    language: str = "en"
    reminder_hours_before: int = 24
    quiet_start: time | None = time(21, 0)
    quiet_end: time | None = time(8, 0)
    do_not_disturb: bool = False
    marketing_opt_in: bool = False


@dataclass(frozen=True)
class DocumentItem:
    id: str
    title: str
    mime_type: str
    size_bytes: int
    added_at: datetime


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str
    text: str


@dataclass(frozen=True)
class PatientProfile:
    id: str
    uhid: str
    centre_id: str
    draft: PatientDraft  # aadhaar left empty; see aadhaar_masked
    aadhaar_masked: str
    row_version: int
    created_at: datetime
    allergies: tuple[AllergyItem, ...] = ()
    medications: tuple[MedicationItem, ...] = ()
    assessments: tuple[AssessmentItem, ...] = ()
    consents: tuple[ConsentItem, ...] = ()
    preferences: CommunicationPreferences = field(default_factory=CommunicationPreferences)
    documents: tuple[DocumentItem, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()

    @property
    def display_name(self) -> str:
        return f"{self.draft.given_name} {self.draft.family_name}".strip()
