"""An admin's template versions: checked field by field, in force from their date, never changing existing plans."""

import copy
from datetime import date, timedelta

import pytest

from clinicdesk.domain.errors import PermissionDenied, ValidationError
from clinicdesk.domain.roles import Role
from clinicdesk.services import protocol_versions, therapy_plans, therapy_sessions
from clinicdesk.store.models_protocols import ProtocolTemplateVersionRow
from clinicdesk.store.models_therapy import PlanSessionRow
from tests.services.helpers import count_rows
from tests.services.therapy_world import COURSE, START, build_therapy_world

TODAY = date(2026, 11, 26)  # the test clock's day in Kochi


@pytest.fixture
def world(admin_ctx):
    return build_therapy_world(admin_ctx)


def _templates(ctx) -> dict[tuple[str, str], object]:
    return {(t.kind, t.key): t for t in protocol_versions.list_templates(ctx)}


def _refused(ctx, kind, key, body, effective_from=TODAY) -> dict[str, str]:
    before = count_rows(ctx, ProtocolTemplateVersionRow)
    with pytest.raises(ValidationError) as refused:
        protocol_versions.save_template_version(ctx, kind, key, body, effective_from)
    assert count_rows(ctx, ProtocolTemplateVersionRow) == before  # nothing saved
    return refused.value.problems


def test_the_shipped_templates_are_listed_with_their_versions(admin_ctx):
    found = _templates(admin_ctx)
    assert {"therapy", "sop", "course"} == {kind for kind, _ in found}
    course = found[("course", COURSE)]
    assert course.in_force == 1 and [(v.version, v.source) for v in course.versions] == [(1, "shipped")]
    assert found[("sop", "abhyanga")].name == "Abhyanga (full-body oil massage)"
    draft = protocol_versions.template_draft(admin_ctx, "course", COURSE)
    assert draft.next_version == 2 and draft.earliest_effective == TODAY
    assert [(p["phase"], p["first_day"], p["last_day"]) for p in draft.body["phases"]] == [
        ("purvakarma", 0, 6), ("pradhanakarma", 7, 13), ("paschatkarma", 14, 20)]


def test_each_problem_is_named_by_its_field_and_nothing_is_saved(admin_ctx):
    course = protocol_versions.template_draft(admin_ctx, "course", COURSE).body
    short = copy.deepcopy(course)
    short["phases"][0]["first_day"] = 5  # purvakarma of two days (5-6), and sessions now outside it
    problems = _refused(admin_ctx, "course", COURSE, short)
    assert problems["phases[0].sessions[0].days"] == "must be different whole days inside the phase (5-6)"
    assert problems["phases[0]"] == "(purvakarma) lasts 2 days; it must last 3-7 days"
    unknown = copy.deepcopy(course)
    unknown["phases"][1]["sessions"][0]["therapy"] = "cupping"
    assert _refused(admin_ctx, "course", COURSE, unknown) == {
        "phases[1].sessions[0].therapy": "names 'cupping', which is not a booked therapy of the therapy list"}
    long = copy.deepcopy(course)
    long["phases"][2]["last_day"] = 30
    assert _refused(admin_ctx, "course", COURSE, long) == {
        "phases[2]": "(paschatkarma) lasts 17 days; it must last 7-14 days"}
    pradhana = copy.deepcopy(course)
    pradhana["phases"][1]["last_day"] = 10
    pradhana["phases"][1]["sessions"] = pradhana["phases"][1]["sessions"][:1]
    pradhana["phases"][2]["first_day"] = 11
    assert _refused(admin_ctx, "course", COURSE, pradhana) == {
        "phases[1]": "(pradhanakarma) lasts 4 days; it must last 5-21 days"}

    therapy = protocol_versions.template_draft(admin_ctx, "therapy", "abhyanga").body
    problems = _refused(admin_ctx, "therapy", "abhyanga", therapy | {"duration_minutes": 0})
    assert problems == {"duration_minutes": "must be more than 0 minutes for a therapy that is booked"}
    sop = protocol_versions.template_draft(admin_ctx, "sop", "abhyanga").body
    broken = copy.deepcopy(sop)
    broken["steps"][3]["timer_seconds"] = 0
    broken["steps"][1]["measure"]["max"] = 10  # below its minimum of 50
    broken["therapy"] = "cupping"
    assert _refused(admin_ctx, "sop", "abhyanga", broken) == {
        "steps[1].measure.max": "must not be below the minimum",
        "steps[3].timer_seconds": "must be a whole number from 1 to 14400",
        "therapy": "names 'cupping', which is not in the therapy list"}
    with pytest.raises(ValidationError, match="Effective from must be today"):
        protocol_versions.save_template_version(admin_ctx, "sop", "abhyanga", sop, TODAY - timedelta(days=1))


