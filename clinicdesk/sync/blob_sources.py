"""Where each kind of blob lives on this device: recording files in the audio vault folder, documents' and photos'
sealed bytes in their rows. Finds what can be sent, reads it chunk by chunk, and puts received bytes in place.
Only ciphertext is ever read or written here: a recording file as it is on disk, a sealed column as it is stored."""

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clinicdesk.store.crypto import CENTRE_SEAL_MAGIC, is_centre_sealed
from clinicdesk.store.models import PatientDocumentRow
from clinicdesk.store.models_consent_media import SessionPhotoRow
from clinicdesk.store.models_consultation import RecordingRow

CHUNK_BYTES = 256 * 1024
RECORDING, DOCUMENT, PHOTO = "recording", "document", "photo"
KINDS = (RECORDING, DOCUMENT, PHOTO)
SEALED_ROWS = {DOCUMENT: PatientDocumentRow, PHOTO: SessionPhotoRow}
MAX_SEALED_BLOB_BYTES = 64 * 1024 * 1024  # a document is at most 20 MB and a photo 15 MB before sealing
RECORDINGS_DIR = "recordings"  # the audio vault folder in the data directory (as services/recordings.py names it)
FINISHED_RECORDING_STATES = ("complete", "interrupted")  # a file still being recorded is not sent yet
_BLOB_NAMESPACE = uuid.UUID("5b0c1f0e-6a57-4d1c-9f5e-2f0c8a4b7d21")  # fixed: one blob id per (kind, owner) forever
_RECORDING_FILE = re.compile(r"recordings/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.cdaudio")

# What a device can do with a blob HQ lists
ABSENT = "absent"  # its row has not arrived here yet: wait for a later pull
WANTED = "wanted"  # the row is here, the bytes are not
PRESENT = "present"  # the bytes are here already
GONE = "gone"  # never needed here (the recording was deleted) or not placeable safely


@dataclass(frozen=True)
class LocalBlob:
    kind: str
    owner_id: str
    size: int


def blob_id_for(kind: str, owner_id: str) -> str:
    """The blob id every device derives for the same content owner, so one row never has two blobs at HQ."""
    return str(uuid.uuid5(_BLOB_NAMESPACE, f"{kind}:{owner_id}"))


def recording_path(data_dir: Path, owner_id: str) -> Path:
    return data_dir / RECORDINGS_DIR / f"{owner_id}.cdaudio"


def uploadable_blobs(session: Session, data_dir: Path, known_owner_ids: set[str]) -> list[LocalBlob]:
    """Content on this device that HQ may lack and that blob sync has not seen yet: documents and photos sealed
    with the centre key (one sealed with this database's own key waits until the centre key re-seals it: no other
    device could open it, and re-sealing changes the bytes; a pulled row still waiting for its bytes is empty),
    and finished recordings whose file is here (the file never changes once finished; only its key is re-wrapped)."""
    found = []
    for kind, row_type in SEALED_ROWS.items():
        size = func.length(row_type.sealed_content)
        centre_sealed = func.substr(row_type.sealed_content, 1, len(CENTRE_SEAL_MAGIC)) == CENTRE_SEAL_MAGIC
        for owner_id, length in session.execute(select(row_type.id, size).where(size > 0, centre_sealed)):
            if owner_id not in known_owner_ids:
                found.append(LocalBlob(kind, owner_id, length))
    for owner_id, file_name in session.execute(select(RecordingRow.id, RecordingRow.file_name).where(
            RecordingRow.state.in_(FINISHED_RECORDING_STATES))):
        path = recording_path(data_dir, owner_id)
        if owner_id not in known_owner_ids and _is_vault_name(file_name, owner_id) and path.is_file():
            found.append(LocalBlob(RECORDING, owner_id, path.stat().st_size))
    return found


def _is_vault_name(file_name: str, owner_id: str) -> bool:
    # A recording's file name travels with its row: only the vault's own form is ever used as a path here, so a
    # row from elsewhere can never make this device read or write outside the vault folder.
    match = _RECORDING_FILE.fullmatch(file_name or "")
    return match is not None and match.group(1) == owner_id


class BlobReader:
    """Reads one blob chunk by chunk: a recording from its file, a sealed value from its row (read once)."""

    def __init__(self, data: bytes | None = None, path: Path | None = None):
        self._data = data
        self._file = open(path, "rb") if path is not None else None  # noqa: SIM115  (closed by close())

    def chunk(self, index: int) -> bytes:
        if self._file is None:
            return self._data[index * CHUNK_BYTES:(index + 1) * CHUNK_BYTES]
        self._file.seek(index * CHUNK_BYTES)
        return self._file.read(CHUNK_BYTES)

    def chunks(self):
        index = 0
        while piece := self.chunk(index):
            yield piece
            index += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> "BlobReader":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def open_local_blob(session: Session, data_dir: Path, kind: str, owner_id: str) -> BlobReader | None:
    """A reader over the blob's current bytes, or None when they are no longer here (deleted since)."""
    if kind == RECORDING:
        row = session.get(RecordingRow, owner_id)
        path = recording_path(data_dir, owner_id)
        if row is None or row.state not in FINISHED_RECORDING_STATES or not path.is_file():
            return None
        return BlobReader(path=path)
    row = session.get(SEALED_ROWS[kind], owner_id)
    if row is None or not row.sealed_content or not is_centre_sealed(row.sealed_content):
        return None
    return BlobReader(data=bytes(row.sealed_content))


def receive_state(session: Session, data_dir: Path, kind: str, owner_id: str) -> str:
    """ABSENT, WANTED, PRESENT or GONE for a blob HQ lists (see the constants)."""
    if kind == RECORDING:
        row = session.get(RecordingRow, owner_id)
        if row is None:
            return ABSENT
        if row.state == "deleted" or not _is_vault_name(row.file_name, owner_id):
            return GONE
        return PRESENT if recording_path(data_dir, owner_id).exists() else WANTED
    row = session.get(SEALED_ROWS[kind], owner_id)
    if row is None:
        return ABSENT
    return PRESENT if row.sealed_content else WANTED


def place_sealed(session: Session, kind: str, owner_id: str, content: bytes) -> bool:
    """Fill a pulled row's empty content column; never overwrites content already there. The column does not sync,
    so this queues nothing for HQ."""
    row_type = SEALED_ROWS[kind]
    result = session.execute(update(row_type).where(row_type.id == owner_id, func.length(row_type.sealed_content) == 0)
                             .values(sealed_content=content).execution_options(synchronize_session=False))
    return result.rowcount == 1


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
