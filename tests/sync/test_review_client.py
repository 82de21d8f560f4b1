"""Settling what sync could not, against a real HQ (uvicorn on loopback) and two desks: a date-of-birth conflict is
listed on both desks, reception may not settle it, a doctor keeps one version and both desks converge on it; a
possible duplicate is settled; refused changes are listed in words, sent again or kept; another centre gets 404."""

import dataclasses
from datetime import date

import httpx
import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import NotFound, PermissionDenied
from clinicdesk.domain.roles import Role
from clinicdesk.services import patients, sync_review
from clinicdesk.services.context import ServiceContext, SignedInUser
from clinicdesk.store.models import AuditEntryRow, PatientRow
from clinicdesk.store.outbox import PENDING, OutboxRow
from clinicdesk.store.outbox_review import RESENT, SETTLED
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.review_client import ALL, OPEN, RESOLVED, ReviewClient
from clinicdesk.sync.settings import HqSettings, load_hq_settings
from tests.sync.hq_fixtures import ADMIN_TOKEN, NO_WAIT, enrolment_code, new_centre
from tests.sync.test_sync_client import Desk, change_a_synced_uhid, desks, draft, hq_url

__all__ = ["desks", "hq_url"]  # fixtures used below, defined with the sync client's tests


def as_role(desk: Desk, role: Role, full_name: str) -> ServiceContext:
    """The same desk with another member of staff signed in (the services check the role, audit the username)."""
    user = desk.ctx.user
    person = SignedInUser(f"staff-{role.value}", full_name.lower().replace(" ", ".").replace("..", "."), full_name,
                          role, user.centre_id)
    return dataclasses.replace(desk.ctx, user=person)


def client_for(desk: Desk) -> ReviewClient:
    return ReviewClient(load_hq_settings(desk.db.data_dir), **NO_WAIT)


def date_of_birth(desk: Desk, patient_id: str) -> date:
    with desk.db.session() as session:
        return session.get(PatientRow, patient_id).date_of_birth


def edit_date_of_birth(desk: Desk, patient_id: str, born: date) -> None:
    version = patients.get_profile(desk.ctx, patient_id).row_version
    patients.update_patient(desk.ctx, patient_id, dataclasses.replace(draft(), date_of_birth=born),
                            expected_version=version)


def audit(desk: Desk, action: str) -> list[AuditEntryRow]:
    with desk.db.session() as session:
        return list(session.scalars(select(AuditEntryRow).where(AuditEntryRow.action == action)))


@pytest.fixture
def conflict(desks):
    """Both desks hold one patient; each changes her date of birth offline, then both sync."""
    desk_a, desk_b = desks
    patient_id, _ = patients.register_patient(desk_a.ctx, draft())
    desk_a.sync()
    desk_b.sync()
    edit_date_of_birth(desk_a, patient_id, date(1984, 3, 19))
    edit_date_of_birth(desk_b, patient_id, date(1984, 9, 3))
    assert desk_a.sync().conflicts == 0
    assert desk_b.sync().conflicts == 1
    desk_a.sync()
    return patient_id


