"""Consultation calls for the role x action matrix, and the small clinic corner they (and the service tests) use."""

import itertools
from datetime import date
from types import SimpleNamespace

from clinicdesk.domain.roles import Action
from clinicdesk.services import (
    clinical_notes,
    clinical_vocabulary,
    consultations,
    note_assistant,
    patient_records,
    patients,
    prescription_documents,
    prescriptions,
    recordings,
    redacted_export,
    redaction_context,
    retranscription,
    stock,
)
from clinicdesk.services.consultation_dto import PrescriptionLine
from clinicdesk.services.context import ServiceContext
from tests.services.helpers import patient_draft

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
VISIT = [
    (0.0, 3.5, "Good morning, please sit down."),
    (3.5, 9.0, "I have pain in my knees and lower back. It started about three years ago."),
    (9.0, 14.0, "The pain is worse in the morning with stiffness for an hour. Sleep is poor."),
    (14.0, 20.0, "BP 130 over 85, pulse 78, temperature 99.1. Weight 72 kg."),
    (20.0, 25.0, "On examination there is tenderness and mild swelling of both knees."),
    (25.0, 29.0, "This looks like sandhivata with vata aggravation."),
    (29.0, 38.0, "Take Yogaraja Guggulu two tablets twice daily after food for 30 days."),
    (38.0, 42.0, "Avoid cold food and curd at night, do gentle yoga."),
    (42.0, 45.0, "Come back for review after two weeks."),
]
QUIET_ASSISTANT = SimpleNamespace(name="matrix", suggest=lambda redacted: {})  # a note assistant, no model
TRIPHALA = PrescriptionLine("Triphala churna", "5", "g", "HS", 30, food_timing="after food")


class ConsultRoom:
    """A patient with a penicillin allergy, a stocked medicine, and consultations in whatever state a call needs."""

    def __init__(self, boss: ServiceContext):
        self.boss = boss
        self.codes = itertools.count(1)

    def set_up(self, phone: str = "98470 90001") -> None:
        self.centre = self.boss.user.centre_id
        self.patient, _ = patients.register_patient(self.boss, patient_draft(given_name="Consult", phone=phone))
        patient_records.add_allergy(self.boss, self.patient, "Penicillin", "rash", "severe")
        patient_records.add_medication(self.boss, self.patient, "Metformin", "500 mg", "BD")
        self.item, _ = stock.save_item(self.boss, self.centre, f"YOGA-GUG-{phone[-2:]}", "Yogaraja Guggulu",
                                       "tablet", 20)
        stock.receive_batch(self.boss, self.item, "YG-LATE", 500, date(2028, 1, 31))
        stock.receive_batch(self.boss, self.item, "YG-SOON", 30, date(2027, 3, 31))

    def export_path(self):
        """A fresh file in the clinic's data folder for an export (the matrix world has no tmp_path)."""
        return self.boss.db.data_dir / f"export-{next(self.codes)}.txt"

    def consultation(self) -> str:
        item, _ = consultations.start_consultation(self.boss, self.patient)
        return item.id

    def consented(self) -> str:
        consultation_id = self.consultation()
        recordings.record_recording_consent(self.boss, consultation_id, "verbal", witnessed_by=self.boss.user.staff_id)
        return consultation_id

    def recording(self) -> str:
        start, _ = recordings.begin_recording(self.boss, self.consented())
        return start.recording_id

    def transcribed(self) -> str:
        consultation_id = self.consultation()
        clinical_notes.save_transcript(self.boss, consultation_id, VISIT, model="tiny.en")
        return consultation_id

    def drafted(self) -> str:
        note, _ = clinical_notes.draft_note_from_transcript(self.boss, self.transcribed())
        return note.note_id

    def prescribed(self) -> str:
        result, _ = prescriptions.add_prescription(self.boss, self.consultation(), [TRIPHALA])
        return result.prescription_id

    def signed(self) -> str:
        note, _ = clinical_notes.sign_note(self.boss, self.drafted())
        return note.note_id


