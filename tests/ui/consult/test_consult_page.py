"""Tablet mode end to end on a real clinic: consent, recording from a WAV "microphone", live tiny.en transcript,
redaction review, note drafted, edited and signed; plus refusals (no consent, signed note is final)."""

import re
import threading
from pathlib import Path

import numpy as np
import pytest

from clinicdesk.domain.roles import Role
from clinicdesk.services import clinical_notes, consultations, patient_records, patients
from clinicdesk.speech.capture import Microphone, Recorder
from clinicdesk.store.audio_vault import open_recording
from clinicdesk.store.models_consultation import RecordingRow, TranscriptRow
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.consult import retranscribe_bar
from clinicdesk.ui.consult.consult_page import ConsultPage, doctors_patients
from clinicdesk.ui.consult.speech_engines import SpeechEngines
from tests.speech.conftest import read_samples, require_speech_tools, speak
from tests.ui.conftest import draft

SCREENS = Path("out/screens")
BLOCK = 1600  # 0.1 s at 16 kHz, as PortAudio would deliver it
TURNS = [
    ("en-us", "Good morning Anitha Sharma. What brings you here today?"),
    ("en-us+f3", "I have had pain in my lower back for three weeks."),
    ("en-us+f3", "My phone number is 9 8 4 7 0 1 2 3 4 5."),
    ("en-us", "Your blood pressure is 130 over 85 and your pulse is 78."),
    ("en-us", "Take Ashwagandha 500 milligrams twice a day after food for thirty days."),
]


class WavMicrophone:
    """A sound card stand-in: on start() a thread plays the WAV's samples into PortAudio's callback, block by block."""

    def __init__(self, samples: np.ndarray, **kwargs):
        self.samples = samples
        self.callback = kwargs["callback"]
        self.halfway = threading.Event()  # set when it stops mid-sentence, for a screenshot while recording
        self.go_on = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._play, daemon=True)

    def start(self):
        self.thread.start()

    def _play(self):
        middle = len(self.samples) * 2 // 3
        for at in range(0, len(self.samples), BLOCK):
            block = self.samples[at:at + BLOCK]
            self.callback(block.reshape(-1, 1), len(block), None, None)
            if at >= middle and not self.halfway.is_set() and np.abs(block).max() > 0.1:
                self.halfway.set()
                self.go_on.wait(30)
        self.done.set()

    def stop(self):
        self.thread.join(10)

    def close(self):
        pass


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> np.ndarray:
    require_speech_tools()
    return read_samples(speak(TURNS, tmp_path_factory.mktemp("consult-ui"), "consult"))


@pytest.fixture(scope="module")
def engines():
    from clinicdesk.speech.transcriber import load_transcriber

    made = SpeechEngines(synchronous=True, loader=lambda name: load_transcriber(name))
    return made


@pytest.fixture
def doctor(ctx_for_role, runner, admin_ctx):
    ctx = ctx_for_role(Role.DOCTOR)
    patient_id, _ = patients.register_patient(admin_ctx, draft())
    patient_records.add_allergy(admin_ctx, patient_id, "Sesame oil", "rash")
    return AppContext(ctx, runner), patient_id


def make_page(qtbot, app, engines, spoken, microphones):
    def recorder_factory(**kwargs):
        def stream_factory(**stream_kwargs):
            microphones.append(WavMicrophone(spoken, **stream_kwargs))
            return microphones[-1]

        return Recorder(stream_factory=stream_factory, stall_seconds=120, **kwargs)

    page = ConsultPage(app, engines=engines, synchronous_jobs=True, model_name="tiny.en",
                       recorder_factory=recorder_factory,
                       microphones=lambda: [Microphone(7, "USB PnP Sound Device", True)])
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    return page


