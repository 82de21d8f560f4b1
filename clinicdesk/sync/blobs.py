"""Blob sync with HQ: encrypted recordings, documents and photos travel as content-addressed 256 KiB chunks.

Up: split a blob into chunks (SHA-256 each), ask HQ which it lacks, send those, then the manifest; the chunk list and
how many chunks HQ is known to hold are saved after every chunk, so a cut connection resumes where it stopped.
Down: record every manifest HQ lists since the cursor, then fetch the blobs whose rows are here and bytes are not,
checking every chunk's hash; a recording is written to a temporary file, fsynced and renamed into the vault, a
document or photo saved into its row in one transaction, and only then is the blob recorded as present.
"""

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select, update

from clinicdesk.store.audio_vault import delete_recording_file
from clinicdesk.store.blob_sync_state import DOWN, PLANNED, UP, UPLOADED, BlobCursorRow, BlobSyncRow, cursor_row
from clinicdesk.store.database import Database
from clinicdesk.store.models_consultation import RecordingRow
from clinicdesk.sync import blob_sources as sources
from clinicdesk.sync.errors import SyncError
from clinicdesk.sync.transport import HqTransport

MISSING_QUESTION = 500  # HQ's limit of hashes per question
MAX_BLOB_CHUNKS = 16_384  # HQ's limit of chunks per manifest
LIST_PAGE = 500
_SHA256 = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

log = logging.getLogger(__name__)


