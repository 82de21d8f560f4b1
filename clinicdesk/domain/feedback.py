"""Patient feedback after a session or a course, and the complaint workflow as a transition table."""

from dataclasses import dataclass
from enum import StrEnum

from clinicdesk.domain.errors import IllegalTransition, ValidationError

MAX_COMMENT = 2000
MAX_RESPONSE = 1000
# The 1-5 dimensions a patient rates, in the order the form asks them, with the words the form shows.
RATING_LABELS = {
    "effectiveness": "Treatment effectiveness",
    "practitioner": "Practitioner",
    "facility": "Facility",
    "staff": "Staff",
    "value": "Value for money",
    "overall": "Overall",
}
RECOMMEND_LABEL = "Likelihood to recommend"


class FeedbackScope(StrEnum):
    SESSION = "session"  # after one session
    COURSE = "course"  # after a whole course (care plan)


@dataclass(frozen=True)
class FeedbackForm:
    scope: FeedbackScope
    ratings: dict[str, int]  # each key of RATING_LABELS -> 1 (poor) .. 5 (excellent)
    recommend: int  # 0 (never) .. 10 (certainly)
    comment: str = ""
    anonymous: bool = False  # then the stored feedback carries no link to the patient, plan or session


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_feedback(form: FeedbackForm) -> FeedbackForm:
    """Every rating present and in range, the comment within bounds; one specific message per wrong field."""
    problems: dict[str, str] = {}
    labels = dict(RATING_LABELS, recommend=RECOMMEND_LABEL, scope="Feedback for", comment="Comment")
    if form.scope not in {s.value for s in FeedbackScope}:
        problems["scope"] = "must be a session or a course"
    unknown = sorted(set(form.ratings) - set(RATING_LABELS))
    if unknown:
        problems["ratings"] = "has unknown dimensions: " + ", ".join(unknown)
    for name in RATING_LABELS:
        value = form.ratings.get(name)
        if value is None:
            problems[name] = "must be rated from 1 to 5"
        elif not _whole(value) or not 1 <= value <= 5:
            problems[name] = f"must be a rating from 1 to 5 (not {value})"
    if not _whole(form.recommend) or not 0 <= form.recommend <= 10:
        problems["recommend"] = f"must be a score from 0 to 10 (not {form.recommend})"
    if len(form.comment) > MAX_COMMENT:
        problems["comment"] = f"must be at most {MAX_COMMENT:,} characters"
    if problems:
        raise ValidationError(problems, labels)
    return FeedbackForm(FeedbackScope(form.scope), {name: form.ratings[name] for name in RATING_LABELS},
                        form.recommend, form.comment.strip(), bool(form.anonymous))


# --- complaints ------------------------------------------------------------------------------------------------

class ComplaintStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ComplaintEvent(StrEnum):
    START = "start"  # someone takes it on and contacts the patient
    RESOLVE = "resolve"
    CLOSE = "close"  # the patient is satisfied or no more can be done
    REOPEN = "reopen"  # the patient came back: work on it again


# No skipping: a complaint is worked on before it is resolved, and resolved before it is closed.
COMPLAINT_TRANSITIONS: dict[ComplaintStatus, dict[ComplaintEvent, ComplaintStatus]] = {
    ComplaintStatus.PENDING: {ComplaintEvent.START: ComplaintStatus.IN_PROGRESS},
    ComplaintStatus.IN_PROGRESS: {ComplaintEvent.RESOLVE: ComplaintStatus.RESOLVED},
    ComplaintStatus.RESOLVED: {ComplaintEvent.CLOSE: ComplaintStatus.CLOSED,
                               ComplaintEvent.REOPEN: ComplaintStatus.IN_PROGRESS},
    ComplaintStatus.CLOSED: {},
}

STATUS_LABELS = {ComplaintStatus.PENDING: "Pending", ComplaintStatus.IN_PROGRESS: "In progress",
                 ComplaintStatus.RESOLVED: "Resolved", ComplaintStatus.CLOSED: "Closed"}
_WORDS = {ComplaintEvent.START: "started", ComplaintEvent.RESOLVE: "resolved", ComplaintEvent.CLOSE: "closed",
          ComplaintEvent.REOPEN: "reopened"}


def check_response(text: str, *, required: bool) -> str:
    text = text.strip()
    if required and len(text) < 3:
        raise ValidationError({"response": "must say what was done or told to the patient (at least 3 characters)"})
    if len(text) > MAX_RESPONSE:
        raise ValidationError({"response": f"must be at most {MAX_RESPONSE:,} characters"})
    return text


def next_complaint_status(status: ComplaintStatus, event: ComplaintEvent, *, response: str = "") -> ComplaintStatus:
    """The next status; resolving needs a response saying how. An illegal move raises and changes nothing."""
    target = COMPLAINT_TRANSITIONS[status].get(event)
    if target is None:
        allowed = ", ".join(e.value for e in COMPLAINT_TRANSITIONS[status]) or "nothing (it is final)"
        raise IllegalTransition(f"This complaint is {STATUS_LABELS[status].lower()}, so it cannot be "
                                f"{_WORDS[event]}; allowed now: {allowed}.")
    check_response(response, required=event is ComplaintEvent.RESOLVE)
    return target
