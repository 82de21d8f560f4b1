"""Plain values the message screens show: a queued message, one delivery attempt, a staff alert."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AttemptItem:
    at: datetime
    outcome: str  # accepted, offline, temporary, permanent, uncertain, interrupted
    reason: str


@dataclass(frozen=True)
class MessageItem:
    id: str
    patient_id: str
    patient_name: str
    uhid: str
    appointment_id: str | None
    template_key: str
    template_name: str
    category: str
    language: str
    channel: str
    subject: str
    body: str
    status: str
    send_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime
    attempts: int  # every try, including those made while offline
    last_reason: str
    emergency: bool

    @property
    def can_retry(self) -> bool:
        return self.status == "failed"

    @property
    def can_cancel(self) -> bool:
        return self.status in ("scheduled", "due", "failed")


@dataclass(frozen=True)
class StaffAlertItem:
    id: str
    text: str
    patient_id: str | None
    patient_name: str
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class SendReport:
    """What one run of the sender did (counts only: no patient data)."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    expired: int = 0
    waiting_for_settings: int = 0
