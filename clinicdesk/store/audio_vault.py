"""Encrypted consultation audio: recording keys wrapped by the centre (else database) key, files sealed in chunks."""

import hashlib
import hmac
import os
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from clinicdesk.domain.errors import ClinicError
from clinicdesk.store.crypto import KEY_ID_BYTES, FieldSealer, _subkey
from clinicdesk.store.keys import DatabaseKey

MAGIC = b"CDAUDIO\x00"
FORMAT_VERSION = 1
RECORDING_KEY_BYTES = 32
# magic, version, sample rate, channels, file salt (fresh per file, so a reused recording key never reuses a
# nonce), key check (tells "wrong key" apart from "damaged file").
_HEADER = struct.Struct(">8sBIB16s16s")
_CHUNK_LENGTH = struct.Struct(">I")
_CHUNK_AD = struct.Struct(">QB")
_TAG_BYTES = 16
_WRAP_VERSION = 1  # wrapped with a subkey of the database key
_CENTRE_WRAP_VERSION = 2  # wrapped with a subkey of the centre key; its key id follows the version byte
_WRAP_PURPOSE = "audio-key-wrap-v1"
_MAX_CHUNK_BYTES = 64 * 1024 * 1024


class AudioVaultError(ClinicError):
    """A recording or its key cannot be used."""


class WrongRecordingKey(AudioVaultError):
    """The key given does not belong to this recording."""


class RecordingDamaged(AudioVaultError):
    """The recording file was altered, reordered or is not a ClinicDesk recording."""


@dataclass(frozen=True)
class DecryptedRecording:
    sample_rate: int
    channels: int
    pcm16: bytes
    complete: bool  # False when the writer never closed the file (crash, power cut): the last second may be missing


def new_recording_key() -> bytes:
    return secrets.token_bytes(RECORDING_KEY_BYTES)


def _wrap_ad(recording_id: str) -> bytes:
    return b"clinicdesk:recording-key:" + recording_id.encode()


def wrap_recording_key(keys: DatabaseKey | FieldSealer, recording_key: bytes, *, recording_id: str) -> bytes:
    """Encrypt a recording key for storage next to the recording's row; bound to that recording id. Given the
    database's sealer, a centre key (when this device has one) wraps it, so the centre's other devices can unwrap."""
    if len(recording_key) != RECORDING_KEY_BYTES:
        raise ValueError("a recording key is 32 bytes")
    nonce = secrets.token_bytes(12)
    centre = keys.centre_subkey(_WRAP_PURPOSE) if isinstance(keys, FieldSealer) else None
    if centre is not None:
        key_id, wrapping_key = centre
        sealed = AESGCM(wrapping_key).encrypt(nonce, recording_key, _wrap_ad(recording_id))
        return bytes([_CENTRE_WRAP_VERSION]) + key_id + nonce + sealed
    sealed = AESGCM(_device_wrapping_key(keys)).encrypt(nonce, recording_key, _wrap_ad(recording_id))
    return bytes([_WRAP_VERSION]) + nonce + sealed


def _device_wrapping_key(keys: DatabaseKey | FieldSealer) -> bytes:
    return keys.device_subkey(_WRAP_PURPOSE) if isinstance(keys, FieldSealer) else _subkey(keys, _WRAP_PURPOSE)


def is_wrapped_with_centre_key(wrapped: bytes) -> bool:
    return bool(wrapped) and wrapped[0] == _CENTRE_WRAP_VERSION


def unwrap_recording_key(keys: DatabaseKey | FieldSealer, wrapped: bytes, *, recording_id: str) -> bytes:
    """The recording key; either format opens (older recordings were wrapped with the database key)."""
    if len(wrapped) >= 1 + KEY_ID_BYTES + 12 + _TAG_BYTES and wrapped[0] == _CENTRE_WRAP_VERSION:
        centre = keys.centre_subkey(_WRAP_PURPOSE) if isinstance(keys, FieldSealer) else None
        if centre is None:
            raise WrongRecordingKey("This recording's key is sealed with the centre's key, which this device does not "
                                    "have yet; sync with HQ and try again.")
        key_id, wrapping_key = centre
        if wrapped[1:1 + KEY_ID_BYTES] != key_id:
            raise WrongRecordingKey("This recording's key is sealed with another centre's key, so the recording "
                                    "cannot be played here.")
        body = wrapped[1 + KEY_ID_BYTES:]
        try:
            return AESGCM(wrapping_key).decrypt(body[:12], body[12:], _wrap_ad(recording_id))
        except InvalidTag:
            raise WrongRecordingKey("This recording's key does not belong to it, so the recording cannot be "
                                    "played.") from None
    if len(wrapped) < 1 + 12 + _TAG_BYTES or wrapped[0] != _WRAP_VERSION:
        raise RecordingDamaged("The stored key of this recording is damaged, so the recording cannot be played.")
    try:
        return AESGCM(_device_wrapping_key(keys)).decrypt(wrapped[1:13], wrapped[13:], _wrap_ad(recording_id))
    except InvalidTag:
        raise WrongRecordingKey("This recording's key does not belong to it or to this clinic's database, so the "
                                "recording cannot be played.") from None


def _file_keys(recording_key: bytes, salt: bytes) -> tuple[AESGCM, bytes]:
    if len(recording_key) != RECORDING_KEY_BYTES:
        raise ValueError("a recording key is 32 bytes")
    material = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"clinicdesk:audio-file-v1").derive(
        recording_key)
    key_check = hmac.new(material[32:], b"key-check", hashlib.sha256).digest()[:16]
    return AESGCM(material[:32]), key_check


