"""Plain values the feedback services hand to screens: complaints with their responses, practitioner ratings."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ComplaintResponseItem:
    at: datetime
    by_name: str
    from_status: str
    to_status: str
    text: str


@dataclass(frozen=True)
class ComplaintItem:
    id: str
    patient_id: str | None  # None: from anonymous feedback
    patient_name: str  # "Anonymous" when there is no patient link
    summary: str
    status: str
    owner_id: str | None
    owner_name: str
    source: str  # "desk" or "rule:<key>"
    opened_at: datetime
    updated_at: datetime
    responses: tuple[ComplaintResponseItem, ...] = ()


@dataclass(frozen=True)
class PractitionerMonth:
    """Average ratings a practitioner received in one calendar month (centre time) and how many forms."""

    practitioner_id: str
    practitioner_name: str
    month: str  # "2026-11"
    count: int
    averages: dict[str, float]  # each rating dimension and "recommend" -> mean, to 2 places
