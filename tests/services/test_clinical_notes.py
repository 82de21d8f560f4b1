"""Transcripts and SOAP notes: drafting with sources, editing as new versions, signing as final, addenda."""

from decimal import Decimal

import pytest

from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.services import clinical_notes, consultations
from clinicdesk.services.consultation_dto import TranscriptSegment
from clinicdesk.services.consultation_records import content_hash
from clinicdesk.store.models_consultation import ClinicalNoteRow, NoteAddendumRow, TranscriptRow
from tests.services.consultation_matrix import VISIT, ConsultRoom
from tests.services.helpers import audit_rows, count_rows


@pytest.fixture(scope="module")
def room(shared_admin_ctx):
    made = ConsultRoom(shared_admin_ctx)
    made.set_up()
    return made


def test_transcript_is_sealed_and_read_back(room):
    consultation_id = room.consultation()
    transcript_id, _ = clinical_notes.save_transcript(room.boss, consultation_id, VISIT, model="tiny.en")
    with room.boss.db.session() as session:
        row = session.get(TranscriptRow, transcript_id)
        assert b"knees" not in row.sealed_text and b"knees" not in row.sealed_segments
    segments = clinical_notes.get_transcript(room.boss, consultation_id)
    assert segments[3] == TranscriptSegment(14.0, 20.0, "BP 130 over 85, pulse 78, temperature 99.1. Weight 72 kg.")


@pytest.mark.parametrize(("segments", "model", "message"), [
    ([], "tiny.en", "Transcript are empty"),
    ([(5.0, 2.0, "backwards")], "tiny.en", "times out of order"),
    (VISIT, " ", "Model is required"),
])
def test_bad_transcripts_are_refused(room, segments, model, message):
    consultation_id = room.consultation()
    before = count_rows(room.boss, TranscriptRow)
    with pytest.raises(ValidationError, match=message):
        clinical_notes.save_transcript(room.boss, consultation_id, segments, model=model)
    assert count_rows(room.boss, TranscriptRow) == before


def test_draft_cites_the_transcript_and_moves_the_consultation(room):
    consultation_id = room.transcribed()
    note, changes = clinical_notes.draft_note_from_transcript(room.boss, consultation_id)
    assert changes.consultations and (note.version, note.status) == (1, "draft")
    assert consultations.get_consultation(room.boss, consultation_id).status == "note_drafted"
    bp = note.sections["objective"][0]
    assert bp.text == "BP 130/85 mmHg." and bp.supported
    assert [(s.quote, s.start_seconds, s.end_seconds) for s in bp.sources] == [("BP 130 over 85", 14.0, 20.0)]
    assert note.vitals["temperature_c"] == Decimal("37.3")
    assert [(m.name, m.frequency, m.duration_days) for m in note.medications] == [("Yogaraja Guggulu", "BD", 30)]
    assert note.flagged == []
    assert clinical_notes.get_note(room.boss, consultation_id) == note


def test_drafting_needs_a_transcript(room):
    with pytest.raises(ValidationError, match="Transcript is missing"):
        clinical_notes.draft_note_from_transcript(room.boss, room.consultation())


def test_edits_are_new_versions_and_unsupported_sentences_are_flagged(room):
    note_id = room.drafted()
    edited, _ = clinical_notes.update_note_draft(room.boss, note_id, {
        "assessment": ["This looks like sandhivata with vata aggravation.", "Also early diabetic neuropathy."],
        "plan": ["Avoid cold food and curd at night.", ""]})
    assert edited.version == 2 and edited.note_id != note_id
    assessment = edited.sections["assessment"]
    assert [s.supported for s in assessment] == [True, False]
    assert assessment[1].sources == ()
    assert edited.sections["plan"][0].supported  # rewritten, but still backed by what was said
    assert edited.sections["plan"][0].sources[0].quote == "Avoid cold food and curd at night, do gentle yoga."
    assert edited.sections["history"] == clinical_notes.get_note(room.boss, edited.consultation_id).sections[
        "history"]  # sections not sent stay as they were
    assert edited.flagged == [("assessment", assessment[1])]
    with pytest.raises(IllegalTransition, match="edited since \\(version 2\\)"):
        clinical_notes.update_note_draft(room.boss, note_id, {"plan": ["Rest."]})
    with pytest.raises(ValidationError, match="unknown parts: diagnosis"):
        clinical_notes.update_note_draft(room.boss, edited.note_id, {"diagnosis": ["M17.0"]})


def test_signing_needs_flagged_sentences_acknowledged_then_is_final(room):
    note_id = room.drafted()
    edited, _ = clinical_notes.update_note_draft(room.boss, note_id, {"plan": ["Start insulin."]})
    before = count_rows(room.boss, ClinicalNoteRow)
    with pytest.raises(ValidationError, match="has 1 sentence not heard in the recording"):
        clinical_notes.sign_note(room.boss, edited.note_id)
    signed, _ = clinical_notes.sign_note(room.boss, edited.note_id, acknowledge_unsupported=True)
    assert (signed.status, signed.signed_by_name, signed.signed_at) == ("signed", "Asha Menon", room.boss.now())
    consultation = consultations.get_consultation(room.boss, signed.consultation_id)
    assert (consultation.status, consultation.ended_at) == ("signed", room.boss.now())
    with room.boss.db.session() as session:
        row = session.get(ClinicalNoteRow, signed.note_id)
        payload = clinical_notes.open_json(room.boss, row.sealed_sections,
                                           context=f"clinical-note:{row.id}")
        assert row.content_hash == content_hash(payload) == signed.content_hash
    assert count_rows(room.boss, ClinicalNoteRow) == before
    for attempt in (lambda: clinical_notes.update_note_draft(room.boss, signed.note_id, {"plan": ["Changed."]}),
                    lambda: clinical_notes.sign_note(room.boss, signed.note_id),
                    lambda: clinical_notes.draft_note_from_transcript(room.boss, signed.consultation_id)):
        with pytest.raises(IllegalTransition, match="(signed and final|addendum instead)"):
            attempt()
    assert count_rows(room.boss, ClinicalNoteRow) == before


def test_addenda_follow_a_signed_note_and_are_sealed(room):
    draft_id = room.drafted()
    with pytest.raises(IllegalTransition, match="still a draft"):
        clinical_notes.add_addendum(room.boss, draft_id, "Too early.")
    with pytest.raises(ValidationError, match="Addendum is required"):
        clinical_notes.add_addendum(room.boss, draft_id, "  ")
    signed_id = room.signed()
    addendum_id, _ = clinical_notes.add_addendum(room.boss, signed_id, "X-ray: joint space narrowing, both knees.")
    with room.boss.db.session() as session:
        assert b"X-ray" not in session.get(NoteAddendumRow, addendum_id).sealed_text
        consultation_id = session.get(ClinicalNoteRow, signed_id).consultation_id
    note = clinical_notes.get_note(room.boss, consultation_id)
    assert [(a.text, a.author_name) for a in note.addenda] == [("X-ray: joint space narrowing, both knees.",
                                                                "Asha Menon")]
    assert note.status == "signed"


def test_note_audit_carries_ids_not_content(room):
    room.signed()
    for row in audit_rows(room.boss):
        if row.action.startswith("consult."):
            text = " ".join((row.detail, row.entity_id, row.entity)).lower()
            assert "knee" not in text and "sandhivata" not in text and "guggulu" not in text
