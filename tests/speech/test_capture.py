"""Recorder behaviour with a fake PortAudio stream: pause/resume, elapsed time, level, unplugging, error sentences."""

import builtins
import sys
import threading
import time
import types

import numpy as np
import pytest

from clinicdesk.speech import capture
from clinicdesk.speech.capture import (
    Microphone,
    MicrophoneError,
    Recorder,
    RecorderState,
    level_dbfs,
    list_microphones,
    microphone_by_name,
    to_pcm16,
)
from clinicdesk.store.audio_vault import EncryptedAudioWriter, new_recording_key, open_recording

RATE = 16000
BLOCK = 1600  # 0.1 s


class FakeStream:
    """Stands in for sounddevice.InputStream; the test plays PortAudio by calling feed() from its own thread."""

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        self.callback, self.finished_callback = kwargs["callback"], kwargs["finished_callback"]
        self.active = self.closed = False
        self.start_error: Exception | None = None

    def start(self):
        if self.start_error:
            raise self.start_error
        self.active = True

    def stop(self):
        self.active = False

    def close(self):
        self.closed = True

    def feed(self, block: np.ndarray, status=None):
        self.callback(block.reshape(-1, 1).astype(np.float32), len(block), None, status)

    def unplug(self):
        self.active = False
        self.finished_callback()


class ListSink:
    def __init__(self):
        self.chunks: list[bytes] = []
        self.closed = False

    def write(self, pcm16: bytes) -> None:
        self.chunks.append(pcm16)

    def close(self) -> None:
        self.closed = True


class FullDisk(ListSink):
    def write(self, pcm16: bytes) -> None:
        raise OSError(28, "No space left on device")


def make_recorder(**kwargs):
    made: list[FakeStream] = []

    def factory(**stream_kwargs):
        made.append(FakeStream(**stream_kwargs))
        return made[-1]

    recorder = Recorder(stream_factory=factory, **kwargs)
    return recorder, made


def sine(amplitude: float, frames: int = BLOCK) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * 440 * np.arange(frames) / RATE)).astype(np.float32)


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_pause_drops_audio_and_elapsed_time_counts_only_recorded_seconds():
    sink, heard = ListSink(), []
    recorder, streams = make_recorder(writer=sink, on_audio=heard.append)
    recorder.start()
    stream = streams[0]
    assert stream.kwargs["samplerate"] == RATE and stream.kwargs["channels"] == 1 and stream.active
    for value in range(5):
        stream.feed(np.full(BLOCK, value / 10, dtype=np.float32))
    recorder.pause()
    assert recorder.state is RecorderState.PAUSED
    for _ in range(3):
        stream.feed(np.full(BLOCK, 0.9, dtype=np.float32))
    recorder.resume()
    for _ in range(2):
        stream.feed(np.full(BLOCK, -0.5, dtype=np.float32))
    assert recorder.stop() is RecorderState.STOPPED
    assert recorder.elapsed_seconds == pytest.approx(0.7)
    pcm = np.frombuffer(b"".join(sink.chunks), dtype="<i2")
    assert len(pcm) == 7 * BLOCK and sink.closed
    assert 29490 not in pcm  # 0.9 * 32767: nothing from the paused stretch
    assert pcm[-1] == -16383
    assert len(heard) == 7 and all(block.dtype == np.float32 and block.ndim == 1 for block in heard)
    assert stream.closed and not stream.active


def test_level_is_rms_dbfs_of_the_last_block():
    recorder, streams = make_recorder(writer=ListSink())
    recorder.start()
    assert recorder.level == capture.SILENCE_DBFS
    streams[0].feed(sine(0.5))
    assert recorder.level == pytest.approx(20 * np.log10(0.5 / np.sqrt(2)), abs=0.05)
    streams[0].feed(np.zeros(BLOCK, dtype=np.float32))
    assert recorder.level == capture.SILENCE_DBFS
    streams[0].feed(np.ones(BLOCK, dtype=np.float32))
    assert recorder.level == pytest.approx(0.0, abs=1e-6)
    recorder.stop()


