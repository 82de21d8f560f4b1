"""Transcribes the microphone's audio behind the speaker on its own thread and hands segments to the screen."""

import logging
import queue
import threading

from PySide6.QtCore import QObject, Signal

from clinicdesk.diagnostics import log_failure

log = logging.getLogger(__name__)

_FINISH = object()


class LiveTranscription(QObject):
    """`push(block)` from any thread (the recorder's worker); `segments_ready` and `finished` arrive on the main thread.

    Whisper gets its own thread so that a slow transcription never holds up writing the audio to disk: the
    recording is what must survive a crash, the transcript can always be made again from it.
    """

    segments_ready = Signal(object)  # list of clinicdesk.speech.transcriber.Segment
    finished = Signal(object)  # the whole Transcript
    failed = Signal(object)  # an exception

    def __init__(self, streaming, parent: QObject | None = None):
        super().__init__(parent)
        self._streaming = streaming
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="clinicdesk-live-transcription", daemon=True)
        self._thread.start()

    def push(self, block) -> None:
        self._queue.put(block)

    def finish(self) -> None:
        """Transcribe what is left; `finished` follows a few seconds later."""
        self._queue.put(_FINISH)

    def wait(self, timeout: float = 60.0) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _work(self) -> None:
        try:
            while (block := self._queue.get()) is not _FINISH:
                segments = self._streaming.feed(block)
                if segments:
                    self.segments_ready.emit(list(segments))
            self.finished.emit(self._streaming.finish())
        except Exception as exc:  # the screen says so; the recording itself is unaffected
            log_failure("Live transcription failed", exc)
            self.failed.emit(exc)
