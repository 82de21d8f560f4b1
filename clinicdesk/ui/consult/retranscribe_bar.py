"""Transcribe a consultation's recording again (e.g. with the base model): progress bar and a cancel button."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from clinicdesk.services import clinical_notes, recordings, retranscription
from clinicdesk.services.consultation_dto import RecordingStart
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.consult.speech_engines import SpeechEngines
from clinicdesk.ui.long_jobs import LongJob
from clinicdesk.ui.tasks import error_text


def _decrypted_samples(recording: RecordingStart):
    """float32 mono 16 kHz in memory: the plain audio never reaches the disk."""
    import numpy as np

    from clinicdesk.store.audio_vault import read_recording

    rate, channels, pcm16 = read_recording(recording.path, recording.recording_key)
    samples = np.frombuffer(pcm16, dtype=np.int16).astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    if rate != 16000:  # Whisper's rate; the recorder normally records at it already
        positions = np.arange(0, len(samples), rate / 16000)
        samples = np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
    return samples


class RetranscribeBar(QWidget):
    transcript_saved = Signal(str)  # consultation id

    def __init__(self, app: AppContext, engines: SpeechEngines, *, model_name: str = "base",
                 synchronous: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.app, self.engines, self.model_name, self.synchronous = app, engines, model_name, synchronous
        self.consultation_id: str | None = None
        self.job: LongJob | None = None
        self.start_button = QPushButton(self.tr("Transcribe the recording again"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.message = QLabel()
        for button in (self.start_button, self.cancel_button):
            button.setMinimumHeight(44)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.start_button)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.message)
        self._idle()

    def show_consultation(self, consultation_id: str | None) -> None:
        if self.job is not None and self.job.running:
            self.job.cancel()
        self.consultation_id = consultation_id
        self.message.clear()
        self._idle()
        self.start_button.setEnabled(consultation_id is not None)

    def start(self) -> None:
        self.app.runner.run(retranscription.latest_recording_id, self.app.ctx, self.consultation_id, owner=self,
                            on_done=self._have_recording, on_error=self._failed)

    def _have_recording(self, recording_id: str | None) -> None:
        if recording_id is None:
            self.message.setText(self.tr("There is no recording to transcribe."))
            return
        self.app.runner.run(recordings.open_recording_key, self.app.ctx, recording_id, owner=self,
                            on_done=lambda recording: self.engines.with_transcriber(
                                self.model_name, lambda transcriber: self._run(recording, transcriber)),
                            on_error=self._failed)

    def _run(self, recording: RecordingStart, transcriber) -> None:
        from clinicdesk.speech.transcriber import transcribe_samples_with_progress

        consultation_id = self.consultation_id

        def job(cancel):
            yield from transcribe_samples_with_progress(transcriber, _decrypted_samples(recording), cancel=cancel)

        self.job = LongJob(job, synchronous=self.synchronous, parent=self)
        self.job.progressed.connect(self._progressed)
        self.job.finished.connect(lambda transcript: self._finished(consultation_id, recording, transcript))
        self.job.failed.connect(self._failed)
        self.start_button.hide()
        self.progress.show()
        self.cancel_button.show()
        self.progress.setValue(0)
        self.job.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.message.setText(self.tr("Cancelling…"))

    def _progressed(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress.setFormat(message)

    def _finished(self, consultation_id: str, recording: RecordingStart, transcript) -> None:
        self._idle()
        if transcript is None:  # cancelled: the transcript on file stays as it was
            self.message.setText(self.tr("Cancelled; the transcript was not changed."))
            return
        segments = [(segment.start, segment.end, segment.text) for segment in transcript.segments]
        self.app.runner.run(clinical_notes.save_transcript, self.app.ctx, consultation_id, segments,
                            model=transcript.model, language=transcript.language or "en",
                            recording_id=recording.recording_id, owner=self,
                            on_done=lambda _: self._saved(consultation_id), on_error=self._failed)

    def _saved(self, consultation_id: str) -> None:
        self.message.setText(self.tr("New transcript saved."))
        self.transcript_saved.emit(consultation_id)

    def _idle(self) -> None:
        self.start_button.show()
        self.progress.hide()
        self.cancel_button.hide()

    def _failed(self, exc: BaseException) -> None:
        self._idle()
        self.message.setText(error_text(exc))
