"""The consultation status table: every (status, event) pair either moves as listed or is refused with advice."""

import pytest

from clinicdesk.domain.consultations import (
    OPEN,
    TRANSITIONS,
    ConsultationEvent,
    ConsultationStatus,
    next_status,
)
from clinicdesk.domain.errors import IllegalTransition

S, E = ConsultationStatus, ConsultationEvent
ALLOWED = {
    (S.WAITING, E.START): S.IN_CONSULTATION,
    (S.IN_CONSULTATION, E.DRAFT_NOTE): S.NOTE_DRAFTED,
    (S.NOTE_DRAFTED, E.DRAFT_NOTE): S.NOTE_DRAFTED,
    (S.NOTE_DRAFTED, E.SIGN): S.SIGNED,
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("event", list(E))
def test_every_pair_follows_the_table(status, event):
    if (status, event) in ALLOWED:
        assert next_status(status, event) is ALLOWED[(status, event)]
    else:
        with pytest.raises(IllegalTransition, match="cannot be"):
            next_status(status, event)


@pytest.mark.parametrize(("status", "event", "advice"), [
    (S.WAITING, E.SIGN, "Start the consultation first"),
    (S.IN_CONSULTATION, E.SIGN, "Draft the note first"),
    (S.SIGNED, E.DRAFT_NOTE, "add an addendum instead"),
    (S.SIGNED, E.SIGN, "signed and final"),
])
def test_refusals_say_what_to_do(status, event, advice):
    with pytest.raises(IllegalTransition, match=advice):
        next_status(status, event)


def test_signed_is_final_and_only_working_states_are_open():
    assert TRANSITIONS[S.SIGNED] == {}
    assert OPEN == {S.IN_CONSULTATION, S.NOTE_DRAFTED}
