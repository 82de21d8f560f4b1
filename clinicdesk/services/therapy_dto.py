"""Plain values for care plans, the session board, the SOP runner, stock, incidents and outcome series."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class UnplacedSession:
    key: str
    therapy: str
    day_offset: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PhaseCount:
    phase: str
    planned: int
    completed: int
    cancelled: int


@dataclass(frozen=True)
class PlanSessionItem:
    id: str
    key: str
    therapy: str
    phase: str
    day_offset: int
    status: str
    appointment_id: str | None
    start: datetime | None  # centre-local, once scheduled
    end: datetime | None


@dataclass(frozen=True)
class PlanSummary:
    id: str
    patient_id: str
    centre_id: str
    name: str
    course_key: str
    course_version: int
    status: str
    start_date: date
    scheduled: bool
    phases: tuple[PhaseCount, ...]
    sessions: tuple[PlanSessionItem, ...]
    regimen: dict[str, tuple[str, ...]]  # phase -> home therapies
    contraindications: tuple[str, ...]
    expected_outcomes: tuple[str, ...]


@dataclass(frozen=True)
class BoardItem:
    """One session on the centre board (times centre-local)."""

    session_id: str
    plan_id: str
    appointment_id: str
    patient_id: str
    patient_name: str
    therapy: str
    room_name: str
    staff_names: tuple[str, ...]
    status: str
    start: datetime
    end: datetime
    started_at: datetime | None
    ended_at: datetime | None
    late: bool
    over_running: bool
    open_mandatory_steps: int
    deviations: int
    staff_ids: tuple[str, ...] = ()  # in the order of staff_names; "My day" matches on these, never on names
    consented: bool = True  # the plan has a procedure consent in force; without it the session cannot start


@dataclass(frozen=True)
class StepView:
    no: int
    text: str
    mandatory: bool
    safety_check: bool
    timer_seconds: int | None
    measure: str | None  # e.g. temperature_c
    unit: str
    low: Decimal | None
    high: Decimal | None
    materials: tuple[tuple[str, Decimal], ...]
    outcome: str | None = None  # done, skipped; None while open
    value: Decimal | None = None
    reason: str = ""
    deviation: bool = False


@dataclass(frozen=True)
class SessionEventItem:
    at: datetime
    by: str
    event: str
    from_status: str
    to_status: str
    reason: str


@dataclass(frozen=True)
class SessionDetail:
    board: BoardItem
    steps: tuple[StepView, ...]
    events: tuple[SessionEventItem, ...]
    vitals: tuple[dict, ...]
    dosages: tuple[dict, ...]
    materials: tuple[dict, ...]  # {item, batch_no, quantity, unit}


@dataclass(frozen=True)
class StockLine:
    item_id: str
    code: str
    name: str
    unit: str
    on_hand: Decimal  # usable (unexpired) stock
    expired: Decimal
    reorder_level: Decimal
    low: bool
    expiring_soon: tuple[tuple[str, date, Decimal], ...] = ()  # (batch no, expiry, left)


@dataclass(frozen=True)
class IncidentItem:
    id: str
    session_id: str | None
    patient_id: str | None
    severity: str
    description: str
    immediate_action: str
    follow_up_owner_id: str | None
    status: str
    resolution: str
    occurred_at: datetime


@dataclass(frozen=True)
class OutcomePoint:
    at: datetime  # centre-local
    day_of_course: int
    session_key: str | None
    symptom_scores: dict[str, int]
    energy: int | None
    sleep: int | None
    digestion: int | None
    side_effects: str


@dataclass(frozen=True)
class ProgressSeries:
    plan_id: str
    symptoms: tuple[str, ...]
    points: tuple[OutcomePoint, ...]
    sessions_due: int  # scheduled to have happened by now (not cancelled)
    sessions_completed: int
    phases: tuple[PhaseCount, ...] = field(default=())

    @property
    def adherence(self) -> float:
        return self.sessions_completed / self.sessions_due if self.sessions_due else 1.0


@dataclass(frozen=True)
class PlanConsentStatus:
    """Whether a care plan has an active signed procedure consent (the signature itself stays sealed)."""

    plan_id: str
    patient_name: str
    consent_id: str | None = None
    typed_name: str = ""
    text_version: str = ""
    signed_at: datetime | None = None
    witness_name: str = ""

    @property
    def consented(self) -> bool:
        return self.consent_id is not None


@dataclass(frozen=True)
class SessionPhotoItem:
    id: str
    kind: str
    mime_type: str
    size_bytes: int
    taken_at: datetime
    taken_by_name: str


@dataclass(frozen=True)
class TemplateVersionItem:
    version: int
    effective_from: date | None  # None: a shipped therapy, in force since installation
    source: str  # shipped (a file under resources/protocols) or admin (saved in the app)
    note: str = ""
    created_by: str = ""
    created_at: datetime | None = None  # centre-local


@dataclass(frozen=True)
class TemplateItem:
    """One protocol template with every version; `in_force` is the version used for a plan starting today."""

    kind: str  # therapy, sop, course
    key: str
    name: str
    in_force: int | None
    versions: tuple[TemplateVersionItem, ...]


@dataclass(frozen=True)
class TemplateDraft:
    """What the editor starts from: the latest version's body, the number the new one will get, the therapies."""

    kind: str
    key: str
    name: str
    body: dict
    next_version: int
    earliest_effective: date  # today: a version never takes effect in the past
    therapies: tuple[tuple[str, str], ...]  # (key, name) of every therapy, for the editor's choices