def _nonce(index: int) -> bytes:
    # A fresh key per file (salted HKDF) makes a plain counter a safe nonce.
    return b"\x00\x00\x00\x00" + index.to_bytes(8, "big")


def _chunk_ad(header: bytes, index: int, final: bool) -> bytes:
    # The header and the position go into every seal, so chunks cannot be swapped, moved between files or dropped.
    return header + _CHUNK_AD.pack(index, 1 if final else 0)


class EncryptedAudioWriter:
    """Appends 16-bit PCM to an encrypted recording file, sealing and fsyncing about one second per chunk."""

    def __init__(self, path: Path | str, recording_key: bytes, *, sample_rate: int = 16000, channels: int = 1,
                 chunk_seconds: float = 1.0):
        self.path = Path(path)
        self.sample_rate, self.channels = sample_rate, channels
        salt = secrets.token_bytes(16)
        self._aead, key_check = _file_keys(recording_key, salt)
        self._header = _HEADER.pack(MAGIC, FORMAT_VERSION, sample_rate, channels, salt, key_check)
        frame_bytes = 2 * channels
        self._chunk_bytes = max(frame_bytes, int(sample_rate * chunk_seconds) * frame_bytes)
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        # O_EXCL: never append to, or overwrite, another recording; 0600: only this user can read even the ciphertext.
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._write_durably(self._header)
        _fsync_directory(self.path.parent)

    def write(self, pcm16: bytes) -> None:
        if self._closed:
            raise ValueError("the recording is already closed")
        self._buffer += pcm16
        while len(self._buffer) >= self._chunk_bytes:
            chunk = bytes(self._buffer[:self._chunk_bytes])
            del self._buffer[:self._chunk_bytes]
            self._seal(chunk, final=False)

    def close(self) -> None:
        """Seal what is buffered and a final marker, so a reader can tell a finished recording from a crash."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._buffer:
                self._seal(bytes(self._buffer), final=False)
                self._buffer.clear()
            self._seal(b"", final=True)
        finally:
            os.close(self._fd)

    @property
    def closed(self) -> bool:
        return self._closed

    def _seal(self, plain: bytes, *, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._index), plain, _chunk_ad(self._header, self._index, final))
        self._index += 1
        self._write_durably(_CHUNK_LENGTH.pack(len(sealed)) + sealed)

    def _write_durably(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]
        os.fsync(self._fd)

    def __enter__(self) -> "EncryptedAudioWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_recording(path: Path | str, recording_key: bytes) -> DecryptedRecording:
    """Decrypt a whole recording in memory; a half-written last chunk (crash) is left out, tampering raises."""
    data = Path(path).read_bytes()
    if len(data) < _HEADER.size or not data.startswith(MAGIC):
        raise RecordingDamaged("This file is not a ClinicDesk recording or its beginning is damaged.")
    header = data[:_HEADER.size]
    _, version, sample_rate, channels, salt, stored_check = _HEADER.unpack(header)
    if version != FORMAT_VERSION:
        raise RecordingDamaged(f"This recording was made by a newer ClinicDesk (format {version}); update ClinicDesk "
                               "to play it.")
    aead, key_check = _file_keys(recording_key, salt)
    if not hmac.compare_digest(key_check, stored_check):
        raise WrongRecordingKey("The key given does not open this recording.")
    pcm, offset, index, complete = bytearray(), _HEADER.size, 0, False
    while offset + _CHUNK_LENGTH.size <= len(data):
        (length,) = _CHUNK_LENGTH.unpack_from(data, offset)
        if length < _TAG_BYTES or length > _MAX_CHUNK_BYTES:
            raise RecordingDamaged(f"Part {index + 1} of this recording is damaged.")
        start = offset + _CHUNK_LENGTH.size
        if start + length > len(data):
            break  # the writer died while writing this chunk: keep everything before it
        sealed = data[start:start + length]
        plain = _open_chunk(aead, header, index, sealed)
        offset = start + length
        if plain is None:  # the final marker
            complete = True
            break
        pcm += plain
        index += 1
    if complete and offset != len(data):
        raise RecordingDamaged("This recording has data after its end marker; it was altered.")
    return DecryptedRecording(sample_rate, channels, bytes(pcm), complete)


def _open_chunk(aead: AESGCM, header: bytes, index: int, sealed: bytes) -> bytes | None:
    """The chunk's PCM, or None for the final marker; a chunk that fits neither position raises."""
    for final in (False, True):
        try:
            plain = aead.decrypt(_nonce(index), sealed, _chunk_ad(header, index, final))
        except InvalidTag:
            continue
        return None if final else plain
    raise RecordingDamaged(f"Part {index + 1} of this recording was altered, moved or removed; it cannot be "
                           "trusted.")


def read_recording(path: Path | str, recording_key: bytes) -> tuple[int, int, bytes]:
    """(sample_rate, channels, pcm16) of a recording; see open_recording for crash and tamper handling."""
    recording = open_recording(path, recording_key)
    return recording.sample_rate, recording.channels, recording.pcm16


def delete_recording_file(path: Path | str) -> None:
    """Remove the file. Deleting the wrapped key is what makes copies (backups, SSD remnants) unreadable."""
    path = Path(path)
    path.unlink(missing_ok=True)
    if path.parent.exists():
        _fsync_directory(path.parent)
