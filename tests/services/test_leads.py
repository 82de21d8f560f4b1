"""Enquiries through the real services: history, the intervention queue, round robin, conversion and the funnel."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.domain.leads import LeadDraft, Status
from clinicdesk.domain.roles import Role
from clinicdesk.services import admin, leads, patients
from clinicdesk.services.admin_dto import StaffDraft
from clinicdesk.store.models import PatientRow
from clinicdesk.store.models_leads import LeadRow
from tests.conftest import STAFF_PASSWORD
from tests.services.helpers import audit_rows, count_rows, patient_draft


def _officer(admin_ctx, name: str) -> str:
    staff_id, _ = admin.create_staff(admin_ctx, StaffDraft(name.lower().replace(" ", "."), name, "customer_relations",
                                                           admin_ctx.user.centre_id), STAFF_PASSWORD)
    return staff_id


def _lead(ctx, name="Ravi Kumar", phone="9847012345", source="ads", **extra) -> str:
    lead_id, changes = leads.create_lead(ctx, LeadDraft(name=name, phone=phone, source=source, **extra))
    assert changes.leads
    return lead_id


def test_a_lead_moves_along_with_who_when_and_why(admin_ctx, ctx_for_role, clock):
    desk = ctx_for_role(Role.FRONT_DESK)
    lead_id = _lead(desk, interest="Abhyanga", problem="Back pain for a year")
    clock.advance(hours=2)
    leads.move_lead(desk, lead_id, "contact", note="Called, will think")
    clock.advance(days=1)
    leads.move_lead(desk, lead_id, "hesitate", reason="worried about the cost of a 14-day course")
    detail = leads.get_lead(desk, lead_id)
    assert detail.summary.status == Status.HESITATING
    assert [(h.event, h.from_status, h.to_status) for h in detail.history] == [
        ("created", "", "new"), ("contact", "new", "contacted"), ("hesitate", "contacted", "hesitating")]
    assert detail.history[2].note == "worried about the cost of a 14-day course"
    assert detail.history[1].by == "Test front_desk"
    assert detail.history[1].at == datetime(2026, 11, 26, 6, 30, tzinfo=UTC)
    assert detail.problem == "Back pain for a year"
    actions = [r.action for r in audit_rows(admin_ctx, entity="lead", entity_id=lead_id)]
    assert actions == ["lead.create", "lead.contact", "lead.hesitate"]


def test_an_illegal_move_or_missing_reason_changes_nothing(ctx_for_role):
    desk = ctx_for_role(Role.FRONT_DESK)
    lead_id = _lead(desk)
    with pytest.raises(IllegalTransition, match="that is new cannot be sent to customer relations"):
        leads.move_lead(desk, lead_id, "hesitate", reason="cost")
    with pytest.raises(ValidationError, match="Reason lost must be one of"):
        leads.move_lead(desk, lead_id, "lose", reason="")
    with pytest.raises(ValidationError, match="Action is not a step"):
        leads.move_lead(desk, lead_id, "teleport")
    with pytest.raises(IllegalTransition, match="Convert to patient"):
        leads.move_lead(desk, lead_id, "convert")
    detail = leads.get_lead(desk, lead_id)
    assert detail.summary.status == Status.NEW and len(detail.history) == 1


def test_lost_keeps_its_reason_and_can_be_reopened(ctx_for_role):
    desk = ctx_for_role(Role.FRONT_DESK)
    lead_id = _lead(desk)
    leads.move_lead(desk, lead_id, "lose", reason="price", note="quoted 42,000")
    assert leads.get_lead(desk, lead_id).lost_reason == "price"
    leads.move_lead(desk, lead_id, "reopen", note="called back")
    detail = leads.get_lead(desk, lead_id)
    assert (detail.summary.status, detail.lost_reason) == (Status.CONTACTED, "")


def test_intervention_queue_is_hesitating_leads_oldest_first(ctx_for_role, clock):
    desk = ctx_for_role(Role.FRONT_DESK)
    first, second, calm = _lead(desk, name="First Person"), _lead(desk, name="Second Person"), _lead(desk)
    for lead_id in (second, first, calm):
        leads.move_lead(desk, lead_id, "contact")
    leads.move_lead(desk, second, "hesitate", reason="distance")
    clock.advance(hours=3)
    leads.move_lead(desk, first, "hesitate", reason="fear of vomiting therapy")
    queue = leads.intervention_queue(ctx_for_role(Role.CUSTOMER_RELATIONS))
    assert [q.id for q in queue] == [second, first]


def test_round_robin_assigns_active_officers_in_turn_and_resumes_after_restart(admin_ctx, ctx_for_role):
    a, b = sorted([_officer(admin_ctx, "Officer One"), _officer(admin_ctx, "Officer Two")])
    desk = ctx_for_role(Role.FRONT_DESK)
    got = [leads.get_lead(desk, _lead(desk, name=f"Person {n}")).summary.assigned_to_id for n in "ABC"]
    assert got == [a, b, a]
    # a new context (an app restart) carries on from the stored turn, and an inactive officer is skipped
    admin.set_staff_active(admin_ctx, b, False)
    fresh = ctx_for_role(Role.FRONT_DESK)
    assert leads.get_lead(fresh, _lead(fresh, name="Person D")).summary.assigned_to_id == a
    by_hand = _lead(desk, name="Person E")
    leads.assign_lead(desk, by_hand, a, note="speaks Tamil")
    assert leads.get_lead(desk, by_hand).history[-1].note == "speaks Tamil"
    with pytest.raises(ValidationError, match="Officer must be an active member of staff"):
        leads.assign_lead(desk, _lead(desk, name="Person F"), b)


def test_convert_copies_what_is_known_registers_and_links(admin_ctx, ctx_for_role):
    desk = ctx_for_role(Role.FRONT_DESK)
    lead_id = _lead(desk, name="Meera Nair", phone="9447012345", email="meera@example.in", interest="Shirodhara",
                    problem="Poor sleep")
    leads.move_lead(desk, lead_id, "contact")
    draft = leads.patient_draft_for(desk, lead_id)
    assert (draft.given_name, draft.family_name, draft.phone, draft.email) == ("Meera", "Nair", "9447012345",
                                                                                 "meera@example.in")
    assert "Shirodhara" in draft.medical_history and "Poor sleep" in draft.medical_history
    before = count_rows(admin_ctx, PatientRow)
    patient_id, changes = leads.convert_to_patient(desk, lead_id, patient_draft(
        given_name=draft.given_name, family_name=draft.family_name, phone=draft.phone, email=draft.email,
        date_of_birth=date(1990, 2, 3)))
    assert changes.patients and changes.leads
    assert count_rows(admin_ctx, PatientRow) == before + 1
    assert patients.get_profile(desk, patient_id).draft.given_name == "Meera"
    detail = leads.get_lead(desk, lead_id)
    assert (detail.summary.status, detail.summary.patient_id) == (Status.CONVERTED, patient_id)
    with pytest.raises(IllegalTransition, match="that is already converted cannot be converted"):
        leads.convert_to_patient(desk, lead_id, patient_draft(given_name="Other"))
    assert count_rows(admin_ctx, PatientRow) == before + 1


def test_convert_stops_at_a_possible_duplicate_unless_told_it_is_someone_else(admin_ctx, ctx_for_role):
    desk = ctx_for_role(Role.FRONT_DESK)
    patients.register_patient(desk, patient_draft(given_name="Asha", family_name="Menon"))
    lead_id = _lead(desk, name="Asha Menon")
    before = count_rows(admin_ctx, PatientRow)
    with pytest.raises(leads.PossibleDuplicatePatient, match="KOC-") as caught:
        leads.convert_to_patient(desk, lead_id, patient_draft(given_name="Asha", family_name="Menon"))
    assert len(caught.value.uhids) == 1
    assert count_rows(admin_ctx, PatientRow) == before
    assert leads.get_lead(desk, lead_id).summary.status == Status.NEW
    patient_id, _ = leads.convert_to_patient(desk, lead_id, patient_draft(given_name="Asha", family_name="Menon"),
                                             allow_duplicate=True)
    assert count_rows(admin_ctx, PatientRow) == before + 1
    assert "not a duplicate" in leads.get_lead(desk, lead_id).history[-1].note


def test_a_bad_patient_draft_converts_nothing(admin_ctx, ctx_for_role):
    desk = ctx_for_role(Role.FRONT_DESK)
    lead_id = _lead(desk)
    with pytest.raises(ValidationError, match="Date of birth is required"):
        leads.convert_to_patient(desk, lead_id, patient_draft(date_of_birth=None))
    assert leads.get_lead(desk, lead_id).summary.status == Status.NEW


def test_list_filters_and_funnel_for_a_date_range(ctx_for_role, clock):
    desk = ctx_for_role(Role.FRONT_DESK)
    old = _lead(desk, name="Old Lead", source="camp")
    clock.advance(days=10)
    ads = [_lead(desk, name=f"Ad Lead {n}", phone=f"98470000{n:02d}") for n in range(4)]
    walk_in = _lead(desk, name="Walk In", source="walk_in", phone="9000000001")
    for lead_id in ads[:3]:
        leads.move_lead(desk, lead_id, "contact")
    leads.move_lead(desk, ads[0], "hesitate", reason="cost")
    leads.convert_to_patient(desk, ads[0], patient_draft(given_name="Ad", family_name="Zero", phone="9847000000"))
    leads.move_lead(desk, ads[1], "lose", reason="distance")
    leads.convert_to_patient(desk, walk_in, patient_draft(given_name="Walk", family_name="In", phone="9000000001"))

    assert {s.id for s in leads.list_leads(desk, source="ads")} == set(ads)
    assert [s.id for s in leads.list_leads(desk, status="lost")] == [ads[1]]
    assert [s.id for s in leads.list_leads(desk, text="walk")] == [walk_in]
    assert [s.id for s in leads.list_leads(desk, text="98470000")][-1] == ads[0]

    since, until = leads.day_range(date(2026, 12, 1), date(2026, 12, 31), UTC)
    funnel = leads.conversion_funnel(desk, since=since, until=until)
    assert funnel.total == 5  # the camp lead from ten days earlier is outside the range
    assert [s.reached for s in funnel.stages] == [5, 4, 2]
    assert (funnel.lost, funnel.hesitating, funnel.rescued) == (1, 1, 1)
    assert funnel.by_source["ads"] == (4, 1) and funnel.by_source["walk_in"] == (1, 1)
    assert funnel.by_source["camp"] == (0, 0)
    whole = leads.conversion_funnel(desk, since=datetime(2026, 1, 1, tzinfo=UTC), until=until)
    assert whole.total == 6 and old
    with pytest.raises(ValidationError, match="End of range must be after"):
        leads.conversion_funnel(desk, since=until, until=since)


def test_lead_rows_keep_the_centre_and_creator(admin_ctx, ctx_for_role):
    desk = ctx_for_role(Role.FRONT_DESK)
    lead_id = _lead(desk)
    with admin_ctx.db.session() as session:
        row = session.scalar(select(LeadRow).where(LeadRow.id == lead_id))
        assert (row.centre_id, row.created_by) == (desk.user.centre_id, desk.user.staff_id)


def test_a_lead_who_is_already_a_patient_is_linked_not_registered_again(admin_ctx, ctx_for_role):
    desk = ctx_for_role(Role.FRONT_DESK)
    patient_id, _ = patients.register_patient(desk, patient_draft())
    lead_id = _lead(desk, name="Asha Menon")
    before = count_rows(admin_ctx, PatientRow)
    assert leads.convert_to_existing_patient(desk, lead_id, patient_id).leads
    assert count_rows(admin_ctx, PatientRow) == before
    detail = leads.get_lead(desk, lead_id)
    assert (detail.summary.status, detail.summary.patient_id) == (Status.CONVERTED, patient_id)
    with pytest.raises(IllegalTransition):
        leads.convert_to_existing_patient(desk, lead_id, patient_id)
