"""Loads the Whisper model once per app (on a worker thread: it takes a second or two) and keeps it."""

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from clinicdesk.ui.long_jobs import LongJob

SPEECH_MODELS = ("base", "tiny.en")  # base: multilingual (English, Hindi, Malayalam); tiny.en: slow machines


def _load(name: str):
    from clinicdesk.speech.transcriber import load_transcriber

    return load_transcriber(name)


class SpeechEngines(QObject):
    """`with_transcriber(name, callback)`: callback(transcriber) on the main thread, loading it the first time."""

    failed = Signal(object)

    def __init__(self, *, synchronous: bool = False, loader: Callable = _load, parent: QObject | None = None):
        super().__init__(parent)
        self._synchronous = synchronous
        self._loader = loader
        self._loaded: dict[str, object] = {}
        self._job: LongJob | None = None
        self._waiting: list[Callable] = []

    def loaded(self, name: str):
        return self._loaded.get(name)

    def with_transcriber(self, name: str, callback: Callable) -> None:
        if name not in SPEECH_MODELS:
            raise ValueError(f"unknown speech model {name!r}")
        if name in self._loaded:
            callback(self._loaded[name])
            return
        self._waiting.append(callback)
        if self._job is not None and self._job.running:
            return

        def load(_cancel):
            yield self._loader(name)

        self._job = LongJob(load, synchronous=self._synchronous, parent=self)
        self._job.finished.connect(lambda transcriber: self._ready(name, transcriber))
        self._job.failed.connect(self._failed)
        self._job.start()

    def _ready(self, name: str, transcriber) -> None:
        self._loaded[name] = transcriber
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            callback(transcriber)

    def _failed(self, exc: BaseException) -> None:
        self._waiting = []
        self.failed.emit(exc)

    def wait(self) -> None:
        if self._job is not None:
            self._job.wait()
