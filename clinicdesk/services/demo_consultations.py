"""Demo consultations: a few past visits with a typed transcript, a signed note and a prescription, so the
consultation room's "last visit" panel and the patient's history have something true to show."""

import random
from dataclasses import dataclass

from clinicdesk.services import clinical_notes, consultations, prescriptions, recordings
from clinicdesk.services.consultation_dto import PrescriptionLine
from clinicdesk.services.context import ServiceContext

# What the doctor and patient said, as the transcript would hold it; (start s, end s, text).
VISITS = (
    ((0.0, 4.0, "Good morning, please sit down. What brings you here?"),
     (4.0, 11.0, "I have pain in my knees and lower back for about three months. It is worse in the morning."),
     (11.0, 16.0, "BP 128 over 82, pulse 76. Weight 68 kg."),
     (16.0, 22.0, "There is mild swelling of both knees. This looks like sandhivata with vata aggravation."),
     (22.0, 30.0, "Take Yogaraja Guggulu two tablets twice daily after food for 30 days."),
     (30.0, 34.0, "Come back for review after two weeks.")),
    ((0.0, 5.0, "Good evening. How is your digestion now?"),
     (5.0, 12.0, "I still have bloating after meals and my appetite is low. Sleep is disturbed."),
     (12.0, 17.0, "Pulse 82, temperature 98.6. BP 118 over 76."),
     (17.0, 23.0, "This is agnimandya. Avoid curd and cold drinks at night."),
     (23.0, 30.0, "Take Triphala churna 5 grams at bedtime with warm water for 21 days."),
     (30.0, 34.0, "Follow up after three weeks.")),
)
PRESCRIBED = (
    (PrescriptionLine("Yogaraja Guggulu", "2", "tablet", "BD", 30, food_timing="after_food"),),
    (PrescriptionLine("Triphala churna", "5", "g", "HS", 21, instructions="With warm water"),),
)


@dataclass
class DemoConsultations:
    doctor: ServiceContext
    rng: random.Random
    recorded: int = 0

    def record(self, patient_id: str) -> None:
        """One finished visit: consent, the transcript, the drafted note signed, the prescription saved."""
        visit = self.rng.randrange(len(VISITS))
        item, _ = consultations.start_consultation(self.doctor, patient_id)
        recordings.record_recording_consent(self.doctor, item.id, "verbal", witnessed_by=self.doctor.user.staff_id)
        clinical_notes.save_transcript(self.doctor, item.id, list(VISITS[visit]), model="base")
        consultations.record_vitals(self.doctor, item.id, pulse_bpm=76, bp_systolic=128, bp_diastolic=82)
        prescriptions.add_prescription(self.doctor, item.id, list(PRESCRIBED[visit]), acknowledge_allergies=True)
        note, _ = clinical_notes.draft_note_from_transcript(self.doctor, item.id)
        clinical_notes.sign_note(self.doctor, note.note_id, acknowledge_unsupported=True)
        self.recorded += 1
