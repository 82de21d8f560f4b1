"""HQ's chunk store: content-addressed chunks per centre (hash checked on arrival), blob manifests accepted only when
every chunk is there, listing since a cursor; strict refusals; one centre can neither read, list nor guess another's.
The flows run on SQLite and again on PostgreSQL, where raw SQL as the server's role shows row-level security."""

import hashlib
import inspect
import sys
import uuid

import psycopg
import pytest

from tests.server.test_postgres import PostgresHQ, pg_hq, pg_urls  # noqa: F401  (fixtures for the PostgreSQL runs)

OCTETS = {"Content-Type": "application/octet-stream"}
MiB = 1024 * 1024


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put_chunk(hq, device, data: bytes, address: str | None = None):
    return hq.client.put(f"/v1/chunks/{address or sha(data)}", content=data, headers={**device.headers, **OCTETS})


def missing(hq, device, hashes: list[str]) -> list[str]:
    response = hq.client.post("/v1/chunks/missing", json={"hashes": hashes}, headers=device.headers)
    assert response.status_code == 200, response.text
    return response.json()["missing"]


def put_manifest(hq, device, blob_id: str, pieces: list[bytes], **overrides):
    body = {"kind": "recording", "owner_id": str(uuid.uuid4()), "size": sum(map(len, pieces)),
            "chunks": [sha(c) for c in pieces]} | overrides
    return hq.client.put(f"/v1/blobs/{blob_id}", json=body, headers=device.headers)


def one_device(hq, centre: str = "Kochi"):
    return hq.enrol(hq.centre(centre), f"{centre} desk")


def test_a_blob_travels_as_chunks_then_a_manifest_and_is_listed_since_a_cursor(hq):
    desk = one_device(hq)
    chunks = [b"\x01" * 1000, b"\x02" * 700, b"\x01" * 1000]  # the first and last are one chunk, stored once
    hashes = [sha(c) for c in chunks]
    assert missing(hq, desk, hashes) == [hashes[0], hashes[1]]
    first = put_chunk(hq, desk, chunks[0])
    assert first.status_code == 200 and first.json() == {"sha256": hashes[0], "size": 1000, "stored": True}
    assert put_chunk(hq, desk, chunks[0]).json()["stored"] is False  # sent again: harmless, stored once
    assert missing(hq, desk, hashes) == [hashes[1]]

    blob_id = str(uuid.uuid4())
    early = put_manifest(hq, desk, blob_id, chunks)
    assert early.status_code == 409 and early.json()["error"] == "chunks_missing"
    assert put_chunk(hq, desk, chunks[1]).status_code == 200
    owner = str(uuid.uuid4())
    created = put_manifest(hq, desk, blob_id, chunks, owner_id=owner)
    assert created.status_code == 201 and created.json() == {"blob_id": blob_id, "seq": 1, "created": True}
    again = put_manifest(hq, desk, blob_id, chunks, owner_id=owner)
    assert again.status_code == 200 and again.json()["created"] is False  # idempotent, no new number
    other = put_manifest(hq, desk, blob_id, chunks[:2], owner_id=owner)
    assert other.status_code == 409 and other.json()["error"] == "blob_exists"

    manifest = hq.client.get(f"/v1/blobs/{blob_id}", headers=desk.headers).json()
    assert manifest == {"blob_id": blob_id, "kind": "recording", "owner_id": owner, "size": 2700, "chunk_count": 3,
                        "seq": 1, "chunks": hashes}
    fetched = hq.client.get(f"/v1/chunks/{hashes[1]}", headers=desk.headers)
    assert fetched.status_code == 200 and fetched.content == chunks[1]
    assert fetched.headers["content-type"] == "application/octet-stream"

    second = str(uuid.uuid4())
    assert put_manifest(hq, desk, second, chunks[1:2], kind="document").json()["seq"] == 2
    listing = hq.client.get("/v1/blobs", headers=desk.headers).json()
    assert [b["blob_id"] for b in listing["blobs"]] == [blob_id, second] and listing["next_after"] == 2
    assert "chunks" not in listing["blobs"][0]
    page = hq.client.get("/v1/blobs?after=1&limit=1", headers=desk.headers).json()
    assert [b["blob_id"] for b in page["blobs"]] == [second] and page["has_more"] is False
    first_page = hq.client.get("/v1/blobs?after=0&limit=1", headers=desk.headers).json()
    assert first_page["has_more"] is True and first_page["next_after"] == 1
    assert hq.client.get("/v1/blobs?after=2", headers=desk.headers).json() == {"blobs": [], "next_after": 2,
                                                                              "has_more": False}


