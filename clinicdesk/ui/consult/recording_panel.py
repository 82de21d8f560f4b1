"""Recording: the patient's consent first, then the microphone, level meter, pause/resume, clock and live transcript."""

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinicdesk.services import clinical_notes, clinical_vocabulary, recordings
from clinicdesk.services.consultation_dto import RecordingConsentStatus, RecordingStart
from clinicdesk.ui.app_context import AppContext
from clinicdesk.ui.consult.consent_to_record_dialog import SignedConsentDialog
from clinicdesk.ui.consult.level_meter import LevelMeter
from clinicdesk.ui.consult.live_transcription import LiveTranscription
from clinicdesk.ui.consult.speech_engines import SpeechEngines
from clinicdesk.ui.consult.touch import big_button, set_points
from clinicdesk.ui.tasks import error_text

TICK_MS = 100  # level meter and clock refresh
MODEL_CHOICES = (("base", "Whisper base: English, Hindi, Malayalam"),
                 ("tiny.en", "Whisper tiny: English only, for slow computers"))


def clock_text(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole // 60 % 60:02d}:{whole % 60:02d}" if whole >= 3600 else \
        f"{whole // 60:02d}:{whole % 60:02d}"


def _default_recorder(**kwargs):
    from clinicdesk.speech.capture import Recorder

    return Recorder(**kwargs)


def _default_microphones():
    from clinicdesk.speech.capture import list_microphones

    return list_microphones()


class RecordingPanel(QWidget):
    """One consultation's recording. Emits `transcript_saved` once the final transcript is stored."""

    transcript_saved = Signal(str)  # consultation id
    state_changed = Signal(str)  # idle, recording, paused, stopping

    def __init__(self, app: AppContext, engines: SpeechEngines, *, model_name: str = "base",
                 microphone_name: str = "", recorder_factory: Callable = _default_recorder,
                 microphones: Callable = _default_microphones,
                 on_microphone_chosen: Callable[[str], None] | None = None,
                 on_model_chosen: Callable[[str], None] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.app = app
        self.engines = engines
        self.model_name = model_name
        self.consultation_id: str | None = None
        self.consent: RecordingConsentStatus | None = None
        self.recorder = None
        self.live: LiveTranscription | None = None
        self.recording: RecordingStart | None = None
        self.state = "idle"
        self._recorder_factory = recorder_factory
        self._list_microphones = microphones
        self._remembered_microphone = microphone_name
        self._on_microphone_chosen = on_microphone_chosen
        self._on_model_chosen = on_model_chosen
        self._segments: list = []

        self.consent_label = QLabel()
        self.consent_label.setWordWrap(True)
        set_points(self.consent_label, 15)
        self.verbal_button = big_button(self.tr("Patient agreed aloud (I witnessed it)"))
        self.signed_button = big_button(self.tr("Patient signs consent…"))
        self.withdraw_button = big_button(self.tr("Consent withdrawn"))
        self.verbal_button.clicked.connect(self.record_verbal_consent)
        self.signed_button.clicked.connect(self.ask_signed_consent)
        self.withdraw_button.clicked.connect(self.withdraw_consent)

        self.microphone_box = QComboBox()
        self.microphone_box.setMinimumHeight(48)
        set_points(self.microphone_box, 14)
        self.microphone_box.setAccessibleName(self.tr("Microphone"))
        self.microphone_box.activated.connect(self._microphone_chosen)
        self.model_box = QComboBox()
        self.model_box.setMinimumHeight(48)
        set_points(self.model_box, 14)
        self.model_box.setAccessibleName(self.tr("Speech model"))
        for name, words in MODEL_CHOICES:
            self.model_box.addItem(self.tr(words), name)
        self.model_box.setCurrentIndex(max(0, self.model_box.findData(model_name)))
        self.model_box.activated.connect(self._model_chosen)
        self.record_button = big_button(self.tr("● Record"), colour="#c62828")
        self.pause_button = big_button(self.tr("Pause"))
        self.stop_button = big_button(self.tr("■ Stop"))
        self.record_button.clicked.connect(self.start_recording)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop_recording)
        self.clock = QLabel("00:00")
        set_points(self.clock, 28, bold=True)
        self.clock.setAccessibleName(self.tr("Time recorded"))
        self.meter = LevelMeter()
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        set_points(self.banner, 14)
        self.banner.hide()
        self.transcript = QPlainTextEdit()
        self.transcript.setReadOnly(True)
        self.transcript.setPlaceholderText(self.tr("The transcript appears here while you talk."))
        set_points(self.transcript, 15)

        consent_row = QHBoxLayout()
        for button in (self.verbal_button, self.signed_button, self.withdraw_button):
            consent_row.addWidget(button)
        controls = QGridLayout()
        controls.addWidget(QLabel(self.tr("Microphone")), 0, 0)
        controls.addWidget(self.microphone_box, 0, 1, 1, 3)
        controls.addWidget(QLabel(self.tr("Speech model")), 1, 0)
        controls.addWidget(self.model_box, 1, 1, 1, 3)
        controls.addWidget(self.record_button, 2, 0)
        controls.addWidget(self.pause_button, 2, 1)
        controls.addWidget(self.stop_button, 2, 2)
        controls.addWidget(self.clock, 2, 3)
        controls.addWidget(self.meter, 3, 0, 1, 4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.consent_label)
        layout.addLayout(consent_row)
        layout.addLayout(controls)
        layout.addWidget(self.banner)
        layout.addWidget(self.transcript, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self._fill_microphones()
        self._update_buttons()

    # --- which consultation ---------------------------------------------------------------------------------------
    def show_consultation(self, consultation_id: str | None) -> None:
        if self.state != "idle":
            return  # never switch away mid-recording: the page asks the doctor to stop first
        self.consultation_id = consultation_id
        self.consent = None
        self._segments = []
        self.transcript.clear()
        self.banner.hide()
        if consultation_id is not None:
            self.app.runner.run(recordings.recording_consent_status, self.app.ctx, consultation_id, owner=self,
                                on_done=self._consent_loaded, on_error=self._failed)
        self._update_buttons()

    def _consent_loaded(self, status: RecordingConsentStatus) -> None:
        self.consent = status
        self._update_buttons()

    # --- consent --------------------------------------------------------------------------------------------------
    def record_verbal_consent(self) -> None:
        user = self.app.user
        self.app.runner.run(recordings.record_recording_consent, self.app.ctx, self.consultation_id, "verbal",
                            witnessed_by=user.staff_id if user else None, owner=self,
                            on_done=lambda _: self._reload_consent(), on_error=self._failed)

    def ask_signed_consent(self) -> SignedConsentDialog:
        dialog = SignedConsentDialog(self)
        dialog.accepted.connect(lambda: self._save_signed(dialog.typed_name(), dialog.signature_png()))
        dialog.open()
        return dialog

    def _save_signed(self, typed_name: str, signature_png: bytes) -> None:
        self.app.runner.run(recordings.record_recording_consent, self.app.ctx, self.consultation_id, "signed",
                            typed_name=typed_name, signature_png=signature_png, owner=self,
                            on_done=lambda _: self._reload_consent(), on_error=self._failed)

    def withdraw_consent(self) -> None:
        # withdrawal stops the recording at once; the service then marks its audio for deletion
        if self.state in ("recording", "paused"):
            self._stop_capture()
        self.app.runner.run(recordings.withdraw_recording_consent, self.app.ctx, self.consultation_id, owner=self,
                            on_done=lambda _: self._withdrawn(), on_error=self._failed)

    def _withdrawn(self) -> None:
        self._show_banner(self.tr("Consent withdrawn: recording stopped and its audio will be deleted."))
        self._reload_consent()

    def _reload_consent(self) -> None:
        self.show_consultation(self.consultation_id) if self.state == "idle" else None

    # --- microphone -----------------------------------------------------------------------------------------------
    def _fill_microphones(self) -> None:
        self.microphone_box.clear()
        try:
            found = self._list_microphones()
        except Exception as exc:  # MicrophoneError carries the sentence to show
            self._show_banner(error_text(exc))
            found = []
        for microphone in found:
            self.microphone_box.addItem(microphone.name, microphone)
        if not found:
            self.microphone_box.addItem(self.tr("No microphone found"), None)
            return
        names = [microphone.name for microphone in found]
        if self._remembered_microphone in names:  # the USB microphone chosen last time, even if its number changed
            self.microphone_box.setCurrentIndex(names.index(self._remembered_microphone))
        else:
            default = next((i for i, microphone in enumerate(found) if microphone.default), 0)
            self.microphone_box.setCurrentIndex(default)

    def _microphone_chosen(self, index: int) -> None:
        microphone = self.microphone_box.itemData(index)
        if microphone is not None and self._on_microphone_chosen is not None:
            self._on_microphone_chosen(microphone.name)

    def _model_chosen(self, index: int) -> None:
        self.model_name = self.model_box.itemData(index)
        if self._on_model_chosen is not None:
            self._on_model_chosen(self.model_name)

    # --- recording ------------------------------------------------------------------------------------------------
    def start_recording(self) -> None:
        if self.consultation_id is None or self.state != "idle":
            return
        self.banner.hide()
        self._set_state("starting")
        self.engines.with_transcriber(self.model_name, self._have_transcriber)

    def _have_transcriber(self, transcriber) -> None:
        self.app.runner.run(clinical_vocabulary.clinical_terms, self.app.ctx, self.app.user.centre_id, owner=self,
                            on_done=lambda terms: self._begin(transcriber, terms),
                            on_error=lambda exc: self._begin(transcriber, []))

    def _begin(self, transcriber, terms: list[str]) -> None:
        from clinicdesk.speech.streaming import StreamingTranscriber
        from clinicdesk.speech.transcriber import vocabulary_prompt

        self._streaming = StreamingTranscriber(transcriber, hotwords=vocabulary_prompt(terms) or None,
                                               sample_rate=16000)
        self.app.runner.run(recordings.begin_recording, self.app.ctx, self.consultation_id, owner=self,
                            on_done=lambda result: self._capture(result[0]), on_error=self._start_failed)

    def _capture(self, recording: RecordingStart) -> None:
        from clinicdesk.store.audio_vault import EncryptedAudioWriter

        self.recording = recording
        writer = EncryptedAudioWriter(recording.path, recording.recording_key, sample_rate=recording.sample_rate,
                                      channels=recording.channels)
        self.live = LiveTranscription(self._streaming, self)
        self.live.segments_ready.connect(self._segments_arrived)
        self.live.finished.connect(self._transcript_finished)
        self.live.failed.connect(self._failed)
        self.recorder = self._recorder_factory(
            device=self.microphone_box.currentData(), sample_rate=recording.sample_rate,
            channels=recording.channels, writer=writer, on_audio=self.live.push)
        try:
            self.recorder.start()
        except Exception as exc:  # no microphone, PortAudio missing: say so; the empty recording is closed
            writer.close()
            self.live.finish()
            self._finish_row(interrupted=True)
            self._start_failed(exc)
            return
        self._set_state("recording")
        self.timer.start()

    def toggle_pause(self) -> None:
        if self.recorder is None:
            return
        if self.state == "recording":
            self.recorder.pause()
            self._set_state("paused")
        elif self.state == "paused":
            self.recorder.resume()
            self._set_state("recording")

    def stop_recording(self) -> None:
        if self.state in ("recording", "paused"):
            self._stop_capture()

    def _stop_capture(self) -> None:
        self.timer.stop()
        final = self.recorder.stop()
        interrupted = str(final) == "interrupted"
        self._set_state("stopping")
        self._finish_row(interrupted=interrupted)
        self.live.finish()

    def _finish_row(self, *, interrupted: bool) -> None:
        seconds = round(self.recorder.elapsed_seconds, 2) if self.recorder is not None else 0
        self.app.runner.run(recordings.finish_recording, self.app.ctx, self.recording.recording_id, seconds,
                            interrupted=interrupted, owner=self, on_error=self._failed)

    def _tick(self) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        self.meter.set_level(recorder.level)
        self.clock.setText(clock_text(recorder.elapsed_seconds))
        if str(recorder.state) == "interrupted" and self.state in ("recording", "paused"):
            self._show_banner(error_text(recorder.error) if recorder.error else self.tr("The recording stopped."))
            self._stop_capture()

    def _segments_arrived(self, segments: list) -> None:
        self._segments.extend(segments)
        for segment in segments:
            self.transcript.appendPlainText(segment.text.strip())

    def _transcript_finished(self, transcript) -> None:
        segments = [(segment.start, segment.end, segment.text) for segment in transcript.segments]
        self.transcript.setPlainText("\n".join(segment.text.strip() for segment in transcript.segments))
        self.app.runner.run(clinical_notes.save_transcript, self.app.ctx, self.consultation_id, segments,
                            model=transcript.model, language=transcript.language or "en", owner=self,
                            on_done=lambda _: self._saved(), on_error=self._failed)

    def _saved(self) -> None:
        self._set_state("idle")
        self.recorder = None
        self.transcript_saved.emit(self.consultation_id)

    # --- state and messages ---------------------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        self.state = state
        self._update_buttons()
        self.state_changed.emit(state)

    def _update_buttons(self) -> None:
        have = self.consultation_id is not None
        consented = self.consent is not None and self.consent.consent_id is not None
        idle = self.state == "idle"
        self.verbal_button.setEnabled(have and idle and not consented)
        self.signed_button.setEnabled(have and idle and not consented)
        self.withdraw_button.setEnabled(have and consented)
        self.record_button.setEnabled(have and idle and consented and self.microphone_box.currentData() is not None)
        self.pause_button.setEnabled(self.state in ("recording", "paused"))
        self.pause_button.setText(self.tr("Resume") if self.state == "paused" else self.tr("Pause"))
        self.stop_button.setEnabled(self.state in ("recording", "paused"))
        self.microphone_box.setEnabled(idle)
        self.model_box.setEnabled(idle)
        if not have:
            self.consent_label.setText(self.tr("Start a consultation to record it."))
        elif consented:
            how = self.tr("agreed aloud") if self.consent.kind == "verbal" else self.tr("signed")
            witness = f" ({self.tr('witness')}: {self.consent.witness_name})" if self.consent.witness_name else ""
            self.consent_label.setText(self.tr("Consent to record: %1").replace("%1", how) + witness)
        else:
            self.consent_label.setText(self.tr("Ask the patient first: recording needs their consent."))

    def _start_failed(self, exc: BaseException) -> None:
        self._set_state("idle")
        self.recorder = None
        self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        self._show_banner(error_text(exc))

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
