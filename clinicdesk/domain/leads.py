"""Enquiries (leads): sources, the status machine with its history rules, round-robin assignment and the funnel."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from clinicdesk.domain.errors import IllegalTransition, ValidationError


class Source(StrEnum):
    WALK_IN = "walk_in"
    ADS = "ads"
    REFERRAL = "referral"
    CAMP = "camp"
    APP = "app"


class Status(StrEnum):
    NEW = "new"  # New enquiry
    CONTACTED = "contacted"
    HESITATING = "hesitating"  # sent to the customer relations officer's intervention queue
    CONVERTED = "converted"
    LOST = "lost"


class Event(StrEnum):
    CONTACT = "contact"
    HESITATE = "hesitate"
    CONVERT = "convert"
    LOSE = "lose"
    REOPEN = "reopen"  # a lost lead who calls back starts again as contacted


SOURCE_LABELS = {Source.WALK_IN: "Walk-in", Source.ADS: "Ads", Source.REFERRAL: "Referral", Source.CAMP: "Camp",
                 Source.APP: "App"}
STATUS_LABELS = {Status.NEW: "New enquiry", Status.CONTACTED: "Contacted", Status.HESITATING: "Hesitating",
                 Status.CONVERTED: "Converted", Status.LOST: "Lost"}
LOST_REASONS = ("price", "distance", "chose another clinic", "not reachable", "not interested", "other")

TRANSITIONS: dict[Status, dict[Event, Status]] = {
    Status.NEW: {Event.CONTACT: Status.CONTACTED, Event.CONVERT: Status.CONVERTED, Event.LOSE: Status.LOST},
    Status.CONTACTED: {Event.CONTACT: Status.CONTACTED, Event.HESITATE: Status.HESITATING,
                       Event.CONVERT: Status.CONVERTED, Event.LOSE: Status.LOST},
    Status.HESITATING: {Event.CONTACT: Status.HESITATING, Event.CONVERT: Status.CONVERTED, Event.LOSE: Status.LOST},
    Status.CONVERTED: {},
    Status.LOST: {Event.REOPEN: Status.CONTACTED},
}

OPEN = frozenset({Status.NEW, Status.CONTACTED, Status.HESITATING})
# The funnel's stages in order: a lead "reached" a stage if it ever stood there or beyond (its history says so).
# Hesitating is a side branch, not a stage every convert passes: the funnel counts it apart (sent, rescued).
FUNNEL_STAGES = (Status.NEW, Status.CONTACTED, Status.CONVERTED)
_BEYOND = {Status.NEW: frozenset(Status), Status.CONTACTED: frozenset({Status.CONTACTED, Status.HESITATING,
                                                                       Status.CONVERTED}),
           Status.CONVERTED: frozenset({Status.CONVERTED})}
MAX_NOTE = 1000


def next_status(current: Status, event: Event, *, reason: str = "") -> Status:
    """The status after `event`; an illegal move raises IllegalTransition, a loss without a reason ValidationError."""
    target = TRANSITIONS[current].get(event)
    if target is None:
        raise IllegalTransition(f"An enquiry that is {_STATE_WORDS[current]} cannot be {_EVENT_WORDS[event]}.")
    if event is Event.LOSE and reason.strip() not in LOST_REASONS:
        raise ValidationError({"reason": "must be one of: " + ", ".join(LOST_REASONS)}, {"reason": "Reason lost"})
    if event is Event.HESITATE and not reason.strip():
        raise ValidationError({"reason": "is required: say what holds the person back, for customer relations"},
                              {"reason": "Why hesitating"})
    return target


_STATE_WORDS = {Status.NEW: "new", Status.CONTACTED: "contacted", Status.HESITATING: "with customer relations",
                Status.CONVERTED: "already converted", Status.LOST: "lost"}
_EVENT_WORDS = {Event.CONTACT: "marked as contacted", Event.HESITATE: "sent to customer relations",
                Event.CONVERT: "converted", Event.LOSE: "marked as lost", Event.REOPEN: "reopened"}


@dataclass(frozen=True)
class LeadDraft:
    """What the enquiry form submits."""

    name: str = ""
    phone: str = ""
    email: str = ""
    source: str = Source.WALK_IN.value
    interest: str = ""  # the therapy or programme asked about
    problem: str = ""  # what troubles them, in their words
    referred_by: str = ""


def validate_lead(draft: LeadDraft) -> LeadDraft:
    """Trimmed values, or ValidationError naming each bad field; a lead needs a name and a way to reach them."""
    name, phone, email = draft.name.strip(), "".join(draft.phone.split()), draft.email.strip()
    problems = {}
    if not name or len(name) > 120:
        problems["name"] = "is required (at most 120 characters)"
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone and (len(digits) < 10 or len(digits) > 13 or any(ch not in "+-0123456789" for ch in phone)):
        problems["phone"] = "must be a 10-digit mobile number (a +91 prefix is fine)"
    if email and ("@" not in email or "." not in email.rsplit("@", 1)[-1] or len(email) > 200):
        problems["email"] = "must look like name@example.in"
    if not phone and not email:
        problems["contact"] = "needs a phone number or an email address, so someone can follow up"
    if draft.source not in set(Source):
        problems["source"] = "must be walk-in, ads, referral, camp or app"
    for field, limit in (("interest", 200), ("problem", MAX_NOTE), ("referred_by", 120)):
        if len(getattr(draft, field).strip()) > limit:
            problems[field] = f"must be at most {limit} characters"
    if problems:
        raise ValidationError(problems, {"name": "Name", "phone": "Phone", "email": "Email", "contact": "Contact",
                                         "source": "Source", "interest": "Interest", "problem": "Problem",
                                         "referred_by": "Referred by"})
    return LeadDraft(name, phone, email, draft.source, draft.interest.strip(), draft.problem.strip(),
                     draft.referred_by.strip())


def next_officer(active_officers: Sequence[str], last_assigned: str | None) -> str | None:
    """Round robin: the officer after the last one assigned, in a stable order (ids sorted), wrapping around.

    Deterministic and restart-proof because the caller stores `last_assigned`; an officer who left is skipped
    by starting after where they would sort.
    """
    ordered = sorted(set(active_officers))
    if not ordered:
        return None
    if last_assigned is None:
        return ordered[0]
    for officer in ordered:
        if officer > last_assigned:
            return officer
    return ordered[0]


@dataclass(frozen=True)
class FunnelStage:
    status: Status
    reached: int
    rate_from_previous: float | None  # None for the first stage or when the previous stage is empty
    rate_from_start: float | None


@dataclass(frozen=True)
class Funnel:
    total: int
    stages: tuple[FunnelStage, ...]
    lost: int
    open: int
    hesitating: int  # ever sent to customer relations
    rescued: int  # of those, converted in the end
    by_source: dict[str, tuple[int, int]]  # source -> (enquiries, converted)

    def conversion_rate(self) -> float | None:
        return self.stages[-1].reached / self.total if self.total else None


def funnel(leads: Iterable[tuple[str, Status, frozenset[Status]]]) -> Funnel:
    """Counts and rates per stage from (source, current status, every status the lead ever had)."""
    reached = dict.fromkeys(FUNNEL_STAGES, 0)
    by_source: dict[str, list[int]] = {s.value: [0, 0] for s in Source}
    total = lost = still_open = hesitating = rescued = 0
    for source, status, seen in leads:
        seen = seen | {status}
        total += 1
        lost += status is Status.LOST
        still_open += status in OPEN
        hesitating += Status.HESITATING in seen
        rescued += Status.HESITATING in seen and Status.CONVERTED in seen
        for stage in FUNNEL_STAGES:
            # every lead starts as a new enquiry; one converted at the first call was contacted on the way
            reached[stage] += bool(_BEYOND[stage] & seen)
        counts = by_source.setdefault(source, [0, 0])
        counts[0] += 1
        counts[1] += Status.CONVERTED in seen
    stages, previous = [], None
    for stage in FUNNEL_STAGES:
        count = reached[stage]
        stages.append(FunnelStage(stage, count, count / previous if previous else None,
                                  count / total if total else None))
        previous = count
    sources = {k: (v[0], v[1]) for k, v in by_source.items()}
    return Funnel(total, tuple(stages), lost, still_open, hesitating, rescued, sources)