def test_a_consultation_is_recorded_transcribed_redacted_drafted_and_signed(qtbot, doctor, engines, spoken,
                                                                             tmp_path, monkeypatch):
    app, patient_id = doctor
    microphones: list[WavMicrophone] = []
    page = make_page(qtbot, app, engines, spoken, microphones)
    item, _ = consultations.start_consultation(app.ctx, patient_id)
    page.open_consultation(item)
    panel = page.recording
    assert panel.record_button.isEnabled() is False  # no consent yet: recording is refused
    assert "consent" in panel.consent_label.text()

    panel.verbal_button.click()
    assert panel.record_button.isEnabled()
    panel.record_button.click()
    qtbot.waitUntil(lambda: panel.state == "recording", timeout=20_000)
    qtbot.waitUntil(lambda: microphones and microphones[-1].halfway.is_set(), timeout=20_000)
    qtbot.waitUntil(lambda: panel.transcript.toPlainText() != "", timeout=30_000)  # live, before the end
    panel._tick()
    assert panel.clock.text() != "00:00" and panel.meter.dbfs > -40
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SCREENS / "consult-recording.png"))
    microphones[-1].go_on.set()
    qtbot.waitUntil(lambda: microphones[-1].done.is_set(), timeout=20_000)
    qtbot.waitUntil(lambda: panel.recorder.elapsed_seconds >= len(spoken) / 16000 - 0.05, timeout=20_000)

    panel.stop_button.click()
    qtbot.waitUntil(lambda: panel.state == "idle", timeout=60_000)
    page.wait_for_jobs()
    text = page.review.text.lower()
    assert "pain" in text and "pressure" in text and "milligrams" in text  # tiny.en: the gist, not every name
    redacted = page.review.redacted().text
    assert re.search(r"\d[\d ,]{6,}\d", text)  # a phone number was heard (tiny.en may mishear a digit)...
    assert not re.search(r"\d[\d ,]{6,}\d", redacted)  # ...and it never leaves this computer
    assert "PHONE" in {span.kind for span in page.review.spans}
    assert "500" in redacted and "78" in redacted  # clinical values stay
    page.tabs.setCurrentIndex(1)
    page.grab().save(str(SCREENS / "consult-transcript-redaction.png"))
    exported = tmp_path / "transcript.txt"
    page.export_redacted(str(exported))
    assert exported.read_text(encoding="utf-8") == redacted and "Saved transcript.txt" in page.review_status.text()

    # transcribing the stored recording again: a progress bar, then a new transcript (cancel leaves it alone)
    bar = page.retranscribe
    bar.start_button.click()
    assert "New transcript saved" in bar.message.text()
    with app.ctx.db.session() as session:
        assert session.query(TranscriptRow).filter_by(consultation_id=item.id).count() == 2
    before = clinical_notes.get_transcript(app.ctx, item.id)

    class CancelAtFirstProgress(retranscribe_bar.LongJob):
        def start(self):
            self.progressed.connect(lambda *_: self.cancel())
            super().start()

    monkeypatch.setattr(retranscribe_bar, "LongJob", CancelAtFirstProgress)
    bar.start_button.click()
    assert "Cancelled" in bar.message.text() and bar.start_button.isVisible()
    assert clinical_notes.get_transcript(app.ctx, item.id) == before

    # the recording on disk is encrypted and holds the whole consultation
    with app.ctx.db.session() as session:
        row = session.query(RecordingRow).one()
        assert row.state == "complete" and float(row.seconds) == pytest.approx(len(spoken) / 16000, abs=0.2)
    key = consultations_key(app, row.id)
    assert len(open_recording(app.ctx.db.data_dir / row.file_name, key).pcm16) == len(spoken) * 2

    page.tabs.setCurrentIndex(2)
    page.note.draft_button.click()
    assert page.note.note is not None and page.note.note.status == "draft"
    page.note.editors["plan"].appendPlainText("Review in two weeks.")
    page.note.acknowledge.setChecked(True)
    page.note.sign_button.click()
    if page.note.note.status != "signed":  # the added sentence was not heard: acknowledge it, then sign again
        page.note.acknowledge.setChecked(True)
        page.note.sign_button.click()
    assert page.note.note.status == "signed"
    assert page.note.editors["plan"].isReadOnly()
    assert "Signed by" in page.note.status.text()
    page.grab().save(str(SCREENS / "consult-signed-note.png"))


def consultations_key(app, recording_id):
    from clinicdesk.services import recordings

    return recordings.open_recording_key(app.ctx, recording_id).recording_key


def test_todays_list_shows_the_doctors_waiting_patients_first():
    from datetime import datetime

    from clinicdesk.services.appointment_dto import AppointmentItem

    def item(ref, status, hour, staff=("d1",)):
        return AppointmentItem(ref, ref, "c", "p", "P", "U", "s", "Consultation", datetime(2026, 11, 26, hour),
                               datetime(2026, 11, 26, hour, 20), None, "", staff, ("Dr",), status, "front_desk")

    items = [item("a", "confirmed", 9), item("b", "checked_in", 11), item("c", "cancelled", 8),
             item("d", "checked_in", 10, staff=("d2",)), item("e", "completed", 7)]
    assert [i.id for i in doctors_patients(items, "d1")] == ["b", "a"]


def test_a_prescription_warns_of_an_allergy_saves_after_acknowledgement_and_prints(qtbot, doctor, engines, tmp_path):
    import subprocess

    from clinicdesk.services.consultation_dto import PrescriptionLine

    app, patient_id = doctor
    page = make_page(qtbot, app, engines, np.zeros(1600, dtype=np.float32), [])
    item, _ = consultations.start_consultation(app.ctx, patient_id)
    page.open_consultation(item)
    page.tabs.setCurrentWidget(page.prescription)
    panel = page.prescription
    panel.search.setText("M54.5")
    assert panel.hits.count() >= 1 and panel.hits.item(0).text().startswith("M54.5")
    panel.add_line(PrescriptionLine("Ashwagandha churna", "3", "g", "BD", 30, food_timing="after_food"))
    panel.add_line(PrescriptionLine("Sesame oil", "10", "ml", "OD", 7, route="topical",
                                    instructions="Warm, on the knees / घुटनों पर गुनगुना लगाएँ"))
    panel.save_button.click()
    assert panel.result.prescription_id is None  # nothing saved until the doctor looks at the warning
    assert "Sesame oil" in panel.warnings.text() and panel.acknowledge.isVisible()
    panel.acknowledge.setChecked(True)
    panel.save_button.click()
    assert panel.result.prescription_id is not None and panel.print_button.isEnabled()
    pdf = tmp_path / "rx.pdf"
    panel.save_pdf(str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Anitha Sharma" in text and "Ashwagandha churna" in text and "BD (twice a day" in text
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SCREENS / "consult-prescription.png"))
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(SCREENS / "prescription-from-app")],
                   check=True)
