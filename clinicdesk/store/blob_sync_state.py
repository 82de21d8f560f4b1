"""What this device knows about each blob that travels with HQ: how far an upload got, which downloads it wants,
and the cursor of HQ's blob list. Small rows; the bytes themselves are never stored here."""

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, delete, update
from sqlalchemy.orm import Mapped, mapped_column

from clinicdesk.store.models import Base, UtcDateTime

# direction and state of a blob on this device
UP, DOWN = "up", "down"
PLANNED = "planned"  # up: split and hashed, the chunk list saved; some chunks or the manifest may still be missing
UPLOADED = "uploaded"  # up: HQ holds every chunk and the manifest
WANTED = "wanted"  # down: HQ listed it and this device lacks its bytes
PRESENT = "present"  # down: the bytes are in place here (file renamed into the vault, or sealed content saved)
_CURSOR_ID = 1


class BlobSyncRow(Base):
    """One blob (a recording file, a document's or a photo's sealed bytes) and how far its journey got."""

    __tablename__ = "blob_sync_state"
    blob_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # recording, document, photo
    owner_id: Mapped[str] = mapped_column(String(36))  # the row in recordings, patient_documents or session_photos
    direction: Mapped[str] = mapped_column(String(4))
    state: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(BigInteger)
    chunk_hashes_json: Mapped[str] = mapped_column(Text, default="[]")  # in order; "[]" until known
    chunks_confirmed: Mapped[int] = mapped_column(Integer, default=0)  # chunks HQ is known to hold (uploads)
    hq_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # the manifest's number at HQ
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


# The upload pass reads "everything of mine not yet uploaded", the download pass "everything wanted".
Index("ix_blob_sync_state_direction_state", BlobSyncRow.direction, BlobSyncRow.state)


class BlobCursorRow(Base):
    """The one row holding the last HQ blob-list number this device has recorded."""

    __tablename__ = "blob_sync_cursor"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    after_seq: Mapped[int] = mapped_column(BigInteger, default=0)


def cursor_row(session) -> BlobCursorRow:
    """The cursor row, made on first use."""
    row = session.get(BlobCursorRow, _CURSOR_ID)
    if row is None:
        row = BlobCursorRow(id=_CURSOR_ID, after_seq=0)
        session.add(row)
        session.flush()
    return row


def forget_hq_progress(session) -> None:
    """After HQ was reset or restored (a new epoch): every blob is sent again (HQ says which chunks it still has)
    and HQ's list is read again from the start; bytes already here stay. For a full resync, in its transaction."""
    session.execute(update(BlobSyncRow).where(BlobSyncRow.direction == UP)
                    .values(state=PLANNED, chunks_confirmed=0, hq_seq=None))
    session.execute(delete(BlobSyncRow).where(BlobSyncRow.direction == DOWN, BlobSyncRow.state == WANTED))
    cursor_row(session).after_seq = 0
