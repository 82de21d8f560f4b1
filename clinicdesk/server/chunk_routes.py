"""Chunk and blob endpoints of a device: which chunks HQ lacks, upload and fetch one chunk (raw bytes, hash checked),
and blob manifests (put, get, list since a cursor). The centre always comes from the device credential."""

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from clinicdesk.server.auth import AuthenticatedDevice
from clinicdesk.server.chunks import (
    MAX_BLOB_CHUNKS,
    MAX_CHUNK_BYTES,
    BlobManifestRow,
    Manifest,
    get_manifest,
    manifests_after,
    missing_hashes,
    put_manifest,
    read_chunk,
    store_chunk,
)
from clinicdesk.server.device_routes import current_device
from clinicdesk.server.errors import ApiError
from clinicdesk.server.limits import RAW_BODY_ROUTE, StrictModel
from clinicdesk.server.state import ServerState, server_state
from clinicdesk.server.sync_schemas import LowerUuid

MAX_HASHES_PER_QUESTION = 500  # 500 quoted hashes fit well inside the default 64 KiB body
MAX_MANIFEST_BODY_BYTES = 2 * 1024 * 1024  # MAX_BLOB_CHUNKS hashes of 67 bytes each, with room to spare
MAX_LIST_LIMIT = 500
DEFAULT_LIST_LIMIT = 200
MAX_SEQ = 2**63 - 1
CHUNK_MEDIA_TYPE = "application/octet-stream"
# Request bodies larger than the default, by (method, path prefix): a chunk and a manifest only.
LARGER_BODY_LIMITS_BY_PREFIX = {("PUT", "/v1/chunks/"): MAX_CHUNK_BYTES,
                                ("PUT", "/v1/blobs/"): MAX_MANIFEST_BODY_BYTES}

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
_SHA256_PATH = Path(pattern=r"^[0-9a-f]{64}$", description="the chunk's SHA-256, 64 lower-case hex digits")
_BLOB_ID_PATH = Path(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

router = APIRouter(prefix="/v1")


class MissingQuestion(StrictModel):
    hashes: list[Sha256Hex] = Field(min_length=1, max_length=MAX_HASHES_PER_QUESTION)


class ManifestBody(StrictModel):
    kind: Literal["recording", "document", "photo"]
    owner_id: LowerUuid  # the row the bytes belong to (recordings, patient_documents or session_photos)
    size: int = Field(ge=1, le=MAX_BLOB_CHUNKS * MAX_CHUNK_BYTES)
    chunks: list[Sha256Hex] = Field(min_length=1, max_length=MAX_BLOB_CHUNKS)


@router.post("/chunks/missing")
def missing(body: MissingQuestion, device: AuthenticatedDevice = Depends(current_device),
            state: ServerState = Depends(server_state)) -> dict:
    """Which of these chunks this centre's HQ store lacks, in the order asked."""
    with state.transaction(device.centre_id) as session:
        return {"missing": missing_hashes(session, device.centre_id, body.hashes)}


@router.put("/chunks/{sha256}", openapi_extra={RAW_BODY_ROUTE: True})
async def put_chunk(request: Request, sha256: str = _SHA256_PATH,
                    device: AuthenticatedDevice = Depends(current_device),
                    state: ServerState = Depends(server_state)) -> dict:
    """Store one chunk sent as raw bytes; HQ hashes what arrived and refuses it unless it matches the address.
    Sending a chunk again is harmless."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != CHUNK_MEDIA_TYPE:
        raise ApiError(415, "unsupported_media_type", f"Send a chunk as raw bytes (Content-Type: {CHUNK_MEDIA_TYPE}).")
    content = await request.body()
    if len(content) > MAX_CHUNK_BYTES:
        raise ApiError(413, "body_too_large", f"A chunk is at most {MAX_CHUNK_BYTES} bytes.")
    if not content:
        raise ApiError(422, "empty_chunk", "A chunk cannot be empty.")
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ApiError(422, "chunk_hash_mismatch", "The chunk's bytes do not have the SHA-256 in its address; it was "
                                                   "damaged on the way and was not stored. Send it again.")

    def store() -> bool:
        with state.transaction(device.centre_id) as session:
            return store_chunk(session, device.centre_id, sha256, content, device_id=device.device_id,
                               now=state.clock())

    stored = await run_in_threadpool(store)
    return {"sha256": sha256, "size": len(content), "stored": stored}


@router.get("/chunks/{sha256}")
def get_chunk(sha256: str = _SHA256_PATH, device: AuthenticatedDevice = Depends(current_device),
              state: ServerState = Depends(server_state)) -> Response:
    """The chunk's bytes; 404 when this centre has no such chunk (another centre's is never served or confirmed)."""
    with state.transaction(device.centre_id) as session:
        content = read_chunk(session, device.centre_id, sha256)
    if content is None:
        raise ApiError(404, "not_found", "HQ has no such chunk for this centre.")
    return Response(content=content, media_type=CHUNK_MEDIA_TYPE)


def _manifest_json(row: BlobManifestRow, *, with_chunks: bool) -> dict:
    answer = {"blob_id": row.blob_id, "kind": row.kind, "owner_id": row.owner_id, "size": row.size,
              "chunk_count": len(row.chunk_hashes), "seq": row.seq}
    if with_chunks:
        answer["chunks"] = list(row.chunk_hashes)
    return answer


@router.put("/blobs/{blob_id}")
def put_blob(body: ManifestBody, response: Response, blob_id: str = _BLOB_ID_PATH,
             device: AuthenticatedDevice = Depends(current_device),
             state: ServerState = Depends(server_state)) -> dict:
    """Record a blob's manifest once every chunk is at HQ (409 chunks_missing otherwise); the same manifest again
    is accepted (200), a new one is 201."""
    manifest = Manifest(blob_id, body.kind, body.owner_id, body.size, tuple(body.chunks))
    with state.transaction(device.centre_id) as session:
        seq, created = put_manifest(session, device.centre_id, manifest, device_id=device.device_id,
                                    now=state.clock())
    response.status_code = 201 if created else 200
    return {"blob_id": blob_id, "seq": seq, "created": created}


@router.get("/blobs/{blob_id}")
def get_blob(blob_id: str = _BLOB_ID_PATH, device: AuthenticatedDevice = Depends(current_device),
             state: ServerState = Depends(server_state)) -> dict:
    """A manifest with its chunk hashes in order; 404 for an unknown id or another centre's."""
    with state.transaction(device.centre_id) as session:
        row = get_manifest(session, device.centre_id, blob_id)
        if row is None:
            raise ApiError(404, "not_found", "HQ has no such blob for this centre.")
        return _manifest_json(row, with_chunks=True)


@router.get("/blobs")
def list_blobs(after: int = Query(0, ge=0, le=MAX_SEQ), limit: int = Query(DEFAULT_LIST_LIMIT, ge=1,
                                                                           le=MAX_LIST_LIMIT),
               device: AuthenticatedDevice = Depends(current_device),
               state: ServerState = Depends(server_state)) -> dict:
    """The centre's manifests numbered after `after` (without chunk lists); `next_after` is the new cursor."""
    with state.transaction(device.centre_id) as session:
        rows = manifests_after(session, device.centre_id, after, limit)
        page = rows[:limit]
        return {"blobs": [_manifest_json(row, with_chunks=False) for row in page],
                "next_after": page[-1].seq if page else after, "has_more": len(rows) > limit}
