"""Incidents and near misses: what is recorded, and the resolution status table."""

from dataclasses import dataclass
from enum import StrEnum

from clinicdesk.domain.errors import IllegalTransition, ValidationError


class Severity(StrEnum):
    NEAR_MISS = "near_miss"  # caught before it reached the patient
    MINOR = "minor"
    MODERATE = "moderate"
    SEVERE = "severe"


class Resolution(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    CLOSED = "closed"


class IncidentEvent(StrEnum):
    INVESTIGATE = "investigate"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


TRANSITIONS: dict[Resolution, dict[IncidentEvent, Resolution]] = {
    Resolution.OPEN: {IncidentEvent.INVESTIGATE: Resolution.INVESTIGATING, IncidentEvent.RESOLVE: Resolution.RESOLVED},
    Resolution.INVESTIGATING: {IncidentEvent.RESOLVE: Resolution.RESOLVED},
    Resolution.RESOLVED: {IncidentEvent.CLOSE: Resolution.CLOSED, IncidentEvent.REOPEN: Resolution.OPEN},
    Resolution.CLOSED: {},
}


_WORDS = {IncidentEvent.INVESTIGATE: "put under investigation", IncidentEvent.RESOLVE: "resolved",
          IncidentEvent.CLOSE: "closed", IncidentEvent.REOPEN: "reopened"}


def next_resolution(status: Resolution, event: IncidentEvent, *, note: str = "") -> Resolution:
    """Resolving needs a note saying what was done; a closed incident stays closed."""
    target = TRANSITIONS[status].get(event)
    if target is None:
        raise IllegalTransition(f"This incident is {status.value}, so it cannot be {_WORDS[event]}.")
    if event is IncidentEvent.RESOLVE and len(note.strip()) < 3:
        raise ValidationError({"note": "must say how the incident was resolved"}, {"note": "Resolution"})
    return target


@dataclass(frozen=True)
class IncidentReport:
    severity: Severity
    description: str
    immediate_action: str
    follow_up_owner_id: str | None = None


def check_report(severity: str, description: str, immediate_action: str) -> IncidentReport:
    problems = {}
    if severity not in {s.value for s in Severity}:
        problems["severity"] = "must be one of: " + ", ".join(s.value.replace("_", " ") for s in Severity)
    if not 5 <= len(description.strip()) <= 2000:
        problems["description"] = "must say what happened (5-2,000 characters)"
    if len(immediate_action) > 1000:
        problems["immediate_action"] = "must be at most 1,000 characters"
    if severity in (Severity.MODERATE, Severity.SEVERE) and len(immediate_action.strip()) < 3:
        problems["immediate_action"] = "is needed for a moderate or severe incident"
    if problems:
        raise ValidationError(problems, {"immediate_action": "Immediate action"})
    return IncidentReport(Severity(severity), description.strip(), immediate_action.strip())
