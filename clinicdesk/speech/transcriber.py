"""On-device Whisper transcription (faster-whisper): load a model, transcribe a file or samples, report progress."""

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinicdesk.domain.errors import ClinicError
from clinicdesk.speech.models import MODEL_NAMES, model_directory
from clinicdesk.speech.progress import CancelToken, Progress, TranscriptionCancelled, is_cancelled

SAMPLE_RATE = 16000
# Prompt, previous text and the words being decoded share Whisper's 448 tokens. Ayurvedic names cost about one token
# per 2.3 characters, so 250 characters are about 110 tokens: the quarter of the window the prompt may take without
# squeezing what is decoded after a long previous text.
_PROMPT_MAX_CHARS = 250


class AudioUnreadable(ClinicError):
    """The file is missing or is not audio that can be decoded."""


class UnsupportedLanguage(ClinicError):
    """The chosen model cannot transcribe the requested language."""


@dataclass(frozen=True)
class Segment:
    """A stretch of speech: seconds from the start of the recording and what was said."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    """The result of one transcription; `wall_seconds` is the processing time (for a live transcript, the time spent
    in feed and finish), not the audio length."""

    text: str
    segments: tuple[Segment, ...]
    model: str
    language: str | None
    audio_seconds: float
    wall_seconds: float

    def as_json_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "segments": [{"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text} for s in self.segments],
            "model": self.model,
            "language": self.language,
            "audio_seconds": round(self.audio_seconds, 2),
            "wall_seconds": round(self.wall_seconds, 3),
        }


def vocabulary_prompt(terms: list[str]) -> str:
    """A Whisper prompt listing the clinic's drug and therapy names, so they come out spelled as the clinic does.

    Duplicates and blanks are dropped and order is kept; the list stops at about 110 tokens, so put the terms that
    matter most (today's prescriptions, the therapies of the plan) first.
    """
    chosen: list[str] = []
    seen: set[str] = set()
    length = 0
    for term in terms:
        cleaned = " ".join(term.split())
        if not cleaned or cleaned.casefold() in seen:
            continue
        if length + len(cleaned) + 2 > _PROMPT_MAX_CHARS:
            break
        chosen.append(cleaned)
        seen.add(cleaned.casefold())
        length += len(cleaned) + 2
    return f"{', '.join(chosen)}." if chosen else ""


def load_transcriber(name: str = "base", *, cpu_threads: int = 2, compute_type: str = "int8",
                     cache_dir: Path | None = None) -> "Transcriber":
    """Load a Whisper model from local files (about 1 s); raises ValueError for an unknown model name.

    `cache_dir` is where base is assembled (see models.model_directory); tests pass a temporary folder.
    """
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown Whisper model {name!r}; choose one of: {', '.join(MODEL_NAMES)}")
    from faster_whisper import WhisperModel

    model = WhisperModel(str(model_directory(name, cache_dir=cache_dir)), device="cpu", compute_type=compute_type,
                         cpu_threads=cpu_threads)
    return Transcriber(model, name)


def read_audio(path: Path | str):
    """Decode any audio file to float32 mono 16 kHz samples.

    AudioUnreadable's message leaves the path out: file names of recordings may carry a patient's name.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioUnreadable("The audio file was not found; check the path.")
    from faster_whisper import decode_audio

    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises many error types for damaged or non-audio files
        raise AudioUnreadable(f"The file cannot be read as audio ({type(exc).__name__}); use a WAV, MP3 or OGG "
                              "recording.") from exc
    if samples.size == 0:
        raise AudioUnreadable("The audio file contains no sound.")
    return samples


class Transcriber:
    """A loaded Whisper model. Calls from several threads are safe; they take turns (one CTranslate2 worker), which
    suits a 2-core machine where one call already uses both cores."""

    def __init__(self, model, name: str, *, beam_size: int = 5):
        self._model = model
        self.name = name
        self.beam_size = beam_size

    @property
    def multilingual(self) -> bool:
        return bool(self._model.model.is_multilingual)

    def transcribe_file(self, path: Path | str, *, language: str | None = None, hotwords: str | None = None,
                        cancel: CancelToken | None = None) -> Transcript:
        return self.transcribe_samples(read_audio(path), language=language, hotwords=hotwords, cancel=cancel)

    def transcribe_samples(self, samples, *, language: str | None = None, hotwords: str | None = None,
                           cancel: CancelToken | None = None) -> Transcript:
        """Transcribe float32 mono 16 kHz samples; raises TranscriptionCancelled if `cancel` is set meanwhile."""
        result = None
        for item in _transcribe_steps(self, samples, language=language, hotwords=hotwords, cancel=cancel):
            if isinstance(item, Transcript):
                result = item
        if result is None:
            raise TranscriptionCancelled("transcription cancelled")
        return result

    def iter_segments(self, samples, *, language: str | None = None, hotwords: str | None = None,
                      initial_prompt: str | None = None, vad_filter: bool = True) -> tuple[Iterator[Segment], str]:
        """Lazy segments (decoded as they are pulled) and the language; the building block of the other calls."""
        self.check_language(language)
        vad_parameters = {"min_silence_duration_ms": 700, "speech_pad_ms": 300} if vad_filter else None
        raw_segments, info = self._model.transcribe(
            samples, language=language, beam_size=self.beam_size, hotwords=hotwords or None,
            initial_prompt=initial_prompt or None, vad_filter=vad_filter, vad_parameters=vad_parameters)
        segments = (Segment(s.start, s.end, s.text.strip()) for s in raw_segments if s.text.strip())
        return segments, info.language

    def check_language(self, language: str | None) -> None:
        """Raise UnsupportedLanguage if this model cannot transcribe `language` (None means detect)."""
        if language not in (None, "en") and not self.multilingual:
            raise UnsupportedLanguage(f"The {self.name} model understands English only; use the base model for "
                                      f"language {language!r}.")


def transcribe_with_progress(transcriber: Transcriber, path: Path | str, *, language: str | None = None,
                             hotwords: str | None = None,
                             cancel: CancelToken | None = None) -> Iterator[Progress | Transcript]:
    """Yield Progress while transcribing `path`, then the Transcript; if `cancel` is set it stops early, no result."""
    yield Progress(0.0, "Reading audio")
    samples = read_audio(path)
    yield from _transcribe_steps(transcriber, samples, language=language, hotwords=hotwords, cancel=cancel)


def transcribe_samples_with_progress(transcriber: Transcriber, samples, *, language: str | None = None,
                                     hotwords: str | None = None,
                                     cancel: CancelToken | None = None) -> Iterator[Progress | Transcript]:
    """The same for audio already in memory (a decrypted recording never touches the disk in plain form)."""
    yield Progress(0.0, "Starting")
    yield from _transcribe_steps(transcriber, samples, language=language, hotwords=hotwords, cancel=cancel)


def _transcribe_steps(transcriber: Transcriber, samples, *, language, hotwords,
                      cancel) -> Iterator[Progress | Transcript]:
    started = time.perf_counter()
    audio_seconds = len(samples) / SAMPLE_RATE
    if is_cancelled(cancel):
        return
    segment_iter, detected_language = transcriber.iter_segments(samples, language=language, hotwords=hotwords)
    collected: list[Segment] = []
    for segment in segment_iter:
        collected.append(segment)
        if is_cancelled(cancel):
            return
        done = min(segment.end / audio_seconds, 1.0) if audio_seconds else 1.0
        yield Progress(done, f"Transcribed {segment.end:.0f} of {audio_seconds:.0f} seconds")
        if is_cancelled(cancel):
            return
    yield build_transcript(collected, model=transcriber.name, language=detected_language,
                           audio_seconds=audio_seconds, wall_seconds=time.perf_counter() - started)


def build_transcript(segments: list[Segment], *, model: str, language: str | None, audio_seconds: float,
                     wall_seconds: float) -> Transcript:
    return Transcript(text=" ".join(s.text for s in segments), segments=tuple(segments), model=model,
                      language=language, audio_seconds=audio_seconds, wall_seconds=wall_seconds)


def shift_segments(segments: list[Segment], offset_seconds: float) -> list[Segment]:
    """The same segments moved later by `offset_seconds` (utterance times to recording times)."""
    return [dataclasses.replace(s, start=s.start + offset_seconds, end=s.end + offset_seconds) for s in segments]
