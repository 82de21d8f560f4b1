"""Tablet mode for the consultation room: today's patients on the left, the open consultation on the right."""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.services import appointments, clinical_notes, consultations, redacted_export, redaction_context
from clinicdesk.services.appointment_dto import AppointmentItem
from clinicdesk.services.consultation_dto import ConsultationItem
from clinicdesk.services.context import Changes
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.consult.note_panel import NotePanel
from clinicdesk.ui.consult.patient_strip import PatientStrip
from clinicdesk.ui.consult.prescription_panel import PrescriptionPanel
from clinicdesk.ui.consult.recording_panel import RecordingPanel, _default_microphones, _default_recorder
from clinicdesk.ui.consult.redaction_review import RedactionReview
from clinicdesk.ui.consult.retranscribe_bar import RetranscribeBar
from clinicdesk.ui.consult.speech_engines import SpeechEngines
from clinicdesk.ui.consult.touch import set_points
from clinicdesk.ui.consult.vitals_panel import VitalsPanel
from clinicdesk.ui.long_jobs import LongJob
from clinicdesk.ui.tasks import error_text
from clinicdesk.ui.widgets.card_list import Card, CardList

CARD_HEIGHT = 84
LIST_WIDTH = 320
WAITING_STATUSES = ("checked_in", "in_progress", "confirmed", "requested")  # who may still come in today


def doctors_patients(items: list[AppointmentItem], staff_id: str) -> list[AppointmentItem]:
    """Today's appointments of this doctor that are still to be seen, checked-in patients first, then by time."""
    mine = [item for item in items if staff_id in item.staff_ids and item.status in WAITING_STATUSES]
    return sorted(mine, key=lambda item: (item.status not in ("checked_in", "in_progress"), item.start))


def _redact(context, text: str):
    from clinicdesk.speech.redaction import Redactor

    redactor = Redactor(context.known_names, patient_token=lambda _patient: context.patient_token)
    return redactor.analyze(text), redactor.token_for


