"""The plan, session and incident status tables: every legal move, every illegal one refused with a sentence."""

import itertools

import pytest

from clinicdesk.domain import incidents, therapy_plans, therapy_sessions
from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.domain.protocols import SopStep
from clinicdesk.domain.therapy_plans import PlanEvent, PlanStatus, next_plan_status
from clinicdesk.domain.therapy_sessions import SessionEvent, SessionStatus, next_session_status

P, PE = PlanStatus, PlanEvent
PLAN_LEGAL = {(P.PLANNED, PE.CONFIRM): P.ACTIVE, (P.PLANNED, PE.CANCEL): P.CANCELLED,
              (P.ACTIVE, PE.PAUSE): P.PAUSED, (P.ACTIVE, PE.COMPLETE): P.COMPLETED, (P.ACTIVE, PE.CANCEL): P.CANCELLED,
              (P.PAUSED, PE.RESUME): P.ACTIVE, (P.PAUSED, PE.CANCEL): P.CANCELLED}
S, SE = SessionStatus, SessionEvent
SESSION_LEGAL = {(S.SCHEDULED, SE.PREPARE): S.IN_PREPARATION, (S.SCHEDULED, SE.CANCEL): S.CANCELLED,
                 (S.IN_PREPARATION, SE.START): S.IN_SESSION, (S.IN_PREPARATION, SE.CANCEL): S.CANCELLED,
                 (S.IN_SESSION, SE.RECOVER): S.RECOVERY, (S.RECOVERY, SE.COMPLETE): S.COMPLETED}
R, IE = incidents.Resolution, incidents.IncidentEvent
INCIDENT_LEGAL = {(R.OPEN, IE.INVESTIGATE): R.INVESTIGATING, (R.OPEN, IE.RESOLVE): R.RESOLVED,
                  (R.INVESTIGATING, IE.RESOLVE): R.RESOLVED, (R.RESOLVED, IE.CLOSE): R.CLOSED,
                  (R.RESOLVED, IE.REOPEN): R.OPEN}


@pytest.mark.parametrize(("status", "event"), list(itertools.product(PlanStatus, PlanEvent)))
def test_plan_table(status, event):
    if (status, event) in PLAN_LEGAL:
        assert next_plan_status(status, event) is PLAN_LEGAL[(status, event)]
    else:
        with pytest.raises(IllegalTransition, match=f"This care plan is {status.value}, so it cannot be"):
            next_plan_status(status, event)
    assert therapy_plans.TRANSITIONS[status].get(event) == PLAN_LEGAL.get((status, event))


@pytest.mark.parametrize(("status", "event"), list(itertools.product(SessionStatus, SessionEvent)))
def test_session_table(status, event):
    if (status, event) in SESSION_LEGAL:
        assert next_session_status(status, event) is SESSION_LEGAL[(status, event)]
    else:
        with pytest.raises(IllegalTransition, match="This session is .*, so it cannot be"):
            next_session_status(status, event)
    assert therapy_sessions.TRANSITIONS[status].get(event) == SESSION_LEGAL.get((status, event))


@pytest.mark.parametrize(("status", "event"), list(itertools.product(R, IE)))
def test_incident_table(status, event):
    if (status, event) in INCIDENT_LEGAL:
        assert incidents.next_resolution(status, event, note="Done and checked") is INCIDENT_LEGAL[(status, event)]
    else:
        with pytest.raises(IllegalTransition, match=f"This incident is {status.value}, so it cannot be"):
            incidents.next_resolution(status, event, note="Done and checked")


def test_completion_waits_for_every_mandatory_step():
    open_step = SopStep(7, "Patient steady on standing", mandatory=True, safety_check=True)
    with pytest.raises(IllegalTransition, match=r"step 7 \(Patient steady on standing\)"):
        next_session_status(S.RECOVERY, SE.COMPLETE, open_mandatory=[open_step])
    assert next_session_status(S.RECOVERY, SE.COMPLETE, open_mandatory=[]) is S.COMPLETED
    # an open mandatory step does not hold up any other move
    assert next_session_status(S.IN_SESSION, SE.RECOVER, open_mandatory=[open_step]) is S.RECOVERY


def test_resolving_needs_a_note_and_unknown_session_events_are_refused():
    with pytest.raises(ValidationError, match="how the incident was resolved"):
        incidents.next_resolution(R.OPEN, IE.RESOLVE)
    with pytest.raises(IllegalTransition, match="'fly' is not something"):
        therapy_sessions.parse_session_event("fly")


@pytest.mark.parametrize("status", list(SessionStatus))
def test_starting_waits_for_the_procedure_consent(status):
    if status is S.IN_PREPARATION:
        with pytest.raises(IllegalTransition, match="Record the patient's procedure consent for this plan"):
            next_session_status(status, SE.START, consented=False)
        assert next_session_status(status, SE.START, consented=True) is S.IN_SESSION
    # every other move is the table's business alone: consent never unlocks or blocks them
    for event in SessionEvent:
        if event is not SE.START:
            assert _outcome(status, event, consented=False) == _outcome(status, event, consented=True)


def _outcome(status, event, **kwargs):
    try:
        return next_session_status(status, event, **kwargs)
    except IllegalTransition as refused:
        return str(refused)
