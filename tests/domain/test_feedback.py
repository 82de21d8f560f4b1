"""Feedback forms are checked field by field; complaints go pending -> in progress -> resolved -> closed, no skips."""

import pytest

from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.domain.feedback import (
    COMPLAINT_TRANSITIONS,
    ComplaintEvent,
    ComplaintStatus,
    FeedbackForm,
    FeedbackScope,
    check_feedback,
    next_complaint_status,
)

GOOD = {"effectiveness": 4, "practitioner": 5, "facility": 3, "staff": 4, "value": 4, "overall": 4}


def test_a_complete_form_is_kept_tidied():
    form = check_feedback(FeedbackForm("course", GOOD, 9, "  Very caring staff \n", anonymous=True))
    assert form == FeedbackForm(FeedbackScope.COURSE, GOOD, 9, "Very caring staff", True)


@pytest.mark.parametrize(("ratings", "recommend", "comment", "scope", "message"), [
    (GOOD | {"overall": 0}, 8, "", "session", "Overall must be a rating from 1 to 5 (not 0)"),
    (GOOD | {"value": 6}, 8, "", "session", "Value for money must be a rating from 1 to 5 (not 6)"),
    (GOOD | {"staff": 3.5}, 8, "", "session", "Staff must be a rating from 1 to 5 (not 3.5)"),
    (GOOD | {"facility": True}, 8, "", "session", "Facility must be a rating from 1 to 5 (not True)"),
    ({k: v for k, v in GOOD.items() if k != "practitioner"}, 8, "", "session",
     "Practitioner must be rated from 1 to 5"),
    (GOOD | {"parking": 2}, 8, "", "session", "Ratings has unknown dimensions: parking"),
    (GOOD, 11, "", "session", "Likelihood to recommend must be a score from 0 to 10 (not 11)"),
    (GOOD, -1, "", "session", "Likelihood to recommend must be a score from 0 to 10 (not -1)"),
    (GOOD, 8, "x" * 2001, "session", "Comment must be at most 2,000 characters"),
    (GOOD, 8, "", "visit", "Feedback for must be a session or a course"),
])
def test_each_wrong_field_gets_its_own_message(ratings, recommend, comment, scope, message):
    with pytest.raises(ValidationError) as caught:
        check_feedback(FeedbackForm(scope, ratings, recommend, comment))
    assert message in caught.value.messages()


def test_the_complaint_walk_and_no_skipping():
    status = ComplaintStatus.PENDING
    for event, expected in ((ComplaintEvent.START, ComplaintStatus.IN_PROGRESS),
                            (ComplaintEvent.RESOLVE, ComplaintStatus.RESOLVED),
                            (ComplaintEvent.REOPEN, ComplaintStatus.IN_PROGRESS),
                            (ComplaintEvent.RESOLVE, ComplaintStatus.RESOLVED),
                            (ComplaintEvent.CLOSE, ComplaintStatus.CLOSED)):
        status = next_complaint_status(status, event, response="Called the patient and apologised")
        assert status is expected
    allowed = {(s, e) for s, moves in COMPLAINT_TRANSITIONS.items() for e in moves}
    for s in ComplaintStatus:
        for e in ComplaintEvent:
            if (s, e) not in allowed:
                with pytest.raises(IllegalTransition, match="so it cannot be"):
                    next_complaint_status(s, e, response="anything at all")


def test_resolving_needs_a_response():
    with pytest.raises(ValidationError, match="must say what was done"):
        next_complaint_status(ComplaintStatus.IN_PROGRESS, ComplaintEvent.RESOLVE, response=" ok ")
    with pytest.raises(IllegalTransition, match="pending, so it cannot be resolved; allowed now: start"):
        next_complaint_status(ComplaintStatus.PENDING, ComplaintEvent.RESOLVE, response="Refunded")
