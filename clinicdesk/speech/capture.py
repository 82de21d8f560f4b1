"""Microphone capture: list microphones, record with pause/resume, feed the encrypted writer and live transcriber."""

import logging
import math
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import numpy as np

from clinicdesk.domain.errors import ClinicError

log = logging.getLogger(__name__)

SILENCE_DBFS = -100.0
# PortAudio calls back every block_seconds; no call for this long while recording means the microphone is gone.
STALL_SECONDS = 2.0
# The first block can take a while: PulseAudio's ALSA plugin delivered its first one after 2.1 s here.
START_SECONDS = 8.0
_PORTAUDIO_MISSING = ("The sound system (PortAudio) is not installed on this computer, so nothing can be recorded. "
                      "Ask whoever looks after this computer to install the 'libportaudio2' package, then restart "
                      "ClinicDesk.")
_NO_MICROPHONE = "No microphone was found. Plug in a microphone (or headset), wait a moment, then try again."
_UNPLUGGED = ("The microphone stopped sending sound (was it unplugged?). Everything recorded until then has been "
              "saved. Plug it back in and start a new recording to continue.")
_NEVER_STARTED = ("The microphone did not send any sound. Check that it is plugged in and not muted, or choose "
                  "another microphone, then start again.")
_NOT_SAVED = ("The recording could not be saved to disk (is the disk full?). What was saved before this point is "
              "kept.")


class MicrophoneError(ClinicError):
    """A microphone problem, described in a sentence a doctor can act on."""


class RecorderState(StrEnum):
    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"
    STOPPED = "stopped"
    INTERRUPTED = "interrupted"  # the microphone failed or was unplugged; what was recorded is kept


@dataclass(frozen=True)
class Microphone:
    id: int
    name: str
    default: bool


class AudioSink(Protocol):
    """Where raw 16-bit PCM goes: clinicdesk.store.audio_vault.EncryptedAudioWriter (passed in by a service)."""

    def write(self, pcm16: bytes) -> None: ...

    def close(self) -> None: ...


class InputStreamLike(Protocol):
    active: bool

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


StreamFactory = Callable[..., InputStreamLike]


def _sounddevice():
    try:
        import sounddevice
    except OSError:  # the Python package is there but libportaudio2 is not
        raise MicrophoneError(_PORTAUDIO_MISSING) from None
    return sounddevice


def list_microphones() -> list[Microphone]:
    """Every input device PortAudio can see, the system default marked; an empty list when none is plugged in."""
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        default_input = sd.default.device[0]
    except sd.PortAudioError as exc:
        raise MicrophoneError(f"The sound system did not answer ({exc}). Restart the computer if this persists.") \
            from None
    return [Microphone(index, device["name"], index == default_input)
            for index, device in enumerate(devices) if device["max_input_channels"] > 0]


def _stable_name(name: str) -> str:
    # ALSA appends the card number, which changes when USB devices are plugged in another order.
    return re.sub(r"\s*\(hw:\d+,\d+\)\s*$", "", name).strip().casefold()


def microphone_by_name(name: str, microphones: list[Microphone] | None = None) -> Microphone | None:
    """Find a remembered microphone again after a restart, when device numbers may have changed."""
    microphones = list_microphones() if microphones is None else microphones
    exact = [mic for mic in microphones if mic.name == name]
    if exact:
        return exact[0]
    stable = _stable_name(name)
    return next((mic for mic in microphones if _stable_name(mic.name) == stable), None)


def level_dbfs(block: np.ndarray) -> float:
    """RMS level of float samples in dBFS (0 = full scale), floored at SILENCE_DBFS."""
    if block.size == 0:
        return SILENCE_DBFS
    rms = math.sqrt(float(np.mean(np.square(block, dtype=np.float64))))
    return max(SILENCE_DBFS, 20 * math.log10(rms)) if rms > 0 else SILENCE_DBFS