def test_a_doctor_keeps_one_version_and_both_desks_converge(desks, conflict):
    desk_a, desk_b = desks
    doctor = as_role(desk_a, Role.DOCTOR, "Meera Rao")
    reception = as_role(desk_b, Role.FRONT_DESK, "Ravi Kumar")
    with client_for(desk_a) as hq_a, client_for(desk_b) as hq_b:
        seen_a, seen_b = sync_review.fetch_review(doctor, hq_a), sync_review.fetch_review(reception, hq_b)
        (on_a,), (on_b,) = seen_a.conflicts, seen_b.conflicts
        assert on_a == on_b  # both desks hold the patient, so both describe the conflict the same way
        uhid = patients.get_profile(desk_a.ctx, conflict).uhid
        assert on_a.record.text == f"Patient details of Lakshmi Nair ({uhid})"
        assert (on_a.field_label, on_a.is_open, on_a.needs_clinician) == ("Date of birth", True, True)
        versions = {v.text: v for v in on_a.versions}
        assert set(versions) == {"19 Mar 1984", "03 Sep 1984"}
        assert versions["19 Mar 1984"].device_name == "Reception desk A"
        assert versions["03 Sep 1984"].device_name == "Reception desk B"
        assert seen_a.open_count == 1

        with pytest.raises(PermissionDenied, match=r"sync.resolve_clinical"):
            sync_review.resolve_conflict(reception, hq_b, on_b.id, choice=versions["19 Mar 1984"].index)
        assert [c.id for c in hq_b.list_conflicts(OPEN)] == [on_b.id]  # the refusal changed nothing at HQ

        resolved = sync_review.resolve_conflict(doctor, hq_a, on_a.id, choice=versions["03 Sep 1984"].index)
        assert (resolved.is_open, resolved.resolved_by, resolved.resolved_text) == (False, "Meera Rao", "03 Sep 1984")
        assert hq_b.list_conflicts(OPEN) == [] and [c.id for c in hq_b.list_conflicts(RESOLVED)] == [on_a.id]

    for desk in desks:
        desk.sync()
    assert date_of_birth(desk_a, conflict) == date_of_birth(desk_b, conflict) == date(1984, 9, 3)
    with client_for(desk_b) as hq_b:
        (after,) = sync_review.fetch_review(reception, hq_b).conflicts
    assert (after.is_open, after.resolved_by) == (False, "Meera Rao")
    (entry,) = audit(desk_a, "sync.conflict_resolve")
    assert (entry.actor, entry.entity, entry.entity_id) == ("meera.rao", "patients", conflict)
    assert "Reception desk B" in entry.detail and "1984" not in entry.detail  # who won, never the value
    (denied,) = [row for row in audit(desk_b, "sync.resolve_clinical") if row.outcome == "denied"]
    assert denied.actor == "ravi.kumar"


def test_a_typed_value_settles_it_too(desks, conflict):
    desk_a, desk_b = desks
    doctor = as_role(desk_b, Role.DOCTOR, "Meera Rao")
    with client_for(desk_b) as hq:
        (open_one,) = sync_review.fetch_review(doctor, hq).conflicts
        sync_review.resolve_conflict(doctor, hq, open_one.id, value="1984-03-09")
    for desk in desks:
        desk.sync()
    assert date_of_birth(desk_a, conflict) == date_of_birth(desk_b, conflict) == date(1984, 3, 9)


def test_another_centre_gets_404_and_changes_nothing(desks, conflict, hq_url):
    desk_a, _ = desks
    thrissur = new_centre(hq_url, "Thrissur")
    enrolled = httpx.post(hq_url + "/v1/enrol", json={"code": enrolment_code(hq_url, thrissur),
                                                      "device_name": "Thrissur desk"}).json()
    intruder = ReviewClient(HqSettings(hq_url, "", enrolled["device_id"], enrolled["credential"]), **NO_WAIT)
    with client_for(desk_a) as hq_a, intruder:
        (open_one,) = hq_a.list_conflicts(OPEN)
        assert intruder.list_conflicts(ALL) == []
        with pytest.raises(SyncError, match="404") as refused:
            intruder.resolve_conflict(open_one.id, resolved_by="Intruder", choice=0)
        assert refused.value.code == "not_found"
        assert hq_a.list_conflicts(OPEN) == [open_one]
    assert ADMIN_TOKEN not in str(refused.value)


def test_an_unreachable_hq_is_said_in_words(desks):
    desk_a, _ = desks
    settings = dataclasses.replace(load_hq_settings(desk_a.db.data_dir), url="http://127.0.0.1:9")
    with ReviewClient(settings, **NO_WAIT) as hq, pytest.raises(SyncError, match="could not be reached") as failed:
        sync_review.fetch_review(as_role(desk_a, Role.DOCTOR, "Meera Rao"), hq)
    assert failed.value.code == "unreachable"


