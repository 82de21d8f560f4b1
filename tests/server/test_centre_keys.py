"""Centre keys at HQ: one per centre, stored only wrapped by a master key kept in a file; a device gets its own
centre's key and nothing else; a revoked device gets nothing; the master key file is made once, owner-only."""

import base64
import os
import sqlite3
import stat

import psycopg
import pytest
from fastapi.testclient import TestClient

from clinicdesk.server import migrate
from clinicdesk.server.app import create_app
from clinicdesk.server.centre_keys import MasterKeyProblem, load_or_create_master_key
from clinicdesk.server_command import MASTER_KEY_ENV, master_key_file
from clinicdesk.store.crypto import centre_key_id
from tests.server.conftest import ADMIN_TOKEN, HQ, bearer
from tests.server.postgres import APP_ROLE, OWNER_ROLE
from tests.server.test_postgres import _libpq, _owner_scalar


@pytest.fixture
def master_key(tmp_path):
    return load_or_create_master_key(tmp_path / "keys" / "centre-master-key")


@pytest.fixture
def keyed_hq(database_file, clock, master_key) -> HQ:
    app = create_app(f"sqlite:///{database_file}", admin_token=ADMIN_TOKEN, clock=clock,
                     centre_master_key=master_key)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield HQ(client, database_file)


def _fetch(hq: HQ, credential: str):
    return hq.client.get("/v1/centre-key", headers=bearer(credential))


def _key(hq: HQ, credential: str) -> bytes:
    response = _fetch(hq, credential)
    assert response.status_code == 200, response.text
    body = response.json()
    raw = base64.b64decode(body["key"])
    assert len(raw) == 32 and body["key_id"] == centre_key_id(raw)
    assert response.headers["cache-control"] == "no-store"
    return raw


def test_devices_of_one_centre_get_one_key_and_another_centre_a_different_one(keyed_hq):
    kochi, thrissur = keyed_hq.centre("Kochi"), keyed_hq.centre("Thrissur")
    desk_1, desk_2 = keyed_hq.enrol(kochi, "Desk 1"), keyed_hq.enrol(kochi, "Desk 2")
    other = keyed_hq.enrol(thrissur, "Desk T")
    kochi_key = _key(keyed_hq, desk_1.credential)
    assert _key(keyed_hq, desk_2.credential) == kochi_key
    assert _key(keyed_hq, desk_1.credential) == kochi_key  # stable: asking again changes nothing
    assert _key(keyed_hq, other.credential) != kochi_key
    assert _fetch(keyed_hq, other.credential).json()["centre_id"] == thrissur


def test_a_device_of_centre_b_cannot_ask_for_centre_a_s_key(keyed_hq):
    kochi, thrissur = keyed_hq.centre("Kochi"), keyed_hq.centre("Thrissur")
    kochi_key = _key(keyed_hq, keyed_hq.enrol(kochi).credential)
    intruder = keyed_hq.enrol(thrissur)
    refused = keyed_hq.client.get(f"/v1/centre-key?centre_id={kochi}", headers=intruder.headers)
    assert refused.status_code == 422 and kochi_key.hex() not in refused.text
    assert _key(keyed_hq, intruder.credential) != kochi_key


def test_a_revoked_device_or_a_wrong_credential_gets_no_key(keyed_hq):
    kochi = keyed_hq.centre("Kochi")
    device = keyed_hq.enrol(kochi)
    assert keyed_hq.revoke(device.id).status_code == 200
    revoked = _fetch(keyed_hq, device.credential)
    assert revoked.status_code == 403 and revoked.json()["error"] == "device_revoked" and "key" not in revoked.json()
    device_id, _, _ = device.credential.rpartition(".")
    assert _fetch(keyed_hq, f"{device_id}.{'A' * 43}").status_code == 401
    assert keyed_hq.client.get("/v1/centre-key").status_code == 401


def test_the_hq_database_never_holds_a_centre_key_in_clear(keyed_hq, database_file):
    kochi = keyed_hq.centre("Kochi")  # the key is made with the centre
    with sqlite3.connect(database_file) as conn:
        [(key_id, wrapped)] = conn.execute("SELECT key_id, wrapped_key FROM centre_keys").fetchall()
    raw = _key(keyed_hq, keyed_hq.enrol(kochi).credential)
    assert key_id == centre_key_id(raw)  # the very key handed out was the one stored at creation
    keyed_hq.client.get("/v1/health")
    dump = b"".join(path.read_bytes() for path in database_file.parent.iterdir() if path.is_file())
    for form in (raw, raw.hex().encode(), base64.b64encode(raw)):
        assert form not in dump  # not in the database file, its WAL or anything else in its folder
    assert raw not in wrapped and len(wrapped) == 12 + 32 + 16


