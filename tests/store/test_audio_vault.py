"""The audio vault: round trip, keys bound to their recording, tamper detection, crash survival, no plaintext."""

import math
import os
import random
import signal
import struct
import subprocess
import sys
import time

import pytest

from clinicdesk.store.audio_vault import (
    EncryptedAudioWriter,
    RecordingDamaged,
    WrongRecordingKey,
    delete_recording_file,
    new_recording_key,
    open_recording,
    read_recording,
    unwrap_recording_key,
    wrap_recording_key,
)
from clinicdesk.store.keys import new_key

RATE = 16000
SECOND = RATE * 2  # bytes of 16-bit mono audio per second (one sealed chunk)
HEADER_BYTES = 8 + 1 + 4 + 1 + 16 + 16


def tone(seconds: float, *, freq: float = 440.0) -> bytes:
    n = int(RATE * seconds)
    return struct.pack(f"<{n}h", *(int(12000 * math.sin(2 * math.pi * freq * i / RATE)) for i in range(n)))


def write(path, key, pcm: bytes, *, block: int = 3200) -> None:
    with EncryptedAudioWriter(path, key, sample_rate=RATE) as writer:
        for start in range(0, len(pcm), block):
            writer.write(pcm[start:start + block])


def chunk_spans(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each length-prefixed sealed chunk, for tests that cut or reorder them."""
    spans, offset = [], HEADER_BYTES
    while offset < len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        spans.append((offset, offset + 4 + length))
        offset += 4 + length
    return spans


def test_round_trip_keeps_audio_format_and_every_sample(tmp_path):
    key, pcm = new_recording_key(), tone(2.6)
    write(tmp_path / "a.cda", key, pcm)
    assert read_recording(tmp_path / "a.cda", key) == (RATE, 1, pcm)
    assert open_recording(tmp_path / "a.cda", key).complete


def test_stereo_48k_header_round_trips(tmp_path):
    key = new_recording_key()
    with EncryptedAudioWriter(tmp_path / "s.cda", key, sample_rate=48000, channels=2) as writer:
        writer.write(b"\x01\x02\x03\x04" * 1000)
    assert read_recording(tmp_path / "s.cda", key) == (48000, 2, b"\x01\x02\x03\x04" * 1000)


def test_each_second_is_sealed_and_on_disk_before_close(tmp_path):
    key = new_recording_key()
    writer = EncryptedAudioWriter(tmp_path / "live.cda", key, sample_rate=RATE)
    writer.write(tone(2.5))
    # Not closed yet: two whole seconds are already readable, the half second is still buffered.
    partial = open_recording(tmp_path / "live.cda", key)
    assert len(partial.pcm16) == 2 * SECOND and not partial.complete
    writer.close()
    assert len(open_recording(tmp_path / "live.cda", key).pcm16) == int(2.5 * RATE) * 2


def test_file_holds_no_plaintext_audio_and_no_side_files(tmp_path):
    key, pcm = new_recording_key(), tone(3.0, freq=523.0)
    write(tmp_path / "a.cda", key, pcm)
    data = (tmp_path / "a.cda").read_bytes()
    windows = [pcm[i:i + 16] for i in range(0, len(pcm) - 16, 997)]
    assert all(window not in data for window in windows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.cda"]
    assert oct((tmp_path / "a.cda").stat().st_mode & 0o777) == "0o600"


def test_writer_refuses_to_overwrite_an_existing_recording(tmp_path):
    write(tmp_path / "a.cda", new_recording_key(), tone(0.2))
    with pytest.raises(FileExistsError):
        EncryptedAudioWriter(tmp_path / "a.cda", new_recording_key())


def test_wrong_key_is_reported_as_wrong_key(tmp_path):
    write(tmp_path / "a.cda", new_recording_key(), tone(1.2))
    with pytest.raises(WrongRecordingKey):
        read_recording(tmp_path / "a.cda", new_recording_key())


def test_a_flipped_bit_in_a_chunk_raises(tmp_path):
    key = new_recording_key()
    write(tmp_path / "a.cda", key, tone(3.0))
    data = bytearray((tmp_path / "a.cda").read_bytes())
    start, end = chunk_spans(bytes(data))[1]
    data[(start + end) // 2] ^= 0x01
    (tmp_path / "a.cda").write_bytes(bytes(data))
    with pytest.raises(RecordingDamaged, match="Part 2"):
        read_recording(tmp_path / "a.cda", key)


def test_an_altered_header_raises(tmp_path):
    key = new_recording_key()
    write(tmp_path / "a.cda", key, tone(1.0))
    data = bytearray((tmp_path / "a.cda").read_bytes())
    data[9:13] = struct.pack(">I", 8000)  # claim a different sample rate
    (tmp_path / "a.cda").write_bytes(bytes(data))
    with pytest.raises(RecordingDamaged):
        read_recording(tmp_path / "a.cda", key)


def test_swapped_chunks_raise(tmp_path):
    key = new_recording_key()
    write(tmp_path / "a.cda", key, tone(3.0))
    data = (tmp_path / "a.cda").read_bytes()
    (a0, a1), (b0, b1) = chunk_spans(data)[:2]
    (tmp_path / "a.cda").write_bytes(data[:a0] + data[b0:b1] + data[a0:a1] + data[b1:])
    with pytest.raises(RecordingDamaged, match="Part 1"):
        read_recording(tmp_path / "a.cda", key)


def test_a_dropped_middle_chunk_raises(tmp_path):
    key = new_recording_key()
    write(tmp_path / "a.cda", key, tone(3.0))
    data = (tmp_path / "a.cda").read_bytes()
    start, end = chunk_spans(data)[1]
    (tmp_path / "a.cda").write_bytes(data[:start] + data[end:])
    with pytest.raises(RecordingDamaged):
        read_recording(tmp_path / "a.cda", key)


def test_data_after_the_end_marker_raises(tmp_path):
    key = new_recording_key()
    write(tmp_path / "a.cda", key, tone(1.5))
    data = (tmp_path / "a.cda").read_bytes()
    start, end = chunk_spans(data)[0]
    (tmp_path / "a.cda").write_bytes(data + data[start:end])
    with pytest.raises(RecordingDamaged):
        read_recording(tmp_path / "a.cda", key)


def test_a_cut_off_tail_keeps_whole_chunks_and_reports_incomplete(tmp_path):
    key, pcm = new_recording_key(), tone(3.0)
    write(tmp_path / "a.cda", key, pcm)
    data = (tmp_path / "a.cda").read_bytes()
    start, end = chunk_spans(data)[2]
    (tmp_path / "a.cda").write_bytes(data[:start + (end - start) // 2])
    recording = open_recording(tmp_path / "a.cda", key)
    assert recording.pcm16 == pcm[:2 * SECOND] and not recording.complete


def test_not_a_recording_raises(tmp_path):
    (tmp_path / "x.cda").write_bytes(b"RIFF....WAVEfmt " + bytes(100))
    with pytest.raises(RecordingDamaged):
        read_recording(tmp_path / "x.cda", new_recording_key())


def test_wrapped_key_round_trips_only_for_its_recording_and_database():
    db_key, recording_key = new_key(), new_recording_key()
    wrapped = wrap_recording_key(db_key, recording_key, recording_id="rec-1")
    assert recording_key not in wrapped
    assert unwrap_recording_key(db_key, wrapped, recording_id="rec-1") == recording_key
    with pytest.raises(WrongRecordingKey):
        unwrap_recording_key(db_key, wrapped, recording_id="rec-2")
    with pytest.raises(WrongRecordingKey):
        unwrap_recording_key(new_key(), wrapped, recording_id="rec-1")
    with pytest.raises(RecordingDamaged):
        unwrap_recording_key(db_key, wrapped[:10], recording_id="rec-1")


def test_new_recording_keys_are_random_32_bytes():
    keys = {new_recording_key() for _ in range(20)}
    assert len(keys) == 20 and all(len(k) == 32 for k in keys)


def test_delete_removes_the_file_and_tolerates_a_missing_one(tmp_path):
    write(tmp_path / "a.cda", new_recording_key(), tone(0.3))
    delete_recording_file(tmp_path / "a.cda")
    assert not (tmp_path / "a.cda").exists()
    delete_recording_file(tmp_path / "a.cda")


# A writer process that records a deterministic signal in 0.1 s blocks at about real time / 10 and prints the
# number of bytes handed to write() after each call, until it is killed.
_CRASH_WRITER = """
import sys, time
from clinicdesk.store.audio_vault import EncryptedAudioWriter
path, key = sys.argv[1], bytes.fromhex(sys.argv[2])
writer = EncryptedAudioWriter(path, key, sample_rate=16000)
sent = 0
while True:
    block = bytes((sent + i) % 251 for i in range(3200))
    writer.write(block)
    sent += len(block)
    print(sent, flush=True)
    time.sleep(0.01)
"""


def _signal(length: int) -> bytes:
    return bytes(i % 251 for i in range(length))


@pytest.mark.parametrize("round_no", range(4))
def test_sigkill_mid_recording_loses_at_most_the_last_second(tmp_path, round_no):
    key, path = new_recording_key(), tmp_path / "crash.cda"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([sys.executable, "-c", _CRASH_WRITER, str(path), key.hex()], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acknowledged = 0
    target = random.Random(round_no).randint(int(2.2 * SECOND), int(4.8 * SECOND))
    deadline = time.monotonic() + 30
    try:
        while acknowledged < target and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            acknowledged = int(line)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert acknowledged >= target
    recording = open_recording(path, key)
    assert not recording.complete
    assert len(recording.pcm16) % SECOND == 0  # whole sealed chunks only
    assert len(recording.pcm16) >= acknowledged - SECOND
    assert recording.pcm16 == _signal(len(recording.pcm16))