def test_level_dbfs_and_pcm_conversion():
    assert level_dbfs(np.array([], dtype=np.float32)) == capture.SILENCE_DBFS
    assert level_dbfs(np.full(100, 0.1, dtype=np.float32)) == pytest.approx(-20.0)
    pcm = np.frombuffer(to_pcm16(np.array([0.0, 1.0, -1.0, 2.0, -3.0], dtype=np.float32)), dtype="<i2")
    assert pcm.tolist() == [0, 32767, -32767, 32767, -32767]


def test_unplugged_microphone_interrupts_and_keeps_what_was_recorded(tmp_path):
    key, path = new_recording_key(), tmp_path / "consult.cda"
    told: list[MicrophoneError] = []
    writer = EncryptedAudioWriter(path, key, sample_rate=RATE)
    recorder, streams = make_recorder(writer=writer, on_interrupted=told.append)
    recorder.start()
    for _ in range(25):  # 2.5 s
        streams[0].feed(sine(0.3))
    streams[0].unplug()
    assert wait_until(lambda: recorder.state is RecorderState.INTERRUPTED)
    assert wait_until(lambda: told)  # called last, after the writer was closed
    assert writer.closed
    assert "unplugged" in str(recorder.error) and "saved" in str(recorder.error)
    assert told == [recorder.error]
    recording = open_recording(path, key)
    assert recording.complete and len(recording.pcm16) == 25 * BLOCK * 2
    assert recorder.stop() is RecorderState.INTERRUPTED
    assert streams[0].closed


def test_a_stream_that_stops_calling_back_counts_as_unplugged():
    sink = ListSink()
    recorder, streams = make_recorder(writer=sink, stall_seconds=0.3)
    recorder.start()
    streams[0].feed(sine(0.3))
    assert wait_until(lambda: recorder.state is RecorderState.INTERRUPTED, timeout=3)
    assert wait_until(lambda: sink.closed) and len(b"".join(sink.chunks)) == BLOCK * 2
    recorder.stop()


def test_a_microphone_that_never_sends_sound_is_reported():
    sink = ListSink()
    recorder, _ = make_recorder(writer=sink, start_seconds=0.3)
    recorder.start()
    assert wait_until(lambda: recorder.state is RecorderState.INTERRUPTED, timeout=3)
    assert wait_until(lambda: sink.closed)
    assert "did not send any sound" in str(recorder.error) and sink.chunks == []
    recorder.stop()


def test_a_slow_first_block_is_not_a_stall():
    recorder, streams = make_recorder(writer=ListSink(), stall_seconds=0.2, start_seconds=5)
    recorder.start()
    time.sleep(0.6)  # PulseAudio took 2.1 s for its first block on the test machine
    streams[0].feed(sine(0.3))
    assert recorder.stop() is RecorderState.STOPPED


def test_pausing_does_not_count_as_a_stall_while_the_device_still_calls_back():
    recorder, streams = make_recorder(writer=ListSink(), stall_seconds=0.3)
    recorder.start()
    recorder.pause()
    stop_feeding = threading.Event()

    def portaudio():
        while not stop_feeding.is_set():
            streams[0].feed(sine(0.2))
            time.sleep(0.05)

    feeder = threading.Thread(target=portaudio)
    feeder.start()
    time.sleep(0.8)
    assert recorder.state is RecorderState.PAUSED
    stop_feeding.set()
    feeder.join()
    assert recorder.stop() is RecorderState.STOPPED
    assert recorder.elapsed_seconds == 0


def test_finished_callback_after_stop_is_not_an_interruption():
    sink = ListSink()
    recorder, streams = make_recorder(writer=sink)
    recorder.start()
    streams[0].feed(sine(0.3))
    assert recorder.stop() is RecorderState.STOPPED
    streams[0].finished_callback()
    assert recorder.state is RecorderState.STOPPED and recorder.error is None and sink.closed