def test_a_chunk_whose_bytes_do_not_match_its_address_is_refused_and_not_stored(hq):
    desk = one_device(hq)
    good, damaged = b"ciphertext" * 100, b"ciphertexT" * 100
    response = put_chunk(hq, desk, damaged, address=sha(good))
    assert response.status_code == 422 and response.json()["error"] == "chunk_hash_mismatch"
    assert missing(hq, desk, [sha(good), sha(damaged)]) == [sha(good), sha(damaged)]
    assert hq.client.get(f"/v1/chunks/{sha(good)}", headers=desk.headers).status_code == 404


def test_chunk_uploads_are_refused_with_a_reason_when_too_big_empty_mistyped_or_misaddressed(hq):
    desk = one_device(hq)
    just_fits = b"\x07" * MiB
    assert put_chunk(hq, desk, just_fits).status_code == 200
    too_big = put_chunk(hq, desk, just_fits + b"\x07")
    assert too_big.status_code == 413 and too_big.json()["error"] == "body_too_large"
    empty = put_chunk(hq, desk, b"")
    assert empty.status_code == 422 and empty.json()["error"] == "empty_chunk"
    as_json = hq.client.put(f"/v1/chunks/{sha(b'x')}", content=b"x",
                            headers={**desk.headers, "Content-Type": "application/json"})
    assert as_json.status_code == 415
    for address in ("ABC", sha(b"x").upper(), sha(b"x") + "0", "../" + sha(b"x")[3:]):
        refused = put_chunk(hq, desk, b"x", address=address)
        assert refused.status_code in (404, 422), address  # a path that is no chunk address matches nothing
        assert refused.json()["error"] in ("invalid_request", "not_found")
    assert hq.client.put(f"/v1/chunks/{sha(b'x')}", content=b"x", headers=OCTETS).status_code == 401
    # Only the chunk upload takes more than the default 64 KiB: a JSON body of 100 KiB elsewhere is still refused.
    large_json = hq.client.post("/v1/chunks/missing", content=b"[" + b" " * 100_000 + b"]",
                                headers={**desk.headers, "Content-Type": "application/json"})
    assert large_json.status_code == 413


@pytest.mark.parametrize(("overrides", "field"), [
    ({"kind": "video"}, "kind"),
    ({"size": 0}, "size"),
    ({"size": "2700"}, "size"),
    ({"chunks": []}, "chunks"),
    ({"chunks": ["not-a-hash"]}, "chunks.0"),
    ({"owner_id": "../../etc/passwd"}, "owner_id"),
    ({"centre_id": "another-centre"}, "centre_id"),
])
def test_a_manifest_of_the_wrong_shape_is_refused_naming_the_field(hq, overrides, field):
    desk = one_device(hq)
    data = b"chunk" * 10
    put_chunk(hq, desk, data)
    response = put_manifest(hq, desk, str(uuid.uuid4()), [data], **overrides)
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["field"] == field
    assert hq.client.get("/v1/blobs", headers=desk.headers).json()["blobs"] == []