def test_a_new_version_applies_to_new_plans_only(world, clock):
    admin, doctor = world.boss, world.ctx(Role.DOCTOR)
    old_plan = world.scheduled_plan()
    old = {s.key: s for s in therapy_plans.plan_summary(doctor, old_plan).sessions}

    sop = protocol_versions.template_draft(admin, "sop", "abhyanga").body
    sop["steps"][3] |= {"text": "Warm oil applied in the seven positions, 40 minutes", "timer_seconds": 2400}
    version, changes = protocol_versions.save_template_version(admin, "sop", "abhyanga", sop, TODAY,
                                                               note="Shorter massage")
    assert version == 2 and changes.therapy
    course = protocol_versions.template_draft(admin, "course", COURSE).body
    course["contraindications"] = [*course["contraindications"], "Anaemia"]
    later = START + timedelta(days=30)
    assert protocol_versions.save_template_version(admin, "course", COURSE, course, later)[0] == 2

    # the plan made earlier keeps its course version and the SOP steps it was made with
    old_detail = therapy_sessions.session_detail(doctor, old["abh-5"].id)
    assert old_detail.steps[3].timer_seconds == 2700 and "40 minutes" not in old_detail.steps[3].text
    summary = therapy_plans.plan_summary(doctor, old_plan)
    assert summary.course_version == 1 and "Anaemia" not in summary.contraindications

    # a new plan starting before the course version's date: course v1, SOP v2 (in force since today)
    new_plan, _ = therapy_plans.create_plan(doctor, world.patient, COURSE, START)
    summary = therapy_plans.plan_summary(doctor, new_plan)
    assert summary.course_version == 1
    abh = next(s for s in summary.sessions if s.key == "abh-5")
    with doctor.db.session() as session:
        row = session.get(PlanSessionRow, abh.id)
        assert (row.sop_version, row.sop_steps[3]["timer_seconds"]) == (2, 2400)
    # and one starting on the course version's date gets course v2
    third, _ = therapy_plans.create_plan(doctor, world.patient, COURSE, later)
    summary = therapy_plans.plan_summary(doctor, third)
    assert summary.course_version == 2 and "Anaemia" in summary.contraindications

    listed = _templates(admin)
    assert [(v.version, v.source, v.note) for v in listed[("sop", "abhyanga")].versions] == [
        (1, "shipped", ""), (2, "admin", "Shorter massage")]
    assert listed[("sop", "abhyanga")].in_force == 2 and listed[("course", COURSE)].in_force == 1
    assert listed[("sop", "abhyanga")].versions[1].created_by == "Asha Menon"


def test_a_therapy_version_waits_for_its_date(admin_ctx, clock):
    draft = protocol_versions.template_draft(admin_ctx, "therapy", "abhyanga")
    assert draft.body["service"] == "ABH" and draft.body["duration_minutes"] == 60
    body = draft.body | {"duration_minutes": 75, "name": "Abhyanga (full-body oil massage, 75 min)"}
    protocol_versions.save_template_version(admin_ctx, "therapy", "abhyanga", body, TODAY + timedelta(days=2))
    assert _templates(admin_ctx)[("therapy", "abhyanga")].in_force == 1
    clock.advance(days=2)
    assert _templates(admin_ctx)[("therapy", "abhyanga")].in_force == 2
    again = protocol_versions.template_draft(admin_ctx, "therapy", "abhyanga").body
    assert (again["duration_minutes"], again["service"]) == (75, "ABH")


def test_only_an_admin_edits_templates(world):
    for role in (Role.DOCTOR, Role.THERAPIST, Role.NURSE):
        with pytest.raises(PermissionDenied):
            protocol_versions.list_templates(world.ctx(role))