class ConsultPage(QWidget):
    consultation_opened = Signal(str)

    def __init__(self, app: AppContext, *, engines: SpeechEngines | None = None, synchronous_jobs: bool = False,
                 model_name: str = "base", microphone_name: str = "",
                 on_microphone_chosen: Callable[[str], None] | None = None,
                 on_model_chosen: Callable[[str], None] | None = None,
                 recorder_factory: Callable = _default_recorder, microphones: Callable = _default_microphones,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.synchronous_jobs = synchronous_jobs
        self.engines = engines or SpeechEngines(synchronous=synchronous_jobs, parent=self)
        self.consultation: ConsultationItem | None = None
        self.patients: list[AppointmentItem] = []
        self._redaction_job: LongJob | None = None

        self.title = QLabel()
        set_points(self.title, 18, bold=True)
        self.empty = QLabel(self.tr("Nobody is waiting for you today."))
        self.empty.setWordWrap(True)
        set_points(self.empty, 14)
        self.card_list = CardList(card_height=CARD_HEIGHT)
        left = QWidget()
        left.setFixedWidth(LIST_WIDTH)
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.title)
        left_layout.addWidget(self.empty)
        left_layout.addWidget(self.card_list, 1)

        self.strip = PatientStrip()
        self.recording = RecordingPanel(app, self.engines, model_name=model_name, microphone_name=microphone_name,
                                        recorder_factory=recorder_factory, microphones=microphones,
                                        on_microphone_chosen=on_microphone_chosen,
                                        on_model_chosen=on_model_chosen)
        self.review = RedactionReview()
        self.review_status = QLabel()
        set_points(self.review_status, 13)
        self.retranscribe = RetranscribeBar(app, self.engines, model_name=model_name, synchronous=synchronous_jobs)
        self.export_button = QPushButton(self.tr("Save the redacted text…"))
        self.export_button.setMinimumHeight(44)
        self.export_button.clicked.connect(lambda: self.export_redacted())
        review_tab = QWidget()
        review_layout = QVBoxLayout(review_tab)
        review_layout.addWidget(self.review_status)
        review_layout.addWidget(self.retranscribe)
        review_layout.addWidget(self.review, 1)
        review_layout.addWidget(self.export_button)
        self.note = NotePanel(app)
        self.vitals = VitalsPanel(app)
        self.prescription = PrescriptionPanel(app)
        self.tabs = QTabWidget()
        self.tabs.setStyleSheet("QTabBar::tab { min-height: 44px; min-width: 150px; font-size: 15pt; }")
        self.tabs.addTab(self.recording, self.tr("Record"))
        self.tabs.addTab(review_tab, self.tr("Transcript"))
        self.tabs.addTab(self.note, self.tr("Note"))
        self.tabs.addTab(self.vitals, self.tr("Vitals"))
        self.tabs.addTab(self.prescription, self.tr("Prescription"))
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        set_points(self.banner, 14)
        self.banner.hide()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.strip)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.tabs, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(left)
        layout.addWidget(right, 1)

        self.recording.transcript_saved.connect(self._transcript_saved)
        self.retranscribe.transcript_saved.connect(self._transcript_saved)
        self.note.note_changed.connect(self._note_changed)
        self.prescription.diagnosis_chosen.connect(self._diagnosis_chosen)
        self.recording.state_changed.connect(self._recording_state)
        self.engines.failed.connect(self._failed)
        app.runner.changes_did_apply.connect(self._changes_applied)
        self._show_consultation(None)
        self.refresh()

    # --- today's patients ---------------------------------------------------------------------------------------
    def refresh(self) -> None:
        user = self.app.user
        if user is None:
            return
        day = self.app.today()
        self.title.setText(self.tr("Today — %1").replace("%1", f"{day:%a %d %b}"))
        self.app.runner.run(appointments.today_queue, self.app.ctx, user.centre_id, day, owner=self,
                            on_done=self._patients_loaded, on_error=self._failed)

    def _changes_applied(self, changes: Changes) -> None:
        if changes.appointments:
            self.refresh()

    def _patients_loaded(self, items: list[AppointmentItem]) -> None:
        self.patients = doctors_patients(items, self.app.user.staff_id) if self.app.user else []
        cards = []
        for item in self.patients:
            waiting = item.status in ("checked_in", "in_progress")
            service = item.service_name.split(" (")[0]  # "Virechana (therapeutic purgation)": the name fits
            cards.append(Card(item.id, f"{item.start:%H:%M}  {item.patient_name}\n{service} · "
                              + (self.tr("waiting") if waiting else self.tr("not arrived")),
                              lambda chosen=item: self.open_appointment(chosen),
                              edge="#2e7d32" if waiting else "#9e9e9e"))
        self.card_list.set_cards(cards)
        self.empty.setVisible(not self.patients)

    # --- opening a consultation ---------------------------------------------------------------------------------
    def open_appointment(self, item: AppointmentItem) -> None:
        """One tap: reopen this appointment's unsigned consultation, or start one."""
        if self.recording.state != "idle":
            self._show_banner(self.tr("Stop the recording before you open another patient."))
            return

        def found(existing: list[ConsultationItem]) -> None:
            open_one = next((c for c in existing if c.appointment_id == item.id and c.status != "signed"), None)
            if open_one is not None:
                self.open_consultation(open_one)
            else:
                self.app.runner.run(consultations.start_consultation, self.app.ctx, item.patient_id, item.id,
                                    owner=self, on_done=lambda result: self.open_consultation(result[0]),
                                    on_error=self._failed)

        self.app.runner.run(consultations.list_consultations, self.app.ctx, item.patient_id, owner=self,
                            on_done=found, on_error=self._failed)

    def open_consultation(self, consultation: ConsultationItem) -> None:
        self._show_consultation(consultation)
        self.consultation_opened.emit(consultation.id)

    def _show_consultation(self, consultation: ConsultationItem | None) -> None:
        self.consultation = consultation
        self.banner.hide()
        consultation_id = consultation.id if consultation else None
        self.recording.show_consultation(consultation_id)
        self.note.show_consultation(consultation_id)
        self.vitals.show_consultation(consultation_id)
        self.prescription.show_consultation(consultation_id)
        self.retranscribe.show_consultation(consultation_id)
        self.export_button.setEnabled(False)
        self.review.show_text("", [])
        self.review_status.setText(self.tr("No transcript yet."))
        self.tabs.setEnabled(consultation is not None)
        if consultation is None:
            self.strip.show_summary(None)
            return
        self.app.runner.run(consultations.consultation_summary, self.app.ctx, consultation.patient_id,
                            current_consultation_id=consultation.id, owner=self, on_done=self.strip.show_summary,
                            on_error=self._failed)
        self._load_transcript()

    # --- transcript and redaction -------------------------------------------------------------------------------
    def _transcript_saved(self, consultation_id: str) -> None:
        if self.consultation is not None and consultation_id == self.consultation.id:
            self._load_transcript()
            self.tabs.setCurrentIndex(1)

    def _load_transcript(self) -> None:
        consultation_id = self.consultation.id
        self.app.runner.run(clinical_notes.get_transcript, self.app.ctx, consultation_id, owner=self,
                            on_done=lambda segments: self._have_transcript(consultation_id, segments),
                            on_error=self._failed)

    def _have_transcript(self, consultation_id: str, segments) -> None:
        text = "\n".join(segment.text.strip() for segment in segments)
        if not text:
            return
        self.review_status.setText(self.tr("Finding names and numbers to remove…"))
        self.app.runner.run(redaction_context.redaction_context, self.app.ctx, consultation_id, owner=self,
                            on_done=lambda context: self._redact(consultation_id, text, context),
                            on_error=self._failed)

    def _redact(self, consultation_id: str, text: str, context) -> None:
        def job(_cancel):
            yield _redact(context, text)

        self._redaction_job = LongJob(job, synchronous=self.synchronous_jobs, parent=self)
        self._redaction_job.finished.connect(lambda result: self._redacted(consultation_id, text, result))
        self._redaction_job.failed.connect(self._failed)
        self._redaction_job.start()

    def _redacted(self, consultation_id: str, text: str, result) -> None:
        if self.consultation is None or self.consultation.id != consultation_id:
            return  # the doctor moved on to another patient meanwhile
        spans, token_for = result
        self.review.show_text(text, spans, token_for)
        self.export_button.setEnabled(True)
        self.review_status.setText(self.tr("Check what is removed before anything leaves this computer: select "
                                           "words to remove more, or put the cursor on a mark to keep it."))

    def export_redacted(self, path: str | None = None) -> None:
        """The reviewed text, as the doctor left it, to a file (the only way transcript text leaves the app)."""
        if self.consultation is None or not self.review.text:
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the redacted transcript"),
                                                  "transcript-redacted.txt", self.tr("Text (*.txt)"))
            if not path:
                return
        redacted = self.review.redacted()
        self.app.runner.run(redacted_export.export_redacted_transcript, self.app.ctx, self.consultation.id,
                            redacted.text, Path(path), removed=len(redacted.entities), owner=self,
                            on_done=lambda saved: self.review_status.setText(
                                self.tr("Saved %1").replace("%1", saved.name)), on_error=self._failed)

    def _note_changed(self, note) -> None:
        # the prescription builder offers the medicines the drafter heard, unless one is already being written
        if self.prescription.table.rowCount() == 0 and self.prescription.result is None:
            self.prescription.show_consultation(self.consultation.id if self.consultation else None, note)

    def _diagnosis_chosen(self, text: str) -> None:
        if self.note.add_to_section("assessment", text):
            self.prescription.outcome.setText(self.tr("Added to the note's assessment: %1").replace("%1", text))
        else:
            self._show_banner(self.tr("Draft the note first; the diagnosis goes into its assessment."))

    # --- state and messages -------------------------------------------------------------------------------------
    def _recording_state(self, state: str) -> None:
        recording = state in ("recording", "paused", "starting", "stopping")
        for card in self.card_list.cards.values():
            card.setEnabled(not recording)

    def _failed(self, exc: BaseException) -> None:
        self._show_banner(error_text(exc))

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def wait_for_jobs(self) -> None:
        """Let background work finish (closing the window, tests)."""
        self.engines.wait()
        if self._redaction_job is not None:
            self._redaction_job.wait()
        if self.recording.live is not None:
            self.recording.live.wait()


def make_consult_page(app: AppContext) -> ConsultPage:
    """The page as the app builds it: this machine's speech model and remembered microphone."""
    from clinicdesk.ui.consult import room_settings

    return ConsultPage(app, model_name=room_settings.speech_model(app),
                       microphone_name=room_settings.microphone_name(app),
                       on_microphone_chosen=lambda name: room_settings.remember_microphone(app, name),
                       on_model_chosen=lambda name: room_settings.remember_speech_model(app, name))
