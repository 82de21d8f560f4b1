"""The merged patient timeline: every kind of record, newest first, paged, filtered, and no sealed text."""

from datetime import date
from decimal import Decimal

import pytest

from clinicdesk.domain.errors import PermissionDenied, ValidationError
from clinicdesk.domain.labs import LabEntry, ReferenceRange
from clinicdesk.domain.roles import Role
from clinicdesk.services import clinical_notes, consultations, intake_forms, lab_results, patient_records
from clinicdesk.services.patient_timeline import KINDS, load_timeline
from tests.services.consultation_matrix import VISIT
from tests.services.therapy_world import build_therapy_world


@pytest.fixture(scope="module")
def chart(tmp_path_factory):
    """A patient with a Panchakarma course, a signed note, labs, a document and a form (built once: it is slow)."""
    from tests.services.helpers import standalone_clinic

    with standalone_clinic(tmp_path_factory.mktemp("timeline") / "clinic") as boss:
        world = build_therapy_world(boss)
        world.scheduled_plan()
        patient_records.record_consent(boss, world.patient, kind="data_processing", version="2", method="signed")
        doctor = world.ctx(Role.DOCTOR)
        boss.clock.advance(hours=1)
        consultation, _ = consultations.start_consultation(doctor, world.patient)
        clinical_notes.save_transcript(doctor, consultation.id, VISIT, model="tiny.en")
        note, _ = clinical_notes.draft_note_from_transcript(doctor, consultation.id)
        clinical_notes.sign_note(doctor, note.note_id, acknowledge_unsupported=True)
        boss.clock.advance(hours=1)
        lab_results.record_lab_result(doctor, world.patient, LabEntry(
            "Serum creatinine", date(2026, 11, 25), "2.9", "mg/dL", ReferenceRange(Decimal("0.6"), Decimal("1.2"))))
        boss.clock.advance(hours=1)
        patient_records.add_document(boss, world.patient, title="Old discharge letter", mime_type="text/plain",
                                     content=b"letter")
        boss.clock.advance(hours=1)
        intake_forms.fill_form(doctor, world.patient, "general_intake", 1, {
            "chief_complaint": "Knee pain", "severity": 6, "diabetes": False, "hypertension": True,
            "diet": "Vegetarian"})
        yield world


def test_every_kind_appears_newest_first_without_sealed_text(chart):
    page = load_timeline(chart.ctx(Role.DOCTOR), chart.patient, limit=200, upcoming=True)
    kinds = {e.kind for e in page.entries}
    assert {"session", "note", "lab", "document", "form", "consent", "registered"} <= kinds
    assert [e.at for e in page.entries] == sorted((e.at for e in page.entries), reverse=True)
    note = next(e for e in page.entries if e.kind == "note")
    assert note.text == "Consultation note signed by Floor doctor (version 1)"
    everything = " ".join(e.text for e in page.entries).lower()
    assert "knee" not in everything and "sandhivata" not in everything  # note and form contents stay sealed
    lab = next(e for e in page.entries if e.kind == "lab")
    assert lab.flag == "abnormal" and "Serum creatinine" in lab.text
    assert not page.has_more


def test_paging_walks_the_same_order_without_gaps_or_repeats(chart):
    ctx = chart.ctx(Role.DOCTOR)
    whole = load_timeline(ctx, chart.patient, limit=200, upcoming=True).entries
    walked, offset = [], 0
    while True:
        page = load_timeline(ctx, chart.patient, offset=offset, limit=4, upcoming=True)
        walked += page.entries
        offset += 4
        if not page.has_more:
            break
    assert walked == list(whole) and len(whole) > 8


def test_filter_by_kind(chart):
    page = load_timeline(chart.ctx(Role.DOCTOR), chart.patient, kinds=["lab", "document"])
    assert {e.kind for e in page.entries} == {"lab", "document"}
    sessions = load_timeline(chart.ctx(Role.DOCTOR), chart.patient, kinds=["session"], limit=200,
                             upcoming=True).entries
    assert len(sessions) > 5 and all("(" in e.text for e in sessions)


def test_by_default_only_what_has_happened_is_listed(chart):
    ctx = chart.ctx(Role.DOCTOR)
    now = ctx.now()
    upcoming = load_timeline(ctx, chart.patient, limit=200, upcoming=True).entries
    assert any(e.at > now for e in upcoming)  # the course is booked ahead
    past = load_timeline(ctx, chart.patient, limit=200).entries
    assert past == tuple(e for e in upcoming if e.at <= now)


def test_labs_and_notes_are_left_out_for_roles_that_may_not_read_them(chart):
    page = load_timeline(chart.ctx(Role.FRONT_DESK), chart.patient, limit=200)
    assert {"lab", "note"}.isdisjoint({e.kind for e in page.entries})
    assert "lab" not in page.kinds and "note" not in page.kinds
    assert set(load_timeline(chart.ctx(Role.DOCTOR), chart.patient).kinds) == set(KINDS)


def test_bad_filters_and_unknown_patients_are_refused(chart):
    ctx = chart.ctx(Role.DOCTOR)
    with pytest.raises(ValidationError, match="Timeline filter kinds must be among"):
        load_timeline(ctx, chart.patient, kinds=["gossip"])
    with pytest.raises(ValidationError):
        load_timeline(ctx, chart.patient, limit=0)
    with pytest.raises(Exception, match="no longer exists"):
        load_timeline(ctx, "no-such-patient")
    with pytest.raises(PermissionDenied):
        load_timeline(type(ctx)(ctx.db, clock=ctx.clock), chart.patient)


def test_a_plain_appointment_is_on_the_timeline(world):
    world.book("asha", day=date(2026, 12, 3))  # a week ahead
    page = load_timeline(world.ctx(Role.FRONT_DESK), world.patients["asha"], upcoming=True)
    assert [e.text for e in page.entries if e.kind == "appointment"] == ["Abhyanga — confirmed"]
    assert [e for e in load_timeline(world.ctx(Role.FRONT_DESK), world.patients["asha"]).entries
            if e.kind == "appointment"] == []  # booked for later: not yet something that happened
