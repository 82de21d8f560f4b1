"""HQ's chunk store: encrypted blob pieces keyed by (centre, SHA-256), and the manifests that put them in order.

HQ only ever holds ciphertext: a recording file as it is on the device's disk, a document or photo as its sealed
bytes. Chunks are content-addressed per centre, never across centres, so one centre can neither read another's
chunks nor learn, by asking what is missing, that another centre holds some content.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, LargeBinary, String, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from clinicdesk.server.errors import ApiError
from clinicdesk.server.models import ID_LENGTH, ServerBase

SHA256_HEX_LENGTH = 64
MAX_CHUNK_BYTES = 1024 * 1024  # a device sends 256 KiB pieces; HQ takes up to 1 MiB
MAX_BLOB_CHUNKS = 16_384  # 4 GiB at 256 KiB: more than six hours of 48 kHz stereo audio
BLOB_KINDS = ("recording", "document", "photo")
KIND_MAX = 12
OWNER_ID_MAX = 80
_IN_BATCH = 500  # stays far below the bound-parameter limits of SQLite and PostgreSQL


def _centre_column() -> Mapped[str]:
    return mapped_column(String(ID_LENGTH), ForeignKey("centres.id"), primary_key=True)


class BlobChunkRow(ServerBase):
    """One piece of ciphertext, stored once per centre however many blobs share it."""

    __tablename__ = "blob_chunks"

    centre_id: Mapped[str] = _centre_column()
    sha256: Mapped[str] = mapped_column(String(SHA256_HEX_LENGTH), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime]
    stored_by_device_id: Mapped[str] = mapped_column(String(ID_LENGTH))


class BlobManifestRow(ServerBase):
    """A whole blob: what it belongs to and its chunks in order. Accepted only once every chunk is stored, so a
    device that sees a manifest can always fetch all of it; numbered per centre (`seq`) for listing since a cursor."""

    __tablename__ = "blob_manifests"
    __table_args__ = (Index("ix_blob_manifests_centre_seq", "centre_id", "seq", unique=True),)

    centre_id: Mapped[str] = _centre_column()
    blob_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    owner_id: Mapped[str] = mapped_column(String(OWNER_ID_MAX))
    size: Mapped[int] = mapped_column(BigInteger)
    chunk_hashes: Mapped[list] = mapped_column(JSON)
    seq: Mapped[int] = mapped_column(BigInteger)
    pushed_by_device_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    created_at: Mapped[datetime]


class BlobSequenceRow(ServerBase):
    """The last manifest number handed out in a centre. Locked by each new manifest, so numbers commit in order and
    a device whose cursor passed 7 never misses a 6 that commits later."""

    __tablename__ = "blob_sequences"

    centre_id: Mapped[str] = _centre_column()
    last_seq: Mapped[int] = mapped_column(BigInteger)


CHUNK_TABLES = tuple(row.__tablename__ for row in (BlobChunkRow, BlobManifestRow, BlobSequenceRow))


@dataclass(frozen=True)
class Manifest:
    blob_id: str
    kind: str
    owner_id: str
    size: int
    chunk_hashes: tuple[str, ...]


def _batches(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _IN_BATCH):
        yield items[start:start + _IN_BATCH]


def present_hashes(session: Session, centre_id: str, hashes: Sequence[str]) -> set[str]:
    """Which of `hashes` this centre holds."""
    found: set[str] = set()
    for batch in _batches(sorted(set(hashes))):
        found.update(session.scalars(select(BlobChunkRow.sha256).where(BlobChunkRow.centre_id == centre_id,
                                                                        BlobChunkRow.sha256.in_(batch))))
    return found


def missing_hashes(session: Session, centre_id: str, hashes: Sequence[str]) -> list[str]:
    """The hashes this centre lacks, in the order asked, each once."""
    present = present_hashes(session, centre_id, hashes)
    return list(dict.fromkeys(h for h in hashes if h not in present))


def store_chunk(session: Session, centre_id: str, sha256: str, content: bytes, *, device_id: str,
                now: datetime) -> bool:
    """Keep the chunk (its hash already checked by the caller); False when the centre already had it. Two devices
    sending the same chunk at once both succeed: the insert does nothing on a duplicate key."""
    return _insert_ignoring_duplicates(session, BlobChunkRow, centre_id=centre_id, sha256=sha256, size=len(content),
                                       content=content, stored_at=now, stored_by_device_id=device_id) == 1


def read_chunk(session: Session, centre_id: str, sha256: str) -> bytes | None:
    return session.scalar(select(BlobChunkRow.content).where(BlobChunkRow.centre_id == centre_id,
                                                              BlobChunkRow.sha256 == sha256))


def _same(row: BlobManifestRow, manifest: Manifest) -> bool:
    return (row.kind, row.owner_id, row.size, tuple(row.chunk_hashes)) == (
        manifest.kind, manifest.owner_id, manifest.size, manifest.chunk_hashes)


def put_manifest(session: Session, centre_id: str, manifest: Manifest, *, device_id: str,
                 now: datetime) -> tuple[int, bool]:
    """Record the manifest; (its seq, whether it is new). The same manifest again is accepted and changes nothing;
    another one under the same blob id is refused (409), as is one naming a chunk HQ lacks or a size its chunks do
    not add up to."""
    existing = session.get(BlobManifestRow, (centre_id, manifest.blob_id))
    if existing is not None:
        if not _same(existing, manifest):
            raise ApiError(409, "blob_exists", "HQ already holds a different blob under this id; blobs never change "
                                               "once sent.")
        return existing.seq, False
    missing = missing_hashes(session, centre_id, manifest.chunk_hashes)
    if missing:
        raise ApiError(409, "chunks_missing", f"HQ lacks {len(missing)} of this blob's chunks; upload them "
                                              "(POST /v1/chunks/missing says which), then send the manifest again.")
    sizes = _chunk_sizes(session, centre_id, manifest.chunk_hashes)
    if sum(sizes[h] for h in manifest.chunk_hashes) != manifest.size:
        raise ApiError(422, "size_mismatch", "The blob's size is not the sum of its chunks' sizes.")
    seq = _next_seq(session, centre_id)
    session.add(BlobManifestRow(centre_id=centre_id, blob_id=manifest.blob_id, kind=manifest.kind,
                                owner_id=manifest.owner_id, size=manifest.size,
                                chunk_hashes=list(manifest.chunk_hashes), seq=seq, pushed_by_device_id=device_id,
                                created_at=now))
    session.flush()
    return seq, True


def _chunk_sizes(session: Session, centre_id: str, hashes: Sequence[str]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for batch in _batches(sorted(set(hashes))):
        sizes.update(session.execute(select(BlobChunkRow.sha256, BlobChunkRow.size).where(
            BlobChunkRow.centre_id == centre_id, BlobChunkRow.sha256.in_(batch))).all())
    return sizes


def _insert_ignoring_duplicates(session: Session, row_type, **values) -> int:
    """1 when the row was inserted, 0 when its key was taken (rowcount is not reliable here: psycopg reports -1)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    [key] = row_type.__table__.primary_key.columns[:1]
    inserted = session.execute(insert(row_type).values(**values).on_conflict_do_nothing().returning(key)).first()
    return 0 if inserted is None else 1


def _next_seq(session: Session, centre_id: str) -> int:
    # The centre's first manifest makes the counter row; two firsts at once both insert-or-skip, then queue on the lock.
    _insert_ignoring_duplicates(session, BlobSequenceRow, centre_id=centre_id, last_seq=0)
    row = session.scalars(select(BlobSequenceRow).where(BlobSequenceRow.centre_id == centre_id)
                          .with_for_update()).one()
    row.last_seq += 1
    return row.last_seq


def get_manifest(session: Session, centre_id: str, blob_id: str) -> BlobManifestRow | None:
    return session.get(BlobManifestRow, (centre_id, blob_id))


def manifests_after(session: Session, centre_id: str, after: int, limit: int) -> list[BlobManifestRow]:
    """The centre's manifests numbered after `after`, in order; one more than `limit` says whether more follow."""
    return list(session.scalars(select(BlobManifestRow).where(BlobManifestRow.centre_id == centre_id,
                                                              BlobManifestRow.seq > after)
                                .order_by(BlobManifestRow.seq).limit(limit + 1)))


def chunk_count(session: Session, centre_id: str) -> int:
    return session.scalar(select(func.count()).select_from(BlobChunkRow).where(BlobChunkRow.centre_id == centre_id))
