"""The enquiry status machine, lead validation, round-robin assignment and the funnel arithmetic."""

import pytest

from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.domain.leads import (
    TRANSITIONS,
    Event,
    LeadDraft,
    Source,
    Status,
    funnel,
    next_officer,
    next_status,
    validate_lead,
)

ALLOWED = [(Status.NEW, Event.CONTACT, Status.CONTACTED), (Status.CONTACTED, Event.HESITATE, Status.HESITATING),
           (Status.HESITATING, Event.CONVERT, Status.CONVERTED), (Status.NEW, Event.CONVERT, Status.CONVERTED),
           (Status.CONTACTED, Event.LOSE, Status.LOST), (Status.LOST, Event.REOPEN, Status.CONTACTED),
           (Status.HESITATING, Event.CONTACT, Status.HESITATING)]


@pytest.mark.parametrize(("before", "event", "after"), ALLOWED)
def test_allowed_moves(before, event, after):
    assert next_status(before, event, reason="price" if event is Event.LOSE else "cost worries") is after


@pytest.mark.parametrize(("before", "event"), [
    (before, event) for before in Status for event in Event if event not in TRANSITIONS[before]])
def test_every_move_missing_from_the_table_is_refused(before, event):
    with pytest.raises(IllegalTransition, match="cannot be"):
        next_status(before, event, reason="price")


def test_converted_is_final_and_new_cannot_hesitate_before_contact():
    assert TRANSITIONS[Status.CONVERTED] == {}
    with pytest.raises(IllegalTransition, match="that is new cannot be sent to customer relations"):
        next_status(Status.NEW, Event.HESITATE, reason="cost")


def test_lost_needs_a_listed_reason_and_hesitating_needs_words():
    with pytest.raises(ValidationError, match="Reason lost must be one of: price"):
        next_status(Status.CONTACTED, Event.LOSE, reason="")
    with pytest.raises(ValidationError, match="Why hesitating is required"):
        next_status(Status.CONTACTED, Event.HESITATE, reason="  ")


def test_validate_lead_trims_and_names_each_bad_field():
    clean = validate_lead(LeadDraft(name="  Ravi Kumar ", phone="98470 12345", source="camp", interest=" Abhyanga "))
    assert (clean.name, clean.phone, clean.interest) == ("Ravi Kumar", "9847012345", "Abhyanga")
    with pytest.raises(ValidationError) as caught:
        validate_lead(LeadDraft(name="", phone="12", source="billboard"))
    assert set(caught.value.problems) == {"name", "phone", "source"}
    with pytest.raises(ValidationError, match="Contact needs a phone number or an email"):
        validate_lead(LeadDraft(name="Ravi"))
    assert validate_lead(LeadDraft(name="Ravi", email="ravi@example.in")).email == "ravi@example.in"


def test_round_robin_cycles_in_a_stable_order_and_survives_a_departure():
    officers = ["c", "a", "b"]
    picks, last = [], None
    for _ in range(5):
        last = next_officer(officers, last)
        picks.append(last)
    assert picks == ["a", "b", "c", "a", "b"]
    assert next_officer(["a", "c"], "b") == "c"  # b left: the turn passes to whoever sorted after them
    assert next_officer(["a", "c"], "c") == "a"
    assert next_officer([], "a") is None


def test_funnel_counts_stages_rates_and_sources():
    leads = [
        (Source.ADS.value, Status.NEW, frozenset({Status.NEW})),
        (Source.ADS.value, Status.CONTACTED, frozenset({Status.NEW, Status.CONTACTED})),
        (Source.CAMP.value, Status.CONVERTED, frozenset({Status.NEW, Status.CONTACTED, Status.HESITATING,
                                                          Status.CONVERTED})),
        (Source.CAMP.value, Status.CONVERTED, frozenset({Status.NEW, Status.CONVERTED})),  # converted at first call
        (Source.REFERRAL.value, Status.LOST, frozenset({Status.NEW, Status.CONTACTED, Status.LOST})),
    ]
    result = funnel(leads)
    assert result.total == 5
    assert [(s.status, s.reached) for s in result.stages] == [
        (Status.NEW, 5), (Status.CONTACTED, 4), (Status.CONVERTED, 2)]
    assert result.stages[1].rate_from_previous == pytest.approx(0.8)
    assert result.stages[2].rate_from_previous == pytest.approx(0.5)
    assert result.stages[2].rate_from_start == pytest.approx(0.4)
    assert (result.lost, result.open, result.hesitating, result.rescued) == (1, 2, 1, 1)
    assert result.by_source["camp"] == (2, 2) and result.by_source["ads"] == (2, 0)
    assert result.by_source["app"] == (0, 0)
    assert result.conversion_rate() == pytest.approx(0.4)


def test_an_empty_funnel_has_no_rates():
    result = funnel([])
    assert result.total == 0 and result.conversion_rate() is None
    assert all(s.rate_from_start is None and s.rate_from_previous is None for s in result.stages)