def registry(room_of) -> dict[Action, dict[str, object]]:
    """Calls per action; `room_of(world)` gives the ConsultRoom kept on the matrix world."""
    r = room_of
    return {
        Action.CONSULT_VIEW: {
            "redacted_export.export_redacted_transcript": lambda c, w: redacted_export.export_redacted_transcript(
                c, r(w).consultation(), "Pain in the knees.", r(w).export_path(), removed=0),
            "consultations.list_consultations": lambda c, w: consultations.list_consultations(c, r(w).patient),
            "consultations.get_consultation": lambda c, w: consultations.get_consultation(c, r(w).consultation()),
            "consultations.consultation_summary": lambda c, w: consultations.consultation_summary(c, r(w).patient),
            "recordings.recording_consent_status": lambda c, w: recordings.recording_consent_status(
                c, r(w).consented()),
            "clinical_notes.get_note": lambda c, w: clinical_notes.get_note(c, r(w).transcribed()),
            "clinical_notes.get_transcript": lambda c, w: clinical_notes.get_transcript(c, r(w).transcribed()),
            "redaction_context.redaction_context": lambda c, w: redaction_context.redaction_context(
                c, r(w).consultation()),
            "redaction_context.reidentify": lambda c, w: redaction_context.reidentify(
                c, c.db.sealer.patient_pseudonym(r(w).patient)),
            "clinical_vocabulary.clinical_terms": lambda c, w: clinical_vocabulary.clinical_terms(c, r(w).centre),
            "prescription_documents.build_prescription_document": lambda c, w:
                prescription_documents.build_prescription_document(c, r(w).prescribed())},
        Action.CONSULT_RUN: {
            "retranscription.latest_recording_id": lambda c, w: retranscription.latest_recording_id(
                c, r(w).consultation()),
            "consultations.start_consultation": lambda c, w: consultations.start_consultation(c, r(w).patient),
            "consultations.record_vitals": lambda c, w: consultations.record_vitals(c, r(w).consultation(),
                                                                                    pulse_bpm=72),
            "recordings.record_recording_consent": lambda c, w: recordings.record_recording_consent(
                c, r(w).consultation(), "signed", typed_name="Consult Menon", signature_png=PNG),
            "recordings.withdraw_recording_consent": lambda c, w: recordings.withdraw_recording_consent(
                c, r(w).consented()),
            "recordings.begin_recording": lambda c, w: recordings.begin_recording(c, r(w).consented()),
            "recordings.finish_recording": lambda c, w: recordings.finish_recording(c, r(w).recording(), 12.5),
            "recordings.open_recording_key": lambda c, w: recordings.open_recording_key(c, r(w).recording()),
            "clinical_notes.save_transcript": lambda c, w: clinical_notes.save_transcript(
                c, r(w).consultation(), VISIT, model="tiny.en")},
        Action.NOTE_WRITE: {
            "clinical_notes.draft_note_from_transcript": lambda c, w: clinical_notes.draft_note_from_transcript(
                c, r(w).transcribed()),
            "note_assistant.suggest_with_assistant": lambda c, w: note_assistant.suggest_with_assistant(
                c, r(w).transcribed(), QUIET_ASSISTANT),
            "clinical_notes.update_note_draft": lambda c, w: clinical_notes.update_note_draft(
                c, r(w).drafted(), {"plan": ["Rest the knees."]}),
            "clinical_notes.add_addendum": lambda c, w: clinical_notes.add_addendum(c, r(w).signed(),
                                                                                  "X-ray report normal.")},
        Action.NOTE_SIGN: {
            "clinical_notes.sign_note": lambda c, w: clinical_notes.sign_note(c, r(w).drafted())},
        Action.PRESCRIBE: {
            "prescriptions.add_prescription": lambda c, w: prescriptions.add_prescription(
                c, r(w).consultation(), [TRIPHALA])},
        Action.RECORDING_ADMIN: {
            "recordings.list_recordings": lambda c, w: recordings.list_recordings(c),
            "recordings.recording_retention": lambda c, w: recordings.recording_retention(c),
            "recordings.purge_expired_recordings": lambda c, w: recordings.purge_expired_recordings(
                c, date(2026, 11, 1)),
            "recordings.set_recording_retention": lambda c, w: recordings.set_recording_retention(c, 365)},
    }