def test_a_failing_live_consumer_does_not_stop_the_recording():
    sink = ListSink()

    def broken(_block):
        raise RuntimeError("transcriber bug")

    recorder, streams = make_recorder(writer=sink, on_audio=broken)
    recorder.start()
    for _ in range(3):
        streams[0].feed(sine(0.3))
    assert recorder.stop() is RecorderState.STOPPED
    assert len(b"".join(sink.chunks)) == 3 * BLOCK * 2


def test_a_full_disk_interrupts_with_a_sentence():
    recorder, streams = make_recorder(writer=FullDisk())
    recorder.start()
    streams[0].feed(sine(0.3))
    assert wait_until(lambda: recorder.state is RecorderState.INTERRUPTED)
    assert "disk" in str(recorder.error)
    recorder.stop()


def test_no_input_device_gives_a_plain_sentence():
    def factory(**_kwargs):
        raise RuntimeError("Error querying device -1")

    with pytest.raises(MicrophoneError, match="No microphone was found"):
        Recorder(stream_factory=factory).start()


def test_a_stream_that_cannot_start_leaves_no_thread_behind():
    made = []

    def factory(**kwargs):
        made.append(FakeStream(**kwargs))
        made[-1].start_error = RuntimeError("Device unavailable")
        return made[-1]

    before, sink = threading.active_count(), ListSink()
    recorder = Recorder(stream_factory=factory, writer=sink)
    with pytest.raises(MicrophoneError, match="No microphone"):
        recorder.start()
    assert threading.active_count() == before and made[0].closed and recorder.state is RecorderState.IDLE
    assert not sink.closed  # the caller still owns the writer and decides what to do with the empty file


def test_a_recorder_records_once():
    recorder, _ = make_recorder()
    recorder.start()
    recorder.stop()
    with pytest.raises(RuntimeError):
        recorder.start()


def test_missing_portaudio_library_is_explained(monkeypatch):
    real_import = builtins.__import__

    def no_portaudio(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    with pytest.raises(MicrophoneError, match=r"PortAudio\) is not installed.*libportaudio2"):
        list_microphones()


def _fake_sounddevice(devices, default_input):
    module = types.ModuleType("sounddevice")
    module.PortAudioError = type("PortAudioError", (Exception,), {})
    module.query_devices = lambda: devices
    module.default = types.SimpleNamespace(device=[default_input, 0])
    return module


def test_list_microphones_keeps_inputs_and_marks_the_default(monkeypatch):
    devices = [{"name": "HDA Intel PCH: ALC3246 Analog (hw:0,0)", "max_input_channels": 2},
               {"name": "HDMI 0 (hw:0,3)", "max_input_channels": 0},
               {"name": "USB PnP Sound Device: Audio (hw:2,0)", "max_input_channels": 1}]
    monkeypatch.setitem(sys.modules, "sounddevice", _fake_sounddevice(devices, 2))
    assert list_microphones() == [Microphone(0, "HDA Intel PCH: ALC3246 Analog (hw:0,0)", False),
                                  Microphone(2, "USB PnP Sound Device: Audio (hw:2,0)", True)]


def test_no_microphones_is_an_empty_list(monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", _fake_sounddevice([{"name": "HDMI", "max_input_channels": 0}],
                                                                      -1))
    assert list_microphones() == []


def test_a_remembered_usb_microphone_is_found_after_its_card_number_changed():
    after_restart = [Microphone(0, "HDA Intel PCH: ALC3246 Analog (hw:0,0)", True),
                     Microphone(3, "USB PnP Sound Device: Audio (hw:1,0)", False)]
    found = microphone_by_name("USB PnP Sound Device: Audio (hw:2,0)", after_restart)
    assert found == after_restart[1]
    assert microphone_by_name("HDA Intel PCH: ALC3246 Analog (hw:0,0)", after_restart) == after_restart[0]
    assert microphone_by_name("Blue Yeti", after_restart) is None


def test_a_microphone_object_selects_its_device_id():
    recorder, streams = make_recorder(device=Microphone(4, "USB mic", False))
    recorder.start()
    assert streams[0].kwargs["device"] == 4
    recorder.stop()
