"""Starting a consultation, vitals with BMI and alerts, and the summary panel, on a real SQLCipher clinic."""

from decimal import Decimal as D

import pytest

from clinicdesk.domain.errors import IllegalTransition, NotFound, PermissionDenied, ValidationError
from clinicdesk.domain.roles import PERMISSIONS, Action, Role
from clinicdesk.domain.vitals import AlertLevel
from clinicdesk.services import clinical_notes, consultations, prescriptions
from clinicdesk.store.models_consultation import ClinicalNoteRow, ConsultationRow, ConsultationVitalsRow
from tests.services.consultation_matrix import TRIPHALA, ConsultRoom
from tests.services.helpers import audit_rows, count_rows


@pytest.fixture(scope="module")
def room(shared_admin_ctx):
    made = ConsultRoom(shared_admin_ctx)
    made.set_up()
    return made


def test_start_moves_straight_into_consultation_and_is_audited(room):
    item, changes = consultations.start_consultation(room.boss, room.patient)
    assert changes.consultations
    assert (item.status, item.patient_id, item.doctor_id, item.started_at) == (
        "in_consultation", room.patient, room.boss.user.staff_id, room.boss.now())
    assert consultations.get_consultation(room.boss, item.id) == item
    assert audit_rows(room.boss, action="consult.start")[-1].entity_id == item.id


def test_start_refuses_an_unknown_patient_or_someone_elses_appointment(room):
    with pytest.raises(NotFound, match="no longer exists"):
        consultations.start_consultation(room.boss, "no-such-patient")
    before = count_rows(room.boss, ConsultationRow)
    with pytest.raises(ValidationError, match="Appointment is not one of this patient's appointments"):
        consultations.start_consultation(room.boss, room.patient, appointment_id="no-such-appointment")
    assert count_rows(room.boss, ConsultationRow) == before


def test_vitals_give_bmi_category_and_alerts(room):
    result, changes = consultations.record_vitals(room.boss, room.consultation(), bp_systolic=150, bp_diastolic=95,
                                                  pulse_bpm=78, temperature_f="99.1", spo2_percent=93,
                                                  height_cm=170, weight_kg="72")
    assert changes.consultations
    assert (result.bmi, result.bmi_category) == (D("24.9"), "overweight")
    assert [(a.field, a.level) for a in result.alerts] == [("blood_pressure", AlertLevel.WARNING),
                                                           ("spo2_percent", AlertLevel.WARNING)]
    assert result.alerts[0].message == "Blood pressure 150/95 mmHg is high (140/90 or above)"
    with room.boss.db.session() as session:
        row = session.get(ConsultationVitalsRow, result.vitals_id)
        assert (row.temperature_c, row.bmi, row.patient_id) == (D("37.3"), D("24.9"), room.patient)


@pytest.mark.parametrize(("values", "message"), [
    (dict(bp_systolic=120), "Diastolic BP needs both numbers"),
    (dict(pulse_bpm="fast"), "Pulse must be a number"),
    (dict(pulse_bpm="72.5"), "Pulse must be a whole number"),
    (dict(temperature_c=99.1), "Temperature must be between 30 and 45"),
    (dict(temperature_c=37, temperature_f=98.6), "given in both °C and °F"),
    ({}, "Vitals are empty"),
])
def test_bad_vitals_are_refused_and_nothing_is_saved(room, values, message):
    consultation_id = room.consultation()
    before = count_rows(room.boss, ConsultationVitalsRow)
    with pytest.raises(ValidationError, match=message):
        consultations.record_vitals(room.boss, consultation_id, **values)
    assert count_rows(room.boss, ConsultationVitalsRow) == before


def test_vitals_are_refused_once_the_note_is_signed(room):
    note_id = room.signed()
    with room.boss.db.session() as session:
        consultation_id = session.get(ClinicalNoteRow, note_id).consultation_id
    with pytest.raises(IllegalTransition, match="This consultation is signed, so you cannot record vitals now"):
        consultations.record_vitals(room.boss, consultation_id, pulse_bpm=70)


def test_summary_shows_allergies_medicines_and_the_previous_visit(shared_admin_ctx):
    room = ConsultRoom(shared_admin_ctx)
    room.set_up(phone="98470 90002")
    empty = consultations.consultation_summary(room.boss, room.patient)
    assert empty.previous_visit is None
    assert [a.substance for a in empty.allergies] == ["Penicillin"]
    assert [m.name for m in empty.medications] == ["Metformin"]
    first = room.transcribed()
    note, _ = clinical_notes.draft_note_from_transcript(room.boss, first)
    prescriptions.add_prescription(room.boss, first, [TRIPHALA])
    clinical_notes.sign_note(room.boss, note.note_id)
    room.boss.clock.advance(days=14)
    current = room.consultation()
    summary = consultations.consultation_summary(room.boss, room.patient, current_consultation_id=current)
    last = summary.previous_visit
    assert (last.consultation_id, last.status, last.doctor_name) == (first, "signed", "Asha Menon")
    assert last.chief_complaint == "I have pain in my knees and lower back."
    assert last.assessment == "This looks like sandhivata with vata aggravation."
    assert last.prescribed == ("Triphala churna",)
    assert summary.patient_name == "Consult Menon"


def test_reception_sees_no_clinical_content(shared_admin_ctx, ctx_for_role):
    for role in (Role.FRONT_DESK, Role.CUSTOMER_RELATIONS):
        assert not PERMISSIONS[role] & {Action.CONSULT_VIEW, Action.CONSULT_RUN, Action.NOTE_WRITE,
                                        Action.NOTE_SIGN, Action.PRESCRIBE}
    for role in (Role.THERAPIST, Role.NURSE):
        assert Action.NOTE_SIGN not in PERMISSIONS[role]
    desk = ctx_for_role(Role.FRONT_DESK)
    with pytest.raises(PermissionDenied, match="consult.view"):
        clinical_notes.get_note(desk, "any-consultation")