def test_a_centre_made_before_centre_keys_gets_one_on_first_request(database_file, clock, master_key):
    app = create_app(f"sqlite:///{database_file}", admin_token=ADMIN_TOKEN, clock=clock)  # no master key yet
    with TestClient(app, raise_server_exceptions=False) as client:
        old_hq = HQ(client, database_file)
        device = old_hq.enrol(old_hq.centre("Kochi"))
        off = _fetch(old_hq, device.credential)
        assert off.status_code == 503 and off.json()["error"] == "centre_keys_off"
    with sqlite3.connect(database_file) as conn:
        assert conn.execute("SELECT COUNT(*) FROM centre_keys").fetchone()[0] == 0
    app = create_app(f"sqlite:///{database_file}", admin_token=ADMIN_TOKEN, clock=clock, centre_master_key=master_key)
    with TestClient(app, raise_server_exceptions=False) as client:
        new_hq = HQ(client, database_file)
        first = _key(new_hq, device.credential)
        assert _key(new_hq, device.credential) == first


def test_another_master_key_file_is_named_as_the_problem_not_mistaken_for_a_new_key(database_file, clock, tmp_path,
                                                                                     master_key):
    app = create_app(f"sqlite:///{database_file}", admin_token=ADMIN_TOKEN, clock=clock, centre_master_key=master_key)
    with TestClient(app, raise_server_exceptions=False) as client:
        device = HQ(client, database_file).enrol(HQ(client, database_file).centre("Kochi"))
        original = _key(HQ(client, database_file), device.credential)
    stranger = load_or_create_master_key(tmp_path / "other-master-key")
    app = create_app(f"sqlite:///{database_file}", admin_token=ADMIN_TOKEN, clock=clock, centre_master_key=stranger)
    with TestClient(app, raise_server_exceptions=False) as client:
        refused = _fetch(HQ(client, database_file), device.credential)
    assert refused.status_code == 503 and refused.json()["error"] == "centre_key_unavailable"
    assert "master key file" in refused.json()["reason"] and original.hex() not in refused.text


def test_the_master_key_file_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "hq" / "centre-master-key"
    first = load_or_create_master_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.read_bytes()) == 32
    assert load_or_create_master_key(path) == first  # kept, not remade
    assert "raw" not in repr(first) and path.read_bytes().hex() not in repr(first)
    os.chmod(path, 0o644)
    with pytest.raises(MasterKeyProblem, match="chmod 600"):
        load_or_create_master_key(path)
    short = tmp_path / "short-key"
    short.write_bytes(b"too short")
    short.chmod(0o600)
    with pytest.raises(MasterKeyProblem, match="exactly 32 bytes"):
        load_or_create_master_key(short)


def test_the_master_key_file_comes_from_the_option_else_the_environment_else_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(MASTER_KEY_ENV, raising=False)
    assert master_key_file(tmp_path, None) == tmp_path / "centre-master-key"
    monkeypatch.setenv(MASTER_KEY_ENV, str(tmp_path / "from-env"))
    assert master_key_file(tmp_path, None) == tmp_path / "from-env"
    assert master_key_file(tmp_path, str(tmp_path / "from-option")) == tmp_path / "from-option"


@pytest.fixture
def pg_urls(postgres_cluster) -> dict[str, str]:
    """A fresh HQ database on the session's PostgreSQL, migrated to head by the owner role."""
    database = postgres_cluster.new_database()
    urls = {"owner": postgres_cluster.url(OWNER_ROLE, database), "app": postgres_cluster.url(APP_ROLE, database)}
    assert migrate.main([_libpq(urls["owner"])]) == 0
    return urls


def test_on_postgresql_the_key_is_made_and_read_inside_its_centre_only(pg_urls, clock, master_key):
    """As the application role (no BYPASSRLS): centre keys are made with the centre and on first request, and raw
    SQL inside centre A sees A's key row only."""
    app = create_app(_libpq(pg_urls["app"]), admin_token=ADMIN_TOKEN, clock=clock, centre_master_key=master_key)
    with TestClient(app, raise_server_exceptions=False) as client:
        hq = HQ(client, None)
        kochi, thrissur = hq.centre("Kochi"), hq.centre("Thrissur")
        kochi_key = _key(hq, hq.enrol(kochi).credential)
        assert _key(hq, hq.enrol(thrissur).credential) != kochi_key
    assert _owner_scalar(pg_urls["owner"], "SELECT count(*) FROM centre_keys") == 2
    with psycopg.connect(_libpq(pg_urls["app"])) as conn:
        conn.execute("SELECT set_config('clinicdesk.centre_id', %s, false)", (kochi,))
        rows = conn.execute("SELECT centre_id, key_id FROM centre_keys").fetchall()
    assert rows == [(kochi, centre_key_id(kochi_key))]

