"""What HQ keeps: Argon2id hashes of device credentials, SHA-256 of enrolment codes, never either in plain text;
the schema comes from the server's own Alembic history and matches the models."""

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient

from clinicdesk.server.app import create_app
from clinicdesk.server.database import ServerDatabaseTooNew, make_engine, open_server_database
from clinicdesk.server.models import ServerBase


def _every_byte(folder) -> bytes:
    # The database file and its WAL/shared-memory companions: a secret must be in none of them.
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())


def test_credentials_and_codes_are_stored_only_as_hashes(hq, database_file):
    centre = hq.centre("Kochi")
    code = hq.code(centre)
    response = hq.client.post("/v1/enrol", json={"code": code, "device_name": "Desk"})
    credential = response.json()["credential"]
    secret = credential.rsplit(".", 1)[1]
    unused_code = hq.code(centre)

    stored = _every_byte(database_file.parent)
    assert stored  # the check below would pass vacuously on empty files
    for plain in (credential, secret, code, code.replace("-", ""), unused_code, unused_code.replace("-", "")):
        assert plain.encode() not in stored, plain

    with sqlite3.connect(database_file) as conn:
        (credential_hash,) = conn.execute("SELECT credential_hash FROM devices").fetchone()
    assert credential_hash.startswith("$argon2id$")
    assert hq.client.get("/v1/whoami", headers={"Authorization": f"Bearer {credential}"}).status_code == 200


def test_the_migrated_schema_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    open_server_database(url)
    with make_engine(url).connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), ServerBase.metadata) == []


def test_reopening_keeps_the_data(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    token = "t" * 40
    with TestClient(create_app(url, admin_token=token, clock=clock)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.post("/v1/admin/centres", json={"name": "Kochi"}, headers=headers).status_code == 201
    with TestClient(create_app(url, admin_token=token, clock=clock)) as client:
        again = client.post("/v1/admin/centres", json={"name": "Kochi"}, headers=headers)
    assert again.status_code == 409


def test_a_database_from_a_newer_server_is_left_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    open_server_database(url)
    with sqlite3.connect(tmp_path / "hq.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(ServerDatabaseTooNew, match="newer ClinicDesk server"):
        open_server_database(url)


def test_a_short_admin_token_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 32 characters"):
        create_app(f"sqlite:///{tmp_path / 'hq.sqlite3'}", admin_token="short")
