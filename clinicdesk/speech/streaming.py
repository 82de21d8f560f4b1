"""Live transcription: Silero VAD cuts incoming audio at pauses, Whisper then transcribes batches behind the speaker."""

import threading
import time

import numpy as np

from clinicdesk.speech.transcriber import (
    SAMPLE_RATE,
    Segment,
    Transcriber,
    Transcript,
    build_transcript,
    shift_segments,
)

# The last words transcribed, given to Whisper as the prompt of the next batch, carry context across the cuts
# (68 s of dictation: base WER 0.057 with them, 0.064 without; tiny.en 0.093-0.114 with, 0.129-0.150 without).
_CONTEXT_CHARS = 200


class StreamingTranscriber:
    """Feed microphone audio as it arrives; get finalized segments back; `finish()` gives the whole transcript.

    Utterances are gathered into batches of a few seconds before Whisper sees them: every Whisper call pays for a
    full 30-second window, and a longer stretch gives it the context it needs, so batching is both faster and more
    accurate than one call per utterance. A batch is transcribed as soon as it is long enough or the speaker pauses.

    Plain Python and numpy, no Qt: run it on a worker thread. `feed` returns in milliseconds except when a batch is
    due, which takes about a second of Whisper work, so never call it from the audio callback: let the callback put
    chunks on a queue and a worker feed them. Calls are serialised by a lock; the work runs on the calling thread.
    """

    def __init__(self, transcriber: Transcriber, *, language: str | None = None, hotwords: str | None = None,
                 sample_rate: int = SAMPLE_RATE, pause_seconds: float = 0.5, batch_seconds: float = 8.0,
                 quiet_flush_seconds: float = 1.5, max_utterance_seconds: float = 12.0,
                 vad_interval_seconds: float = 0.5):
        """`pause_seconds` of silence ends an utterance and speech longer than `max_utterance_seconds` is cut at its
        last short breath; finished utterances are transcribed once they span `batch_seconds` or after
        `quiet_flush_seconds` of silence; the VAD looks again every `vad_interval_seconds` of new audio."""
        from faster_whisper.vad import VadOptions

        transcriber.check_language(language)
        self._transcriber = transcriber
        self._language = language
        self._hotwords = hotwords or None
        self._resample = _LinearResampler(sample_rate, SAMPLE_RATE) if sample_rate != SAMPLE_RATE else None
        self._vad_options = VadOptions(min_silence_duration_ms=int(pause_seconds * 1000), speech_pad_ms=200,
                                       min_speech_duration_ms=250, max_speech_duration_s=max_utterance_seconds)
        self._vad_interval = int(vad_interval_seconds * SAMPLE_RATE)
        self._batch = int(batch_seconds * SAMPLE_RATE)
        self._quiet_flush = int(quiet_flush_seconds * SAMPLE_RATE)
        # Sample positions count from the start of the recording. `_audio` holds everything from `_audio_start` on
        # that is not transcribed yet; the VAD scans from `_scan_from`; `_ready` lists finished (start, end) spans.
        self._audio = np.zeros(0, dtype=np.float32)
        self._audio_start = 0
        self._scan_from = 0
        self._unscanned = 0
        self._ready: list[tuple[int, int]] = []
        self._segments: list[Segment] = []
        self._context = ""
        self._wall_seconds = 0.0
        self._result: Transcript | None = None
        self._lock = threading.Lock()

    @property
    def audio_seconds(self) -> float:
        return self._audio_end / SAMPLE_RATE

    @property
    def _audio_end(self) -> int:
        return self._audio_start + len(self._audio)

    def feed(self, samples) -> list[Segment]:
        """Add audio (any chunk size; float or int16, mono or channels-last); return segments finalized by it."""
        with self._lock:
            if self._result is not None:
                raise RuntimeError("finish() was already called; start a new StreamingTranscriber")
            started = time.perf_counter()
            audio = _as_mono_float32(samples)
            if self._resample is not None:
                audio = self._resample(audio)
            self._audio = np.concatenate([self._audio, audio])
            self._unscanned += len(audio)
            finalized = self._advance(final=False) if self._unscanned >= self._vad_interval else []
            self._wall_seconds += time.perf_counter() - started
            return finalized

    def finish(self) -> Transcript:
        """Transcribe whatever is left and return the transcript of everything fed (calling it again is cheap)."""
        with self._lock:
            if self._result is None:
                started = time.perf_counter()
                self._advance(final=True)
                self._wall_seconds += time.perf_counter() - started
                self._result = build_transcript(self._segments, model=self._transcriber.name, language=self._language,
                                                audio_seconds=self.audio_seconds, wall_seconds=self._wall_seconds)
            return self._result

    def _advance(self, *, final: bool) -> list[Segment]:
        """Find utterances that ended, batch them, and transcribe the batches that are due."""
        from faster_whisper.vad import get_speech_timestamps

        self._unscanned = 0
        scan = self._audio[self._scan_from - self._audio_start:]
        speeches = get_speech_timestamps(scan, self._vad_options, sampling_rate=SAMPLE_RATE) if len(scan) else []
        # An utterance still being spoken runs to the end of the scan; one followed by a pause ends before it.
        finished = speeches if final else [s for s in speeches if s["end"] < len(scan)]
        new_segments: list[Segment] = []
        for speech in finished:
            span = (self._scan_from + speech["start"], self._scan_from + speech["end"])
            if self._ready and span[0] - self._ready[-1][1] > self._quiet_flush:
                new_segments += self._transcribe_ready()  # a pause this long closes the batch before it
            self._ready.append(span)
            if self._ready[-1][1] - self._ready[0][0] >= self._batch:
                new_segments += self._transcribe_ready()
        if finished:
            self._scan_from += finished[-1]["end"]
        elif speeches:
            self._scan_from += speeches[0]["start"]  # skip the silence before the utterance in progress
        else:
            self._scan_from = max(self._scan_from, self._audio_end - self._vad_interval)  # keep a little for an onset
        silence_until = self._scan_from if speeches[len(finished):] else self._audio_end
        if final or (self._ready and silence_until - self._ready[-1][1] > self._quiet_flush):
            new_segments += self._transcribe_ready()
        keep_from = self._ready[0][0] if self._ready else self._scan_from
        self._audio = self._audio[keep_from - self._audio_start:].copy()
        self._audio_start = keep_from
        return new_segments

    def _transcribe_ready(self) -> list[Segment]:
        if not self._ready:
            return []
        from faster_whisper.vad import SpeechTimestampsMap

        spans, self._ready = self._ready, []
        start, end = spans[0][0], spans[-1][1]
        # Only the utterances, each with its 0.2 s margins, as faster-whisper's own VAD filter does: pauses left in
        # cost tiny.en 2-3 WER points here; the map turns times in the joined audio back into batch times.
        audio = np.concatenate([self._audio[s - self._audio_start:e - self._audio_start] for s, e in spans])
        mapping = SpeechTimestampsMap([{"start": s - start, "end": e - start} for s, e in spans], SAMPLE_RATE)
        segments, language = self._transcriber.iter_segments(
            audio, language=self._language, hotwords=self._hotwords,
            initial_prompt=self._context or None, vad_filter=False)
        segments = list(segments)
        if self._language is None and segments:
            # Detect once, on the first batch with words; later short batches are detected less reliably.
            self._language = language
        segments = [Segment(mapping.get_original_time(s.start), mapping.get_original_time(s.end, is_end=True), s.text)
                    for s in segments]
        shifted = [Segment(s.start, min(s.end, end / SAMPLE_RATE), s.text)
                   for s in shift_segments(segments, start / SAMPLE_RATE)]
        self._segments += shifted
        self._context = " ".join([self._context, *(s.text for s in shifted)]).strip()[-_CONTEXT_CHARS:]
        return shifted


def _as_mono_float32(samples) -> np.ndarray:
    audio = np.asarray(samples)
    audio = audio.astype(np.float32) / 32768.0 if audio.dtype == np.int16 else audio.astype(np.float32, copy=False)
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    return audio.reshape(-1)


class _LinearResampler:
    """Linear interpolation that stays continuous across chunk boundaries (good enough for speech recognition)."""

    def __init__(self, source_rate: int, target_rate: int):
        self._step = source_rate / target_rate
        self._tail = np.zeros(0, dtype=np.float32)
        self._position = 0.0  # where the next output sample falls, in samples from the start of the tail

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        buffer = np.concatenate([self._tail, chunk])
        if len(buffer) < 2:
            self._tail = buffer
            return np.zeros(0, dtype=np.float32)
        count = int(np.floor((len(buffer) - 1 - self._position) / self._step)) + 1
        positions = self._position + self._step * np.arange(max(count, 0))
        out = np.interp(positions, np.arange(len(buffer)), buffer).astype(np.float32)
        self._position += self._step * max(count, 0) - (len(buffer) - 1)
        self._tail = buffer[-1:]
        return out