class BlobDamaged(Exception):
    """What HQ sent for a blob does not match its manifest; nothing of it was kept."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def sync_blobs_up(database: Database, client: HqTransport, *, now: Callable[[], datetime] = utc_now) -> int:
    """Send every local blob HQ has not acknowledged; the number of blobs whose manifest HQ accepted now."""
    _plan_new_uploads(database, now)
    with database.session() as session:
        planned = list(session.scalars(select(BlobSyncRow.blob_id).where(BlobSyncRow.direction == UP,
                                                                         BlobSyncRow.state == PLANNED)))
    return sum(_upload(database, client, blob_id, now) for blob_id in planned)


def sync_blobs_down(database: Database, client: HqTransport, *, now: Callable[[], datetime] = utc_now) -> int:
    """Fetch every blob HQ lists that this device lacks and can place; the number written now. A blob whose bytes
    arrive damaged is refused (nothing of it is kept) and tried again at the next sync, which this raises to say."""
    _record_listed(database, client, now)
    _drop_deleted_recordings(database, now)
    with database.session() as session:
        wanted = list(session.execute(select(BlobSyncRow.blob_id, BlobSyncRow.kind, BlobSyncRow.owner_id,
                                             BlobSyncRow.size).where(BlobSyncRow.direction == DOWN,
                                                                     BlobSyncRow.state == sources.WANTED)))
    written = damaged = 0
    for blob_id, kind, owner_id, size in wanted:
        try:
            written += _download(database, client, blob_id, kind, owner_id, size, now)
        except BlobDamaged as problem:
            damaged += 1
            log.warning("blob %s from HQ refused: %s", blob_id, problem)  # ids and counts only, never content
    if damaged:
        raise SyncError(f"{damaged} file(s) from HQ arrived damaged and were not saved; the rest of the sync is "
                        "saved. Sync again; if this repeats, tell the HQ administrator.", code="blob_damaged")
    return written


# --- up ------------------------------------------------------------------------------------------------------

def _plan_new_uploads(database: Database, now: Callable[[], datetime]) -> None:
    """Split and hash every blob not seen yet; its chunk list is saved before anything is sent."""
    with database.session() as session:
        known = set(session.scalars(select(BlobSyncRow.owner_id)))
        found = sources.uploadable_blobs(session, database.data_dir, known)
    for blob in found:
        with database.session() as session, session.begin():
            reader = sources.open_local_blob(session, database.data_dir, blob.kind, blob.owner_id)
            if reader is None:
                continue
            hashes, size = [], 0
            with reader:
                for piece in reader.chunks():
                    hashes.append(hashlib.sha256(piece).hexdigest())
                    size += len(piece)
            if not hashes or len(hashes) > MAX_BLOB_CHUNKS:  # HQ takes at most 4 GiB; no recording reaches it
                continue
            session.add(BlobSyncRow(blob_id=sources.blob_id_for(blob.kind, blob.owner_id), kind=blob.kind,
                                    owner_id=blob.owner_id, direction=UP, state=PLANNED, size=size,
                                    chunk_hashes_json=json.dumps(hashes), chunks_confirmed=0, updated_at=now()))


def _upload(database: Database, client: HqTransport, blob_id: str, now: Callable[[], datetime]) -> bool:
    with database.session() as session:
        row = session.get(BlobSyncRow, blob_id)
        kind, owner_id, size, confirmed = row.kind, row.owner_id, row.size, row.chunks_confirmed
        hashes = json.loads(row.chunk_hashes_json)
    missing = _ask_missing(client, hashes[confirmed:])
    with database.session() as session:
        reader = sources.open_local_blob(session, database.data_dir, kind, owner_id)
    if reader is None:  # deleted since it was planned (consent withdrawn, retention): nothing to send
        _forget(database, blob_id)
        return False
    with reader:
        for index in range(confirmed, len(hashes)):
            if hashes[index] not in missing:
                continue
            piece = reader.chunk(index)
            if hashlib.sha256(piece).hexdigest() != hashes[index]:  # changed since planned: plan it again next time
                _forget(database, blob_id)
                return False
            client.request("PUT", f"/v1/chunks/{hashes[index]}", content=piece)
            missing.discard(hashes[index])  # a chunk that repeats is sent once
            _confirm(database, blob_id, index + 1, now)
    _confirm(database, blob_id, len(hashes), now)
    try:
        answer = client.request("PUT", f"/v1/blobs/{blob_id}", json={"kind": kind, "owner_id": owner_id,
                                                                     "size": size, "chunks": hashes}).json()
    except SyncError as refusal:
        if refusal.code == "chunks_missing":  # HQ lost a chunk it had: ask again from the start next time
            _confirm(database, blob_id, 0, now)
            return False
        if refusal.code != "blob_exists":
            raise
        # HQ holds another version under this id (sent before a key change, say); blobs never change there, so
        # this one is settled rather than refused at every sync.
        log.warning("blob %s: HQ already holds another version; kept as it is", blob_id)
        answer = {"seq": None}
    seq = answer["seq"]
    with database.session() as session, session.begin():
        session.execute(update(BlobSyncRow).where(BlobSyncRow.blob_id == blob_id)
                        .values(state=UPLOADED, hq_seq=seq if isinstance(seq, int) else None, updated_at=now()))
    return seq is not None


def _ask_missing(client: HqTransport, hashes: list[str]) -> set[str]:
    unique = list(dict.fromkeys(hashes))
    missing: set[str] = set()
    for start in range(0, len(unique), MISSING_QUESTION):
        answer = client.request("POST", "/v1/chunks/missing", json={"hashes": unique[start:start + MISSING_QUESTION]})
        missing.update(answer.json()["missing"])
    return missing


def _confirm(database: Database, blob_id: str, chunks: int, now: Callable[[], datetime]) -> None:
    with database.session() as session, session.begin():
        session.execute(update(BlobSyncRow).where(BlobSyncRow.blob_id == blob_id)
                        .values(chunks_confirmed=chunks, updated_at=now()))


def _forget(database: Database, blob_id: str) -> None:
    with database.session() as session, session.begin():
        session.execute(delete(BlobSyncRow).where(BlobSyncRow.blob_id == blob_id))


# --- down ----------------------------------------------------------------------------------------------------

def _record_listed(database: Database, client: HqTransport, now: Callable[[], datetime]) -> None:
    """Every manifest HQ lists since the cursor becomes a wanted blob (unless known here); the page and the new
    cursor are saved in one transaction."""
    while True:
        with database.session() as session, session.begin():
            after = cursor_row(session).after_seq
        page = client.request("GET", "/v1/blobs", params={"after": after, "limit": LIST_PAGE}).json()
        with database.session() as session, session.begin():
            known = set(session.scalars(select(BlobSyncRow.blob_id).where(
                BlobSyncRow.blob_id.in_([str(entry.get("blob_id")) for entry in page["blobs"]]))))
            for entry in page["blobs"]:
                if _listing_is_sound(entry) and entry["blob_id"] not in known:
                    session.add(BlobSyncRow(blob_id=entry["blob_id"], kind=entry["kind"], owner_id=entry["owner_id"],
                                            direction=DOWN, state=sources.WANTED, size=entry["size"],
                                            chunk_hashes_json="[]", chunks_confirmed=0, hq_seq=entry["seq"],
                                            updated_at=now()))
                    known.add(entry["blob_id"])
            moved = session.execute(update(BlobCursorRow).where(BlobCursorRow.after_seq == after)
                                    .values(after_seq=int(page["next_after"])))
            if moved.rowcount != 1:
                raise SyncError("Another sync of this database ran at the same time; sync again.", code="busy")
        if not page.get("has_more") or not page["blobs"]:
            return


def _drop_deleted_recordings(database: Database, now: Callable[[], datetime]) -> None:
    """A recording received here and deleted since on another desk (retention, consent withdrawn; the row's state
    travels) loses its file here too, as it did there."""
    with database.session() as session:
        doomed = list(session.scalars(select(BlobSyncRow).join(RecordingRow, RecordingRow.id == BlobSyncRow.owner_id)
                                      .where(BlobSyncRow.direction == DOWN, BlobSyncRow.state == sources.PRESENT,
                                             BlobSyncRow.kind == sources.RECORDING, RecordingRow.state == "deleted")))
    for row in doomed:
        delete_recording_file(sources.recording_path(database.data_dir, row.owner_id))
        _mark(database, row.blob_id, sources.GONE, now)


def _listing_is_sound(entry: dict) -> bool:
    sound = (isinstance(entry.get("blob_id"), str) and _UUID.fullmatch(entry["blob_id"]) is not None
             and entry.get("kind") in sources.KINDS
             and isinstance(entry.get("owner_id"), str) and _UUID.fullmatch(entry["owner_id"]) is not None
             and type(entry.get("size")) is int and entry["size"] > 0 and type(entry.get("seq")) is int)
    if not sound:
        log.warning("HQ listed a blob this version cannot use; it was left alone")
    return sound


def _download(database: Database, client: HqTransport, blob_id: str, kind: str, owner_id: str, size: int,
              now: Callable[[], datetime]) -> int:
    with database.session() as session:
        state = sources.receive_state(session, database.data_dir, kind, owner_id)
    if state == sources.ABSENT:
        return 0  # its row has not been pulled yet
    if state in (sources.PRESENT, sources.GONE):
        _mark(database, blob_id, state, now)
        return 0
    manifest = client.request("GET", f"/v1/blobs/{blob_id}").json()
    hashes = manifest.get("chunks")
    if (manifest.get("size") != size or manifest.get("kind") != kind or manifest.get("owner_id") != owner_id
            or not isinstance(hashes, list) or not all(isinstance(h, str) and _SHA256.fullmatch(h) for h in hashes)):
        raise BlobDamaged("its manifest does not match HQ's listing")
    if kind == sources.RECORDING:
        _receive_recording(database.data_dir, client, owner_id, hashes, size)
    else:
        if size > sources.MAX_SEALED_BLOB_BYTES:
            raise BlobDamaged("it is larger than any document or photo can be")
        content = b"".join(_fetch_chunks(client, hashes, size))
        with database.session() as session, session.begin():
            sources.place_sealed(session, kind, owner_id, content)
    _mark(database, blob_id, sources.PRESENT, now)
    return 1


def _fetch_chunks(client: HqTransport, hashes: list[str], size: int):
    """Each chunk's bytes in order, each checked against its hash, the total against the manifest's size."""
    received = 0
    for expected in hashes:
        piece = client.request("GET", f"/v1/chunks/{expected}").content
        if hashlib.sha256(piece).hexdigest() != expected:
            raise BlobDamaged("a chunk's bytes do not match its hash")
        received += len(piece)
        if received > size:
            raise BlobDamaged("its chunks are larger than its manifest says")
        yield piece
    if received != size:
        raise BlobDamaged("its chunks are smaller than its manifest says")


def _receive_recording(data_dir: Path, client: HqTransport, owner_id: str, hashes: list[str], size: int) -> None:
    """Write to a temporary file next to the final one, fsync, rename, fsync the folder: a crash or a damaged chunk
    leaves either no file or the whole file, never part of one."""
    final = sources.recording_path(data_dir, owner_id)
    final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            for piece in _fetch_chunks(client, hashes, size):
                view = memoryview(piece)
                while view:
                    view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sources.fsync_directory(final.parent)


def _mark(database: Database, blob_id: str, state: str, now: Callable[[], datetime]) -> None:
    with database.session() as session, session.begin():
        session.execute(update(BlobSyncRow).where(BlobSyncRow.blob_id == blob_id)
                        .values(state=state, updated_at=now()))