def to_pcm16(block: np.ndarray) -> bytes:
    return (np.clip(block, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def _default_stream_factory(**kwargs: Any) -> InputStreamLike:
    sd = _sounddevice()
    if kwargs.get("device") is None and not list_microphones():
        raise MicrophoneError(_NO_MICROPHONE)
    return sd.InputStream(**kwargs)


_STOP = object()


class Recorder:
    """Records one consultation: PortAudio's callback only queues blocks; a worker thread writes and transcribes.

    `level` and `elapsed_seconds` can be read from any thread (for a level meter and a clock). When the
    microphone disappears the writer is closed properly and `state` becomes INTERRUPTED with `error` set;
    `on_audio` and `on_interrupted` are called on the worker thread (a UI must hop to its own thread).
    """

    def __init__(self, device: int | str | Microphone | None = None, *, sample_rate: int = 16000, channels: int = 1,
                 on_audio: Callable[[np.ndarray], None] | None = None, writer: AudioSink | None = None,
                 on_interrupted: Callable[[MicrophoneError], None] | None = None, block_seconds: float = 0.1,
                 stall_seconds: float = STALL_SECONDS, start_seconds: float = START_SECONDS,
                 stream_factory: StreamFactory | None = None):
        self.device = device.id if isinstance(device, Microphone) else device
        self.sample_rate, self.channels = sample_rate, channels
        self._on_audio, self._writer, self._on_interrupted = on_audio, writer, on_interrupted
        self._block_frames = max(1, int(sample_rate * block_seconds))
        self._stall_seconds, self._start_seconds = stall_seconds, start_seconds
        self._heard_device = False
        self._stream_factory = stream_factory or _default_stream_factory
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._state = RecorderState.IDLE
        self._frames = 0
        self._level = SILENCE_DBFS
        self._last_callback = 0.0
        self._stream: InputStreamLike | None = None
        self._worker: threading.Thread | None = None
        self.error: MicrophoneError | None = None

    @property
    def state(self) -> RecorderState:
        return self._state

    @property
    def level(self) -> float:
        return self._level

    @property
    def elapsed_seconds(self) -> float:
        """Seconds of audio kept so far (pauses excluded): counted in samples, so it matches the file exactly."""
        return self._frames / self.sample_rate

    def start(self) -> None:
        if self._state is not RecorderState.IDLE:
            raise RuntimeError("a Recorder records once; make a new one for the next recording")
        try:
            self._stream = self._stream_factory(
                device=self.device, samplerate=self.sample_rate, channels=self.channels, dtype="float32",
                blocksize=self._block_frames, callback=self._callback, finished_callback=self._stream_finished)
        except MicrophoneError:
            raise
        except Exception as exc:  # PortAudioError, ValueError for an unknown device name
            raise self._open_error(exc) from None
        self._last_callback = time.monotonic()
        self._state = RecorderState.RECORDING
        try:
            self._stream.start()
        except Exception as exc:
            # Nothing was recorded: leave the writer open and untouched for the caller, and allow another try.
            self._stream.close()
            self._state = RecorderState.IDLE
            self._queue = queue.SimpleQueue()
            raise self._open_error(exc) from None
        # Blocks that arrive before the worker runs wait in the queue.
        self._worker = threading.Thread(target=self._work, name="clinicdesk-recorder", daemon=True)
        self._worker.start()

    def pause(self) -> None:
        with self._lock:
            if self._state is RecorderState.RECORDING:
                self._state = RecorderState.PAUSED
                self._level = SILENCE_DBFS

    def resume(self) -> None:
        with self._lock:
            if self._state is RecorderState.PAUSED:
                self._state = RecorderState.RECORDING
                self._last_callback = time.monotonic()

    def stop(self, timeout: float = 10.0) -> RecorderState:
        """Stop, wait until every queued block is written and the writer is closed; returns the final state."""
        with self._lock:
            if self._state in (RecorderState.RECORDING, RecorderState.PAUSED):
                self._state = RecorderState.STOPPED
        if self._worker is not None:
            self._queue.put(_STOP)
            self._worker.join(timeout)
        return self._state

    # --- PortAudio's thread: no locks, no I/O, never blocks ---
    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        self._last_callback = time.monotonic()
        self._heard_device = True
        if status and getattr(status, "input_overflow", False):
            log.warning("microphone input overflow: some audio was dropped by the sound system")
        if self._state is not RecorderState.RECORDING:
            return
        block = indata.copy()
        self._level = level_dbfs(block)
        self._queue.put(block)

    def _stream_finished(self) -> None:
        # PortAudio ends a stream by itself when the device fails; after stop() this is expected and harmless.
        self._queue.put(_FinishedSignal)

    # --- worker thread ---
    def _work(self) -> None:
        failure: MicrophoneError | None = None
        while True:
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                # The callback keeps running while paused, so silence from PortAudio means a lost device either way.
                limit = self._stall_seconds if self._heard_device else self._start_seconds
                if self._state in (RecorderState.RECORDING, RecorderState.PAUSED) and \
                        time.monotonic() - self._last_callback > limit:
                    failure = MicrophoneError(_UNPLUGGED if self._heard_device else _NEVER_STARTED)
                    break
                continue
            if item is _STOP:
                break
            if item is _FinishedSignal:
                if self._state in (RecorderState.RECORDING, RecorderState.PAUSED):
                    failure = MicrophoneError(_UNPLUGGED)
                    break
                continue
            failure = self._deliver(item)
            if failure is not None:
                break
        self._finish(failure)

    def _deliver(self, block: np.ndarray) -> MicrophoneError | None:
        if self._writer is not None:
            try:
                self._writer.write(to_pcm16(block))
            except OSError:
                log.exception("writing the recording failed")
                return MicrophoneError(_NOT_SAVED)
        self._frames += len(block)
        if self._on_audio is not None:
            try:
                self._on_audio(block.reshape(-1) if self.channels == 1 else block)
            except Exception:  # a transcriber bug must not lose the recording
                log.exception("the live audio consumer failed; recording continues")
                self._on_audio = None
        return None

    def _finish(self, failure: MicrophoneError | None) -> None:
        if failure is not None:
            with self._lock:
                self._state = RecorderState.INTERRUPTED
                self.error = failure
        self._close_stream()
        # Blocks queued before the stop or failure still belong to the recording.
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, np.ndarray) and self._deliver(item) is not None:
                break
        self._level = SILENCE_DBFS
        if self._writer is not None:
            try:
                self._writer.close()
            except OSError:
                log.exception("closing the recording failed")
        if failure is not None and self._on_interrupted is not None:
            self._on_interrupted(failure)

    def _close_stream(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.stop()
        except Exception:  # an unplugged device often refuses to stop cleanly; closing still frees it
            log.debug("stopping the input stream failed", exc_info=True)
        try:
            self._stream.close()
        except Exception:
            log.debug("closing the input stream failed", exc_info=True)

    @staticmethod
    def _open_error(exc: Exception) -> MicrophoneError:
        text = str(exc).lower()
        if "no input device" in text or "invalid number of channels" in text or "no device" in text \
                or "invalid device" in text or "device unavailable" in text or "querying device -1" in text:
            return MicrophoneError(_NO_MICROPHONE)
        return MicrophoneError(f"The microphone could not be opened ({exc}). Check it is plugged in and not used by "
                               "another program, then try again.")


class _FinishedSignal:
    """Queue marker: PortAudio reported that the stream ended."""