def test_a_manifest_whose_size_is_not_its_chunks_sizes_or_whose_id_is_not_a_uuid_is_refused(hq):
    desk = one_device(hq)
    data = b"chunk" * 10
    put_chunk(hq, desk, data)
    wrong_size = put_manifest(hq, desk, str(uuid.uuid4()), [data], size=51)
    assert wrong_size.status_code == 422 and wrong_size.json()["error"] == "size_mismatch"
    assert put_manifest(hq, desk, "not-a-uuid", [data]).status_code == 422
    assert hq.client.get("/v1/blobs?after=-1", headers=desk.headers).status_code == 422
    assert hq.client.get("/v1/blobs?limit=501", headers=desk.headers).status_code == 422
    assert hq.client.get("/v1/blobs?centre_id=x", headers=desk.headers).json()["error"] == "unknown_query_parameter"
    too_many = hq.client.post("/v1/chunks/missing", json={"hashes": [sha(b"%d" % n) for n in range(501)]},
                              headers=desk.headers)
    assert too_many.status_code == 422


def test_another_centre_can_neither_read_list_nor_guess_a_centres_chunks_and_manifests(hq):
    a, b = one_device(hq, "Kochi"), one_device(hq, "Thrissur")
    secret = b"centre A's ciphertext" * 50
    put_chunk(hq, a, secret)
    blob_id = str(uuid.uuid4())
    assert put_manifest(hq, a, blob_id, [secret]).status_code == 201

    assert hq.client.get(f"/v1/chunks/{sha(secret)}", headers=b.headers).status_code == 404
    assert missing(hq, b, [sha(secret)]) == [sha(secret)]  # asking reveals nothing about A
    assert hq.client.get(f"/v1/blobs/{blob_id}", headers=b.headers).status_code == 404
    assert hq.client.get("/v1/blobs", headers=b.headers).json()["blobs"] == []
    # B cannot point a manifest of its own at A's chunk, nor take A's blob id over.
    stolen = put_manifest(hq, b, str(uuid.uuid4()), [secret])
    assert stolen.status_code == 409 and stolen.json()["error"] == "chunks_missing"
    # B uploading the same bytes gets its own copy; A's blob and numbering are untouched.
    assert put_chunk(hq, b, secret).json()["stored"] is True
    assert put_manifest(hq, b, blob_id, [secret]).json() == {"blob_id": blob_id, "seq": 1, "created": True}
    assert hq.client.get("/v1/blobs", headers=a.headers).json()["next_after"] == 1
    assert missing(hq, a, [sha(secret)]) == []


def _flows():
    """This module's tests that need only the HQ, to run again on PostgreSQL."""
    for name, function in inspect.getmembers(sys.modules[__name__], inspect.isfunction):
        if name.startswith("test_") and list(inspect.signature(function).parameters) == ["hq"]:
            yield pytest.param(function, id=name)


def test_the_flows_are_collected_for_postgresql():
    assert len(list(_flows())) >= 5


@pytest.mark.parametrize("flow", list(_flows()))
def test_the_chunk_flows_pass_on_postgresql(flow, pg_hq):  # noqa: F811
    flow(pg_hq)


def test_on_postgresql_raw_sql_as_the_server_role_sees_only_its_centres_chunks(pg_hq, pg_urls):  # noqa: F811
    a, b = one_device(pg_hq, "Kochi"), one_device(pg_hq, "Thrissur")
    for device, data in ((a, b"A" * 300), (b, b"B" * 300)):
        put_chunk(pg_hq, device, data)
        assert put_manifest(pg_hq, device, str(uuid.uuid4()), [data]).status_code == 201
    app_url = pg_urls["app"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(app_url) as conn:
        conn.execute("SELECT set_config('clinicdesk.centre_id', %s, false)", (a.centre_id,))
        for table in ("blob_chunks", "blob_manifests", "blob_sequences"):
            centres = {row[0] for row in conn.execute(f"SELECT centre_id FROM {table}")}  # no WHERE on purpose
            assert centres == {a.centre_id}, table
        assert conn.execute("UPDATE blob_chunks SET size = 0 WHERE centre_id = %s", (b.centre_id,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO blob_chunks (centre_id, sha256, size, content, stored_at, stored_by_device_id) "
                         "VALUES (%s, %s, 1, 'x', now(), %s)", (b.centre_id, sha(b"x"), b.id))