def test_a_possible_duplicate_is_shown_side_by_side_and_settled(desks):
    desk_a, desk_b = desks
    first, _ = patients.register_patient(desk_a.ctx, draft())
    second, _ = patients.register_patient(desk_b.ctx, draft(phone="9847055555"))  # offline: B has not seen A's
    desk_a.sync()
    desk_b.sync()
    desk_a.sync()
    reception = as_role(desk_b, Role.FRONT_DESK, "Ravi Kumar")
    with client_for(desk_b) as hq:
        (item,) = sync_review.fetch_review(reception, hq).duplicates
        assert {item.new.patient_id, item.existing.patient_id} == {first, second}
        assert all(card.held_here and card.name == "Lakshmi Nair" for card in (item.new, item.existing))
        assert item.new.date_of_birth == item.existing.date_of_birth == date(1984, 3, 9)
        assert {item.new.phone[-10:], item.existing.phone[-10:]} == {"9847012345", "9847055555"}
        assert item.matched_on == ("Name", "Date of birth") and item.is_open
        settled = sync_review.settle_duplicate(reception, hq, item.id, sync_review.SAME_PERSON, "same mother's name")
    assert (settled.is_open, settled.decision_text, settled.resolved_by) == (False, "Same person, merge later",
                                                                             "Ravi Kumar")
    with client_for(desk_a) as hq:  # the other desk sees the decision; both records are still there
        (seen,) = sync_review.fetch_review(as_role(desk_a, Role.NURSE, "Anu Thomas"), hq).duplicates
    assert (seen.decision, seen.note) == ("same_person", "same mother's name")
    assert set(desk_a.patients()) == {first, second}
    (entry,) = audit(desk_b, "sync.duplicate_settle")
    assert entry.actor == "ravi.kumar" and "same_person" in entry.detail and "mother" not in entry.detail


def test_refused_changes_are_listed_in_words_sent_again_and_kept(desks):
    desk_a, _ = desks
    patient_id = change_a_synced_uhid(desk_a)
    assert desk_a.sync().rejected == 1
    reception = as_role(desk_a, Role.FRONT_DESK, "Ravi Kumar")
    (refused,) = sync_review.needs_attention(reception)
    assert refused.record.text == "Patient details of Lakshmi Nair (KOC-A-999999)"
    assert refused.fields == ("UHID",) and "fixed when the record is created" in refused.reason

    new_id, _ = sync_review.send_change_again(reception, refused.op_id)
    with desk_a.db.session() as session:
        states = dict(session.execute(select(OutboxRow.op_id, OutboxRow.state)).all())
    assert (states[refused.op_id], states[new_id]) == (RESENT, PENDING)
    with pytest.raises(NotFound):
        sync_review.send_change_again(reception, refused.op_id)  # dealt with already: nothing changes
    summary = desk_a.sync()
    assert (summary.pushed, summary.rejected) == (1, 1)  # a fresh id gets a fresh answer (still refused here)
    (again,) = sync_review.needs_attention(reception)
    assert again.op_id == new_id

    sync_review.keep_change_on_device(reception, new_id, "HQ's UHID stands; this desk's label is a typo")
    assert sync_review.needs_attention(reception) == []
    history = sync_review.needs_attention(reception, include_done=True)
    assert [(c.op_id, c.state) for c in history] == [(refused.op_id, RESENT), (new_id, SETTLED)]
    after = desk_a.sync()
    assert (after.pushed, after.rejected) == (0, 0)  # kept here, never sent again, not "repaired" either
    assert getattr(after, "verified", True)  # the kept value is a known difference, not a mismatch
    with desk_a.db.session() as session:
        kept = session.get(OutboxRow, new_id)
        assert session.get(PatientRow, patient_id).uhid == "KOC-A-999999"  # this device keeps its record
    assert kept.state == SETTLED and "Ravi Kumar" in kept.result_reason and "typo" in kept.result_reason
    assert sync_review.needs_attention(reception) == []
    assert [e.entity_id for e in audit(desk_a, "sync.change_send_again")] == [refused.op_id]
    (kept_entry,) = audit(desk_a, "sync.change_keep_local")
    assert kept_entry.actor == "ravi.kumar" and "typo" not in kept_entry.detail
